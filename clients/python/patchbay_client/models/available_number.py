from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AvailableNumber")


@_attrs_define
class AvailableNumber:
    """An incoming phone number of the Twilio account.

    Attributes:
        phone_number_sid (str):  Example: PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.
        phone_number (None | str):  Example: +14155550100.
        friendly_name (None | str):
        capabilities (Any): Twilio's capabilities object (voice, sms, mms, …).
        trunk_sid (None | str): The trunk the number is on at Twilio, if any (this provider's or another).
        is_imported (bool):
        phone_number_id (None | UUID): The id to delete it with, when imported.
    """

    phone_number_sid: str
    phone_number: None | str
    friendly_name: None | str
    capabilities: Any
    trunk_sid: None | str
    is_imported: bool
    phone_number_id: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone_number_sid = self.phone_number_sid

        phone_number: None | str
        phone_number = self.phone_number

        friendly_name: None | str
        friendly_name = self.friendly_name

        capabilities = self.capabilities

        trunk_sid: None | str
        trunk_sid = self.trunk_sid

        is_imported = self.is_imported

        phone_number_id: None | str
        if isinstance(self.phone_number_id, UUID):
            phone_number_id = str(self.phone_number_id)
        else:
            phone_number_id = self.phone_number_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phoneNumberSid": phone_number_sid,
                "phoneNumber": phone_number,
                "friendlyName": friendly_name,
                "capabilities": capabilities,
                "trunkSid": trunk_sid,
                "isImported": is_imported,
                "phoneNumberId": phone_number_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        phone_number_sid = d.pop("phoneNumberSid")

        def _parse_phone_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone_number = _parse_phone_number(d.pop("phoneNumber"))

        def _parse_friendly_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        friendly_name = _parse_friendly_name(d.pop("friendlyName"))

        capabilities = d.pop("capabilities")

        def _parse_trunk_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trunk_sid = _parse_trunk_sid(d.pop("trunkSid"))

        is_imported = d.pop("isImported")

        def _parse_phone_number_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                phone_number_id_type_0 = UUID(data)

                return phone_number_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        phone_number_id = _parse_phone_number_id(d.pop("phoneNumberId"))

        available_number = cls(
            phone_number_sid=phone_number_sid,
            phone_number=phone_number,
            friendly_name=friendly_name,
            capabilities=capabilities,
            trunk_sid=trunk_sid,
            is_imported=is_imported,
            phone_number_id=phone_number_id,
        )

        available_number.additional_properties = d
        return available_number

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
