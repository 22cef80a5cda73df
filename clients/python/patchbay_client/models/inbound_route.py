from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.route_bridge import RouteBridge
    from ..models.route_organization import RouteOrganization


T = TypeVar("T", bound="InboundRoute")


@_attrs_define
class InboundRoute:
    """
    Attributes:
        organization (RouteOrganization):
        number_id (int): The number's id in `numbers/`. Example: 501.
        number (str):  Example: +14155550100.
        bridge (RouteBridge):
        carrier (str): The provider slug of the number's configuration. Example: sip.
        provider_config_id (int): The configuration the number belongs to. Example: 42.
        inbound_agent_id (None | str | Unset): The agent answering the number (its inbound agent link), if any. Example:
            agent-7.
        from_ (None | str | Unset): The caller's number as sent (`from`), if sent. Example: +14155550199.
    """

    organization: RouteOrganization
    number_id: int
    number: str
    bridge: RouteBridge
    carrier: str
    provider_config_id: int
    inbound_agent_id: None | str | Unset = UNSET
    from_: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        organization = self.organization.to_dict()

        number_id = self.number_id

        number = self.number

        bridge = self.bridge.to_dict()

        carrier = self.carrier

        provider_config_id = self.provider_config_id

        inbound_agent_id: None | str | Unset
        if isinstance(self.inbound_agent_id, Unset):
            inbound_agent_id = UNSET
        else:
            inbound_agent_id = self.inbound_agent_id

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "organization": organization,
                "number_id": number_id,
                "number": number,
                "bridge": bridge,
                "carrier": carrier,
                "provider_config_id": provider_config_id,
            }
        )
        if inbound_agent_id is not UNSET:
            field_dict["inbound_agent_id"] = inbound_agent_id
        if from_ is not UNSET:
            field_dict["from"] = from_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.route_bridge import RouteBridge  # noqa: PLC0415
        from ..models.route_organization import RouteOrganization  # noqa: PLC0415

        d = dict(src_dict)
        organization = RouteOrganization.from_dict(d.pop("organization"))

        number_id = d.pop("number_id")

        number = d.pop("number")

        bridge = RouteBridge.from_dict(d.pop("bridge"))

        carrier = d.pop("carrier")

        provider_config_id = d.pop("provider_config_id")

        def _parse_inbound_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        inbound_agent_id = _parse_inbound_agent_id(d.pop("inbound_agent_id", UNSET))

        def _parse_from_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        inbound_route = cls(
            organization=organization,
            number_id=number_id,
            number=number,
            bridge=bridge,
            carrier=carrier,
            provider_config_id=provider_config_id,
            inbound_agent_id=inbound_agent_id,
            from_=from_,
        )

        inbound_route.additional_properties = d
        return inbound_route

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
