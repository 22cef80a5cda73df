//! The real `patchbay` binary as a child process: one-shot CLI commands, and `serve` waited on
//! by its "ready" log line or by its health endpoint.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::TEST_KEY;

pub const BIN: &str = env!("CARGO_BIN_EXE_patchbay");

/// Where every carrier of a spawned binary points: a closed local port, nothing leaves the machine.
pub const CLOSED_PORT: &str = "http://127.0.0.1:9";

/// `patchbay` with none of the caller's database, key or listen settings, and every carrier at
/// [`CLOSED_PORT`].
pub fn patchbay_command() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("PATCHBAY_DATABASE_URL")
        .env_remove("PATCHBAY_MASTER_KEY")
        .env_remove("PATCHBAY_MASTER_KEY_FILE")
        .env_remove("PATCHBAY_LISTEN");
    for carrier in [
        "TWILIO",
        "TWILIO_TRUNKING",
        "PLIVO",
        "TELNYX",
        "VONAGE",
        "EXOTEL",
        "SIGNALWIRE",
    ] {
        cmd.env(format!("PATCHBAY_{carrier}_BASE_URL"), CLOSED_PORT);
    }
    cmd
}

/// Runs a command to completion; returns (success, stdout, stderr).
pub fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs a command with `--json`, which must succeed and print one JSON object.
pub fn run_json(cmd: &mut Command) -> Value {
    let (ok, stdout, stderr) = run(cmd.arg("--json"));
    assert!(ok, "{stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not one JSON object: {stdout}"))
}

/// `patchbay token revoke` on a database opened with the test key.
pub fn revoke_token(database_url: &str, id: i64) {
    let revoked = run_json(patchbay_command().env("PATCHBAY_MASTER_KEY", TEST_KEY).args([
        "--database-url",
        database_url,
        "token",
        "revoke",
        &id.to_string(),
    ]));
    assert_eq!(revoked["revoked"], true);
}

/// Collects a child's output stream, line by line, on a thread of its own; the thread ends
/// when the stream does (the child exited).
fn collect(stream: impl std::io::Read + Send + 'static) -> (Arc<Mutex<String>>, std::thread::JoinHandle<()>) {
    let buf = Arc::new(Mutex::new(String::new()));
    let sink = buf.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut b = sink.lock().unwrap_or_else(|e| e.into_inner());
            b.push_str(&line);
            b.push('\n');
        }
    });
    (buf, reader)
}

/// Waits (at most 20 s) until a collected stream contains `needle`; returns the stream so far.
fn wait_for_text(stream: &Mutex<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = stream.lock().unwrap().clone();
        if text.contains(needle) {
            return text;
        }
        assert!(Instant::now() < deadline, "no output with {needle:?}: {text}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits (at most `limit`) for the child to exit.
fn wait_bounded(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("patchbay did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `patchbay serve` with its output captured, found by its "ready" log line.
pub struct LoggedServer {
    pub child: Child,
    pub addr: String,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl LoggedServer {
    /// Starts `patchbay serve` on a free port and waits for its "ready" log line; `Err` with
    /// its logs when it exits first.
    pub fn start(mut cmd: Command) -> Result<LoggedServer, String> {
        let mut child = cmd
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
            .env("PATCHBAY_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (stdout, out_reader) = collect(child.stdout.take().unwrap());
        let (stderr, err_reader) = collect(child.stderr.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let logs = stderr.lock().unwrap().clone();
            if let Some(line) = logs.lines().find(|l| l.contains("patchbay ready")) {
                let v: Value = serde_json::from_str(line).unwrap();
                let addr = v["listen"].as_str().unwrap().to_owned();
                return Ok(LoggedServer {
                    child,
                    addr,
                    stdout,
                    stderr,
                    readers: vec![out_reader, err_reader],
                });
            }
            if let Some(status) = child.try_wait().unwrap() {
                // Exited: its streams end, so the readers finish with every line.
                let _ = (out_reader.join(), err_reader.join());
                return Err(format!("exited with {status}: {}", stderr.lock().unwrap()));
            }
            assert!(Instant::now() < deadline, "server did not become ready: {logs}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request as `token` acting for org `handle`, in the pages' `Token` scheme.
    pub fn as_(&self, token: &str, handle: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, self.url(path))
            .header("Authorization", format!("Token {token}"))
            .header("Org-Handle", handle)
    }

    /// Sends SIGTERM (and returns at once).
    pub fn terminate(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }

    /// Waits (at most 20 s) until a log line on stderr contains `needle`.
    pub fn wait_for_log(&self, needle: &str) -> String {
        wait_for_text(&self.stderr, needle)
    }

    /// Waits (at most 20 s) until stdout contains `needle` (its reader may lag the logs);
    /// returns stdout so far.
    pub fn wait_for_stdout(&self, needle: &str) -> String {
        wait_for_text(&self.stdout, needle)
    }

    /// SIGTERM, then wait (at most 20 s): a graceful stop exits 0. Returns (stdout, stderr),
    /// complete: the readers are joined once the child has exited.
    pub fn stop(mut self) -> (String, String) {
        self.terminate();
        let status = wait_bounded(&mut self.child, Duration::from_secs(20));
        assert!(status.success(), "graceful shutdown should exit 0, got {status}");
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let out = self.stdout.lock().unwrap().clone();
        let err = self.stderr.lock().unwrap().clone();
        (out, err)
    }
}

/// The real `patchbay serve`, as a child process, on a loopback port.
pub struct ServerProcess {
    child: tokio::process::Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with the test master key, carriers pointed at a
    /// closed local port, and waits (bounded) for `/healthz` to answer 200.
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// [`ServerProcess::start`] with these environment variables set too.
    pub async fn start_with(database_url: &str, envs: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut command = tokio::process::Command::from(patchbay_command());
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("PATCHBAY_DATABASE_URL", database_url)
            .env("PATCHBAY_MASTER_KEY", TEST_KEY)
            .env("PATCHBAY_LOG", "warn")
            // Load tests send bursts from one token: they measure the service, not its rate limit.
            .env("PATCHBAY_RATE_LIMIT_PER_SECOND", "0")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("spawn patchbay");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status() == 200
            {
                return Self { child, base };
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("patchbay exited before it was ready: {status}");
            }
            assert!(Instant::now() < deadline, "patchbay not ready within 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub async fn kill(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }

    /// SIGTERM, then waits for the graceful exit (bounded).
    pub async fn stop(mut self) {
        let pid = self.child.id().expect("running").to_string();
        let sent = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await;
        assert!(sent.is_ok_and(|s| s.success()), "could not signal patchbay");
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .expect("patchbay did not stop within 15 s of SIGTERM")
            .unwrap();
        assert!(status.success(), "patchbay exited with {status} on SIGTERM");
    }
}
