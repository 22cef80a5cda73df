from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.route_bridge import RouteBridge
    from ..models.route_organization import RouteOrganization


T = TypeVar("T", bound="OutboundRoute")


@_attrs_define
class OutboundRoute:
    """
    Attributes:
        organization (RouteOrganization):
        bridge (RouteBridge):
        carrier (str): The provider slug of the trunk's configuration (`sip`, or `twilio` for a provisioned trunk).
            Example: sip.
        provider_config_id (int):  Example: 42.
        credential_id (UUID): The SIP credential's id (v1 `sip-credentials`).
        termination_uri (str): Where to send the INVITE. Example: sip:sip.example.com:5060.
        server (str):  Example: sip.example.com:5060.
        transport (str):  Example: udp.
        caller_id (str): The number to present as caller id (E.164). Example: +14155550100.
        to (str):  Example: +14155550123.
        domain (None | str | Unset):
        auth_user (None | str | Unset):
        auth_password (None | str | Unset): The trunk's password: the only secret Patchbay ever returns.
    """

    organization: RouteOrganization
    bridge: RouteBridge
    carrier: str
    provider_config_id: int
    credential_id: UUID
    termination_uri: str
    server: str
    transport: str
    caller_id: str
    to: str
    domain: None | str | Unset = UNSET
    auth_user: None | str | Unset = UNSET
    auth_password: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        organization = self.organization.to_dict()

        bridge = self.bridge.to_dict()

        carrier = self.carrier

        provider_config_id = self.provider_config_id

        credential_id = str(self.credential_id)

        termination_uri = self.termination_uri

        server = self.server

        transport = self.transport

        caller_id = self.caller_id

        to = self.to

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "organization": organization,
                "bridge": bridge,
                "carrier": carrier,
                "provider_config_id": provider_config_id,
                "credential_id": credential_id,
                "termination_uri": termination_uri,
                "server": server,
                "transport": transport,
                "caller_id": caller_id,
                "to": to,
            }
        )
        if domain is not UNSET:
            field_dict["domain"] = domain
        if auth_user is not UNSET:
            field_dict["auth_user"] = auth_user
        if auth_password is not UNSET:
            field_dict["auth_password"] = auth_password

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.route_bridge import RouteBridge  # noqa: PLC0415
        from ..models.route_organization import RouteOrganization  # noqa: PLC0415

        d = dict(src_dict)
        organization = RouteOrganization.from_dict(d.pop("organization"))

        bridge = RouteBridge.from_dict(d.pop("bridge"))

        carrier = d.pop("carrier")

        provider_config_id = d.pop("provider_config_id")

        credential_id = UUID(d.pop("credential_id"))

        termination_uri = d.pop("termination_uri")

        server = d.pop("server")

        transport = d.pop("transport")

        caller_id = d.pop("caller_id")

        to = d.pop("to")

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

        auth_user = _parse_auth_user(d.pop("auth_user", UNSET))

        def _parse_auth_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        auth_password = _parse_auth_password(d.pop("auth_password", UNSET))

        outbound_route = cls(
            organization=organization,
            bridge=bridge,
            carrier=carrier,
            provider_config_id=provider_config_id,
            credential_id=credential_id,
            termination_uri=termination_uri,
            server=server,
            transport=transport,
            caller_id=caller_id,
            to=to,
            domain=domain,
            auth_user=auth_user,
            auth_password=auth_password,
        )

        outbound_route.additional_properties = d
        return outbound_route

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
