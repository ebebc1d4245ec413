//! The client's one error type: what failed, where, and what to do next.
//!
//! An [`Error`] keeps the HTTP status, every `{code, message}` from the Cloudflare envelope, the
//! method and path (relative to the base URL, never with credentials), the `cf-ray` id and any
//! `Retry-After`. It never holds a credential or a request body.

use std::fmt;
use std::time::Duration;

/// One `{code, message}` item of an envelope's `errors` (or `messages`) array.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ApiMessage {
    /// Cloudflare's numeric code (≥ 1000 in practice; 0 when the server sent none).
    pub code: i64,
    /// The human-readable message, verbatim.
    pub message: String,
}

/// The broad class of a failure; callers branch on this, never on message text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The API answered with an error status (or `success: false`) that is not one of the kinds below.
    Api,
    /// An authoritative 404: a Cloudflare error envelope with status 404 (not a bare proxy 404).
    NotFound,
    /// HTTP 429, after retries were exhausted or when `Retry-After` exceeded our cap.
    RateLimited,
    /// The request could not be sent or the response could not be read (connect refused, reset, DNS, TLS).
    Transport,
    /// An attempt exceeded `request_timeout`, or post-create propagation exceeded `propagation_timeout`.
    Timeout,
    /// The client's cancellation token fired (Terraform's StopProvider).
    Cancelled,
    /// `POST /organizations` failed after the request may have reached the server: the
    /// organization may or may not exist. Never retried automatically.
    OutcomeUnknown,
    /// A 2xx response whose body is not the documented shape.
    Decode,
    /// Invalid client configuration or argument (bad base URL, empty credential, empty id).
    Config,
    /// The server repeated a page token, or sent more than 10,000 pages.
    PaginationLoop,
}

/// A failed API call. `Display` is one line:
/// `<METHOD> <path>: HTTP <status>: <code>: <message>[; …] (cf-ray <id>)`.
///
/// Boxed inside so that `Result<T, Error>` stays one pointer wide.
#[derive(Debug)]
pub struct Error {
    pub(crate) inner: Box<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) kind: ErrorKind,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: Option<u16>,
    pub(crate) api_errors: Vec<ApiMessage>,
    pub(crate) ray_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// Extra words for `Display` when there are no API errors, or context on top of them.
    pub(crate) detail: Option<String>,
    /// Whether the request used a token (to word the 403 hint).
    pub(crate) used_token: bool,
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, method: &str, path: &str) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                method: method.to_string(),
                path: path.to_string(),
                status: None,
                api_errors: Vec::new(),
                ray_id: None,
                retry_after: None,
                detail: None,
                used_token: false,
                source: None,
            }),
        }
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Error {
        self.inner.detail = Some(detail.into());
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn config(what: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, "", "").with_detail(what)
    }

    /// The class of failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The HTTP status of the last response, if one was received.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Every `{code, message}` from the envelope's `errors`, in order (empty when none).
    pub fn api_errors(&self) -> &[ApiMessage] {
        &self.inner.api_errors
    }

    /// The `cf-ray` response header, for Cloudflare support.
    pub fn ray_id(&self) -> Option<&str> {
        self.inner.ray_id.as_deref()
    }

    /// HTTP method of the failed call (`GET`, `POST`, …; empty for a config error).
    pub fn method(&self) -> &str {
        &self.inner.method
    }

    /// Path of the failed call relative to the base URL, e.g. `/organizations/<id>`.
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// The server's `Retry-After` (or `Retry-After-Ms`) on the last response, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// True only for an authoritative 404: a Cloudflare error envelope with status 404.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// True when the failure is a 403 or 404 status (authoritative or not): what
    /// post-create propagation polling retries.
    pub(crate) fn is_propagation_status(&self) -> bool {
        matches!(self.inner.status, Some(403) | Some(404))
            && matches!(self.inner.kind, ErrorKind::Api | ErrorKind::NotFound)
    }

    /// What the user should do next, as one or two sentences; `None` when there is nothing
    /// useful to add (e.g. after cancellation).
    pub fn hint(&self) -> Option<String> {
        match self.inner.kind {
            ErrorKind::Cancelled => return None,
            ErrorKind::OutcomeUnknown => {
                return Some(
                    "The request may have reached Cloudflare, so the organization may already exist. \
                     Check with `GET /organizations?name=<name>` or in the dashboard before applying again; \
                     if it exists, import it instead of creating it."
                        .to_string(),
                )
            }
            ErrorKind::PaginationLoop => {
                return Some(
                    "The API returned an inconsistent page sequence; retry later, or narrow the filters or max_items."
                        .to_string(),
                )
            }
            ErrorKind::Decode if self.inner.method == "POST" && self.inner.path == "/organizations" => {
                return Some(
                    "Cloudflare accepted the request, so the organization was most likely created, but its answer \
                     did not have the documented shape (the Organizations API is in beta and may have changed). \
                     Check with `GET /organizations?name=<name>` or in the dashboard; if it exists, import it \
                     instead of creating it again."
                        .to_string(),
                )
            }
            ErrorKind::Decode => {
                return Some(
                    "The API response did not have the documented shape; the Organizations API is in beta and may have changed."
                        .to_string(),
                )
            }
            ErrorKind::Transport => {
                return Some(
                    "Check network connectivity and the base_url setting, then retry.".to_string(),
                )
            }
            ErrorKind::Timeout if self.inner.status.is_some() => {
                return Some(
                    "Permissions for a new organization can take a while to propagate; retry later."
                        .to_string(),
                )
            }
            ErrorKind::Timeout => {
                return Some("The API did not answer in time; retry later.".to_string())
            }
            _ => {}
        }
        match self.inner.status {
            Some(429) => Some(match self.inner.retry_after {
                Some(d) => {
                    let secs = d.as_secs().max(1);
                    format!(
                        "Cloudflare's rate limit (1,200 requests per 5 minutes per user) was hit; retry in about {secs} second{}{}.",
                        if secs == 1 { "" } else { "s" },
                        retry_at(d)
                    )
                }
                None => "Cloudflare's rate limit (1,200 requests per 5 minutes per user) was hit; retry in a few minutes."
                    .to_string(),
            }),
            Some(401) | Some(403) if self.inner.used_token => Some(
                "Check that the token is valid and has \"User Details Write\" (or \"User Details Read\" to list). \
                 If it is, note that the Organizations API does not accept user API tokens for every \
                 operation: configure `api_key` and `email` (Global API key) instead. For an organization \
                 created moments ago, permissions may also still be propagating: retry in a minute."
                    .to_string(),
            ),
            Some(404) if self.inner.api_errors.iter().any(|e| e.code == 7000) => Some(
                "The API has no such endpoint: check that base_url ends with /client/v4 \
                 (for example https://api.cloudflare.com/client/v4)."
                    .to_string(),
            ),
            Some(401) | Some(403) => Some(
                "Check that the API key and email are correct and that the user may manage organizations \
                 (Enterprise plan, Super Administrator, 2FA or SSO)."
                    .to_string(),
            ),
            Some(400) | Some(409) | Some(412) | Some(422)
                if self.inner.method == "DELETE" && is_org_path(&self.inner.path) =>
            {
                Some(
                    "An organization must be empty before it can be deleted: remove its sub-organizations, \
                     accounts, members and users first."
                        .to_string(),
                )
            }
            Some(s) if s >= 500 => Some("Cloudflare had a server error; retry later.".to_string()),
            _ => None,
        }
    }
}

/// `/organizations/<id>` with nothing after the id.
fn is_org_path(path: &str) -> bool {
    path.strip_prefix("/organizations/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// ", at about <RFC 3339 UTC>" for a delay from now, or "" if the clock can't say.
fn retry_at(d: Duration) -> String {
    let at = time::OffsetDateTime::now_utc() + d;
    at.format(&time::format_description::well_known::Rfc3339)
        .map(|s| format!(" (at about {s})"))
        .unwrap_or_default()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.inner.method.is_empty() || !self.inner.path.is_empty() {
            write!(f, "{} {}: ", self.inner.method, self.inner.path)?;
        }
        let mut wrote = false;
        match self.inner.kind {
            ErrorKind::Cancelled => {
                f.write_str("cancelled")?;
                wrote = true;
            }
            ErrorKind::OutcomeUnknown => f.write_str("outcome unknown: ")?,
            _ => {}
        }
        if let Some(status) = self.inner.status {
            if wrote {
                f.write_str(": ")?;
            }
            write!(f, "HTTP {status}")?;
            wrote = true;
        }
        for (i, m) in self.inner.api_errors.iter().enumerate() {
            f.write_str(if i == 0 && wrote {
                ": "
            } else if i == 0 {
                ""
            } else {
                "; "
            })?;
            write!(f, "{}: {}", m.code, m.message)?;
            wrote = true;
        }
        if let Some(detail) = &self.inner.detail {
            if wrote {
                f.write_str(": ")?;
            }
            f.write_str(detail)?;
            wrote = true;
        }
        if let Some(src) = &self.inner.source {
            if wrote {
                f.write_str(": ")?;
            }
            write!(f, "{src}")?;
            // One line: include the innermost cause, which is what names the real problem
            // (reqwest's outer message is generic).
            let mut inner = src.source();
            let mut last = None;
            while let Some(e) = inner {
                last = Some(e.to_string());
                inner = e.source();
            }
            if let Some(last) = last {
                write!(f, " ({last})")?;
            }
        }
        if let Some(ray) = &self.inner.ray_id {
            write!(f, " (cf-ray {ray})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_codes_and_ray() {
        let mut e = Error::new(ErrorKind::Api, "GET", "/organizations/abc");
        e.inner.status = Some(403);
        e.inner.api_errors = vec![ApiMessage {
            code: 10000,
            message: "Authentication error".into(),
        }];
        e.inner.ray_id = Some("8f00aa-LHR".into());
        assert_eq!(
            e.to_string(),
            "GET /organizations/abc: HTTP 403: 10000: Authentication error (cf-ray 8f00aa-LHR)"
        );
    }

    #[test]
    fn hints_follow_status_and_scheme() {
        let mut e = Error::new(ErrorKind::Api, "GET", "/organizations/abc");
        e.inner.status = Some(403);
        e.inner.used_token = true;
        assert!(e.hint().unwrap_or_default().contains("api_key"));
        let mut d = Error::new(ErrorKind::Api, "DELETE", "/organizations/abc");
        d.inner.status = Some(400);
        assert!(d.hint().unwrap_or_default().contains("sub-organizations"));
        let created = Error::new(ErrorKind::Decode, "POST", "/organizations");
        assert!(created.hint().unwrap_or_default().contains("import it"));
        let read = Error::new(ErrorKind::Decode, "GET", "/organizations");
        assert!(!read.hint().unwrap_or_default().contains("import it"));
        let c = Error::new(ErrorKind::Cancelled, "GET", "/organizations");
        assert_eq!(c.hint(), None);
        let mut r = Error::new(ErrorKind::RateLimited, "GET", "/organizations");
        r.inner.status = Some(429);
        r.inner.retry_after = Some(Duration::from_secs(300));
        assert!(r.hint().unwrap_or_default().contains("300 seconds"));
        r.inner.retry_after = Some(Duration::from_secs(1));
        assert!(r.hint().unwrap_or_default().contains("about 1 second ("));
    }
}
