from enum import StrEnum


class VerificationStatus(StrEnum):
    FAILED = "failed"
    PENDING = "pending"
    VERIFIED = "verified"
    WARNING = "warning"

    def __str__(self) -> str:
        return str(self.value)
