from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bridge_state import BridgeState

T = TypeVar("T", bound="EnvelopeDisconnectedViewData")


@_attrs_define
class EnvelopeDisconnectedViewData:
    """disconnect-provider's `data`.

    Attributes:
        message (str):  Example: Provider disconnected successfully.
        bridge_slug (str):  Example: sales-bridge-001.
        phone_number (str): The number taken off the bridge. Example: +1234567890.
        state (BridgeState):
    """

    message: str
    bridge_slug: str
    phone_number: str
    state: BridgeState
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        bridge_slug = self.bridge_slug

        phone_number = self.phone_number

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "bridge_slug": bridge_slug,
                "phone_number": phone_number,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        bridge_slug = d.pop("bridge_slug")

        phone_number = d.pop("phone_number")

        state = BridgeState(d.pop("state"))

        envelope_disconnected_view_data = cls(
            message=message,
            bridge_slug=bridge_slug,
            phone_number=phone_number,
            state=state,
        )

        envelope_disconnected_view_data.additional_properties = d
        return envelope_disconnected_view_data

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
