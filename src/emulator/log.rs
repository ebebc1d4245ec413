//! The request log: one [`RecordedRequest`] per API request, never holding a secret.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which credential scheme a request used (from its headers, whether or not they were valid).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    /// No credential headers.
    None,
    /// `Authorization: Bearer …`.
    Token,
    /// `X-Auth-Email` and/or `X-Auth-Key`.
    Key,
    /// Both a token and key headers (refused with 400).
    Both,
}

impl AuthScheme {
    /// `"none"`, `"token"`, `"key"` or `"both"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::None => "none",
            AuthScheme::Token => "token",
            AuthScheme::Key => "key",
            AuthScheme::Both => "both",
        }
    }
}

/// One API request as the emulator saw it (`GET /__emulator/requests` lists these as JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// 1-based arrival number; never reused, even after [`super::Emulator::clear_requests`].
    pub seq: u64,
    /// Milliseconds between the emulator's creation and the request's arrival.
    pub at_ms: u64,
    /// HTTP method, e.g. `"POST"`.
    pub method: String,
    /// Request path as received, including the `/client/v4` prefix.
    pub path: String,
    /// Raw query string (without `?`), if any.
    pub query: Option<String>,
    /// Credential scheme the headers used.
    pub auth: AuthScheme,
    /// Who the credentials claim to be, never the secret: the `X-Auth-Email` value for the key
    /// scheme, `"token:N"` (1-based position in the configured tokens) for a known token,
    /// `None` otherwise.
    pub identity: Option<String>,
    /// The `User-Agent` header, if any.
    pub user_agent: Option<String>,
    /// Request body parsed as JSON; a body that is not JSON is kept as a JSON string.
    pub body: Option<Value>,
    /// Response status. `0` = no response was sent (still in flight, or the connection was
    /// dropped by `drop_after_post_commit`); `499` = the client went away before the answer.
    pub status: u16,
    /// The fault knob that shaped the answer (`"rate_limit"`, `"error_5xx"`,
    /// `"propagation_403"`, `"drop_after_post_commit"`, `"empty_result_on_create"`,
    /// `"hold_post"`, `"latency"`), or `"client_disconnected"` / `"shutdown"`.
    pub fault: Option<String>,
    /// The `cf-ray` header of the answer.
    pub ray: String,
}

/// The most requests the log keeps; older ones are dropped, so a long-running emulator (a demo left
/// open, an offline plan loop) does not grow without bound.
pub(crate) const MAX_LOGGED_REQUESTS: usize = 50_000;

/// Request bodies above this size are logged as a note of their size, not their content.
pub(crate) const MAX_LOGGED_BODY_BYTES: usize = 64 * 1024;

/// Append-only list (bounded by [`MAX_LOGGED_REQUESTS`]) with in-place status updates.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: std::collections::VecDeque<RecordedRequest>,
    next_seq: u64,
}

impl RequestLog {
    /// Records an arrival and returns its sequence number.
    pub fn begin(&mut self, mut entry: RecordedRequest) -> u64 {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if entry
            .body
            .as_ref()
            .is_some_and(|b| b.to_string().len() > MAX_LOGGED_BODY_BYTES)
        {
            let size = entry.body.as_ref().map_or(0, |b| b.to_string().len());
            entry.body = Some(Value::String(format!("<{size} bytes, not logged>")));
        }
        if self.entries.len() >= MAX_LOGGED_REQUESTS {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.next_seq
    }

    /// Sets the outcome of request `seq` (no-op if it was cleared meanwhile).
    pub fn finish(&mut self, seq: u64, status: u16, fault: Option<&str>) {
        if let Ok(i) = self.entries.binary_search_by_key(&seq, |e| e.seq) {
            let entry = &mut self.entries[i];
            entry.status = status;
            if let Some(fault) = fault {
                entry.fault = Some(fault.to_string());
            }
        }
    }

    /// Marks request `seq` with a fault while it is still in flight.
    pub fn note(&mut self, seq: u64, fault: &str) {
        if let Ok(i) = self.entries.binary_search_by_key(&seq, |e| e.seq) {
            self.entries[i].fault = Some(fault.to_string());
        }
    }

    pub fn all(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
