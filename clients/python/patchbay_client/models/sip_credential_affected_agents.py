from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sip_phone_number_agents import SipPhoneNumberAgents


T = TypeVar("T", bound="SipCredentialAffectedAgents")


@_attrs_define
class SipCredentialAffectedAgents:
    """
    Attributes:
        phone_numbers (list[SipPhoneNumberAgents]): Every phone number on the credential, with the agents using each.
        affected_calls_count (int): Always 0: Patchbay queues no calls.
    """

    phone_numbers: list[SipPhoneNumberAgents]
    affected_calls_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone_numbers = []
        for phone_numbers_item_data in self.phone_numbers:
            phone_numbers_item = phone_numbers_item_data.to_dict()
            phone_numbers.append(phone_numbers_item)

        affected_calls_count = self.affected_calls_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phoneNumbers": phone_numbers,
                "affectedCallsCount": affected_calls_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sip_phone_number_agents import SipPhoneNumberAgents  # noqa: PLC0415

        d = dict(src_dict)
        phone_numbers = []
        _phone_numbers = d.pop("phoneNumbers")
        for phone_numbers_item_data in _phone_numbers:
            phone_numbers_item = SipPhoneNumberAgents.from_dict(phone_numbers_item_data)

            phone_numbers.append(phone_numbers_item)

        affected_calls_count = d.pop("affectedCallsCount")

        sip_credential_affected_agents = cls(
            phone_numbers=phone_numbers,
            affected_calls_count=affected_calls_count,
        )

        sip_credential_affected_agents.additional_properties = d
        return sip_credential_affected_agents

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
