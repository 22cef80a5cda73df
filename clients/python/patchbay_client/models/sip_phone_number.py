from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sip_registration_status import SipRegistrationStatus


T = TypeVar("T", bound="SipPhoneNumber")


@_attrs_define
class SipPhoneNumber:
    """A SIP phone number, fields in the pages' order.

    Attributes:
        id (UUID):
        org_id (str):  Example: acme.
        phone_number (str):  Example: +14155550100.
        credentials_id (UUID): The SIP credential (for a Twilio number: its provider's credential).
        created_time (datetime.datetime):  Example: 2023-11-07T05:31:56Z.
        last_update_time (datetime.datetime):  Example: 2023-11-07T05:31:56Z.
        registration_status (SipRegistrationStatus): Registration state: always `Disabled` (Patchbay does not register
            numbers).
        description (None | str):
        display_name (None | str):
        registration (bool): Always false.
        provider_id (None | UUID): The provider it was imported from, else null.
        incoming_calls_agent_id (None | str): The agent answering its inbound calls, if linked.
    """

    id: UUID
    org_id: str
    phone_number: str
    credentials_id: UUID
    created_time: datetime.datetime
    last_update_time: datetime.datetime
    registration_status: SipRegistrationStatus
    description: None | str
    display_name: None | str
    registration: bool
    provider_id: None | UUID
    incoming_calls_agent_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        org_id = self.org_id

        phone_number = self.phone_number

        credentials_id = str(self.credentials_id)

        created_time = self.created_time.isoformat()

        last_update_time = self.last_update_time.isoformat()

        registration_status = self.registration_status.to_dict()

        description: None | str
        description = self.description

        display_name: None | str
        display_name = self.display_name

        registration = self.registration

        provider_id: None | str
        if isinstance(self.provider_id, UUID):
            provider_id = str(self.provider_id)
        else:
            provider_id = self.provider_id

        incoming_calls_agent_id: None | str
        incoming_calls_agent_id = self.incoming_calls_agent_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "orgId": org_id,
                "phoneNumber": phone_number,
                "credentialsId": credentials_id,
                "createdTime": created_time,
                "lastUpdateTime": last_update_time,
                "registrationStatus": registration_status,
                "description": description,
                "displayName": display_name,
                "registration": registration,
                "providerId": provider_id,
                "incomingCallsAgentId": incoming_calls_agent_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sip_registration_status import SipRegistrationStatus  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        org_id = d.pop("orgId")

        phone_number = d.pop("phoneNumber")

        credentials_id = UUID(d.pop("credentialsId"))

        created_time = datetime.datetime.fromisoformat(d.pop("createdTime"))

        last_update_time = datetime.datetime.fromisoformat(d.pop("lastUpdateTime"))

        registration_status = SipRegistrationStatus.from_dict(d.pop("registrationStatus"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_display_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        display_name = _parse_display_name(d.pop("displayName"))

        registration = d.pop("registration")

        def _parse_provider_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                provider_id_type_0 = UUID(data)

                return provider_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        provider_id = _parse_provider_id(d.pop("providerId"))

        def _parse_incoming_calls_agent_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        incoming_calls_agent_id = _parse_incoming_calls_agent_id(d.pop("incomingCallsAgentId"))

        sip_phone_number = cls(
            id=id,
            org_id=org_id,
            phone_number=phone_number,
            credentials_id=credentials_id,
            created_time=created_time,
            last_update_time=last_update_time,
            registration_status=registration_status,
            description=description,
            display_name=display_name,
            registration=registration,
            provider_id=provider_id,
            incoming_calls_agent_id=incoming_calls_agent_id,
        )

        sip_phone_number.additional_properties = d
        return sip_phone_number

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
