from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.twilio_provider_type import TwilioProviderType
from ..models.verification_status import VerificationStatus

if TYPE_CHECKING:
    from ..models.twilio_check import TwilioCheck


T = TypeVar("T", bound="TwilioProvider")


@_attrs_define
class TwilioProvider:
    """A v1 Twilio provider, fields in the page's order. The auth token is never part of it.

    Attributes:
        name (None | str): Display name.
        provider_type (TwilioProviderType):
        account_sid (str):  Example: ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.
        id (UUID):
        verification_status (VerificationStatus):
        last_verified_at (datetime.datetime | None): When the credentials were last verified; null if never. Example:
            2023-11-07T05:31:56Z.
        phone_number_count (int): Phone numbers imported to this provider.
        verification_details (list[TwilioCheck] | None): The checks of the last verification; null if never verified.
        trunk_sid (None | str): The Elastic SIP Trunk Patchbay created (null for a configuration created through v2).
            Example: TKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.
        termination_uri (None | str):  Example: sip:pb-3c90c3cc-0d44-4b50-8888-8dd25736052a.pstn.twilio.com.
        region (None | str):  Example: us1.
        supports_call_transfer (bool):
    """

    name: None | str
    provider_type: TwilioProviderType
    account_sid: str
    id: UUID
    verification_status: VerificationStatus
    last_verified_at: datetime.datetime | None
    phone_number_count: int
    verification_details: list[TwilioCheck] | None
    trunk_sid: None | str
    termination_uri: None | str
    region: None | str
    supports_call_transfer: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name: None | str
        name = self.name

        provider_type = self.provider_type.value

        account_sid = self.account_sid

        id = str(self.id)

        verification_status = self.verification_status.value

        last_verified_at: None | str
        if isinstance(self.last_verified_at, datetime.datetime):
            last_verified_at = self.last_verified_at.isoformat()
        else:
            last_verified_at = self.last_verified_at

        phone_number_count = self.phone_number_count

        verification_details: list[dict[str, Any]] | None
        if isinstance(self.verification_details, list):
            verification_details = []
            for verification_details_type_0_item_data in self.verification_details:
                verification_details_type_0_item = verification_details_type_0_item_data.to_dict()
                verification_details.append(verification_details_type_0_item)

        else:
            verification_details = self.verification_details

        trunk_sid: None | str
        trunk_sid = self.trunk_sid

        termination_uri: None | str
        termination_uri = self.termination_uri

        region: None | str
        region = self.region

        supports_call_transfer = self.supports_call_transfer

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "providerType": provider_type,
                "accountSid": account_sid,
                "id": id,
                "verificationStatus": verification_status,
                "lastVerifiedAt": last_verified_at,
                "phoneNumberCount": phone_number_count,
                "verificationDetails": verification_details,
                "trunkSid": trunk_sid,
                "terminationUri": termination_uri,
                "region": region,
                "supportsCallTransfer": supports_call_transfer,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.twilio_check import TwilioCheck  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        provider_type = TwilioProviderType(d.pop("providerType"))

        account_sid = d.pop("accountSid")

        id = UUID(d.pop("id"))

        verification_status = VerificationStatus(d.pop("verificationStatus"))

        def _parse_last_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_verified_at = _parse_last_verified_at(d.pop("lastVerifiedAt"))

        phone_number_count = d.pop("phoneNumberCount")

        def _parse_verification_details(data: object) -> list[TwilioCheck] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                verification_details_type_0 = []
                _verification_details_type_0 = data
                for verification_details_type_0_item_data in _verification_details_type_0:
                    verification_details_type_0_item = TwilioCheck.from_dict(verification_details_type_0_item_data)

                    verification_details_type_0.append(verification_details_type_0_item)

                return verification_details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TwilioCheck] | None, data)

        verification_details = _parse_verification_details(d.pop("verificationDetails"))

        def _parse_trunk_sid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trunk_sid = _parse_trunk_sid(d.pop("trunkSid"))

        def _parse_termination_uri(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        termination_uri = _parse_termination_uri(d.pop("terminationUri"))

        def _parse_region(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region = _parse_region(d.pop("region"))

        supports_call_transfer = d.pop("supportsCallTransfer")

        twilio_provider = cls(
            name=name,
            provider_type=provider_type,
            account_sid=account_sid,
            id=id,
            verification_status=verification_status,
            last_verified_at=last_verified_at,
            phone_number_count=phone_number_count,
            verification_details=verification_details,
            trunk_sid=trunk_sid,
            termination_uri=termination_uri,
            region=region,
            supports_call_transfer=supports_call_transfer,
        )

        twilio_provider.additional_properties = d
        return twilio_provider

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
