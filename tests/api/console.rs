//! The console over plain HTTP: sessions, cookies, CSRF and origin checks, throttling,
//! headers and roles (the browser tests in `console_browser` drive the same pages in Chromium).

use patchbay::domain::access::Role;
use patchbay::domain::user::{Email, Password};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::support::{TestApp, both_backends};

/// A form's fields.
type Form<'a> = Vec<(&'a str, String)>;

pub const PASSWORD: &str = "correct horse battery staple";

/// Creates `email` with `role` in acme.
pub async fn person(app: &TestApp, email: &str, role: Role) {
    app.app
        .create_user(
            &Email::parse(email).unwrap(),
            Password::parse(PASSWORD).unwrap(),
            &app.org,
            role,
        )
        .await
        .unwrap();
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn origin(app: &TestApp) -> String {
    format!("http://{}", app.addr)
}

/// Signs in; returns the answer's status, headers and the session cookie pair (`pb_session=…`).
async fn sign_in_as(
    app: &TestApp,
    email: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Option<String>) {
    let mut request = client().post(app.url("/console/sign-in"));
    if !extra.iter().any(|(k, _)| *k == "Origin") {
        request = request.header("Origin", origin(app));
    }
    let mut request = request.form(&[("email", email), ("password", password)]);
    for (k, v) in extra {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    (response.status(), response.headers().clone(), cookie)
}

pub async fn session(app: &TestApp, email: &str) -> String {
    let (status, _, cookie) = sign_in_as(app, email, PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    cookie.expect("a session cookie")
}

pub async fn get(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = client()
        .get(app.url(path))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The CSRF token of the page's forms.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    page[at..at + 64].to_owned()
}

async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    origin: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut request = client().post(app.url(path)).header("Cookie", cookie).form(form);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let r = request.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

both_backends! {
    async fn sessions_are_httponly_strict_cookies_and_pages_carry_strict_headers(app) {
        person(&app, "ann@example.org", Role::Admin).await;
        let (status, headers, cookie) = sign_in_as(&app, "ann@example.org", PASSWORD, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[LOCATION], "/console/");
        let set = headers[SET_COOKIE].to_str().unwrap();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=43200"] {
            assert!(set.contains(attribute), "{set}");
        }
        assert!(!set.contains("Secure"), "plain http cannot keep a Secure cookie: {set}");
        // Behind a TLS proxy the page's origin is https://, and the cookie is Secure.
        let https = format!("https://{}", app.addr);
        let (_, headers, _) = sign_in_as(&app, "ann@example.org", PASSWORD, &[("X-Forwarded-Proto", "https"), ("Origin", &https)]).await;
        assert!(headers[SET_COOKIE].to_str().unwrap().contains("; Secure"), "{headers:?}");

        let r = client().get(app.url("/console/")).header("Cookie", cookie.unwrap()).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("script-src"), "no script may run at all: {csp}");
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let page = r.text().await.unwrap();
        assert!(page.contains("Health board") && !page.contains("<script"), "{page}");

        // Without a session every page sends you to sign in.
        let r = client().get(app.url("/console/o/acme/configurations")).send().await.unwrap();
        assert_eq!((r.status(), r.headers()[LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/console/sign-in"));
        // A wrong password: no cookie, the same message as an unknown account.
        for (email, password) in [("ann@example.org", "wrong password here"), ("nobody@example.org", PASSWORD)] {
            let (status, headers, _) = sign_in_as(&app, email, password, &[]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert!(headers.get(SET_COOKIE).is_none());
        }
    }

    async fn cross_site_and_tokenless_posts_are_refused_and_change_nothing(app) {
        person(&app, "ann@example.org", Role::Admin).await;
        let cookie = session(&app, "ann@example.org").await;
        let (_, page) = get(&app, &cookie, "/console/o/acme/bridges").await;
        let csrf = csrf_of(&page);
        let own = origin(&app);
        let form = |token: &str| vec![("csrf", token.to_owned()), ("name", "Sales".to_owned()), ("slug", "sales".to_owned())];
        let cases: [(Option<&str>, Form, &str); 4] = [
            (Some("http://evil.example"), form(&csrf), "cross-site origin with a valid token"),
            (None, form(&csrf), "no Origin nor Referer"),
            (Some(own.as_str()), form("0".repeat(64).as_str()), "a wrong token"),
            (Some(own.as_str()), vec![("name", "Sales".into()), ("slug", "sales".into())], "no token"),
        ];
        for (origin, fields, what) in cases {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, _) = post(&app, &cookie, "/console/o/acme/bridges", origin, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
        }
        let (bridges, _) = app.app.list_bridges(&app.org, 10, 0).await.unwrap();
        assert!(bridges.is_empty(), "a refused post changed something");
        // A cross-site sign-in is refused too.
        let r = client().post(app.url("/console/sign-in")).header("Origin", "http://evil.example")
            .form(&[("email", "ann@example.org"), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // The same form from our own page works.
        let (status, _) = post(&app, &cookie, "/console/o/acme/bridges", Some(&own), &[("csrf", &csrf), ("name", "Sales"), ("slug", "sales")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(app.app.list_bridges(&app.org, 10, 0).await.unwrap().1, 1);
    }

    async fn viewers_see_no_write_controls_and_forged_writes_are_refused(app) {
        person(&app, "vic@example.org", Role::Viewer).await;
        person(&app, "mo@example.org", Role::Member).await;
        let cookie = session(&app, "vic@example.org").await;
        let (status, page) = get(&app, &cookie, "/console/o/acme/bridges").await;
        assert_eq!(status, 200);
        assert!(!page.contains("New bridge") && !page.contains("method=\"post\" action=\"/console/o/acme/bridges\""), "{page}");
        let csrf = csrf_of(&page); // the sign-out form's
        let (status, page) = post(&app, &cookie, "/console/o/acme/bridges", Some(&origin(&app)), &[("csrf", &csrf), ("name", "X"), ("slug", "x")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(page.contains("You do not have permission"), "{page}");
        assert_eq!(app.app.list_bridges(&app.org, 10, 0).await.unwrap().1, 0);
        // Tokens are for admins: neither a viewer nor a member sees or creates them.
        let (status, _) = get(&app, &cookie, "/console/o/acme/tokens").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let member = session(&app, "mo@example.org").await;
        let (_, page) = get(&app, &member, "/console/o/acme/bridges").await;
        assert!(page.contains("New bridge") && !page.contains("API tokens"), "{page}");
        let (status, _) = post(&app, &member, "/console/o/acme/tokens", Some(&origin(&app)), &[("csrf", &csrf_of(&page)), ("role", "admin")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.app.list_tokens(&app.org).await.unwrap().len(), 2, "no token was created");
        // Another organization's pages: the API's 403.
        let (status, _) = get(&app, &cookie, "/console/o/globex/configurations").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn sign_out_ends_the_session_and_sign_out_everywhere_ends_them_all(app) {
        person(&app, "ann@example.org", Role::Admin).await;
        let (laptop, phone, tablet) = (session(&app, "ann@example.org").await, session(&app, "ann@example.org").await, session(&app, "ann@example.org").await);
        let (_, page) = get(&app, &laptop, "/console/").await;
        let (status, _) = post(&app, &laptop, "/console/sign-out", Some(&origin(&app)), &[("csrf", &csrf_of(&page))]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(get(&app, &laptop, "/console/").await.0, StatusCode::SEE_OTHER, "signed out");
        assert_eq!(get(&app, &phone, "/console/").await.0, StatusCode::OK, "other sessions live on");
        let (_, page) = get(&app, &phone, "/console/").await;
        post(&app, &phone, "/console/sign-out-everywhere", Some(&origin(&app)), &[("csrf", &csrf_of(&page))]).await;
        for cookie in [&phone, &tablet] {
            assert_eq!(get(&app, cookie, "/console/").await.0, StatusCode::SEE_OTHER);
        }
    }

    async fn configuration_forms_keep_the_apis_rules(app) {
        person(&app, "ann@example.org", Role::Member).await;
        let cookie = session(&app, "ann@example.org").await;
        let own = origin(&app);
        let sip = app.create_sip("sip.example.com").await;
        app.add_number(sip, "+14155550123").await;
        app.create_bridge("Sales", "sales").await;
        assert_eq!(app.connect("sales", sip, "+14155550123").await.0, 200);
        let path = format!("/console/o/acme/configurations/{sip}");
        let (_, page) = get(&app, &cookie, &path).await;
        let csrf = csrf_of(&page);
        let at = page.find("name=\"version\" value=\"").unwrap() + 23;
        let version: String = page[at..].chars().take_while(char::is_ascii_digit).collect();

        // A number on a bridge refuses the delete (the API's 409, naming the bridge).
        let (status, page) = post(&app, &cookie, &format!("{path}/delete"), Some(&own), &[("csrf", &csrf), ("version", &version)]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("sales"), "{page}");
        // A stale version is the API's 412 (If-Match), and the new secret is not shown back.
        let (status, page) = post(&app, &cookie, &format!("{path}/rotate"), Some(&own), &[("csrf", &csrf), ("version", "999"), ("auth_token", "new-sip-password")]).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{page}");
        assert!(!page.contains("new-sip-password"));
        // Forced, with the page's version: gone, numbers and all (a member may).
        let (status, page) = post(&app, &cookie, &format!("{path}/delete"), Some(&own), &[("csrf", &csrf), ("version", &version), ("force", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(get(&app, &cookie, &path).await.0, StatusCode::NOT_FOUND);

        // The create form's errors are the API's, beside their field; the secret is not kept.
        let (status, page) = post(&app, &cookie, "/console/o/acme/configurations", Some(&own), &[
            ("csrf", &csrf), ("provider", "twilio"), ("account_sid", "not-a-sid"), ("auth_token", "typed-secret-value"),
        ]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
        let field = page.find("id=\"f-account_sid\"").unwrap();
        let error = page.find("class=\"field-error\"").unwrap();
        assert!(error > field, "the message is beside its field: {page}");
        assert!(page.contains("value=\"not-a-sid\"") && !page.contains("typed-secret-value"), "{page}");
    }

    async fn admins_manage_members_and_everyone_their_personal_tokens(app) {
        person(&app, "ann@example.org", Role::Admin).await;
        person(&app, "mo@example.org", Role::Member).await;
        app.app.create_organization("initech", "Initech").await.unwrap();
        let initech = app.app.organization_by_handle("initech").await.unwrap().unwrap();
        app.app.create_user(&Email::parse("bo@example.org").unwrap(), Password::parse(PASSWORD).unwrap(), &initech, Role::Viewer).await.unwrap();
        let (ann, mo, own) = (session(&app, "ann@example.org").await, session(&app, "mo@example.org").await, origin(&app));

        // A member cannot change members; an admin adds an existing user, sets a role, removes.
        let (_, page) = get(&app, &mo, "/console/o/acme/members").await;
        assert!(!page.contains("Add a member"), "{page}");
        let (status, _) = post(&app, &mo, "/console/o/acme/members", Some(&own), &[("csrf", &csrf_of(&page)), ("email", "bo@example.org"), ("role", "admin")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, page) = get(&app, &ann, "/console/o/acme/members").await;
        let csrf = csrf_of(&page);
        let (status, page) = post(&app, &ann, "/console/o/acme/members", Some(&own), &[("csrf", &csrf), ("email", "nobody@example.org"), ("role", "viewer")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        let (status, _) = post(&app, &ann, "/console/o/acme/members", Some(&own), &[("csrf", &csrf), ("email", "Bo@Example.org"), ("role", "member")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let members = app.app.list_members(&app.org).await.unwrap();
        assert!(members.iter().any(|m| m.email == "bo@example.org" && m.role == Role::Member), "{members:?}");
        let (status, _) = post(&app, &ann, "/console/o/acme/members", Some(&own), &[("csrf", &csrf), ("email", "ann@example.org"), ("role", "viewer")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an admin cannot demote themselves here");
        let bo = members.iter().find(|m| m.email == "bo@example.org").unwrap().user_id;
        let (status, _) = post(&app, &ann, &format!("/console/o/acme/members/{bo}/remove"), Some(&own), &[("csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(app.app.list_members(&app.org).await.unwrap().len(), 2);

        // A personal token made in the console: shown once, acts for the user's organizations.
        let (status, page) = post(&app, &mo, "/console/me/tokens", Some(&own), &[("csrf", &csrf_of(&get(&app, &mo, "/console/me/tokens").await.1)), ("label", "laptop")]).await;
        assert_eq!(status, StatusCode::CREATED);
        let at = page.find("pbu_").unwrap();
        let token: String = page[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        let (status, _) = crate::support::send(app.as_(&token, "acme", reqwest::Method::GET, crate::support::CONFIGS)).await;
        assert_eq!(status, 200);
        let (_, page) = get(&app, &mo, "/console/me/tokens").await;
        assert!(!page.contains(&token), "shown once");
        let id = page.find("/console/me/tokens/").map(|at| page[at + 19..].chars().take_while(char::is_ascii_digit).collect::<String>()).unwrap();
        let (status, _) = post(&app, &ann, &format!("/console/me/tokens/{id}/revoke"), Some(&own), &[("csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another person's token");
        let (status, _) = post(&app, &mo, &format!("/console/me/tokens/{id}/revoke"), Some(&own), &[("csrf", &csrf_of(&page))]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _) = crate::support::send(app.as_(&token, "acme", reqwest::Method::GET, crate::support::CONFIGS)).await;
        assert_eq!(status, 401);
    }

    async fn re_verifying_an_organization_shows_its_progress_to_its_starter_only(app) {
        person(&app, "ann@example.org", Role::Member).await;
        person(&app, "bo@example.org", Role::Admin).await;
        for host in ["a.example.com", "b.example.com"] {
            app.create_sip(host).await;
        }
        let cookie = session(&app, "ann@example.org").await;
        let (_, page) = get(&app, &cookie, "/console/o/acme/configurations").await;
        let r = client().post(app.url("/console/o/acme/verify-all")).header("Cookie", &cookie)
            .header("Origin", origin(&app)).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let job = r.headers()[LOCATION].to_str().unwrap().to_owned();
        let mut page = String::new();
        for _ in 0..100 {
            page = get(&app, &cookie, &job).await.1;
            if page.contains("Done: 2 of 2") {
                break;
            }
            assert!(page.contains("http-equiv=\"refresh\""), "a running job's page refreshes itself: {page}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(page.contains("Done: 2 of 2") && !page.contains("http-equiv"), "{page}");
        let bo = session(&app, "bo@example.org").await;
        assert_eq!(get(&app, &bo, &job).await.0, StatusCode::NOT_FOUND, "another person's job");
    }

    async fn sign_in_is_throttled_per_account_and_per_address(app) {
        person(&app, "ann@example.org", Role::Admin).await;
        for _ in 0..5 {
            let (status, _, _) = sign_in_as(&app, "ann@example.org", "wrong password here", &[]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        // The right password no longer helps this minute.
        let (status, headers, cookie) = sign_in_as(&app, "Ann@Example.org", PASSWORD, &[]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers["retry-after"], "60");
        assert!(cookie.is_none());
        // Many accounts from one address: the address's bucket runs out too.
        let mut statuses = Vec::new();
        for i in 0..20 {
            statuses.push(sign_in_as(&app, &format!("u{i}@example.org"), PASSWORD, &[]).await.0);
        }
        assert!(statuses.contains(&StatusCode::UNAUTHORIZED));
        assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    }
}

/// `serve` on a new SQLite database prints the console address and the demo user's password
/// once; they sign in, and the password is in no log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_prints_a_demo_user_who_can_sign_in() {
    use crate::support::process::{LoggedServer, patchbay_command};
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = patchbay_command();
    cmd.current_dir(dir.path());
    let server = LoggedServer::start(cmd).unwrap();
    let stdout = server.wait_for_stdout("PATCHBAY_TOKEN=");
    assert!(
        stdout.contains("demo@patchbay.local") && stdout.contains("/console/"),
        "{stdout}"
    );
    let password = stdout
        .lines()
        .skip_while(|l| !l.contains("with this password"))
        .skip(1)
        .map(str::trim)
        .find(|l| !l.is_empty())
        .expect("the demo password")
        .to_owned();
    let response = client()
        .post(server.url("/console/sign-in"))
        .header("Origin", server.url("").trim_end_matches('/'))
        .form(&[("email", "demo@patchbay.local"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers().get(SET_COOKIE).is_some());
    let (_, logs) = server.stop();
    assert!(!logs.contains(&password), "the password is never logged");
    // A second start creates no other user and prints no password.
    let mut cmd = patchbay_command();
    cmd.current_dir(dir.path());
    let (stdout, _) = LoggedServer::start(cmd).unwrap().stop();
    assert!(!stdout.contains("with this password"), "{stdout}");
}
