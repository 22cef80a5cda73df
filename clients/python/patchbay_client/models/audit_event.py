from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEvent")


@_attrs_define
class AuditEvent:
    """One change: who, what, which fields (never values), when.

    Attributes:
        id (int):
        action (str):  Example: configuration.updated.
        resource_type (str):  Example: configuration.
        resource_id (str):
        fields (list[str]): Names of the fields that changed; secrets appear by name only (`auth_token`). For
            `provider.force_deleted`: what was left in the Twilio account (`twilio_trunk:TK…`,
            `twilio_credential_list:CL…`, `twilio_phone_number:PN…`). Example: ['auth_token'].
        actor (str): `token:<id>` or `cli`.
        created_at (str):
        actor_token_id (int | None | Unset):
        request_id (None | str | Unset):
    """

    id: int
    action: str
    resource_type: str
    resource_id: str
    fields: list[str]
    actor: str
    created_at: str
    actor_token_id: int | None | Unset = UNSET
    request_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        action = self.action

        resource_type = self.resource_type

        resource_id = self.resource_id

        fields = self.fields

        actor = self.actor

        created_at = self.created_at

        actor_token_id: int | None | Unset
        if isinstance(self.actor_token_id, Unset):
            actor_token_id = UNSET
        else:
            actor_token_id = self.actor_token_id

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "action": action,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "fields": fields,
                "actor": actor,
                "created_at": created_at,
            }
        )
        if actor_token_id is not UNSET:
            field_dict["actor_token_id"] = actor_token_id
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        action = d.pop("action")

        resource_type = d.pop("resource_type")

        resource_id = d.pop("resource_id")

        fields = cast(list[str], d.pop("fields"))

        actor = d.pop("actor")

        created_at = d.pop("created_at")

        def _parse_actor_token_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        actor_token_id = _parse_actor_token_id(d.pop("actor_token_id", UNSET))

        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))

        audit_event = cls(
            id=id,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            fields=fields,
            actor=actor,
            created_at=created_at,
            actor_token_id=actor_token_id,
            request_id=request_id,
        )

        audit_event.additional_properties = d
        return audit_event

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
