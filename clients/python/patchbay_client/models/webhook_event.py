from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookEvent")


@_attrs_define
class WebhookEvent:
    """What a receiver gets (documentation only): the body of every delivery.

    Attributes:
        type_ (str): One of the event types. Example: configuration.verification_status_changed.v1.
        timestamp (str): When the change was committed (RFC 3339).
        data (Any): `organization_id`, `resource_type`, `resource_id`, `changed_fields`, `actor`,
            `request_id`, and per type: `old_status`, `new_status`, `failing_checks` (verification),
            `endpoint` (ping). Never a secret.
    """

    type_: str
    timestamp: str
    data: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        timestamp = self.timestamp

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "timestamp": timestamp,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type")

        timestamp = d.pop("timestamp")

        data = d.pop("data")

        webhook_event = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        webhook_event.additional_properties = d
        return webhook_event

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
