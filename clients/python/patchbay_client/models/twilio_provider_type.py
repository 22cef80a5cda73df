from enum import StrEnum


class TwilioProviderType(StrEnum):
    TWILIO = "twilio"

    def __str__(self) -> str:
        return str(self.value)
