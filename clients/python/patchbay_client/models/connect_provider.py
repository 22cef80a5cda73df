from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ConnectProvider")


@_attrs_define
class ConnectProvider:
    """
    Attributes:
        provider_config_id (int):  Example: 42.
        phone_number (str): E.164; a number of that configuration. Example: +1234567890.
    """

    provider_config_id: int
    phone_number: str

    def to_dict(self) -> dict[str, Any]:
        provider_config_id = self.provider_config_id

        phone_number = self.phone_number

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "provider_config_id": provider_config_id,
                "phone_number": phone_number,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        provider_config_id = d.pop("provider_config_id")

        phone_number = d.pop("phone_number")

        connect_provider = cls(
            provider_config_id=provider_config_id,
            phone_number=phone_number,
        )

        return connect_provider
