from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.number_status import NumberStatus

T = TypeVar("T", bound="BridgeNumberDetail")


@_attrs_define
class BridgeNumberDetail:
    """A number on a bridge, as get-bridge-by-slug shows it.

    Attributes:
        id (int): The number's assignment to this bridge. Example: 501.
        number_id (int): The number's id (in `numbers/`). Example: 25.
        number (str):  Example: +1234567890.
        state (str): Always `ASSIGNED`: a disconnected number leaves the bridge's list. Example: ASSIGNED.
        active (bool): Whether `status` is `active`.
        channels_count (int): Calls in progress on the number; Patchbay carries no calls, so 0. Example: 0.
        status (NumberStatus):
    """

    id: int
    number_id: int
    number: str
    state: str
    active: bool
    channels_count: int
    status: NumberStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number_id = self.number_id

        number = self.number

        state = self.state

        active = self.active

        channels_count = self.channels_count

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number_id": number_id,
                "number": number,
                "state": state,
                "active": active,
                "channels_count": channels_count,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        number_id = d.pop("number_id")

        number = d.pop("number")

        state = d.pop("state")

        active = d.pop("active")

        channels_count = d.pop("channels_count")

        status = NumberStatus(d.pop("status"))

        bridge_number_detail = cls(
            id=id,
            number_id=number_id,
            number=number,
            state=state,
            active=active,
            channels_count=channels_count,
            status=status,
        )

        bridge_number_detail.additional_properties = d
        return bridge_number_detail

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
