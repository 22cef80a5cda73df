from enum import StrEnum


class BridgeState(StrEnum):
    ACTIVE = "ACTIVE"
    DRAFT = "DRAFT"

    def __str__(self) -> str:
        return str(self.value)
