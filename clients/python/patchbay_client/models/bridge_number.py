from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.number_status import NumberStatus

T = TypeVar("T", bound="BridgeNumber")


@_attrs_define
class BridgeNumber:
    """A number on a bridge, as the list and update pages show it.

    Attributes:
        id (int): The number's assignment to this bridge. Example: 501.
        number (str):  Example: +1234567890.
        status (NumberStatus):
    """

    id: int
    number: str
    status: NumberStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number = self.number

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        number = d.pop("number")

        status = NumberStatus(d.pop("status"))

        bridge_number = cls(
            id=id,
            number=number,
            status=status,
        )

        bridge_number.additional_properties = d
        return bridge_number

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
