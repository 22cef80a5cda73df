from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountNumber")


@_attrs_define
class AccountNumber:
    """A number of the configuration's carrier account.

    Attributes:
        number (str): E.164, as the carrier reports it. Example: +14155550100.
        is_imported (bool): Whether the number is imported to this configuration.
        sid (None | str | Unset): The carrier's id of the number, where it has one (Twilio `PN…`, Telnyx id, …).
        friendly_name (None | str | Unset):
        number_id (int | None | Unset): Its id in `numbers/` when imported.
    """

    number: str
    is_imported: bool
    sid: None | str | Unset = UNSET
    friendly_name: None | str | Unset = UNSET
    number_id: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        is_imported = self.is_imported

        sid: None | str | Unset
        if isinstance(self.sid, Unset):
            sid = UNSET
        else:
            sid = self.sid

        friendly_name: None | str | Unset
        if isinstance(self.friendly_name, Unset):
            friendly_name = UNSET
        else:
            friendly_name = self.friendly_name

        number_id: int | None | Unset
        if isinstance(self.number_id, Unset):
            number_id = UNSET
        else:
            number_id = self.number_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "is_imported": is_imported,
            }
        )
        if sid is not UNSET:
            field_dict["sid"] = sid
        if friendly_name is not UNSET:
            field_dict["friendly_name"] = friendly_name
        if number_id is not UNSET:
            field_dict["number_id"] = number_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        is_imported = d.pop("is_imported")

        def _parse_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sid = _parse_sid(d.pop("sid", UNSET))

        def _parse_friendly_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        friendly_name = _parse_friendly_name(d.pop("friendly_name", UNSET))

        def _parse_number_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        number_id = _parse_number_id(d.pop("number_id", UNSET))

        account_number = cls(
            number=number,
            is_imported=is_imported,
            sid=sid,
            friendly_name=friendly_name,
            number_id=number_id,
        )

        account_number.additional_properties = d
        return account_number

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
