"""The seed pages' examples (../shared/seeds: create, list, update a v2 provider configuration;
update a v1 Twilio provider) sent through the generated Python client (clients/python) to a
live server, checking the typed results. Run by tests/api/clients.rs with the server's address,
token and stand-in accounts in the environment."""

import datetime
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))

from patchbay_client import AuthenticatedClient  # noqa: E402
from patchbay_client.api.v_1_twilio_providers import v1_create_provider, v1_update_provider  # noqa: E402
from patchbay_client.api.v2_provider_configurations import (  # noqa: E402
    v2_create_configuration,
    v2_list_configurations,
    v2_patch_configuration,
)
from patchbay_client.models import (  # noqa: E402
    ConfigurationEnvelope,
    ConfigurationList,
    CreateConfiguration,
    CreateTwilioProvider,
    ErrorEnvelope,
    PatchConfiguration,
    ProviderConfiguration,
    ProviderSlug,
    Slug,
    TwilioProvider,
    TwilioRegion,
    UpdateTwilioProvider,
)

env = os.environ
org = env["PATCHBAY_ORG"]
client = AuthenticatedClient(base_url=env["PATCHBAY_URL"], token=env["PATCHBAY_TOKEN"], prefix="Token")

# Create Provider (POST /api/v2/platform/telephony/providers-configurations/).
created = v2_create_configuration.sync_detailed(
    client=client,
    org_handle=org,
    body=CreateConfiguration(provider=Slug.TWILIO, account_sid=env["TWILIO_SID"], auth_token=env["TWILIO_TOKEN"]),
)
assert created.status_code == 201, created.content
assert isinstance(created.parsed, ConfigurationEnvelope), created.parsed
assert created.parsed.message == "Provider configuration created successfully."
config = created.parsed.data
assert isinstance(config, ProviderConfiguration)
assert isinstance(config.id, int)
assert config.provider is ProviderSlug.TWILIO
assert config.account_sid == env["TWILIO_SID"]
assert isinstance(config.created_at, datetime.datetime) and config.created_at.tzinfo is not None
assert config.name is None and config.verification_status.value == "verified"
print(f"Provider created with ID: {config.id}")

# Get All Providers (GET …/providers-configurations/).
listed = v2_list_configurations.sync(client=client, org_handle=org)
assert isinstance(listed, ConfigurationList), listed
assert listed.message == "Provider configurations fetched successfully."
assert any(row.id == config.id and row.provider is ProviderSlug.TWILIO for row in listed.data)
print(f"Total providers: {listed.count}")

# Update Provider (PATCH …/providers-configurations/{id}/): rotate the auth token. The stand-in
# knows only the account's current token, so the new one is stored unverified (verify=False).
updated = v2_patch_configuration.sync(
    config.id, client=client, org_handle=org, verify=False, body=PatchConfiguration(auth_token="new_auth_token")
)
assert isinstance(updated, ConfigurationEnvelope), updated
assert updated.message == "Provider configuration updated successfully."
assert updated.data.id == config.id and updated.data.account_sid == env["TWILIO_SID"]
assert "auth_token" not in updated.data.to_dict(), "secrets are never returned"
print(f"Provider #{updated.data.id} updated successfully")

# Update Twilio provider (PUT /api/v1/providers/twilio/{id}): on a provider created for it.
v1 = v1_create_provider.sync(
    client=client, body=CreateTwilioProvider(account_sid=env["V1_SID"], auth_token=env["V1_TOKEN"], name="Seeded")
)
assert isinstance(v1, TwilioProvider), v1
provider = v1_update_provider.sync(
    v1.id, client=client, body=UpdateTwilioProvider(name="Support line", region=TwilioRegion.IE1, supports_call_transfer=True)
)
assert isinstance(provider, TwilioProvider), provider
assert isinstance(provider.id, uuid.UUID)
assert provider.name == "Support line" and provider.region == "ie1" and provider.supports_call_transfer is True
assert provider.provider_type.value == "twilio" and provider.account_sid == env["V1_SID"]
print(f"Twilio provider {provider.id} updated: {provider.name} ({provider.region})")

# An error answer is typed too: the v2 envelope with the bad field named.
bad = v2_create_configuration.sync_detailed(
    client=client, org_handle=org, body=CreateConfiguration(provider=Slug.TWILIO, account_sid="", auth_token="x")
)
assert bad.status_code == 400 and isinstance(bad.parsed, ErrorEnvelope), bad.content
assert "account_sid" in bad.parsed.errors.to_dict(), bad.content
print("seed examples: 4 passed, 0 failed")
