"""Contains all the data models used in inputs/outputs"""

from .account_number import AccountNumber
from .account_number_list import AccountNumberList
from .audit_event import AuditEvent
from .audit_event_list import AuditEventList
from .available_number import AvailableNumber
from .available_number_list import AvailableNumberList
from .bridge import Bridge
from .bridge_detail import BridgeDetail
from .bridge_list import BridgeList
from .bridge_number import BridgeNumber
from .bridge_number_detail import BridgeNumberDetail
from .bridge_state import BridgeState
from .check_status import CheckStatus
from .configuration_envelope import ConfigurationEnvelope
from .configuration_list import ConfigurationList
from .connect_provider import ConnectProvider
from .connected_view import ConnectedView
from .create_bridge import CreateBridge
from .create_configuration import CreateConfiguration
from .create_number import CreateNumber
from .create_sip_credential import CreateSipCredential
from .create_sip_phone_number import CreateSipPhoneNumber
from .create_twilio_provider import CreateTwilioProvider
from .create_webhook_body import CreateWebhookBody
from .created_bridge import CreatedBridge
from .delivery_list import DeliveryList
from .disconnect_provider import DisconnectProvider
from .disconnected_view import DisconnectedView
from .endpoint_envelope import EndpointEnvelope
from .endpoint_list import EndpointList
from .envelope_bridge import EnvelopeBridge
from .envelope_bridge_data import EnvelopeBridgeData
from .envelope_bridge_detail import EnvelopeBridgeDetail
from .envelope_bridge_detail_data import EnvelopeBridgeDetailData
from .envelope_connected_view import EnvelopeConnectedView
from .envelope_connected_view_data import EnvelopeConnectedViewData
from .envelope_created_bridge import EnvelopeCreatedBridge
from .envelope_created_bridge_data import EnvelopeCreatedBridgeData
from .envelope_disconnected_view import EnvelopeDisconnectedView
from .envelope_disconnected_view_data import EnvelopeDisconnectedViewData
from .error_envelope import ErrorEnvelope
from .error_envelope_errors_type_0 import ErrorEnvelopeErrorsType0
from .event_type_list import EventTypeList
from .field_spec import FieldSpec
from .id import Id
from .import_envelope import ImportEnvelope
from .import_failure import ImportFailure
from .import_failure_view import ImportFailureView
from .import_numbers import ImportNumbers
from .import_phone_numbers import ImportPhoneNumbers
from .import_result import ImportResult
from .import_result_view import ImportResultView
from .inbound_envelope import InboundEnvelope
from .inbound_route import InboundRoute
from .number import Number
from .number_envelope import NumberEnvelope
from .number_list import NumberList
from .number_status import NumberStatus
from .organization import Organization
from .organization_list import OrganizationList
from .outbound_envelope import OutboundEnvelope
from .outbound_request import OutboundRequest
from .outbound_route import OutboundRoute
from .paced_envelope import PacedEnvelope
from .paging import Paging
from .patch_configuration import PatchConfiguration
from .patch_webhook_body import PatchWebhookBody
from .problem import Problem
from .problem_errors import ProblemErrors
from .provider import Provider
from .provider_configuration import ProviderConfiguration
from .provider_list import ProviderList
from .provider_slug import ProviderSlug
from .queued_envelope import QueuedEnvelope
from .queued_view import QueuedView
from .rotate_auth_token import RotateAuthToken
from .route_bridge import RouteBridge
from .route_organization import RouteOrganization
from .sip_affected_agent import SipAffectedAgent
from .sip_credential import SipCredential
from .sip_credential_affected_agents import SipCredentialAffectedAgents
from .sip_credential_list import SipCredentialList
from .sip_credential_source import SipCredentialSource
from .sip_phone_number import SipPhoneNumber
from .sip_phone_number_agents import SipPhoneNumberAgents
from .sip_phone_number_list import SipPhoneNumberList
from .sip_registration_status import SipRegistrationStatus
from .sip_transport import SipTransport
from .slug import Slug
from .twilio_check import TwilioCheck
from .twilio_provider import TwilioProvider
from .twilio_provider_list import TwilioProviderList
from .twilio_provider_type import TwilioProviderType
from .twilio_region import TwilioRegion
from .twilio_verification import TwilioVerification
from .update_bridge import UpdateBridge
from .update_sip_credential import UpdateSipCredential
from .update_twilio_provider import UpdateTwilioProvider
from .v1_link_agent_mode import V1LinkAgentMode
from .v1_unlink_agent_mode import V1UnlinkAgentMode
from .v2_list_configurations_provider import V2ListConfigurationsProvider
from .verification_check import VerificationCheck
from .verification_status import VerificationStatus
from .webhook_attempt import WebhookAttempt
from .webhook_delivery import WebhookDelivery
from .webhook_endpoint import WebhookEndpoint
from .webhook_event import WebhookEvent
from .webhook_event_type import WebhookEventType
from .webhook_event_type_info import WebhookEventTypeInfo

__all__ = (
    "AccountNumber",
    "AccountNumberList",
    "AuditEvent",
    "AuditEventList",
    "AvailableNumber",
    "AvailableNumberList",
    "Bridge",
    "BridgeDetail",
    "BridgeList",
    "BridgeNumber",
    "BridgeNumberDetail",
    "BridgeState",
    "CheckStatus",
    "ConfigurationEnvelope",
    "ConfigurationList",
    "ConnectedView",
    "ConnectProvider",
    "CreateBridge",
    "CreateConfiguration",
    "CreatedBridge",
    "CreateNumber",
    "CreateSipCredential",
    "CreateSipPhoneNumber",
    "CreateTwilioProvider",
    "CreateWebhookBody",
    "DeliveryList",
    "DisconnectedView",
    "DisconnectProvider",
    "EndpointEnvelope",
    "EndpointList",
    "EnvelopeBridge",
    "EnvelopeBridgeData",
    "EnvelopeBridgeDetail",
    "EnvelopeBridgeDetailData",
    "EnvelopeConnectedView",
    "EnvelopeConnectedViewData",
    "EnvelopeCreatedBridge",
    "EnvelopeCreatedBridgeData",
    "EnvelopeDisconnectedView",
    "EnvelopeDisconnectedViewData",
    "ErrorEnvelope",
    "ErrorEnvelopeErrorsType0",
    "EventTypeList",
    "FieldSpec",
    "Id",
    "ImportEnvelope",
    "ImportFailure",
    "ImportFailureView",
    "ImportNumbers",
    "ImportPhoneNumbers",
    "ImportResult",
    "ImportResultView",
    "InboundEnvelope",
    "InboundRoute",
    "Number",
    "NumberEnvelope",
    "NumberList",
    "NumberStatus",
    "Organization",
    "OrganizationList",
    "OutboundEnvelope",
    "OutboundRequest",
    "OutboundRoute",
    "PacedEnvelope",
    "Paging",
    "PatchConfiguration",
    "PatchWebhookBody",
    "Problem",
    "ProblemErrors",
    "Provider",
    "ProviderConfiguration",
    "ProviderList",
    "ProviderSlug",
    "QueuedEnvelope",
    "QueuedView",
    "RotateAuthToken",
    "RouteBridge",
    "RouteOrganization",
    "SipAffectedAgent",
    "SipCredential",
    "SipCredentialAffectedAgents",
    "SipCredentialList",
    "SipCredentialSource",
    "SipPhoneNumber",
    "SipPhoneNumberAgents",
    "SipPhoneNumberList",
    "SipRegistrationStatus",
    "SipTransport",
    "Slug",
    "TwilioCheck",
    "TwilioProvider",
    "TwilioProviderList",
    "TwilioProviderType",
    "TwilioRegion",
    "TwilioVerification",
    "UpdateBridge",
    "UpdateSipCredential",
    "UpdateTwilioProvider",
    "V1LinkAgentMode",
    "V1UnlinkAgentMode",
    "V2ListConfigurationsProvider",
    "VerificationCheck",
    "VerificationStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookEventTypeInfo",
)
