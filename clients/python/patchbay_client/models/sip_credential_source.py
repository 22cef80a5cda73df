from enum import StrEnum


class SipCredentialSource(StrEnum):
    MANUAL = "manual"
    PROVIDER = "provider"

    def __str__(self) -> str:
        return str(self.value)
