//! Client configuration: credentials, base URL, retry, rate-limit and timeout settings.

use std::fmt;
use std::time::Duration;

/// The production endpoint of the Cloudflare v4 API (no trailing slash; one is tolerated).
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// How every request authenticates. Exactly one scheme is sent per request.
///
/// `Debug` never prints the secrets, only the scheme (and for [`Auth::KeyEmail`] the email,
/// which is not a secret but is still shown only as "set").
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// An API token, sent as `Authorization: Bearer <token>`.
    ///
    /// Tokens may not cover every Organizations operation (api.md §1): a 403 while using one
    /// carries a hint to use [`Auth::KeyEmail`] instead.
    Token(String),
    /// A Global API key and its account email, sent as `X-Auth-Key` + `X-Auth-Email`.
    /// The only scheme the API spec lists for every Organizations operation.
    KeyEmail {
        /// The Global API key (`X-Auth-Key`).
        key: String,
        /// The email of the user owning the key (`X-Auth-Email`).
        email: String,
    },
}

impl Auth {
    /// True when this is the token scheme (used to word 403 hints).
    pub fn is_token(&self) -> bool {
        matches!(self, Auth::Token(_))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn shown(s: &str) -> &'static str {
            if s.is_empty() {
                "<empty>"
            } else {
                "<redacted>"
            }
        }
        match self {
            Auth::Token(t) => f.debug_tuple("Token").field(&shown(t)).finish(),
            Auth::KeyEmail { key, email } => f
                .debug_struct("KeyEmail")
                .field("key", &shown(key))
                .field("email", &shown(email))
                .finish(),
        }
    }
}

/// Everything [`Client::new`](super::Client::new) needs.
///
/// [`ClientConfig::default`] holds the documented defaults and a placeholder
/// `Auth::Token(String::new())`; the caller must replace `auth` (an empty credential is
/// rejected by `Client::new` with [`ErrorKind::Config`](super::ErrorKind::Config)).
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// API root, e.g. [`DEFAULT_BASE_URL`] or an emulator's `http://127.0.0.1:<port>`.
    /// With or without a trailing slash; endpoint paths are appended as segments.
    pub base_url: String,
    /// Credentials (see [`Auth`]).
    pub auth: Auth,
    /// Full `User-Agent` header value, built by the caller.
    pub user_agent: String,
    /// Retries after the first attempt for retryable failures (default 4, so at most 5 attempts).
    pub max_retries: u32,
    /// First back-off delay; attempt n waits `min_backoff × 2ⁿ` (default 1 s). Also the first
    /// delay of post-create propagation polling.
    pub min_backoff: Duration,
    /// Cap of one back-off delay, and the longest `Retry-After` we are willing to wait
    /// (never more than 60 s); longer ones fail fast (default 30 s).
    pub max_backoff: Duration,
    /// Sustained request rate shared by every clone of the client (default 3.0 per second;
    /// Cloudflare allows 1,200 per 5 minutes = 4/s). Must be finite and > 0.
    pub requests_per_second: f64,
    /// TCP + TLS connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Timeout of one attempt, from sending to the end of the response body (default 60 s).
    pub request_timeout: Duration,
    /// Total budget for post-create 403/404 polling (default 60 s).
    pub propagation_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            auth: Auth::Token(String::new()),
            user_agent: concat!(
                "terraform-provider-cloudflare/",
                env!("CARGO_PKG_VERSION"),
                " (cloudflare-orgs)"
            )
            .to_string(),
            max_retries: 4,
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            requests_per_second: 3.0,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            propagation_timeout: Duration::from_secs(60),
        }
    }
}
