from enum import StrEnum


class ProviderSlug(StrEnum):
    EXOTEL = "exotel"
    PLIVO = "plivo"
    SIGNALWIRE = "signalwire"
    SIP = "sip"
    TELNYX = "telnyx"
    TWILIO = "twilio"
    VONAGE = "vonage"

    def __str__(self) -> str:
        return str(self.value)
