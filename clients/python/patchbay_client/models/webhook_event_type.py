from enum import StrEnum


class WebhookEventType(StrEnum):
    BRIDGE_CREATED_V1 = "bridge.created.v1"
    BRIDGE_DELETED_V1 = "bridge.deleted.v1"
    BRIDGE_UPDATED_V1 = "bridge.updated.v1"
    CONFIGURATION_CREATED_V1 = "configuration.created.v1"
    CONFIGURATION_DELETED_V1 = "configuration.deleted.v1"
    CONFIGURATION_UPDATED_V1 = "configuration.updated.v1"
    CONFIGURATION_VERIFICATION_STATUS_CHANGED_V1 = "configuration.verification_status_changed.v1"
    NUMBER_ADDED_V1 = "number.added.v1"
    NUMBER_CONNECTED_V1 = "number.connected.v1"
    NUMBER_DISCONNECTED_V1 = "number.disconnected.v1"
    NUMBER_IMPORTED_V1 = "number.imported.v1"
    NUMBER_RELEASED_V1 = "number.released.v1"
    TOKEN_CREATED_V1 = "token.created.v1"
    TOKEN_REVOKED_V1 = "token.revoked.v1"
    TWILIO_PROVIDER_DEPROVISIONED_V1 = "twilio_provider.deprovisioned.v1"
    TWILIO_PROVIDER_PROVISIONED_V1 = "twilio_provider.provisioned.v1"
    TWILIO_PROVIDER_UPDATED_V1 = "twilio_provider.updated.v1"
    WEBHOOK_ENDPOINT_DISABLED_V1 = "webhook_endpoint.disabled.v1"

    def __str__(self) -> str:
        return str(self.value)
