from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ImportPhoneNumbers")


@_attrs_define
class ImportPhoneNumbers:
    """
    Attributes:
        phone_number_sids (list[str]): Incoming phone number SIDs of the account (`PN` + 32 hex digits); each is
            reported
            on its own if it cannot be imported. Example: ['PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'].
    """

    phone_number_sids: list[str]

    def to_dict(self) -> dict[str, Any]:
        phone_number_sids = self.phone_number_sids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "phoneNumberSids": phone_number_sids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        phone_number_sids = cast(list[str], d.pop("phoneNumberSids"))

        import_phone_numbers = cls(
            phone_number_sids=phone_number_sids,
        )

        return import_phone_numbers
