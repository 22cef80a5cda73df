// The seed pages' examples (../shared/seeds: create, list, update a v2 provider configuration;
// update a v1 Twilio provider) sent through the generated client to a live server. The types
// are checked by `tsc` (a field the document does not promise would not compile); the values
// are checked here. Run by tests/api/clients.rs with the server's address, token and stand-in
// accounts in the environment.
import assert from "node:assert/strict";
import { createPatchbayClient, type Schemas } from "../src/index.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const org = env("PATCHBAY_ORG");
const client = createPatchbayClient({ baseUrl: env("PATCHBAY_URL"), token: env("PATCHBAY_TOKEN"), orgHandle: org });
const header = { "Org-Handle": org };

// Create Provider (POST /api/v2/platform/telephony/providers-configurations/).
const created = await client.POST("/api/v2/platform/telephony/providers-configurations/", {
  params: { header },
  body: { provider: "twilio", account_sid: env("TWILIO_SID"), auth_token: env("TWILIO_TOKEN") },
});
assert.equal(created.response.status, 201, JSON.stringify(created.error));
const config: Schemas["ProviderConfiguration"] = created.data!.data;
assert.equal(created.data!.message, "Provider configuration created successfully.");
assert.equal(typeof config.id, "number");
assert.equal(config.provider, "twilio");
assert.equal(config.account_sid, env("TWILIO_SID"));
assert.ok(!Number.isNaN(Date.parse(config.created_at)));
assert.equal(config.name, null);
assert.equal(config.verification_status, "verified");
console.log(`Provider created with ID: ${config.id}`);

// Get All Providers (GET …/providers-configurations/).
const listed = await client.GET("/api/v2/platform/telephony/providers-configurations/", { params: { header } });
assert.equal(listed.response.status, 200);
const rows: Schemas["ProviderConfiguration"][] = listed.data!.data;
assert.equal(listed.data!.message, "Provider configurations fetched successfully.");
assert.ok(rows.some((row) => row.id === config.id && row.provider === "twilio"));
console.log(`Total providers: ${listed.data!.count}`);

// Update Provider (PATCH …/providers-configurations/{id}/): rotate the auth token. The stand-in
// knows only the account's current token, so the new one is stored unverified (`verify=false`).
const updated = await client.PATCH("/api/v2/platform/telephony/providers-configurations/{id}/", {
  params: { header, path: { id: config.id }, query: { verify: false } },
  body: { auth_token: "new_auth_token" },
});
assert.equal(updated.response.status, 200, JSON.stringify(updated.error));
assert.equal(updated.data!.message, "Provider configuration updated successfully.");
assert.equal(updated.data!.data.id, config.id);
assert.equal(updated.data!.data.account_sid, env("TWILIO_SID"));
assert.equal((updated.data!.data as Record<string, unknown>)["auth_token"], undefined, "secrets are never returned");
console.log(`Provider #${updated.data!.data.id} updated successfully`);

// Update Twilio provider (PUT /api/v1/providers/twilio/{id}): on a provider created for it.
const v1 = await client.POST("/api/v1/providers/twilio", {
  body: { accountSid: env("V1_SID"), authToken: env("V1_TOKEN"), name: "Seeded" },
});
assert.equal(v1.response.status, 201, JSON.stringify(v1.error));
const put = await client.PUT("/api/v1/providers/twilio/{id}", {
  params: { path: { id: v1.data!.id } },
  body: { name: "Support line", region: "ie1", supportsCallTransfer: true },
});
assert.equal(put.response.status, 200, JSON.stringify(put.error));
const provider: Schemas["TwilioProvider"] = put.data!;
assert.equal(provider.name, "Support line");
assert.equal(provider.region, "ie1");
assert.equal(provider.supportsCallTransfer, true);
assert.equal(provider.providerType, "twilio");
assert.equal(provider.accountSid, env("V1_SID"));
console.log(`Twilio provider ${provider.id} updated: ${provider.name} (${provider.region})`);

// An error answer is typed too: the v2 envelope with the bad field named.
const bad = await client.POST("/api/v2/platform/telephony/providers-configurations/", {
  params: { header },
  body: { provider: "twilio", account_sid: "", auth_token: "x" },
});
assert.equal(bad.response.status, 400);
const errors: Schemas["ErrorEnvelope"]["errors"] = bad.error!.errors;
assert.ok(errors && "account_sid" in errors, JSON.stringify(bad.error));
console.log("seed examples: 4 passed, 0 failed");
