from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provider_slug import ProviderSlug
from ..models.verification_status import VerificationStatus

if TYPE_CHECKING:
    from ..models.verification_check import VerificationCheck


T = TypeVar("T", bound="ProviderConfiguration")


@_attrs_define
class ProviderConfiguration:
    """A provider configuration. The provider's non-secret extra fields (e.g. `space_url`, `host`,
    `port`) appear beside these; secrets never do.

        Attributes:
            id (int):  Example: 42.
            provider (ProviderSlug):
            account_sid (str):  Example: ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.
            created_at (datetime.datetime): ISO 8601, UTC. Example: 2026-02-07T10:00:00Z.
            name (None | str):
            updated_at (datetime.datetime):
            verification_status (VerificationStatus):
            last_verified_at (datetime.datetime | None):
            verification_details (list[VerificationCheck] | None):
    """

    id: int
    provider: ProviderSlug
    account_sid: str
    created_at: datetime.datetime
    name: None | str
    updated_at: datetime.datetime
    verification_status: VerificationStatus
    last_verified_at: datetime.datetime | None
    verification_details: list[VerificationCheck] | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        provider = self.provider.value

        account_sid = self.account_sid

        created_at = self.created_at.isoformat()

        name: None | str
        name = self.name

        updated_at = self.updated_at.isoformat()

        verification_status = self.verification_status.value

        last_verified_at: None | str
        if isinstance(self.last_verified_at, datetime.datetime):
            last_verified_at = self.last_verified_at.isoformat()
        else:
            last_verified_at = self.last_verified_at

        verification_details: list[dict[str, Any]] | None
        if isinstance(self.verification_details, list):
            verification_details = []
            for verification_details_type_0_item_data in self.verification_details:
                verification_details_type_0_item = verification_details_type_0_item_data.to_dict()
                verification_details.append(verification_details_type_0_item)

        else:
            verification_details = self.verification_details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "provider": provider,
                "account_sid": account_sid,
                "created_at": created_at,
                "name": name,
                "updated_at": updated_at,
                "verification_status": verification_status,
                "last_verified_at": last_verified_at,
                "verification_details": verification_details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.verification_check import VerificationCheck  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        provider = ProviderSlug(d.pop("provider"))

        account_sid = d.pop("account_sid")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        verification_status = VerificationStatus(d.pop("verification_status"))

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

        last_verified_at = _parse_last_verified_at(d.pop("last_verified_at"))

        def _parse_verification_details(data: object) -> list[VerificationCheck] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                verification_details_type_0 = []
                _verification_details_type_0 = data
                for verification_details_type_0_item_data in _verification_details_type_0:
                    verification_details_type_0_item = VerificationCheck.from_dict(
                        verification_details_type_0_item_data
                    )

                    verification_details_type_0.append(verification_details_type_0_item)

                return verification_details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[VerificationCheck] | None, data)

        verification_details = _parse_verification_details(d.pop("verification_details"))

        provider_configuration = cls(
            id=id,
            provider=provider,
            account_sid=account_sid,
            created_at=created_at,
            name=name,
            updated_at=updated_at,
            verification_status=verification_status,
            last_verified_at=last_verified_at,
            verification_details=verification_details,
        )

        provider_configuration.additional_properties = d
        return provider_configuration

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
