from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FieldSpec")


@_attrs_define
class FieldSpec:
    """A credential field of a provider.

    Attributes:
        name (str):
        label (str):
        required (bool):
        secret (bool): Secret fields are encrypted at rest and never returned.
        max_length (int):
        description (str):
        pattern (None | str | Unset):
        default (None | str | Unset):
    """

    name: str
    label: str
    required: bool
    secret: bool
    max_length: int
    description: str
    pattern: None | str | Unset = UNSET
    default: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        label = self.label

        required = self.required

        secret = self.secret

        max_length = self.max_length

        description = self.description

        pattern: None | str | Unset
        if isinstance(self.pattern, Unset):
            pattern = UNSET
        else:
            pattern = self.pattern

        default: None | str | Unset
        if isinstance(self.default, Unset):
            default = UNSET
        else:
            default = self.default

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "label": label,
                "required": required,
                "secret": secret,
                "max_length": max_length,
                "description": description,
            }
        )
        if pattern is not UNSET:
            field_dict["pattern"] = pattern
        if default is not UNSET:
            field_dict["default"] = default

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        label = d.pop("label")

        required = d.pop("required")

        secret = d.pop("secret")

        max_length = d.pop("max_length")

        description = d.pop("description")

        def _parse_pattern(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pattern = _parse_pattern(d.pop("pattern", UNSET))

        def _parse_default(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default = _parse_default(d.pop("default", UNSET))

        field_spec = cls(
            name=name,
            label=label,
            required=required,
            secret=secret,
            max_length=max_length,
            description=description,
            pattern=pattern,
            default=default,
        )

        field_spec.additional_properties = d
        return field_spec

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
