from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.check_status import CheckStatus

T = TypeVar("T", bound="TwilioCheck")


@_attrs_define
class TwilioCheck:
    """One check of a v1 verification.

    Attributes:
        check_name (str):  Example: credentials_valid.
        message (str):
        status (CheckStatus):
        timestamp (datetime.datetime): ISO 8601, UTC. Example: 2023-11-07T05:31:56Z.
        details (Any): Check-specific facts (an object; empty when there are none).
    """

    check_name: str
    message: str
    status: CheckStatus
    timestamp: datetime.datetime
    details: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        check_name = self.check_name

        message = self.message

        status = self.status.value

        timestamp = self.timestamp.isoformat()

        details = self.details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checkName": check_name,
                "message": message,
                "status": status,
                "timestamp": timestamp,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        check_name = d.pop("checkName")

        message = d.pop("message")

        status = CheckStatus(d.pop("status"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        details = d.pop("details")

        twilio_check = cls(
            check_name=check_name,
            message=message,
            status=status,
            timestamp=timestamp,
            details=details,
        )

        twilio_check.additional_properties = d
        return twilio_check

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
