from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ImportNumbers")


@_attrs_define
class ImportNumbers:
    """
    Attributes:
        numbers (list[str]): E.164 numbers of the account. Example: ['+14155550100'].
    """

    numbers: list[str]

    def to_dict(self) -> dict[str, Any]:
        numbers = self.numbers

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "numbers": numbers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        numbers = cast(list[str], d.pop("numbers"))

        import_numbers = cls(
            numbers=numbers,
        )

        return import_numbers
