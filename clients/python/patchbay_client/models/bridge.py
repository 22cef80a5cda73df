from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bridge_state import BridgeState
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bridge_number import BridgeNumber


T = TypeVar("T", bound="Bridge")


@_attrs_define
class Bridge:
    """The bridge object of get-all-bridges (and update-bridge, which has no `provider` on its page).

    Attributes:
        id (int):  Example: 314.
        name (str):  Example: Sales Bridge.
        slug (str):  Example: sales-bridge-001.
        numbers (list[BridgeNumber]):
        state (BridgeState):
        created_at (str):
        provider (None | str | Unset): The connected provider's slug; null for a draft. Example: twilio.
    """

    id: int
    name: str
    slug: str
    numbers: list[BridgeNumber]
    state: BridgeState
    created_at: str
    provider: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        slug = self.slug

        numbers = []
        for numbers_item_data in self.numbers:
            numbers_item = numbers_item_data.to_dict()
            numbers.append(numbers_item)

        state = self.state.value

        created_at = self.created_at

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
                "numbers": numbers,
                "state": state,
                "created_at": created_at,
            }
        )
        if provider is not UNSET:
            field_dict["provider"] = provider

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bridge_number import BridgeNumber  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        slug = d.pop("slug")

        numbers = []
        _numbers = d.pop("numbers")
        for numbers_item_data in _numbers:
            numbers_item = BridgeNumber.from_dict(numbers_item_data)

            numbers.append(numbers_item)

        state = BridgeState(d.pop("state"))

        created_at = d.pop("created_at")

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        bridge = cls(
            id=id,
            name=name,
            slug=slug,
            numbers=numbers,
            state=state,
            created_at=created_at,
            provider=provider,
        )

        bridge.additional_properties = d
        return bridge

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
