from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bridge_state import BridgeState
from ..types import UNSET, Unset

T = TypeVar("T", bound="EnvelopeCreatedBridgeData")


@_attrs_define
class EnvelopeCreatedBridgeData:
    """The bridge object of create-bridge.

    Attributes:
        id (int):  Example: 314.
        name (str):  Example: Sales Bridge.
        slug (str):  Example: sales-bridge-001.
        created_at (str): ISO 8601, UTC. Example: 2026-02-07T10:00:00Z.
        state (BridgeState):
        provider (None | str | Unset): The connected provider's slug; null for a draft.
    """

    id: int
    name: str
    slug: str
    created_at: str
    state: BridgeState
    provider: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        slug = self.slug

        created_at = self.created_at

        state = self.state.value

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "slug": slug,
                "created_at": created_at,
                "state": state,
            }
        )
        if provider is not UNSET:
            field_dict["provider"] = provider

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        slug = d.pop("slug")

        created_at = d.pop("created_at")

        state = BridgeState(d.pop("state"))

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        envelope_created_bridge_data = cls(
            id=id,
            name=name,
            slug=slug,
            created_at=created_at,
            state=state,
            provider=provider,
        )

        envelope_created_bridge_data.additional_properties = d
        return envelope_created_bridge_data

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
