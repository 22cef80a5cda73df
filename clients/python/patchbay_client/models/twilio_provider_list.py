from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.twilio_provider import TwilioProvider


T = TypeVar("T", bound="TwilioProviderList")


@_attrs_define
class TwilioProviderList:
    """
    Attributes:
        items (list[TwilioProvider]):
        total_count (int): All of the organization's Twilio providers (not just this page).
        skip (int):
        take (int):
    """

    items: list[TwilioProvider]
    total_count: int
    skip: int
    take: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        total_count = self.total_count

        skip = self.skip

        take = self.take

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "totalCount": total_count,
                "skip": skip,
                "take": take,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.twilio_provider import TwilioProvider  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = TwilioProvider.from_dict(items_item_data)

            items.append(items_item)

        total_count = d.pop("totalCount")

        skip = d.pop("skip")

        take = d.pop("take")

        twilio_provider_list = cls(
            items=items,
            total_count=total_count,
            skip=skip,
            take=take,
        )

        twilio_provider_list.additional_properties = d
        return twilio_provider_list

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
