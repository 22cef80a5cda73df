from enum import StrEnum


class TwilioRegion(StrEnum):
    AU1 = "au1"
    BR1 = "br1"
    DE1 = "de1"
    IE1 = "ie1"
    JP1 = "jp1"
    SG1 = "sg1"
    US1 = "us1"
    US2 = "us2"

    def __str__(self) -> str:
        return str(self.value)
