from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RotateAuthToken")


@_attrs_define
class RotateAuthToken:
    """
    Attributes:
        auth_token (str): The new auth token; Twilio must accept it.
    """

    auth_token: str

    def to_dict(self) -> dict[str, Any]:
        auth_token = self.auth_token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "authToken": auth_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        auth_token = d.pop("authToken")

        rotate_auth_token = cls(
            auth_token=auth_token,
        )

        return rotate_auth_token
