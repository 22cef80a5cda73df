//! Long work with progress: re-verifying every configuration of an organization runs on its
//! own task; its page refreshes itself (a `<meta>` refresh, no script) until the work ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{self, status_badge};
use super::{ConsoleState, Posted, Signed, caller_in};
use crate::domain::verification::VerificationStatus;
use crate::error::Error;
use crate::storage::{ConfigurationKey, ListQuery};

/// How far a re-verification has come: `(configuration id, account, status after)` per row.
#[derive(Debug, Default, Clone)]
pub(crate) struct Progress {
    user_id: i64,
    org_id: i64,
    total: usize,
    done: Vec<(i64, String, Result<VerificationStatus, String>)>,
}

/// The console's running and finished jobs, by random id (kept in memory: a restart forgets
/// them, the work itself is stored as it goes).
/// Finished jobs kept for their pages before the oldest are dropped.
const MAX_KEPT: usize = 1000;

#[derive(Default)]
pub(crate) struct Jobs(Mutex<HashMap<String, Progress>>);

impl Jobs {
    fn get(&self, id: &str) -> Option<Progress> {
        self.0.lock().expect("jobs lock").get(id).cloned()
    }

    /// Registers a job; finished ones are forgotten once many are kept, so memory stays bounded.
    fn start(&self, id: String, progress: Progress) {
        let mut jobs = self.0.lock().expect("jobs lock");
        if jobs.len() >= MAX_KEPT {
            jobs.retain(|_, p| p.done.len() < p.total);
        }
        jobs.insert(id, progress);
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Progress)) {
        if let Some(p) = self.0.lock().expect("jobs lock").get_mut(id) {
            f(p);
        }
    }
}

pub(crate) async fn verify_all(State(state): State<ConsoleState>, Path(org): Path<String>, posted: Posted) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller.require_write() {
        return layout::bare_error(&e);
    }
    let configs = match state.app.list_configurations(&caller.org, ListQuery::default()).await {
        Ok((configs, _)) => configs,
        Err(e) => return layout::bare_error(&e),
    };
    let id = crate::domain::user::SessionSecret::generate().hash()[..16].to_owned();
    state.jobs.start(
        id.clone(),
        Progress {
            user_id: posted.signed.user.id,
            org_id: caller.org.id,
            total: configs.len(),
            done: Vec::new(),
        },
    );
    let (jobs, app, org, job) = (state.jobs.clone(), state.app.clone(), caller.org.clone(), id.clone());
    tokio::spawn(async move {
        for c in configs {
            let result = app
                .verify_configuration(&org, ConfigurationKey::Id(c.id))
                .await
                .map(|r| r.verification_status)
                .map_err(|e| layout::message(&e));
            jobs.update(&job, |p| p.done.push((c.id, c.account_sid.clone(), result)));
        }
    });
    Redirect::to(&format!("/console/o/{}/jobs/{id}", caller.org.handle)).into_response()
}

pub(crate) async fn job(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    signed: Signed,
) -> Response {
    let caller = match caller_in(&state, &signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    // Only its starter sees a job, in its organization.
    let Some(progress) = state
        .jobs
        .get(&id)
        .filter(|p| p.user_id == signed.user.id && p.org_id == caller.org.id)
    else {
        return layout::bare_error(&Error::NotFound("No such job."));
    };
    let finished = progress.done.len() >= progress.total;
    let body = html! {
        @if !finished { meta http-equiv="refresh" content="1"; }
        p role="status" {
            @if finished { "Done: " } @else { "Working: " }
            (progress.done.len()) " of " (progress.total) " configurations checked."
        }
        progress max=(progress.total.max(1)) value=(progress.done.len()) { (progress.done.len()) " of " (progress.total) }
        table {
            thead { tr { th { "Configuration" } th { "Result" } } }
            tbody { @for (config, account, result) in &progress.done {
                tr {
                    td { a href=(format!("/console/o/{}/configurations/{config}", caller.org.handle)) { (account) } }
                    td { @match result { Ok(status) => { (status_badge(*status)) } Err(m) => { span.field-error { (m) } } } }
                }
            } }
        }
    };
    layout::page(
        &signed,
        Some(&caller),
        "Re-verifying the organization",
        StatusCode::OK,
        body,
    )
}

/// Shared with the state.
pub(crate) type SharedJobs = Arc<Jobs>;
