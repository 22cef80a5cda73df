from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PacedEnvelope")


@_attrs_define
class PacedEnvelope:
    """A 429 under a CPS limit: the wait in milliseconds, since calls are paced in fractions of a
    second (`Retry-After` can only say whole seconds).

        Attributes:
            status_code (int):  Example: 429.
            message (str):  Example: The credential's CPS limit is reached; retry after the wait..
            retry_after_ms (int):  Example: 350.
    """

    status_code: int
    message: str
    retry_after_ms: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status_code = self.status_code

        message = self.message

        retry_after_ms = self.retry_after_ms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status_code": status_code,
                "message": message,
                "retry_after_ms": retry_after_ms,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status_code = d.pop("status_code")

        message = d.pop("message")

        retry_after_ms = d.pop("retry_after_ms")

        paced_envelope = cls(
            status_code=status_code,
            message=message,
            retry_after_ms=retry_after_ms,
        )

        paced_envelope.additional_properties = d
        return paced_envelope

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
