from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sip_transport import SipTransport
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateSipCredential")


@_attrs_define
class CreateSipCredential:
    """Create body of a SIP credential. Unknown fields are a 400; `null` is the same as absent.

    Attributes:
        server (str): `host[:port]`: a host name, IPv4 or `[IPv6]` literal and a port 1-65535 (default 5060).
            No scheme, user info or path. Never contacted by Patchbay. Example: sip.provider.com:5061.
        domain (None | str | Unset): The SIP domain/realm, same syntax as `server`. Example: sip.provider.com.
        auth_user (None | str | Unset):  Example: your-username.
        auth_password (None | str | Unset): Sealed at rest and never returned (responses carry `authPassword: null`).
        transport (None | SipTransport | Unset):
        description (None | str | Unset): Not blank, no control characters.
        cps_limit (int | None | Unset): Stored and returned; enforced by call routing, not here.
        cps_key (None | str | Unset):
    """

    server: str
    domain: None | str | Unset = UNSET
    auth_user: None | str | Unset = UNSET
    auth_password: None | str | Unset = UNSET
    transport: None | SipTransport | Unset = UNSET
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

        transport: None | str | Unset
        if isinstance(self.transport, Unset):
            transport = UNSET
        elif isinstance(self.transport, SipTransport):
            transport = self.transport.value
        else:
            transport = self.transport

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

        field_dict.update(
            {
                "server": server,
            }
        )
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
        server = d.pop("server")

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

        def _parse_transport(data: object) -> None | SipTransport | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                transport_type_0 = SipTransport(data)

                return transport_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SipTransport | Unset, data)

        transport = _parse_transport(d.pop("transport", UNSET))

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

        create_sip_credential = cls(
            server=server,
            domain=domain,
            auth_user=auth_user,
            auth_password=auth_password,
            transport=transport,
            description=description,
            cps_limit=cps_limit,
            cps_key=cps_key,
        )

        return create_sip_credential
