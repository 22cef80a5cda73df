from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateBridge")


@_attrs_define
class CreateBridge:
    """
    Attributes:
        name (str): Display name, at most 100 characters; not blank, no control characters. Example: Sales Bridge.
        slug (str): Letters, digits, `-` and `_`, starting with a letter or digit; unique in the organization. Example:
            sales-bridge-001.
    """

    name: str
    slug: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        slug = self.slug

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "slug": slug,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        slug = d.pop("slug")

        create_bridge = cls(
            name=name,
            slug=slug,
        )

        return create_bridge
