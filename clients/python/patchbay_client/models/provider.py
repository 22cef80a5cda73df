from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.field_spec import FieldSpec


T = TypeVar("T", bound="Provider")


@_attrs_define
class Provider:
    """
    Attributes:
        id (int):  Example: 1.
        name (str):  Example: Twilio.
        slug (str):  Example: twilio.
        description (str):
        account_sid_source (str): `required`, or `derived` when Patchbay fills it in if omitted.
        account_sid (FieldSpec): A credential field of a provider.
        auth_token (FieldSpec): A credential field of a provider.
        extra_fields (list[FieldSpec]):
    """

    id: int
    name: str
    slug: str
    description: str
    account_sid_source: str
    account_sid: FieldSpec
    auth_token: FieldSpec
    extra_fields: list[FieldSpec]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        slug = self.slug

        description = self.description

        account_sid_source = self.account_sid_source

        account_sid = self.account_sid.to_dict()

        auth_token = self.auth_token.to_dict()

        extra_fields = []
        for extra_fields_item_data in self.extra_fields:
            extra_fields_item = extra_fields_item_data.to_dict()
            extra_fields.append(extra_fields_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "slug": slug,
                "description": description,
                "account_sid_source": account_sid_source,
                "account_sid": account_sid,
                "auth_token": auth_token,
                "extra_fields": extra_fields,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_spec import FieldSpec  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        slug = d.pop("slug")

        description = d.pop("description")

        account_sid_source = d.pop("account_sid_source")

        account_sid = FieldSpec.from_dict(d.pop("account_sid"))

        auth_token = FieldSpec.from_dict(d.pop("auth_token"))

        extra_fields = []
        _extra_fields = d.pop("extra_fields")
        for extra_fields_item_data in _extra_fields:
            extra_fields_item = FieldSpec.from_dict(extra_fields_item_data)

            extra_fields.append(extra_fields_item)

        provider = cls(
            id=id,
            name=name,
            slug=slug,
            description=description,
            account_sid_source=account_sid_source,
            account_sid=account_sid,
            auth_token=auth_token,
            extra_fields=extra_fields,
        )

        provider.additional_properties = d
        return provider

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
