// The Patchbay client: `paths` and `components` are generated from the OpenAPI document by
// openapi-typescript (src/schema.d.ts, see clients/regenerate); every call goes through
// openapi-fetch, typed by them. Nothing here describes an endpoint by hand.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];

export interface PatchbayOptions {
  /** e.g. `http://127.0.0.1:3001` */
  baseUrl: string;
  /** An API token (`pbk_…`), sent as `Authorization: Token <token>`. */
  token: string;
  /** The organization's handle (`Org-Handle`), needed on the v2 organization-scoped paths. */
  orgHandle?: string;
}

/** A typed client of every operation in the document: `client.GET("/api/v2/…", {...})`. */
export function createPatchbayClient({ baseUrl, token, orgHandle }: PatchbayOptions) {
  const headers: Record<string, string> = { Authorization: `Token ${token}` };
  if (orgHandle !== undefined) headers["Org-Handle"] = orgHandle;
  return createClient<paths>({ baseUrl, headers });
}
