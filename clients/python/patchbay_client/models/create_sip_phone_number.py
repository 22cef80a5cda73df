from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateSipPhoneNumber")


@_attrs_define
class CreateSipPhoneNumber:
    """Create body of a SIP phone number.

    Attributes:
        phone_number (str): E.164. A number is stored once across Patchbay (409 if taken). Example: +14155550100.
        credentials_id (UUID): A manual SIP credential of the organization.
        display_name (None | str | Unset): Not blank, no control characters.
        description (None | str | Unset): Not blank, no control characters.
        registration (bool | None | Unset): Only `false`: Patchbay does not register numbers.
    """

    phone_number: str
    credentials_id: UUID
    display_name: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    registration: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        phone_number = self.phone_number

        credentials_id = str(self.credentials_id)

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        registration: bool | None | Unset
        if isinstance(self.registration, Unset):
            registration = UNSET
        else:
            registration = self.registration

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "phoneNumber": phone_number,
                "credentialsId": credentials_id,
            }
        )
        if display_name is not UNSET:
            field_dict["displayName"] = display_name
        if description is not UNSET:
            field_dict["description"] = description
        if registration is not UNSET:
            field_dict["registration"] = registration

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        phone_number = d.pop("phoneNumber")

        credentials_id = UUID(d.pop("credentialsId"))

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("displayName", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_registration(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        registration = _parse_registration(d.pop("registration", UNSET))

        create_sip_phone_number = cls(
            phone_number=phone_number,
            credentials_id=credentials_id,
            display_name=display_name,
            description=description,
            registration=registration,
        )

        return create_sip_phone_number
