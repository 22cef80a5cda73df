from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.inbound_route import InboundRoute


T = TypeVar("T", bound="InboundEnvelope")


@_attrs_define
class InboundEnvelope:
    """
    Attributes:
        status_code (int):  Example: 200.
        message (str):  Example: Route found..
        data (InboundRoute):
    """

    status_code: int
    message: str
    data: InboundRoute
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status_code = self.status_code

        message = self.message

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status_code": status_code,
                "message": message,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inbound_route import InboundRoute  # noqa: PLC0415

        d = dict(src_dict)
        status_code = d.pop("status_code")

        message = d.pop("message")

        data = InboundRoute.from_dict(d.pop("data"))

        inbound_envelope = cls(
            status_code=status_code,
            message=message,
            data=data,
        )

        inbound_envelope.additional_properties = d
        return inbound_envelope

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
