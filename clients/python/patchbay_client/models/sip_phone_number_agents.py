from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sip_affected_agent import SipAffectedAgent


T = TypeVar("T", bound="SipPhoneNumberAgents")


@_attrs_define
class SipPhoneNumberAgents:
    """A phone number and the agents using it.

    Attributes:
        id (UUID):
        phone_number (str):
        affected_agents (list[SipAffectedAgent]):
    """

    id: UUID
    phone_number: str
    affected_agents: list[SipAffectedAgent]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        phone_number = self.phone_number

        affected_agents = []
        for affected_agents_item_data in self.affected_agents:
            affected_agents_item = affected_agents_item_data.to_dict()
            affected_agents.append(affected_agents_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "phoneNumber": phone_number,
                "affectedAgents": affected_agents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sip_affected_agent import SipAffectedAgent  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        phone_number = d.pop("phoneNumber")

        affected_agents = []
        _affected_agents = d.pop("affectedAgents")
        for affected_agents_item_data in _affected_agents:
            affected_agents_item = SipAffectedAgent.from_dict(affected_agents_item_data)

            affected_agents.append(affected_agents_item)

        sip_phone_number_agents = cls(
            id=id,
            phone_number=phone_number,
            affected_agents=affected_agents,
        )

        sip_phone_number_agents.additional_properties = d
        return sip_phone_number_agents

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
