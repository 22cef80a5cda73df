from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sip_transport import SipTransport
from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateSipCredential")


@_attrs_define
class UpdateSipCredential:
    """PATCH body: only the fields sent change; `null` clears an optional field (`server` and
    `transport` may not be null). Send `authPassword` to rotate the password.

        Attributes:
            server (str | Unset):  Example: sip.provider.com:5061.
            domain (None | str | Unset):
            auth_user (None | str | Unset):
            auth_password (None | str | Unset):
            transport (SipTransport | Unset):
            description (None | str | Unset): Not blank, no control characters; `null` clears it.
            cps_limit (int | None | Unset):
            cps_key (None | str | Unset):
    """

    server: str | Unset = UNSET
    domain: None | str | Unset = UNSET
    auth_user: None | str | Unset = UNSET
    auth_password: None | str | Unset = UNSET
    transport: SipTransport | Unset = UNSET
    description: None | str | Unset = UNSET
    cps_limit: int | None | Unset = UNSET
    cps_key: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        server = self.server

        domain: None | str | Unset
        if isinstance(self.domain, Unset):
            domain = UNSET
        else:
            domain = self.domain

        auth_user: None | str | Unset
        if isinstance(self.auth_user, Unset):
            auth_user = UNSET
        else:
            auth_user = self.auth_user

        auth_password: None | str | Unset
        if isinstance(self.auth_password, Unset):
            auth_password = UNSET
        else:
            auth_password = self.auth_password

        transport: str | Unset = UNSET
        if not isinstance(self.transport, Unset):
            transport = self.transport.value

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        cps_limit: int | None | Unset
        if isinstance(self.cps_limit, Unset):
            cps_limit = UNSET
        else:
            cps_limit = self.cps_limit

        cps_key: None | str | Unset
        if isinstance(self.cps_key, Unset):
            cps_key = UNSET
        else:
            cps_key = self.cps_key

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if server is not UNSET:
            field_dict["server"] = server
        if domain is not UNSET:
            field_dict["domain"] = domain
        if auth_user is not UNSET:
            field_dict["authUser"] = auth_user
        if auth_password is not UNSET:
            field_dict["authPassword"] = auth_password
        if transport is not UNSET:
            field_dict["transport"] = transport
        if description is not UNSET:
            field_dict["description"] = description
        if cps_limit is not UNSET:
            field_dict["cpsLimit"] = cps_limit
        if cps_key is not UNSET:
            field_dict["cpsKey"] = cps_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        server = d.pop("server", UNSET)

        def _parse_domain(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        domain = _parse_domain(d.pop("domain", UNSET))

        def _parse_auth_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        auth_user = _parse_auth_user(d.pop("authUser", UNSET))

        def _parse_auth_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        auth_password = _parse_auth_password(d.pop("authPassword", UNSET))

        _transport = d.pop("transport", UNSET)
        transport: SipTransport | Unset
        if isinstance(_transport, Unset):
            transport = UNSET
        else:
            transport = SipTransport(_transport)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_cps_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cps_limit = _parse_cps_limit(d.pop("cpsLimit", UNSET))

        def _parse_cps_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cps_key = _parse_cps_key(d.pop("cpsKey", UNSET))

        update_sip_credential = cls(
            server=server,
            domain=domain,
            auth_user=auth_user,
            auth_password=auth_password,
            transport=transport,
            description=description,
            cps_limit=cps_limit,
            cps_key=cps_key,
        )

        return update_sip_credential
