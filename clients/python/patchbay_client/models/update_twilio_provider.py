from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.twilio_region import TwilioRegion
from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateTwilioProvider")


@_attrs_define
class UpdateTwilioProvider:
    """Update body: only the fields sent (and not null) change. The credentials cannot be changed
    here (`accountSid` and `authToken` are a 400; rotate the token with the auth-token endpoint).

        Attributes:
            name (None | str | Unset): Not blank, no control characters.
            region (None | TwilioRegion | Unset):
            supports_call_transfer (bool | None | Unset):
    """

    name: None | str | Unset = UNSET
    region: None | TwilioRegion | Unset = UNSET
    supports_call_transfer: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        region: None | str | Unset
        if isinstance(self.region, Unset):
            region = UNSET
        elif isinstance(self.region, TwilioRegion):
            region = self.region.value
        else:
            region = self.region

        supports_call_transfer: bool | None | Unset
        if isinstance(self.supports_call_transfer, Unset):
            supports_call_transfer = UNSET
        else:
            supports_call_transfer = self.supports_call_transfer

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if region is not UNSET:
            field_dict["region"] = region
        if supports_call_transfer is not UNSET:
            field_dict["supportsCallTransfer"] = supports_call_transfer

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_region(data: object) -> None | TwilioRegion | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                region_type_0 = TwilioRegion(data)

                return region_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TwilioRegion | Unset, data)

        region = _parse_region(d.pop("region", UNSET))

        def _parse_supports_call_transfer(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        supports_call_transfer = _parse_supports_call_transfer(d.pop("supportsCallTransfer", UNSET))

        update_twilio_provider = cls(
            name=name,
            region=region,
            supports_call_transfer=supports_call_transfer,
        )

        return update_twilio_provider
