from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateNumber")


@_attrs_define
class CreateNumber:
    """
    Attributes:
        provider_config_id (int): The id of a `sip` provider configuration of the organization. Example: 42.
        number (str): E.164. Example: +14155550100.
    """

    provider_config_id: int
    number: str

    def to_dict(self) -> dict[str, Any]:
        provider_config_id = self.provider_config_id

        number = self.number

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "provider_config_id": provider_config_id,
                "number": number,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        provider_config_id = d.pop("provider_config_id")

        number = d.pop("number")

        create_number = cls(
            provider_config_id=provider_config_id,
            number=number,
        )

        return create_number
