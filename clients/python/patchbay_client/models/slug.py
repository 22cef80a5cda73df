from enum import StrEnum


class Slug(StrEnum):
    EXOTEL = "exotel"
    PLIVO = "plivo"
    SIGNALWIRE = "signalwire"
    SIP = "sip"
    TELNYX = "telnyx"
    TWILIO = "twilio"
    VALUE_10 = "4"
    VALUE_11 = "5"
    VALUE_12 = "6"
    VALUE_13 = "7"
    VALUE_7 = "1"
    VALUE_8 = "2"
    VALUE_9 = "3"
    VONAGE = "vonage"

    def __str__(self) -> str:
        return str(self.value)
