from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SipAffectedAgent")


@_attrs_define
class SipAffectedAgent:
    """An agent and how it uses a number.

    Attributes:
        agent_id (str):
        agent_name (None | str): Always null: agents belong to the calling platform, Patchbay knows only their ids.
        uses (list[str]): `inbound` and/or `outbound`. Example: ['inbound'].
    """

    agent_id: str
    agent_name: None | str
    uses: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        agent_name: None | str
        agent_name = self.agent_name

        uses = self.uses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agentId": agent_id,
                "agentName": agent_name,
                "uses": uses,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = d.pop("agentId")

        def _parse_agent_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        agent_name = _parse_agent_name(d.pop("agentName"))

        uses = cast(list[str], d.pop("uses"))

        sip_affected_agent = cls(
            agent_id=agent_id,
            agent_name=agent_name,
            uses=uses,
        )

        sip_affected_agent.additional_properties = d
        return sip_affected_agent

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
