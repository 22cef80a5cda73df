from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="VerificationCheck")


@_attrs_define
class VerificationCheck:
    """One check of a verification.

    Attributes:
        check_name (str):
        status (str):  Example: passed.
        message (str):
        timestamp (str):
        details (Any):
    """

    check_name: str
    status: str
    message: str
    timestamp: str
    details: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        check_name = self.check_name

        status = self.status

        message = self.message

        timestamp = self.timestamp

        details = self.details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "check_name": check_name,
                "status": status,
                "message": message,
                "timestamp": timestamp,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        check_name = d.pop("check_name")

        status = d.pop("status")

        message = d.pop("message")

        timestamp = d.pop("timestamp")

        details = d.pop("details")

        verification_check = cls(
            check_name=check_name,
            status=status,
            message=message,
            timestamp=timestamp,
            details=details,
        )

        verification_check.additional_properties = d
        return verification_check

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
