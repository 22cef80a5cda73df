from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.id import Id
from ..models.slug import Slug
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateConfiguration")


@_attrs_define
class CreateConfiguration:
    """Create body. Besides these, each provider accepts exactly the extra fields the catalogue
    lists for it (e.g. `space_url` for SignalWire); unknown fields are a 400.

        Attributes:
            provider (Id | Slug): A provider: its catalogue slug or numeric id (see the providers catalogue). Example:
                twilio.
            account_sid (None | str | Unset): Account identifier (format per provider; see the catalogue). Optional only for
                telnyx and sip. Example: ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.
            auth_token (None | str | Unset): The secret. Encrypted at rest, never returned. Optional only for sip. Example:
                your_auth_token.
            name (None | str | Unset): A display name, at most 100 characters; not blank, no control characters.
    """

    provider: Id | Slug
    account_sid: None | str | Unset = UNSET
    auth_token: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider: int | str
        if isinstance(self.provider, Slug):
            provider = self.provider.value
        else:
            provider = self.provider.value

        account_sid: None | str | Unset
        if isinstance(self.account_sid, Unset):
            account_sid = UNSET
        else:
            account_sid = self.account_sid

        auth_token: None | str | Unset
        if isinstance(self.auth_token, Unset):
            auth_token = UNSET
        else:
            auth_token = self.auth_token

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider": provider,
            }
        )
        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        if auth_token is not UNSET:
            field_dict["auth_token"] = auth_token
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_provider(data: object) -> Id | Slug:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_provider_ref_slug = Slug(data)

                return componentsschemas_provider_ref_slug
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, int):
                raise TypeError()
            componentsschemas_provider_ref_id = Id(data)

            return componentsschemas_provider_ref_id

        provider = _parse_provider(d.pop("provider"))

        def _parse_account_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_sid = _parse_account_sid(d.pop("account_sid", UNSET))

        def _parse_auth_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        auth_token = _parse_auth_token(d.pop("auth_token", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        create_configuration = cls(
            provider=provider,
            account_sid=account_sid,
            auth_token=auth_token,
            name=name,
        )

        create_configuration.additional_properties = d
        return create_configuration

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
