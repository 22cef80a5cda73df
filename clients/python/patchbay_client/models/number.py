from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.number_status import NumberStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Number")


@_attrs_define
class Number:
    """A number of the organization (the numbers page's object, then Patchbay's additions).

    Attributes:
        id (int):  Example: 501.
        number (str): E.164. Example: +1234567890.
        provider (str): The slug of the provider of the configuration the number belongs to. Example: twilio.
        status (NumberStatus):
        provider_config_id (int): The configuration the number belongs to (`provider_config_id` of connect-provider).
            Example: 42.
        created_at (str): ISO 8601, UTC.
        bridge_slug (None | str | Unset): The bridge the number is connected to; null when unassigned. Example: sales-
            bridge-001.
    """

    id: int
    number: str
    provider: str
    status: NumberStatus
    provider_config_id: int
    created_at: str
    bridge_slug: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number = self.number

        provider = self.provider

        status = self.status.value

        provider_config_id = self.provider_config_id

        created_at = self.created_at

        bridge_slug: None | str | Unset
        if isinstance(self.bridge_slug, Unset):
            bridge_slug = UNSET
        else:
            bridge_slug = self.bridge_slug

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "provider": provider,
                "status": status,
                "provider_config_id": provider_config_id,
                "created_at": created_at,
            }
        )
        if bridge_slug is not UNSET:
            field_dict["bridge_slug"] = bridge_slug

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        number = d.pop("number")

        provider = d.pop("provider")

        status = NumberStatus(d.pop("status"))

        provider_config_id = d.pop("provider_config_id")

        created_at = d.pop("created_at")

        def _parse_bridge_slug(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bridge_slug = _parse_bridge_slug(d.pop("bridge_slug", UNSET))

        number = cls(
            id=id,
            number=number,
            provider=provider,
            status=status,
            provider_config_id=provider_config_id,
            created_at=created_at,
            bridge_slug=bridge_slug,
        )

        number.additional_properties = d
        return number

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
