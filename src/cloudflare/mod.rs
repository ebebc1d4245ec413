//! # REST client for the Cloudflare Organizations API
//!
//! Owns every HTTP detail so that resources and data sources never see a status code, a page
//! token or a retry (api.md is the source of truth for the wire facts):
//!
//! | file | role |
//! |---|---|
//! | `config.rs` | [`ClientConfig`], [`Auth`], defaults |
//! | `client.rs` | [`Client`]: one method per endpoint over one request path (limiter → send → classify → retry) |
//! | `dto.rs` | request/response bodies, decoded tolerantly ([`Organization`], [`Profile`], [`Account`], filters) |
//! | `envelope.rs` | the `{success, errors, messages, result, result_info}` envelope |
//! | `error.rs` | [`Error`] / [`ErrorKind`]: status, API codes, cf-ray, `Retry-After`, and a [`Error::hint`] |
//! | `query.rs` | filter → query string (`id=a&id=b`, `name.startsWith`, `parent.id=null`) |
//! | `retry.rs` | which failures are retried, and the back-off / `Retry-After` delay |
//! | `redact.rs` | body redaction for TRACE logs |
//!
//! ## Behaviour in brief
//! - **Auth**: exactly one scheme per request (Bearer, or `X-Auth-Email` + `X-Auth-Key`).
//! - **Retries**: connection failures, 408, 409, 429, ≥ 500 (overridden by `x-should-retry`), up
//!   to `max_retries`, waiting `Retry-After` or `min_backoff × 2ⁿ` (capped, minus ≤ 25 % jitter).
//!   A `Retry-After` above `min(max_backoff, 60 s)` fails fast. `POST /organizations` is never
//!   replayed once it may have reached the server ([`ErrorKind::OutcomeUnknown`]).
//! - **Rate limit**: one limiter per [`Client`] and all its clones.
//! - **Cancellation**: every wait ends with [`ErrorKind::Cancelled`] when the token fires.
//! - **Pagination**: cursor pages are followed inside the list methods; see [`MAX_PAGES`].
//! - **Logging** (`tracing`): one DEBUG line per attempt (method, path, status, attempt,
//!   duration, cf-ray); bodies only at TRACE, redacted. Credential headers are never logged.
//!
//! This module knows reqwest and serde, never Terraform: it builds no diagnostics.

// Every public item documents its shape, units, errors and endpoint; keep it enforced.
#![warn(missing_docs)]

mod client;
mod config;
mod dto;
mod envelope;
mod error;
mod query;
mod redact;
mod retry;

pub use client::{Client, MAX_PAGES, MAX_PAGE_SIZE};
pub use config::{Auth, ClientConfig, DEFAULT_BASE_URL};
pub use dto::{
    Account, AccountFilter, AccountSettings, Flags, Meta, Organization, OrganizationCreate,
    OrganizationFilter, OrganizationUpdate, Parent, ParentRef, Profile,
};
pub use error::{ApiMessage, Error, ErrorKind};
