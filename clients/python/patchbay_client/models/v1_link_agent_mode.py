from enum import StrEnum


class V1LinkAgentMode(StrEnum):
    INBOUND = "inbound"
    REPLACEOUTBOUND = "replaceOutbound"

    def __str__(self) -> str:
        return str(self.value)
