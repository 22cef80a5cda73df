//! Metrics (one Prometheus recorder per process, rendered at `/metrics`) and the context of the
//! request being served (its id and caller), for error bodies, log lines and audit events.

use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "patchbay_http_requests_total";
pub const HTTP_DURATION: &str = "patchbay_http_request_duration_seconds";
pub const VERIFICATIONS: &str = "patchbay_verifications_total";
pub const CARRIER_CALL_DURATION: &str = "patchbay_carrier_call_duration_seconds";
pub const DB_POOL_CONNECTIONS: &str = "patchbay_db_pool_connections";
pub const DB_POOL_IDLE: &str = "patchbay_db_pool_idle_connections";

/// The process's recorder, installed on first use (tests start many apps in one process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let latency_buckets = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &latency_buckets)
            .expect("bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding application's): then ours
        // still renders what it was given directly.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// The request counter and duration histogram of one method, route and status, registered with
/// the recorder once: building their labelled keys and looking them up in the recorder on every
/// request was most of the metrics' cost. Routes are the router's templates (or `<unmatched>`),
/// methods and statuses a bounded set, so this map stays small.
pub fn http_metrics(method: &'static str, route: &str, status: u16) -> (metrics::Counter, metrics::Histogram) {
    type Handles = Vec<(&'static str, u16, metrics::Counter, metrics::Histogram)>;
    // foldhash, not SipHash: this look-up runs on every request, its keys are route templates.
    static HANDLES: OnceLock<std::sync::RwLock<foldhash::HashMap<Box<str>, Handles>>> = OnceLock::new();
    let handles = HANDLES.get_or_init(|| {
        // Handles taken before the recorder is installed would count nowhere, for ever.
        prometheus();
        Default::default()
    });
    let find = |of: &Handles| {
        of.iter()
            .find(|(m, s, _, _)| *m == method && *s == status)
            .map(|(_, _, c, h)| (c.clone(), h.clone()))
    };
    if let Some(found) = handles
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(route)
        .and_then(find)
    {
        return found;
    }
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    let counter = metrics::counter!(HTTP_REQUESTS, &labels);
    let histogram = metrics::histogram!(HTTP_DURATION, &labels);
    let mut handles = handles.write().unwrap_or_else(|e| e.into_inner());
    let of_route = handles.entry(route.into()).or_default();
    if let Some(found) = find(of_route) {
        return found;
    }
    of_route.push((method, status, counter.clone(), histogram.clone()));
    (counter, histogram)
}

/// Drains the histograms' recorded samples into their buckets every few seconds. The recorder
/// keeps every sample until then (`build_recorder` starts no upkeep of its own), so without this
/// a server nobody scrapes grows by 8 bytes per request, for ever. Runs until aborted.
pub fn spawn_upkeep() -> tokio::task::JoinHandle<()> {
    let handle = prometheus();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    })
}

/// What is known about the request being served. Scoped around each request by the HTTP layer;
/// absent for CLI commands.
#[derive(Debug, Default)]
pub struct RequestContext {
    pub request_id: String,
    /// Token id, organization id and handle.
    caller: OnceLock<(i64, i64, String)>,
    /// The e-mail of the person acting (personal token, console session).
    user: OnceLock<String>,
}

tokio::task_local! {
    static REQUEST_CONTEXT: Arc<RequestContext>;
}

impl RequestContext {
    pub fn new(request_id: String) -> Arc<Self> {
        Arc::new(Self {
            request_id,
            caller: OnceLock::new(),
            user: OnceLock::new(),
        })
    }

    /// Runs `f` with this context as the current one. Not an `async fn`: that would keep `f`
    /// twice in its state (as the argument and inside the awaited scope), and every request's
    /// whole pipeline passes through here (8 KB copied per request, seen in callgrind).
    pub fn scope<F: std::future::Future>(self: Arc<Self>, f: F) -> impl std::future::Future<Output = F::Output> {
        REQUEST_CONTEXT.scope(self, f)
    }

    /// The organization handle of the authenticated caller, if any.
    pub fn org_handle(&self) -> Option<&str> {
        self.caller.get().map(|(_, _, handle)| handle.as_str())
    }
}

/// Records who is calling (token id, organization), once authenticated.
pub fn set_caller(token_id: i64, org_id: i64, org_handle: &str) {
    let _ = REQUEST_CONTEXT.try_with(|ctx| ctx.caller.set((token_id, org_id, org_handle.to_owned())));
}

/// The organization the current request acts for, once authenticated.
pub fn current_org_id() -> Option<i64> {
    REQUEST_CONTEXT
        .try_with(|ctx| ctx.caller.get().map(|(_, org, _)| *org))
        .ok()
        .flatten()
}

/// Records the person acting, once authenticated (audit events name them).
pub fn set_user(email: &str) {
    let _ = REQUEST_CONTEXT.try_with(|ctx| ctx.user.set(email.to_owned()));
}

/// The e-mail of the person acting in the current request, if a person is.
pub fn current_user() -> Option<String> {
    REQUEST_CONTEXT.try_with(|ctx| ctx.user.get().cloned()).ok().flatten()
}

pub fn current_request_id() -> Option<String> {
    REQUEST_CONTEXT.try_with(|ctx| ctx.request_id.clone()).ok()
}

/// The token id acting in the current request; `None` outside a request (the CLI).
pub fn current_token_id() -> Option<i64> {
    REQUEST_CONTEXT
        .try_with(|ctx| ctx.caller.get().map(|(id, _, _)| *id))
        .ok()
        .flatten()
}

/// The text log format: `<UTC time>  <LEVEL> <target>: <message> key=value ...`, one line per
/// event. It says what tracing-subscriber's default says, at a fraction of the cost (one line
/// per request made its default formatter a seventh of a cached GET's instructions: styling
/// calls even with colours off, every string field through `Debug`, the clock formatted
/// afresh each time). Values are written bare unless they hold a space, quote, `=` or control
/// character, then quoted as `Debug` quotes them.
pub struct TextFormat {
    ansi: bool,
}

impl TextFormat {
    pub fn new(ansi: bool) -> Self {
        Self { ansi }
    }
}

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for TextFormat
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        write_now(&mut writer)?;
        let meta = event.metadata();
        let level = meta.level();
        let (start, end) = match (self.ansi, *level) {
            (false, _) => ("", ""),
            (true, tracing::Level::ERROR) => ("\x1b[31m", "\x1b[0m"),
            (true, tracing::Level::WARN) => ("\x1b[33m", "\x1b[0m"),
            (true, tracing::Level::INFO) => ("\x1b[32m", "\x1b[0m"),
            (true, _) => ("\x1b[34m", "\x1b[0m"),
        };
        let name = match *level {
            tracing::Level::ERROR => "ERROR",
            tracing::Level::WARN => " WARN",
            tracing::Level::INFO => " INFO",
            tracing::Level::DEBUG => "DEBUG",
            tracing::Level::TRACE => "TRACE",
        };
        for part in [" ", start, name, end, " "] {
            writer.write_str(part)?;
        }
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                write!(writer, "{}:", span.name())?;
            }
            writer.write_char(' ')?;
        }
        writer.write_str(meta.target())?;
        writer.write_char(':')?;
        let mut fields = FieldWriter {
            writer: &mut writer,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writeln!(writer)
    }
}

/// Writes the current UTC time as `2026-12-03T18:59:01.123456Z`; the part up to the second is
/// formatted once per second per thread.
fn write_now(out: &mut impl std::fmt::Write) -> std::fmt::Result {
    use std::cell::RefCell;
    thread_local! {
        static SECOND: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    SECOND.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.0 != seconds {
            let at = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
            cell.1 = at.format("%Y-%m-%dT%H:%M:%S").to_string();
            cell.0 = seconds;
        }
        // `{:06}` through `core::fmt` costs more than the rest of the timestamp.
        let micros = now.subsec_micros();
        let mut fraction = *b".000000Z";
        for (i, digit) in fraction[1..7].iter_mut().enumerate() {
            *digit = b'0' + (micros / 10_u32.pow(5 - i as u32) % 10) as u8;
        }
        out.write_str(&cell.1)?;
        out.write_str(std::str::from_utf8(&fraction).unwrap_or(".000000Z"))
    })
}

struct FieldWriter<'a, 'w> {
    writer: &'a mut tracing_subscriber::fmt::format::Writer<'w>,
    result: std::fmt::Result,
}

/// Whether a value can be written without quotes and still be read back as one value.
fn is_bare(value: &str) -> bool {
    let needs_quotes = |b: u8| matches!(b, b' ' | b'"' | b'=' | 0..=0x1f | 0x7f);
    if value.is_ascii() {
        // The common case: every byte looked at, with no early exit, so the loop vectorises
        // (a log line's values are checked on every request).
        return !value.is_empty() && !value.bytes().fold(false, |found, b| found | needs_quotes(b));
    }
    !value
        .chars()
        .any(|c| c == ' ' || c == '"' || c == '=' || c.is_control())
}

/// `value` as `Debug` (ryu's shortest round trip) writes it, when it is a whole number of
/// thousandths below a billion (a latency in milliseconds to the microsecond): then that
/// decimal, trailing zeros trimmed, is the shortest text that reads back as `value`, since
/// doubles this small lie far closer together than 0.001. `None` for anything else.
fn thousandths(value: f64) -> Option<([u8; 24], usize)> {
    // NaN is in no range; -0.0 is, but is written with its sign.
    if value.is_sign_negative() || !(0.0..1e9).contains(&value) {
        return None;
    }
    let scaled = (value * 1000.0).round();
    if scaled / 1000.0 != value {
        return None;
    }
    let scaled = scaled as u64;
    let mut out = [0_u8; 24];
    let mut whole = itoa::Buffer::new();
    let whole = whole.format(scaled / 1000).as_bytes();
    out[..whole.len()].copy_from_slice(whole);
    let mut len = whole.len();
    out[len] = b'.';
    len += 1;
    let fraction = scaled % 1000;
    let digits = [fraction / 100, fraction / 10 % 10, fraction % 10];
    // At least one digit after the point (`2.0`), no trailing zeros beyond it.
    let keep = digits.iter().rposition(|d| *d != 0).map_or(1, |i| i + 1);
    for digit in &digits[..keep] {
        out[len] = b'0' + *digit as u8;
        len += 1;
    }
    Some((out, len))
}

impl FieldWriter<'_, '_> {
    /// ` name=` (nothing for the message), in one write where it fits: `write!` costs a
    /// formatter per call, and each write is a dynamic call.
    fn name(&mut self, field: &tracing::field::Field) -> std::fmt::Result {
        let name = field.name();
        if name == "message" {
            return self.writer.write_char(' ');
        }
        let mut buf = [0_u8; 64];
        let len = name.len() + 2;
        if len > buf.len() {
            self.writer.write_char(' ')?;
            self.writer.write_str(name)?;
            return self.writer.write_char('=');
        }
        buf[0] = b' ';
        buf[1..len - 1].copy_from_slice(name.as_bytes());
        buf[len - 1] = b'=';
        // A `str` with an ASCII byte either side: still one.
        self.writer
            .write_str(std::str::from_utf8(&buf[..len]).map_err(|_| std::fmt::Error)?)
    }

    fn value(&mut self, field: &tracing::field::Field, value: &str) -> std::fmt::Result {
        self.name(field)?;
        if field.name() == "message" || is_bare(value) {
            self.writer.write_str(value)
        } else {
            write!(self.writer, "{value:?}")
        }
    }
}

impl tracing::field::Visit for FieldWriter<'_, '_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if self.result.is_ok() {
            self.result = self.value(field, value);
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if self.result.is_ok() {
            self.result = self.value(field, itoa::Buffer::new().format(value));
        }
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        if self.result.is_ok() {
            self.result = self.value(field, itoa::Buffer::new().format(value));
        }
    }

    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        if self.result.is_ok() {
            // The shortest round-trip form, as `Debug` writes it, without a formatter; a
            // latency's thousandths directly (ryu's general case was a fifth of a log line).
            let fast = thousandths(value);
            self.result = match fast
                .as_ref()
                .and_then(|(text, len)| std::str::from_utf8(&text[..*len]).ok())
            {
                Some(text) => self.value(field, text),
                None => self.value(field, ryu::Buffer::new().format(value)),
            };
        }
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        if self.result.is_ok() {
            self.result = self.value(field, if value { "true" } else { "false" });
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if self.result.is_ok() {
            self.result = self.name(field).and_then(|()| write!(self.writer, "{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Everything written through the subscriber, for the assertions.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(f: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(TextFormat::new(false))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_request_line_has_the_time_level_target_message_and_fields() {
        let line = logged(|| {
            let route = "/api/v2/platform/telephony/routes/inbound";
            tracing::info!(
                method = "GET",
                route,
                status = 200_u16,
                latency_ms = 0.25,
                org = "-",
                "request"
            );
        });
        let (time, rest) = line.split_once(' ').unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(time).is_ok() && time.ends_with('Z') && time.len() == 27,
            "{line}"
        );
        assert_eq!(
            rest,
            " INFO patchbay::telemetry::tests: request method=GET route=/api/v2/platform/telephony/routes/inbound status=200 latency_ms=0.25 org=-\n"
        );
    }

    #[test]
    fn numbers_and_text_beyond_ascii_are_written_as_debug_would() {
        let line = logged(|| {
            tracing::info!(
                n = -3_i64,
                big = u64::MAX,
                ok = true,
                ms = 0.057,
                whole = 2.0,
                name = "café",
                nel = "a\u{85}b",
                "x"
            )
        });
        let expected = format!(
            " INFO patchbay::telemetry::tests: x n=-3 big={} ok=true ms=0.057 whole=2.0 name=café nel={:?}\n",
            u64::MAX,
            "a\u{85}b"
        );
        assert!(line.ends_with(&expected), "{line}");
    }

    proptest::proptest! {
        /// The latency fast path writes what ryu (and `Debug`) write.
        #[test]
        fn thousandths_are_written_as_ryu_writes_them(micros in 0_u64..1_000_000_000_000, other: f64) {
            let latency = micros as f64 / 1000.0;
            let (text, len) = thousandths(latency).expect("a whole number of thousandths");
            let mut ryu = ryu::Buffer::new();
            proptest::prop_assert_eq!(std::str::from_utf8(&text[..len]).unwrap(), ryu.format(latency));
            if let Some((text, len)) = thousandths(other) {
                proptest::prop_assert_eq!(std::str::from_utf8(&text[..len]).unwrap(), ryu.format(other));
            }
        }

        #[test]
        fn only_values_without_separators_are_bare(value in "[ -~]{0,80}") {
            let separator = value.is_empty() || value.contains([' ', '"', '=', '\x7f']);
            proptest::prop_assert_eq!(is_bare(&value), !separator);
        }
    }

    #[test]
    fn values_that_would_read_as_several_are_quoted() {
        let line = logged(|| tracing::warn!(error = "no such host: \"a b\"", empty = "", n = 3, "accept failed"));
        let expected = r#" WARN patchbay::telemetry::tests: accept failed error="no such host: \"a b\"" empty="" n=3"#;
        assert!(line.ends_with(&format!("{expected}\n")), "{line}");
        assert_eq!(line.matches('\n').count(), 1, "{line}");
    }
}
