from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sip_credential_source import SipCredentialSource
from ..models.sip_transport import SipTransport

T = TypeVar("T", bound="SipCredential")


@_attrs_define
class SipCredential:
    """A SIP credential, fields in the pages' order. `authPassword` is always null: Patchbay
    never returns a stored password.

        Attributes:
            id (UUID):
            org_id (str): The organization's handle. Example: acme.
            server (str):  Example: sip.provider.com:5061.
            transport (SipTransport):
            source (SipCredentialSource):
            created_time (datetime.datetime):  Example: 2023-11-07T05:31:56Z.
            last_update_time (datetime.datetime):  Example: 2023-11-07T05:31:56Z.
            domain (None | str):
            auth_user (None | str):
            auth_password (None | str): Always null: the password is write-only.
            description (None | str):
            cps_limit (int | None):
            cps_key (None | str):
            provider_id (None | UUID): The provider that provisioned it (`source: provider`), else null.
    """

    id: UUID
    org_id: str
    server: str
    transport: SipTransport
    source: SipCredentialSource
    created_time: datetime.datetime
    last_update_time: datetime.datetime
    domain: None | str
    auth_user: None | str
    auth_password: None | str
    description: None | str
    cps_limit: int | None
    cps_key: None | str
    provider_id: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        org_id = self.org_id

        server = self.server

        transport = self.transport.value

        source = self.source.value

        created_time = self.created_time.isoformat()

        last_update_time = self.last_update_time.isoformat()

        domain: None | str
        domain = self.domain

        auth_user: None | str
        auth_user = self.auth_user

        auth_password: None | str
        auth_password = self.auth_password

        description: None | str
        description = self.description

        cps_limit: int | None
        cps_limit = self.cps_limit

        cps_key: None | str
        cps_key = self.cps_key

        provider_id: None | str
        if isinstance(self.provider_id, UUID):
            provider_id = str(self.provider_id)
        else:
            provider_id = self.provider_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "orgId": org_id,
                "server": server,
                "transport": transport,
                "source": source,
                "createdTime": created_time,
                "lastUpdateTime": last_update_time,
                "domain": domain,
                "authUser": auth_user,
                "authPassword": auth_password,
                "description": description,
                "cpsLimit": cps_limit,
                "cpsKey": cps_key,
                "providerId": provider_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        org_id = d.pop("orgId")

        server = d.pop("server")

        transport = SipTransport(d.pop("transport"))

        source = SipCredentialSource(d.pop("source"))

        created_time = datetime.datetime.fromisoformat(d.pop("createdTime"))

        last_update_time = datetime.datetime.fromisoformat(d.pop("lastUpdateTime"))

        def _parse_domain(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        domain = _parse_domain(d.pop("domain"))

        def _parse_auth_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        auth_user = _parse_auth_user(d.pop("authUser"))

        def _parse_auth_password(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        auth_password = _parse_auth_password(d.pop("authPassword"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_cps_limit(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        cps_limit = _parse_cps_limit(d.pop("cpsLimit"))

        def _parse_cps_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cps_key = _parse_cps_key(d.pop("cpsKey"))

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

        sip_credential = cls(
            id=id,
            org_id=org_id,
            server=server,
            transport=transport,
            source=source,
            created_time=created_time,
            last_update_time=last_update_time,
            domain=domain,
            auth_user=auth_user,
            auth_password=auth_password,
            description=description,
            cps_limit=cps_limit,
            cps_key=cps_key,
            provider_id=provider_id,
        )

        sip_credential.additional_properties = d
        return sip_credential

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
