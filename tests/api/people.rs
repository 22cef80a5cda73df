//! People: users with a role per organization, and personal tokens (`pbu_`) that act for every
//! organization of their user (`Org-Handle` chooses), beside unchanged organization tokens.

use std::io::Write as _;
use std::process::Stdio;

use patchbay::domain::access::Role;
use patchbay::domain::user::{Email, Password};
use reqwest::Method;
use serde_json::json;

use crate::support::process::{patchbay_command, run, run_json};
use crate::support::{self, CONFIGS_UNVERIFIED, TEST_KEY, TWILIO_SID, TestApp, both_backends, send};

const ORGS: &str = "/api/v2/platform/organizations/";

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn password() -> Password {
    Password::parse("correct horse battery staple").unwrap()
}

/// Ann: member of acme, viewer of globex; returns her personal token.
async fn ann(app: &TestApp) -> String {
    let user = app
        .app
        .create_user(&email("Ann@Example.org"), password(), &app.org, Role::Member)
        .await
        .unwrap();
    app.app
        .set_member(&email("ann@example.org"), &app.other_org, Role::Viewer)
        .await
        .unwrap();
    let (_, token) = app.app.create_user_token(&user, Some("laptop")).await.unwrap();
    assert!(token.expose().starts_with("pbu_"));
    token.expose().to_owned()
}

both_backends! {
    async fn a_personal_token_lists_and_acts_for_each_of_its_users_organizations(app) {
        let token = ann(&app).await;
        // Every organization of the user, whatever Org-Handle says (the pages' clients send one).
        for request in [app.bare(Method::GET, ORGS), app.as_(&token, "acme", Method::GET, ORGS)] {
            let (status, body) = send(request.header("Authorization", format!("Token {token}"))).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["count"], 2, "{body}");
            let handles: Vec<_> = body["data"].as_array().unwrap().iter().map(|o| o["domain_handle"].clone()).collect();
            assert_eq!(handles, [json!("acme"), json!("globex")]);
        }
        // Organization tokens are unchanged: their one organization.
        let (_, body) = send(app.as_(&app.admin, "acme", Method::GET, ORGS)).await;
        assert_eq!(body["count"], 1, "{body}");

        // A member of acme writes there, and the audit trail names the person.
        let create = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t0ken"});
        let (status, body) = send(app.as_(&token, "acme", Method::POST, CONFIGS_UNVERIFIED).json(&create)).await;
        assert_eq!(status, 201, "{body}");
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/?resource_type=configuration")).await;
        assert_eq!(audit["data"][0]["actor"], "user:ann@example.org", "{audit}");
        assert_eq!(audit["data"][0]["actor_token_id"], json!(null), "{audit}");

        // A viewer of globex reads there but may not write.
        let (status, _) = send(app.as_(&token, "globex", Method::GET, CONFIGS_UNVERIFIED)).await;
        assert_eq!(status, 200);
        let (status, body) = send(app.as_(&token, "globex", Method::POST, CONFIGS_UNVERIFIED).json(&create)).await;
        assert_eq!(status, 403, "{body}");

        // An organization she is not in, and one that does not exist: the same 403.
        app.app.create_organization("initech", "Initech").await.unwrap();
        for handle in ["initech", "nosuch"] {
            let (status, body) = send(app.as_(&token, handle, Method::GET, CONFIGS_UNVERIFIED)).await;
            assert_eq!(status, 403, "{handle}: {body}");
        }
        // With two organizations, an org-scoped call must say which.
        let (status, body) = send(
            app.bare(Method::GET, "/api/v1/providers").header("Authorization", format!("Bearer {token}")),
        )
        .await;
        assert_eq!(status, 400, "{body}");

        // Tenancy holds through the person: acme's configuration is not globex's.
        let (_, listed) = send(app.as_(&token, "globex", Method::GET, CONFIGS_UNVERIFIED)).await;
        assert_eq!(listed["count"], 0, "{listed}");
    }

    async fn revoked_personal_tokens_and_removed_memberships_stop_working(app) {
        let token = ann(&app).await;
        let user = app.app.user_by_email(&email("ann@example.org")).await.unwrap();
        app.app.remove_member(&app.other_org, user.id).await.unwrap();
        let (status, _) = send(app.as_(&token, "globex", Method::GET, CONFIGS_UNVERIFIED)).await;
        assert_eq!(status, 403);
        // One organization left: no Org-Handle needed any more (the v1 family).
        let (status, body) = send(
            app.bare(Method::GET, "/api/v1/providers").header("Authorization", format!("Bearer {token}")),
        )
        .await;
        assert_eq!(status, 200, "{body}");

        let id = app.app.list_user_tokens(&user).await.unwrap()[0].id;
        app.app.revoke_user_token(&user, id).await.unwrap();
        let (status, _) = send(app.as_(&token, "acme", Method::GET, CONFIGS_UNVERIFIED)).await;
        assert_eq!(status, 401);
        let (status, _) = send(app.bare(Method::GET, ORGS).header("Authorization", format!("Token {token}"))).await;
        assert_eq!(status, 401);
    }

    async fn users_are_unique_by_email_and_org_tokens_stay_admin_or_viewer(app) {
        ann(&app).await;
        let again = app.app.create_user(&email("ANN@example.org"), password(), &app.org, Role::Admin).await;
        assert_eq!(again.unwrap_err().status(), 409);
        let members = app.app.list_members(&app.org).await.unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!((members[0].email.as_str(), members[0].role), ("ann@example.org", Role::Member));
        let member_token = app.app.create_token(&app.org, Role::Member, None, None).await;
        assert_eq!(member_token.unwrap_err().status(), 400);
    }
}

fn user_cmd(database_url: &str) -> std::process::Command {
    let mut cmd = patchbay_command();
    cmd.env("PATCHBAY_MASTER_KEY", TEST_KEY)
        .args(["--database-url", database_url, "user"]);
    cmd
}

/// Runs `user ...` with `password` on stdin.
fn with_password(database_url: &str, args: &[&str], password: &str) -> (bool, String, String) {
    let mut child = user_cmd(database_url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_commands_manage_people_and_never_print_passwords() {
    let app = support::spawn_app(support::Backend::Sqlite).await.unwrap();
    let url = app.database_url.clone();
    let secret = "a long enough password 1";
    let create = [
        "create",
        "--email",
        "bo@example.org",
        "--org",
        "acme",
        "--role",
        "admin",
        "--password-stdin",
        "--json",
    ];
    let (ok, stdout, stderr) = with_password(&url, &create, secret);
    assert!(ok, "{stderr}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    let created: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(created["role"], "admin");

    // Too short a password is refused, and nothing is created.
    let (ok, _, stderr) = with_password(
        &url,
        &[
            "create",
            "--email",
            "cy@example.org",
            "--org",
            "acme",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "short",
    );
    assert!(!ok && stderr.contains("at least 12"), "{stderr}");

    let added = run_json(user_cmd(&url).args([
        "add",
        "--email",
        "bo@example.org",
        "--org",
        "globex",
        "--role",
        "viewer",
    ]));
    assert_eq!(added["org"], "globex");
    let listed = run_json(user_cmd(&url).args(["list", "--org", "globex"]));
    assert_eq!(
        (listed["email"].as_str(), listed["role"].as_str()),
        (Some("bo@example.org"), Some("viewer"))
    );
    let (ok, _, stderr) = run(user_cmd(&url).args([
        "add",
        "--email",
        "nobody@example.org",
        "--org",
        "acme",
        "--role",
        "viewer",
    ]));
    assert!(!ok && stderr.contains("No user"), "{stderr}");

    // A password reset ends the user's sessions.
    let (session, _) = app.app.sign_in("bo@example.org", secret).await.unwrap().unwrap();
    assert!(app.app.session(&session).await.unwrap().is_some());
    let (ok, _, stderr) = with_password(
        &url,
        &["reset-password", "--email", "bo@example.org", "--password-stdin"],
        "another long password",
    );
    assert!(ok, "{stderr}");
    assert!(app.app.session(&session).await.unwrap().is_none());
    assert!(app.app.sign_in("bo@example.org", secret).await.unwrap().is_none());
    assert!(
        app.app
            .sign_in("bo@example.org", "another long password")
            .await
            .unwrap()
            .is_some()
    );

    // A personal token from the CLI lists both organizations.
    let token = run_json(user_cmd(&url).args(["token", "--email", "bo@example.org"]));
    let token = token["token"].as_str().unwrap();
    let (_, orgs) = send(
        app.bare(Method::GET, ORGS)
            .header("Authorization", format!("Token {token}")),
    )
    .await;
    assert_eq!(orgs["count"], 2, "{orgs}");
    app.stop().await;
}
