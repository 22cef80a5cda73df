//! The carrier pages: the health board, configurations (create from the provider catalogue,
//! verify, rotate a secret, delete), numbers (available, import, release) and bridges.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::{Map, Value};

use super::layout::{self, banner, csrf, field_error, notice, other_field_errors, status_badge, status_of, when};
use super::{ConsoleState, Posted, Signed, caller_in};
use crate::domain::bridge;
use crate::domain::catalogue::{AccountSidSource, FieldSpec, Provider};
use crate::domain::configuration;
use crate::domain::verification::VerificationStatus;
use crate::error::Error;
use crate::service::{Caller, Verify};
use crate::storage::{ConfigurationKey, ConfigurationRecord, ListQuery};

/// Lists are shown whole up to this many rows.
const PAGE: i64 = 1000;

pub(super) fn query_value(raw: &Option<String>, name: &str) -> Option<String> {
    raw.as_deref()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.replace('+', " "))
}

fn base(caller: &Caller) -> String {
    format!("/console/o/{}", caller.org.handle)
}

fn config_url(caller: &Caller, id: i64) -> String {
    format!("{}/configurations/{id}", base(caller))
}

fn see_other(to: String) -> Response {
    Redirect::to(&to).into_response()
}

/// A configuration id from the path: anything but a positive integer is the API's 404.
fn config_id(raw: &str) -> Result<i64, Error> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(Error::NotFound(crate::service::CONFIG_NOT_FOUND))
}

fn worst_first(status: VerificationStatus) -> u8 {
    match status {
        VerificationStatus::Failed => 0,
        VerificationStatus::Warning => 1,
        VerificationStatus::Pending => 2,
        VerificationStatus::Verified => 3,
    }
}

/// Every configuration across the user's organizations that is failed, warning or pending,
/// worst first, then the longest unchecked first.
pub(crate) async fn board(State(state): State<ConsoleState>, signed: Signed) -> Response {
    let mut rows = Vec::new();
    for m in &signed.memberships {
        match state.app.list_configurations(&m.org, ListQuery::default()).await {
            Ok((configs, _)) => rows.extend(
                configs
                    .into_iter()
                    .filter(|c| c.verification_status != VerificationStatus::Verified)
                    .map(|c| (m.org.clone(), c)),
            ),
            Err(e) => return layout::bare_error(&e),
        }
    }
    rows.sort_by_key(|(_, c)| (worst_first(c.verification_status), c.last_verified_at, c.id));
    // Webhook endpoints are admin-only, so only the organizations the user administers.
    let administered: Vec<_> = signed
        .memberships
        .iter()
        .filter(|m| m.role.can_administer())
        .map(|m| m.org.clone())
        .collect();
    let failing_hooks = match state.app.failing_webhook_endpoints(&administered).await {
        Ok(list) => list,
        Err(e) => return layout::bare_error(&e),
    };
    let org_name = |id: i64| {
        administered
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let body = html! {
        p { "Configurations that need attention across your organizations: failed first, then warning, then pending." }
        @if signed.memberships.is_empty() {
            p { "You are not a member of any organization yet." }
        } @else if rows.is_empty() {
            p.notice role="status" { "Every configuration is verified." }
        } @else {
            table {
                thead { tr { th { "Status" } th { "Organization" } th { "Provider" } th { "Account" } th { "Last checked" } th { "Why" } } }
                tbody {
                    @for (org, c) in &rows {
                        tr {
                            td { (status_badge(c.verification_status)) }
                            td { (org.name) }
                            td { (c.provider) }
                            td { a href=(format!("/console/o/{}/configurations/{}", org.handle, c.id)) { (c.account_sid) } }
                            td { (when(c.last_verified_at)) }
                            td { (first_problem(c)) }
                        }
                    }
                }
            }
        }
        @if !failing_hooks.is_empty() {
            h2 { "Webhook endpoints failing" }
            table {
                thead { tr { th { "Status" } th { "Organization" } th { "URL" } th { "Failing since" } th { "Why" } } }
                tbody {
                    @for hook in &failing_hooks {
                        tr {
                            td { @if hook.enabled { "failing" } @else { "disabled" } }
                            td { (org_name(hook.org_id)) }
                            td { (hook.url) }
                            td { (when(hook.failing_since)) }
                            td { (hook.disabled_reason.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
        }
        h2 { "Organizations" }
        ul { @for m in &signed.memberships {
            li { a href=(format!("/console/o/{}/configurations", m.org.handle)) { (m.org.name) } " — " (m.role.as_str()) }
        } }
    };
    layout::page(&signed, None, "Health board", StatusCode::OK, body)
}

/// The checks of a configuration's last verification: `(name, status, message)`.
fn checks(c: &ConfigurationRecord) -> Vec<(String, String, String)> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    c.verification_details
        .as_ref()
        .and_then(|d| d.0.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|check| (text(check, "check_name"), text(check, "status"), text(check, "message")))
        .collect()
}

fn first_problem(c: &ConfigurationRecord) -> String {
    checks(c)
        .into_iter()
        .find(|(_, status, _)| status != "passed" && status != "verified")
        .map(|(_, _, message)| message)
        .unwrap_or_default()
}

/// `/console/switch?org=handle` (the switcher's form): that organization's configurations.
pub(crate) async fn switch(RawQuery(raw): RawQuery) -> Response {
    match query_value(&raw, "org") {
        Some(handle) if crate::domain::access::OrgHandle::parse(&handle).is_ok() => {
            see_other(format!("/console/o/{handle}/configurations"))
        }
        _ => see_other("/console/".into()),
    }
}

pub(crate) async fn configurations(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let caller = match caller_in(&state, &signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (configs, _) = match state.app.list_configurations(&caller.org, ListQuery::default()).await {
        Ok(list) => list,
        Err(e) => return layout::bare_error(&e),
    };
    let body = html! {
        (notice(query_value(&raw, "notice").as_deref()))
        @if caller.role.can_write() {
            section.card {
                h2 { "Add a configuration" }
                p { @for p in Provider::all() {
                    a href=(format!("{}/configurations/new?provider={}", base(&caller), p.slug)) { "Add " (p.name) } " "
                } }
            }
            @if !configs.is_empty() {
                form.card method="post" action=(format!("{}/verify-all", base(&caller))) {
                    (layout::csrf(&signed))
                    h2 { "Re-verify every configuration" }
                    p.hint { "Asks each carrier again; the progress page follows along." }
                    button type="submit" { "Re-verify all" }
                }
            }
        }
        @if configs.is_empty() { p { "No configurations yet." } } @else {
            table {
                thead { tr { th { "Id" } th { "Provider" } th { "Account" } th { "Name" } th { "Status" } th { "Last checked" } } }
                tbody { @for c in &configs {
                    tr {
                        td { (c.id) }
                        td { (c.provider) }
                        td { a href=(config_url(&caller, c.id)) { (c.account_sid) } }
                        td { (c.name.as_deref().unwrap_or("")) }
                        td { (status_badge(c.verification_status)) }
                        td { (when(c.last_verified_at)) }
                    }
                } }
            }
        }
    };
    layout::page(&signed, Some(&caller), "Configurations", StatusCode::OK, body)
}

/// One input generated from a catalogue field: secrets are password inputs and never filled
/// back in; other values the user typed are.
fn input(spec: &FieldSpec, required: bool, value: Option<&str>, error: Option<&Error>) -> Markup {
    let id = format!("f-{}", spec.name);
    html! {
        label for=(id) { (spec.label) @if !required { " (optional)" } }
        @if spec.secret {
            input id=(id) type="password" name=(spec.name) autocomplete="new-password" required[required];
        } @else {
            input id=(id) type="text" name=(spec.name) value=[value.or(spec.default)] required[required];
        }
        @if !spec.description.is_empty() { span.hint { (spec.description) } }
        (field_error(error, spec.name))
    }
}

fn new_configuration_page(
    signed: &Signed,
    caller: &Caller,
    provider: &'static Provider,
    posted: Option<&Posted>,
    error: Option<&Error>,
) -> Response {
    let value = |name: &str| posted.and_then(|p| p.get(name));
    let sid_required = provider.account_sid_source == AccountSidSource::Required;
    let mut shown = vec!["name", "account_sid", "auth_token", "provider"];
    shown.extend(provider.extra_fields.iter().map(|f| f.name));
    let body = html! {
        (banner(error))
        (other_field_errors(error, &shown))
        form.card method="post" action=(format!("{}/configurations", base(caller))) {
            (csrf(signed))
            input type="hidden" name="provider" value=(provider.slug);
            p { (provider.description) }
            label for="f-name" { "Name (optional)" }
            input #f-name type="text" name="name" value=[value("name")];
            (field_error(error, "name"))
            (input(&provider.account_sid, sid_required, value("account_sid"), error))
            (input(&provider.auth_token, provider.auth_token.required, None, error))
            @for spec in &provider.extra_fields { (input(spec, spec.required, value(spec.name), error)) }
            button type="submit" { "Create and verify" }
        }
    };
    let title = format!("New {} configuration", provider.name);
    layout::page(signed, Some(caller), &title, status_of(error), body)
}

pub(crate) async fn new_configuration(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let caller = match caller_in(&state, &signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match query_value(&raw, "provider").and_then(|slug| Provider::by_slug(&slug)) {
        Some(provider) => new_configuration_page(&signed, &caller, provider, None, None),
        None => see_other(format!("{}/configurations", base(&caller))),
    }
}

/// The posted fields as the API's JSON body: the same parser judges them.
fn body_of(posted: &Posted, skip: &[&str]) -> Map<String, Value> {
    let mut body = Map::new();
    for (k, v) in &posted.fields {
        if k != "csrf" && !skip.contains(&k.as_str()) && !v.trim().is_empty() {
            body.insert(k.clone(), Value::String(v.trim().to_owned()));
        }
    }
    body
}

pub(crate) async fn create_configuration(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(provider) = posted.get("provider").and_then(Provider::by_slug) else {
        return layout::bare_error(&Error::field("provider", "Choose a provider."));
    };
    let result = async {
        caller.require_write()?;
        let new = configuration::parse_new(&body_of(&posted, &[])).map_err(Error::validation)?;
        state.app.create_configuration(&caller.org, new, Verify::Live).await
    }
    .await;
    match result {
        Ok(record) => see_other(format!("{}?notice=created", config_url(&caller, record.id))),
        Err(e) => new_configuration_page(&posted.signed, &caller, provider, Some(&posted), Some(&e)),
    }
}

/// What a form on the configuration page produced, shown above it.
enum Outcome {
    None,
    Failed(Error),
    Imported(crate::service::numbers::Imported),
}

async fn configuration_page(
    state: &ConsoleState,
    signed: &Signed,
    caller: &Caller,
    id: i64,
    notice_key: Option<&str>,
    outcome: Outcome,
) -> Response {
    let c = match state.app.get_configuration(&caller.org, ConfigurationKey::Id(id)).await {
        Ok(c) => c,
        Err(e) => return layout::bare_error(&e),
    };
    let provider = Provider::by_slug(&c.provider);
    let error = match &outcome {
        Outcome::Failed(e) => Some(e),
        _ => None,
    };
    // The carrier's numbers (not for SIP trunks: there is no carrier to ask).
    let available = if c.provider == "sip" {
        None
    } else {
        Some(state.app.available_numbers(&caller.org, id).await)
    };
    let url = config_url(caller, id);
    let secrets: Vec<&FieldSpec> = provider
        .map(|p| {
            std::iter::once(&p.auth_token)
                .chain(&p.extra_fields)
                .filter(|f| f.secret)
                .collect()
        })
        .unwrap_or_default();
    let body = html! {
        (notice(notice_key))
        (banner(error))
        (other_field_errors(error, &[]))
        @if let Outcome::Imported(result) = &outcome {
            p.notice role="status" { (result.imported.len()) " imported, " (result.failed.len()) " not imported." }
            @for (number, why) in &result.failed { p.field-error { (number) ": " (why) } }
        }
        table {
            tbody {
                tr { th { "Provider" } td { (c.provider) } }
                tr { th { "Account" } td { (c.account_sid) } }
                tr { th { "Name" } td { (c.name.as_deref().unwrap_or("")) } }
                @for (k, v) in c.settings.0.iter() { tr { th { (k) } td { (v) } } }
                tr { th { "Secrets" } td { "stored encrypted, never shown" } }
                tr { th { "Status" } td { (status_badge(c.verification_status)) } }
                tr { th { "Last checked" } td { (when(c.last_verified_at)) } }
            }
        }
        h2 { "Checks" }
        @let checks = checks(&c);
        @if checks.is_empty() { p { "No checks yet." } } @else {
            table {
                thead { tr { th { "Check" } th { "Result" } th { "Message" } } }
                tbody { @for (name, status, message) in &checks { tr { td { (name) } td { (status) } td { (message) } } } }
            }
        }
        @if caller.role.can_write() {
            div.row {
                form.card method="post" action=(format!("{url}/verify")) {
                    (csrf(signed))
                    h2 { "Verify now" }
                    p.hint { "Asks the carrier whether these credentials work." }
                    button type="submit" { "Verify now" }
                }
                @if !secrets.is_empty() {
                    form.card method="post" action=(format!("{url}/rotate")) {
                        (csrf(signed))
                        input type="hidden" name="version" value=(c.version);
                        h2 { "Rotate a secret" }
                        @for spec in &secrets {
                            label for=(format!("r-{}", spec.name)) { "New " (spec.label) }
                            input id=(format!("r-{}", spec.name)) type="password" name=(spec.name) autocomplete="new-password";
                            (field_error(error, spec.name))
                        }
                        button type="submit" { "Rotate and verify" }
                    }
                }
                form.card method="post" action=(format!("{url}/delete")) {
                    (csrf(signed))
                    input type="hidden" name="version" value=(c.version);
                    h2 { "Delete" }
                    p.hint { "Deletes its numbers too. Numbers on bridges refuse it unless you also take them off." }
                    label { input type="checkbox" name="force" value="true"; " Take its numbers off their bridges first" }
                    button.danger type="submit" { "Delete configuration" }
                }
            }
        }
        @if let Some(available) = &available {
            h2 { "Numbers in the carrier account" }
            @match available {
                Err(e) => { p.error { (layout::message(e)) } }
                Ok(numbers) if numbers.is_empty() => { p { "The account has no numbers." } }
                Ok(numbers) => {
                    form.card method="post" action=(format!("{url}/import")) {
                        (csrf(signed))
                        table {
                            thead { tr { th { "Import" } th { "Number" } th { "Name" } th { "Here" } } }
                            tbody { @for n in numbers {
                                tr {
                                    td { @if n.imported_id.is_none() && caller.role.can_write() {
                                        input type="checkbox" name="numbers" value=(n.number.phone_number)
                                            id=(format!("n-{}", n.number.phone_number)) aria-label=(format!("Import {}", n.number.phone_number));
                                    } }
                                    td { (n.number.phone_number) }
                                    td { (n.number.friendly_name.as_deref().unwrap_or("")) }
                                    td { @if n.imported_id.is_some() { "imported" } }
                                }
                            } }
                        }
                        @if caller.role.can_write() { button type="submit" { "Import selected numbers" } }
                    }
                }
            }
        }
    };
    let title = format!("Configuration {id}");
    layout::page(signed, Some(caller), &title, status_of(error), body)
}

pub(crate) async fn configuration(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let caller = match caller_in(&state, &signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match config_id(&id) {
        Ok(id) => {
            let key = query_value(&raw, "notice");
            configuration_page(&state, &signed, &caller, id, key.as_deref(), Outcome::None).await
        }
        Err(e) => layout::bare_error(&e),
    }
}

/// Runs one of the configuration page's forms: on success back to the page with `notice`, on
/// failure the page with the error beside the field it concerns.
async fn on_configuration<F, Fut>(
    state: ConsoleState,
    org: String,
    id: String,
    posted: Posted,
    notice_key: &str,
    act: F,
) -> Response
where
    F: FnOnce(ConsoleState, Caller, i64, Posted) -> Fut,
    Fut: Future<Output = (Posted, Result<Outcome, Error>)>,
{
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match config_id(&id) {
        Ok(id) => id,
        Err(e) => return layout::bare_error(&e),
    };
    if let Err(e) = caller.require_write() {
        return layout::bare_error(&e);
    }
    let (posted, result) = act(state.clone(), caller.clone(), id, posted).await;
    match result {
        Ok(Outcome::None) => see_other(format!("{}?notice={notice_key}", config_url(&caller, id))),
        Ok(outcome) => configuration_page(&state, &posted.signed, &caller, id, None, outcome).await,
        Err(Error::NotFound(m)) => layout::bare_error(&Error::NotFound(m)),
        Err(e) => configuration_page(&state, &posted.signed, &caller, id, None, Outcome::Failed(e)).await,
    }
}

fn version(posted: &Posted) -> Option<i64> {
    posted.get("version").and_then(|v| v.parse().ok())
}

pub(crate) async fn verify(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    on_configuration(
        state,
        org,
        id,
        posted,
        "verified",
        |state, caller, id, posted| async move {
            let r = state
                .app
                .verify_configuration(&caller.org, ConfigurationKey::Id(id))
                .await;
            (posted, r.map(|_| Outcome::None))
        },
    )
    .await
}

pub(crate) async fn rotate(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    on_configuration(
        state,
        org,
        id,
        posted,
        "rotated",
        |state, caller, id, posted| async move {
            let body = body_of(&posted, &["version"]);
            let r = if body.is_empty() {
                Err(Error::field("non_field_errors", "Enter the new secret."))
            } else {
                // The version the page showed is the If-Match: a change made meanwhile is a 412.
                state
                    .app
                    .patch_configuration(&caller.org, id, &body, version(&posted), Verify::Live)
                    .await
                    .map(|_| Outcome::None)
            };
            (posted, r)
        },
    )
    .await
}

pub(crate) async fn delete_configuration(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let handle = org.clone();
    let caller = match caller_in(&state, &posted.signed, &handle).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(config) = config_id(&id) else {
        return layout::bare_error(&Error::NotFound(crate::service::CONFIG_NOT_FOUND));
    };
    let deleted = match caller.require_write() {
        Ok(()) => {
            state
                .app
                .delete_configuration(&caller.org, config, version(&posted), posted.checked("force"))
                .await
        }
        Err(e) => Err(e),
    };
    match deleted {
        Ok(()) => see_other(format!("{}/configurations?notice=deleted", base(&caller))),
        Err(e) => configuration_page(&state, &posted.signed, &caller, config, None, Outcome::Failed(e)).await,
    }
}

pub(crate) async fn import(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    on_configuration(
        state,
        org,
        id,
        posted,
        "imported",
        |state, caller, id, posted| async move {
            let wanted = posted.all("numbers");
            let r = if wanted.is_empty() {
                Err(Error::field("numbers", "Select at least one number."))
            } else {
                state
                    .app
                    .import_numbers(&caller.org, id, &wanted)
                    .await
                    .map(Outcome::Imported)
            };
            (posted, r)
        },
    )
    .await
}

async fn numbers_page(
    state: &ConsoleState,
    signed: &Signed,
    caller: &Caller,
    notice_key: Option<&str>,
    error: Option<&Error>,
) -> Response {
    let (numbers, _) = match state.app.list_numbers(&caller.org, PAGE, 0).await {
        Ok(list) => list,
        Err(e) => return layout::bare_error(&e),
    };
    let body = html! {
        (notice(notice_key))
        (banner(error))
        (other_field_errors(error, &[]))
        p.hint { "Import numbers from a configuration's page; SIP trunks' numbers are added through the API." }
        @if numbers.is_empty() { p { "No numbers yet." } } @else {
            table {
                thead { tr { th { "Number" } th { "Provider" } th { "Configuration" } th { "Bridge" } @if caller.role.can_write() { th { "Release" } } } }
                tbody { @for n in &numbers {
                    tr {
                        td { (n.number.phone_number.as_str()) }
                        td { (n.provider) " " (status_badge(n.verification_status)) }
                        td { a href=(config_url(caller, n.number.configuration_id)) { (n.number.configuration_id) } }
                        td { (n.bridge_slug.as_deref().unwrap_or("")) }
                        @if caller.role.can_write() {
                            td {
                                form.inline method="post" action=(format!("{}/numbers/{}/release", base(caller), n.number.id)) {
                                    (csrf(signed))
                                    @if n.bridge_slug.is_some() {
                                        label { input type="checkbox" name="force" value="true"; " off its bridge too" }
                                    }
                                    button.danger type="submit" { "Release " (n.number.phone_number.as_str()) }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    layout::page(signed, Some(caller), "Numbers", status_of(error), body)
}

pub(crate) async fn numbers(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    match caller_in(&state, &signed, &org).await {
        Ok(caller) => numbers_page(&state, &signed, &caller, query_value(&raw, "notice").as_deref(), None).await,
        Err(r) => r,
    }
}

pub(crate) async fn release(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_write()?;
        let id = id.parse::<i64>().map_err(|_| Error::NotFound("Number not found."))?;
        state
            .app
            .delete_number(&caller.org, id, None, posted.checked("force"))
            .await
    }
    .await;
    match result {
        Ok(()) => see_other(format!("{}/numbers?notice=released", base(&caller))),
        Err(e) => numbers_page(&state, &posted.signed, &caller, None, Some(&e)).await,
    }
}

async fn bridges_page(
    state: &ConsoleState,
    signed: &Signed,
    caller: &Caller,
    notice_key: Option<&str>,
    posted: Option<&Posted>,
    error: Option<&Error>,
) -> Response {
    let listed = async {
        let (bridges, _) = state.app.list_bridges(&caller.org, PAGE, 0).await?;
        let (numbers, _) = state.app.list_numbers(&caller.org, PAGE, 0).await?;
        Ok::<_, Error>((bridges, numbers))
    };
    let (bridges, numbers) = match listed.await {
        Ok(lists) => lists,
        Err(e) => return layout::bare_error(&e),
    };
    let free: Vec<_> = numbers.iter().filter(|n| n.bridge_slug.is_none()).collect();
    let value = |name: &str| posted.and_then(|p| p.get(name));
    let body = html! {
        (notice(notice_key))
        (banner(error))
        (other_field_errors(error, &["name", "slug", "phone_number", "provider_config_id"]))
        @if caller.role.can_write() {
            form.card method="post" action=(format!("{}/bridges", base(caller))) {
                (csrf(signed))
                h2 { "New bridge" }
                label for="b-name" { "Name" }
                input #b-name type="text" name="name" required value=[value("name")];
                (field_error(error, "name"))
                label for="b-slug" { "Slug" }
                input #b-slug type="text" name="slug" required value=[value("slug")];
                span.hint { "Letters, digits, - and _; it never changes." }
                (field_error(error, "slug"))
                button type="submit" { "Create bridge" }
            }
        }
        @if bridges.is_empty() { p { "No bridges yet." } }
        @for b in &bridges {
            section.card {
                h2 { (b.record.name) " " small { "(" (b.record.slug.as_str()) ", " (b.state().as_str()) ")" } }
                @if b.numbers.is_empty() { p { "No numbers on it." } } @else {
                    table {
                        thead { tr { th { "Number" } th { "Provider" } @if caller.role.can_write() { th { "Disconnect" } } } }
                        tbody { @for n in &b.numbers {
                            tr {
                                td { (n.phone_number.as_str()) }
                                td { (n.provider) }
                                @if caller.role.can_write() {
                                    td { form.inline method="post" action=(format!("{}/bridges/{}/disconnect", base(caller), b.record.slug.as_str())) {
                                        (csrf(signed))
                                        input type="hidden" name="phone_number" value=(n.phone_number.as_str());
                                        button type="submit" { "Disconnect " (n.phone_number.as_str()) }
                                    } }
                                }
                            }
                        } }
                    }
                }
                @if caller.role.can_write() && !free.is_empty() {
                    form method="post" action=(format!("{}/bridges/{}/connect", base(caller), b.record.slug.as_str())) {
                        (csrf(signed))
                        @let id = format!("c-{}", b.record.slug.as_str());
                        label for=(id) { "Connect a number" }
                        select id=(id) name="number" {
                            @for n in &free {
                                option value=(format!("{} {}", n.number.configuration_id, n.number.phone_number.as_str())) {
                                    (n.number.phone_number.as_str()) " (" (n.provider) ")"
                                }
                            }
                        }
                        button type="submit" { "Connect" }
                    }
                }
            }
        }
    };
    layout::page(signed, Some(caller), "Bridges", status_of(error), body)
}

pub(crate) async fn bridges(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    match caller_in(&state, &signed, &org).await {
        Ok(caller) => {
            bridges_page(
                &state,
                &signed,
                &caller,
                query_value(&raw, "notice").as_deref(),
                None,
                None,
            )
            .await
        }
        Err(r) => r,
    }
}

pub(crate) async fn create_bridge(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_write()?;
        let new = bridge::parse_new_bridge(&body_of(&posted, &[])).map_err(|errors| Error::Validation {
            message: "Bridge creation failed.".into(),
            errors,
        })?;
        state.app.create_bridge(&caller.org, new).await
    }
    .await;
    match result {
        Ok(_) => see_other(format!("{}/bridges?notice=created", base(&caller))),
        Err(e) => bridges_page(&state, &posted.signed, &caller, None, Some(&posted), Some(&e)).await,
    }
}

/// Connects or disconnects a number, through the same parsers and service calls as the API.
async fn on_bridge(state: ConsoleState, org: String, slug: String, posted: Posted, connect: bool) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_write()?;
        let slug = crate::service::bridges::path_slug(&slug)?;
        if connect {
            let (config, number) = posted
                .get("number")
                .and_then(|v| v.split_once(' '))
                .ok_or_else(|| Error::field("phone_number", "Choose a number."))?;
            let mut body = Map::new();
            body.insert(
                "provider_config_id".into(),
                Value::from(config.parse::<i64>().unwrap_or(0)),
            );
            body.insert("phone_number".into(), Value::String(number.to_owned()));
            let (config, number) = bridge::parse_connect(&body).map_err(Error::validation)?;
            state
                .app
                .connect_provider(&caller.org, slug.as_str(), config, &number, None)
                .await
        } else {
            let number = bridge::parse_disconnect(&body_of(&posted, &[])).map_err(Error::validation)?;
            state
                .app
                .disconnect_provider(&caller.org, slug.as_str(), &number, None)
                .await
        }
    }
    .await;
    match result {
        Ok(_) => {
            let key = if connect { "connected" } else { "disconnected" };
            see_other(format!("{}/bridges?notice={key}", base(&caller)))
        }
        Err(e) => bridges_page(&state, &posted.signed, &caller, None, None, Some(&e)).await,
    }
}

pub(crate) async fn connect(
    State(state): State<ConsoleState>,
    Path((org, slug)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    on_bridge(state, org, slug, posted, true).await
}

pub(crate) async fn disconnect(
    State(state): State<ConsoleState>,
    Path((org, slug)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    on_bridge(state, org, slug, posted, false).await
}
