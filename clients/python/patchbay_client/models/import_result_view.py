from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.import_failure_view import ImportFailureView
    from ..models.number import Number


T = TypeVar("T", bound="ImportResultView")


@_attrs_define
class ImportResultView:
    """
    Attributes:
        success_count (int):
        failed_count (int):
        imported (list[Number]):
        failed (list[ImportFailureView]):
    """

    success_count: int
    failed_count: int
    imported: list[Number]
    failed: list[ImportFailureView]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success_count = self.success_count

        failed_count = self.failed_count

        imported = []
        for imported_item_data in self.imported:
            imported_item = imported_item_data.to_dict()
            imported.append(imported_item)

        failed = []
        for failed_item_data in self.failed:
            failed_item = failed_item_data.to_dict()
            failed.append(failed_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success_count": success_count,
                "failed_count": failed_count,
                "imported": imported,
                "failed": failed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_failure_view import ImportFailureView  # noqa: PLC0415
        from ..models.number import Number  # noqa: PLC0415

        d = dict(src_dict)
        success_count = d.pop("success_count")

        failed_count = d.pop("failed_count")

        imported = []
        _imported = d.pop("imported")
        for imported_item_data in _imported:
            imported_item = Number.from_dict(imported_item_data)

            imported.append(imported_item)

        failed = []
        _failed = d.pop("failed")
        for failed_item_data in _failed:
            failed_item = ImportFailureView.from_dict(failed_item_data)

            failed.append(failed_item)

        import_result_view = cls(
            success_count=success_count,
            failed_count=failed_count,
            imported=imported,
            failed=failed,
        )

        import_result_view.additional_properties = d
        return import_result_view

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
