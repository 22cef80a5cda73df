from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SipRegistrationStatus")


@_attrs_define
class SipRegistrationStatus:
    """Registration state: always `Disabled` (Patchbay does not register numbers).

    Attributes:
        state (str):  Example: Disabled.
        error_description (None | str):
        sip_response_message (None | str):
        last_updated (datetime.datetime | None):
        expires_at (datetime.datetime | None):
    """

    state: str
    error_description: None | str
    sip_response_message: None | str
    last_updated: datetime.datetime | None
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        state = self.state

        error_description: None | str
        error_description = self.error_description

        sip_response_message: None | str
        sip_response_message = self.sip_response_message

        last_updated: None | str
        if isinstance(self.last_updated, datetime.datetime):
            last_updated = self.last_updated.isoformat()
        else:
            last_updated = self.last_updated

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "state": state,
                "errorDescription": error_description,
                "sipResponseMessage": sip_response_message,
                "lastUpdated": last_updated,
                "expiresAt": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        state = d.pop("state")

        def _parse_error_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error_description = _parse_error_description(d.pop("errorDescription"))

        def _parse_sip_response_message(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sip_response_message = _parse_sip_response_message(d.pop("sipResponseMessage"))

        def _parse_last_updated(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_updated_type_0 = datetime.datetime.fromisoformat(data)

                return last_updated_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_updated = _parse_last_updated(d.pop("lastUpdated"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expiresAt"))

        sip_registration_status = cls(
            state=state,
            error_description=error_description,
            sip_response_message=sip_response_message,
            last_updated=last_updated,
            expires_at=expires_at,
        )

        sip_registration_status.additional_properties = d
        return sip_registration_status

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
