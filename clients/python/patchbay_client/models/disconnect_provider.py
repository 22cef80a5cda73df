from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DisconnectProvider")


@_attrs_define
class DisconnectProvider:
    """
    Attributes:
        phone_number (str): E.164. Example: +1234567890.
    """

    phone_number: str

    def to_dict(self) -> dict[str, Any]:
        phone_number = self.phone_number

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "phone_number": phone_number,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        phone_number = d.pop("phone_number")

        disconnect_provider = cls(
            phone_number=phone_number,
        )

        return disconnect_provider
