//! Logs as Terraform reads them: hclog JSON, one object per stderr line.
//!
//! go-plugin reads the provider's stderr and, for lines that are JSON objects, takes `@level`
//! (`trace|debug|info|warn|error`), `@message`, `@timestamp` and `@module`; every other key becomes a
//! key/value pair in Terraform's log. Users see them with `TF_LOG_PROVIDER` or `TF_LOG`, which also set our
//! level. Span fields (e.g. `tf_rpc`, `tf_resource_type`) are copied into every event inside the span.
//!
//! Never log credentials: request and response values are logged as sizes, never as contents.

use std::io::Write;

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// `@module` of every line.
pub const MODULE: &str = "provider.cloudflare-orgs";

/// The level Terraform asks for: `TF_LOG_PROVIDER`, else `TF_LOG`. `None` when neither is set.
pub fn level_from_env() -> Option<LevelFilter> {
    ["TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find_map(|v| parse_level(&v))
}

/// Terraform's level names. `JSON` means TRACE; an unknown non-empty value means TRACE too (as in
/// Terraform, which logs everything rather than nothing when the level is misspelled).
fn parse_level(s: &str) -> Option<LevelFilter> {
    match s.trim().to_ascii_uppercase().as_str() {
        "" => None,
        "TRACE" | "JSON" => Some(LevelFilter::TRACE),
        "DEBUG" => Some(LevelFilter::DEBUG),
        "INFO" => Some(LevelFilter::INFO),
        "WARN" => Some(LevelFilter::WARN),
        "ERROR" => Some(LevelFilter::ERROR),
        "OFF" => Some(LevelFilter::OFF),
        _ => Some(LevelFilter::TRACE),
    }
}

/// Installs the hclog JSON layer on stderr as the global subscriber, at the level from the environment
/// or `default`. Our own crate logs at that level; dependencies (h2, hyper, tonic, rustls) at most at INFO,
/// since their TRACE output would drown ours. Does nothing if a subscriber is already set.
pub fn init(default: LevelFilter) {
    let level = level_from_env().unwrap_or(default);
    let filter = Targets::new()
        .with_target(env!("CARGO_CRATE_NAME"), level)
        .with_target("terraform_provider_cloudflare", level)
        .with_default(level.min(LevelFilter::INFO));
    let _ = tracing_subscriber::registry()
        .with(HclogLayer::new(std::io::stderr).with_filter(filter))
        .try_init();
}

/// A tracing layer writing hclog JSON lines to `W`.
pub struct HclogLayer<W> {
    make_writer: W,
}

impl<W> HclogLayer<W> {
    /// A layer writing to `make_writer` (e.g. `std::io::stderr`).
    pub fn new(make_writer: W) -> Self {
        HclogLayer { make_writer }
    }
}

/// Fields recorded on a span, kept in its extensions.
struct SpanFields(Map<String, Json>);

/// Collects tracing fields as JSON values.
struct JsonVisitor<'a>(&'a mut Map<String, Json>);

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Json::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Json::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Json::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Json::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), Json::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().into(), Json::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), Json::from(format!("{value:?}")));
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// RFC 3339 UTC with microseconds, e.g. `2026-05-01T12:00:00.000000Z`.
fn timestamp() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<SpanFields>() {
                values.record(&mut JsonVisitor(&mut fields.0));
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut line = Map::new();
        line.insert("@level".into(), level_name(meta.level()).into());
        line.insert("@message".into(), Json::from(""));
        line.insert("@module".into(), MODULE.into());
        line.insert("@timestamp".into(), timestamp().into());
        if let (Some(file), Some(n)) = (meta.file(), meta.line()) {
            line.insert("@caller".into(), format!("{file}:{n}").into());
        }
        // Span fields, outermost first, so inner spans win.
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.0.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut fields = Map::new();
        event.record(&mut JsonVisitor(&mut fields));
        for (k, v) in fields {
            if k == "message" {
                line.insert("@message".into(), v);
            } else if !k.starts_with('@') {
                line.insert(k, v);
            }
        }
        let mut text = Json::Object(line).to_string();
        text.push('\n');
        // One write per line, so concurrent events never interleave.
        let _ = self.make_writer.make_writer().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    #[test]
    fn events_are_hclog_json_lines_with_span_fields() {
        let buf = Buffer::default();
        let subscriber = tracing_subscriber::registry().with(HclogLayer::new(buf.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("rpc", tf_rpc = "PlanResourceChange");
            let _g = span.enter();
            tracing::warn!(request_bytes = 42u64, "Received request");
        });
        let out = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1);
        let v: Json = serde_json::from_str(lines[0]).expect("json");
        assert_eq!(v["@level"], "warn");
        assert_eq!(v["@message"], "Received request");
        assert_eq!(v["@module"], MODULE);
        assert_eq!(v["tf_rpc"], "PlanResourceChange");
        assert_eq!(v["request_bytes"], 42);
        let ts = v["@timestamp"].as_str().expect("timestamp");
        // 2026-05-01T12:00:00.000000Z
        assert_eq!(ts.len(), 27, "{ts}");
        assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.');
    }

    #[test]
    fn terraform_level_names_map_to_filters() {
        assert_eq!(parse_level("trace"), Some(LevelFilter::TRACE));
        assert_eq!(parse_level("JSON"), Some(LevelFilter::TRACE));
        assert_eq!(parse_level("WARN"), Some(LevelFilter::WARN));
        assert_eq!(parse_level("off"), Some(LevelFilter::OFF));
        assert_eq!(parse_level("verbose"), Some(LevelFilter::TRACE));
        assert_eq!(parse_level(""), None);
    }
}
