//! A local emulator of the Cloudflare Organizations API (`/client/v4/organizations…`).
//!
//! It **behaves like the API, not like a stub**: it keeps state in memory, answers with the
//! real envelope, status codes and error codes, paginates on the server side, enforces the
//! business rules, and can inject the faults real users hit (rate limits, 5xx, permission
//! propagation delays, dropped connections). It keeps its **own** JSON shapes and never imports
//! [`crate::cloudflare`], so a mistake in the client's DTOs cannot be mirrored here.
//! The `cloudflare-orgs-emulator` binary is a thin wrapper around [`Emulator::serve`]; tests
//! use [`BackgroundEmulator`] or [`Emulator::serve`] on `127.0.0.1:0`.
//!
//! # Endpoints (base path `/client/v4`)
//!
//! | Method and path | Answer |
//! |---|---|
//! | `POST /organizations` | 200, the new organization. Body `{"name", "parent"?: {"id"}, "profile"?}`; unknown keys ignored |
//! | `GET /organizations` | 200, a page of organizations + `result_info`. Filters below |
//! | `GET /organizations/{id}` | 200, the organization |
//! | `PUT /organizations/{id}` | 200, the organization. Only `name` changes; `profile` is ignored |
//! | `DELETE /organizations/{id}` | 200, `{"id"}`. The organization must hold no accounts or sub-organizations |
//! | `GET /organizations/{id}/accounts` | 200, a page of accounts + `result_info` |
//! | `GET /organizations/{id}/profile` | 200, the profile; 404 when none was ever set |
//! | `PUT /organizations/{id}/profile` | **204, empty body**. All five profile strings are required |
//!
//! Success: `{"success":true,"errors":[],"messages":[],"result":…}` (+ `result_info` on lists).
//! Error: `{"success":false,"errors":[{"code":N,"message":"…"}],"messages":[],"result":null}`.
//! Every response, admin ones included, carries a unique `cf-ray` header (`<16 hex>-EMU`).
//!
//! **Organization**: `id` (32 random lowercase hex), `name`, `create_time` (RFC 3339 UTC, whole
//! seconds), `parent` `{id, name}` only for sub-organizations, `meta` = `{"flags": {5 strings},
//! "managed_by": "", "hierarchy_tags": [root, …, self]}`. The **`profile` is left out** of every
//! organization answer (the live API appears not to echo it, field-failures F1) unless
//! [`Config::echo_profile`] is set; then it is included when one exists.
//! **Account**: `{id, name (nullable), type ("standard"|"enterprise"), created_on, settings:
//! {abuse_contact_email, access_approval_expiry, api_access_enabled, default_nameservers,
//! enforce_twofactor, use_account_custom_ns_by_default}}`; accounts exist only through seeding.
//!
//! # Rules
//!
//! - `PUT /organizations/{id}` refuses the read-only keys `id`, `create_time`, `meta` and
//!   `parent.name` (400/1003), and a `parent.id` other than the current parent (400/1004). An
//!   absent or `null` `parent` means "unchanged".
//! - A sub-organization's parent must exist (400/1005); nesting stops at 5 levels (400/1006).
//! - Delete refuses non-empty organizations (400/1010, "Organization must be empty before
//!   deletion: it still contains 2 accounts and 1 sub-organization") and removes the profile.
//! - "One org per user" ([`Config::one_org_per_user`], off by default): a credential that already
//!   created a live organization gets 400/1009 "You may only create a single organization.".
//!
//! # Authentication
//!
//! Exactly one scheme per request: `Authorization: Bearer <token>` (any of
//! [`Config::api_tokens`]) or `X-Auth-Email` + `X-Auth-Key` (a pair of [`Config::api_keys`];
//! email case-insensitive). Defaults: token `emulator-token`; key `emulator-key` for
//! `admin@example.com`. The identity of a request is the email, or `token:N` for the Nth token.
//! Every organization records its creator's identity as a member (for `containing.user`).
//!
//! # Error codes
//!
//! | HTTP | code | When |
//! |---|---|---|
//! | 400 | 6003 "Invalid request headers" | credential headers missing or malformed; `error_chain` holds the detail: 9106 none at all, 9109 both schemes, 6100 missing X-Auth-Email, 6101 missing X-Auth-Key, 6111 bad `Authorization` format |
//! | 403 | 10000 "Authentication error" | unknown token or key/email pair; `propagation_403` fault |
//! | 404 | 7000 "No route for that URI" | path outside the eight endpoints |
//! | 405 | 7001 "Method not allowed" | known path, wrong method |
//! | 404 | 7003 "Could not route to /organizations/{id}, perhaps your object identifier is invalid?" | unknown organization (any endpoint) |
//! | 404 | 7003 "No profile exists for organization {id}" | profile GET before any profile was set |
//! | 400 | 1001 | body is not JSON / not an object / missing |
//! | 400 | 1002 | invalid field: empty or missing `name`, `parent` without `id`, incomplete or non-string `profile` |
//! | 400 | 1003 | read-only field in an organization PUT |
//! | 400 | 1004 | organization PUT asks for another parent |
//! | 400 | 1005 | parent organization does not exist |
//! | 400 | 1006 | nesting deeper than 5 levels |
//! | 400 | 1007 | bad `page_size` (not 0–1000), `order_by` (only `account_name`), `direction` (`asc`/`desc`) |
//! | 400 | 1008 | undecodable `page_token`, or one issued for other filters |
//! | 400 | 1009 | one-org-per-user rule |
//! | 400 | 1010 | delete of a non-empty organization |
//! | 429 | 971 "Please wait and consider throttling your request speed" | rate-limit faults, with `Retry-After` |
//! | 500 | 10001 "Internal server error" | `error_5xx_every` fault |
//! | 502 | (HTML page, as Cloudflare's edge sends) | `error_5xx_every` fault |
//! | 503 | 10013 "Service temporarily unavailable" | `error_5xx_every` fault; held POST cut by shutdown |
//!
//! # Lists and pagination
//!
//! `GET /organizations` filters (all must hold): repeated `id`; `name` (exact), `name.contains`,
//! `name.startsWith`, `name.endsWith` (case-insensitive); `parent.id` (an id, or `null` for
//! roots); `containing.account` (the owning org and its ancestors); `containing.organization`
//! (the org's ancestors); `containing.user` (orgs whose members include that identity). Order:
//! creation order. Accounts: `name` and its operators, the deprecated `account_pubname` aliases,
//! `order_by=account_name`, `direction=asc|desc`; default order: creation (internal id) ascending.
//!
//! `page_size` defaults to 10 (`0` too), max 1000. `page_token` is opaque (base64 of an offset
//! and a hash of the path and filters); with other filters it is refused (400/1008), while
//! `page_size` may change between pages. `result_info` = `{"total_size": N, "next_page_token"?}`;
//! the token is **absent on the last page**.
//!
//! # Fault knobs
//!
//! See [`Faults`]; JSON field names: `latency_ms`, `rate_limit`, `rate_limit_forever`,
//! `retry_after_secs`, `error_5xx_every`, `propagation_403`, `drop_after_post_commit`,
//! `hold_post_secs`, `empty_result_on_create`, `reorder_lists`. Order of checks per API request:
//! latency → authentication → rate limit → 5xx cadence → routing (propagation 403, holds, drops).
//!
//! # Request log
//!
//! Every non-admin request is recorded as a [`RecordedRequest`] on arrival (status `0` while in
//! flight): sequence number, milliseconds since start, method, path, raw query, auth scheme and
//! identity (**never** a secret), JSON body, status, the fault that shaped the answer, `cf-ray`.
//! It is also logged with `tracing` at info level.
//!
//! # Admin surface (`/__emulator/`, no credentials, plain JSON, errors `{"error": "…"}`)
//!
//! | Method and path | Effect |
//! |---|---|
//! | `GET /__emulator/state` | [`Emulator::state_json`]: every org with `profile`, `members` and `accounts` |
//! | `GET`, `DELETE /__emulator/requests` | the request log (JSON array) / clear it |
//! | `GET`, `PUT /__emulator/faults` | the knobs as JSON / replace them (missing keys = off) |
//! | `POST /__emulator/organizations` | seed `{"name", "parent_id"?, "profile"?}` → `{"id"}`, or `{"count", "name_prefix"?, "parent_id"?}` → `{"ids"}` |
//! | `DELETE /__emulator/organizations/{id}` | out-of-band delete (ignores emptiness; sub-orgs keep a dangling parent) |
//! | `PUT /__emulator/organizations/{id}/profile` | out-of-band profile, stored as given (`null` removes) |
//! | `PUT`, `PATCH /__emulator/organizations/{id}/name` | out-of-band rename, body `{"name"}` |
//! | `PUT /__emulator/organizations/{id}/meta` | replace the answered `meta` as given (`null` restores) |
//! | `POST /__emulator/organizations/{id}/accounts` | seed `{"name", "type"?}` → `{"id"}`, or `{"count", "name_prefix"?, "type"?}` → `{"ids"}` |
//! | `DELETE /__emulator/organizations/{id}/accounts` | remove all of the org's accounts |

mod admin;
mod api;
mod envelope;
mod faults;
mod listing;
mod log;
mod net;
mod store;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use faults::Faults;
pub use log::{AuthScheme, RecordedRequest};

use faults::FaultState;
use log::RequestLog;
use store::{ProfileMode, Store};

/// The default API token.
pub const DEFAULT_API_TOKEN: &str = "emulator-token";
/// The default global API key.
pub const DEFAULT_API_KEY: &str = "emulator-key";
/// The email that goes with [`DEFAULT_API_KEY`].
pub const DEFAULT_EMAIL: &str = "admin@example.com";

/// How long [`Emulator::serve`] waits for open connections after the shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Emulator settings. `Debug` shows how many credentials there are, never their values.
#[derive(Clone)]
pub struct Config {
    /// Accepted `Authorization: Bearer` tokens.
    pub api_tokens: Vec<String>,
    /// Accepted `(email, key)` pairs for `X-Auth-Email` + `X-Auth-Key`.
    pub api_keys: Vec<(String, String)>,
    /// Include `profile` in organization answers (the live API appears not to; default false).
    pub echo_profile: bool,
    /// Enforce "one organization per user" on `POST /organizations` (default false).
    pub one_org_per_user: bool,
    /// Fault knobs at start (all off by default).
    pub faults: Faults,
}

impl Default for Config {
    /// Token `emulator-token`; key `emulator-key` with email `admin@example.com`; no faults.
    fn default() -> Self {
        Config {
            api_tokens: vec![DEFAULT_API_TOKEN.to_string()],
            api_keys: vec![(DEFAULT_EMAIL.to_string(), DEFAULT_API_KEY.to_string())],
            echo_profile: false,
            one_org_per_user: false,
            faults: Faults::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let emails: Vec<&str> = self.api_keys.iter().map(|(e, _)| e.as_str()).collect();
        f.debug_struct("Config")
            .field(
                "api_tokens",
                &format_args!("<{} redacted>", self.api_tokens.len()),
            )
            .field("api_key_emails", &emails)
            .field("echo_profile", &self.echo_profile)
            .field("one_org_per_user", &self.one_org_per_user)
            .field("faults", &self.faults)
            .finish()
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the state stays
/// usable; every mutation is a single step).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) struct Inner {
    tokens: Vec<String>,
    keys: Vec<(String, String)>,
    echo_profile: bool,
    one_org_per_user: bool,
    store: Mutex<Store>,
    faults: Mutex<FaultState>,
    log: Mutex<RequestLog>,
    started: Instant,
    ray_prefix: u32,
    ray_seq: AtomicU32,
    /// Cancelled when [`Emulator::serve`] receives its shutdown signal (ends held POSTs).
    shutdown: CancellationToken,
}

/// The emulator: shared state plus the HTTP surface. Cheap to clone (an `Arc` inside); every
/// clone sees the same state.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").finish_non_exhaustive()
    }
}

/// Adds `cf-ray` (when the handler did not) and `server: cloudflare` to every response.
async fn stamp(State(emulator): State<Emulator>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key("cf-ray") {
        if let Ok(v) = HeaderValue::from_str(&emulator.next_ray()) {
            headers.insert("cf-ray", v);
        }
    }
    headers.insert("server", HeaderValue::from_static("cloudflare"));
    response
}

impl Emulator {
    /// A fresh emulator with no organizations.
    pub fn new(config: Config) -> Self {
        Emulator {
            inner: Arc::new(Inner {
                tokens: config.api_tokens,
                keys: config.api_keys,
                echo_profile: config.echo_profile,
                one_org_per_user: config.one_org_per_user,
                store: Mutex::new(Store::default()),
                faults: Mutex::new(FaultState::new(config.faults)),
                log: Mutex::new(RequestLog::default()),
                started: Instant::now(),
                ray_prefix: rand::random::<u32>(),
                ray_seq: AtomicU32::new(0),
                shutdown: CancellationToken::new(),
            }),
        }
    }

    /// A unique `cf-ray` value, `<16 hex>-EMU`.
    pub(crate) fn next_ray(&self) -> String {
        let n = self.inner.ray_seq.fetch_add(1, Ordering::Relaxed);
        format!("{:08x}{n:08x}-EMU", self.inner.ray_prefix)
    }

    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The whole HTTP surface: the API under `/client/v4` and the admin surface under
    /// `/__emulator`. `drop_after_post_commit` needs [`Emulator::serve`] to reset connections;
    /// served any other way it falls back to a response whose body fails.
    pub fn router(&self) -> Router {
        Router::new()
            .nest("/__emulator", admin::routes())
            .fallback(api::handle)
            .layer(axum::middleware::map_response_with_state(
                self.clone(),
                stamp,
            ))
            .with_state(self.clone())
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting, ends held POSTs
    /// and waits (at most 5 s) for open connections. Serve an emulator only once.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let token = self.inner.shutdown.clone();
        let app = self
            .router()
            .into_make_service_with_connect_info::<net::ConnHandle>();
        let signal = {
            let token = token.clone();
            async move {
                shutdown.await;
                token.cancel();
            }
        };
        let server =
            axum::serve(net::KillableListener(listener), app).with_graceful_shutdown(signal);
        tokio::select! {
            result = server => result,
            _ = async {
                token.cancelled().await;
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } => Ok(()),
        }
    }

    /// Everything, as `GET /__emulator/state` answers it:
    /// `{"organizations": [{…org, "profile": {…}|null, "members": [identity…], "accounts": […]}]}`.
    pub fn state_json(&self) -> Value {
        lock(&self.inner.store).state_json()
    }

    /// Ids of all organizations, in creation order.
    pub fn organization_ids(&self) -> Vec<String> {
        lock(&self.inner.store).ids()
    }

    /// The organization as the API shows it, plus a `profile` key (`null` when none).
    pub fn organization(&self, id: &str) -> Option<Value> {
        let store = lock(&self.inner.store);
        store
            .get(id)
            .map(|org| store.org_json(org, ProfileMode::Always))
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.log).all()
    }

    /// Empties the request log (sequence numbers keep counting).
    pub fn clear_requests(&self) {
        lock(&self.inner.log).clear();
    }

    /// The current fault knobs.
    pub fn faults(&self) -> Faults {
        lock(&self.inner.faults).faults.clone()
    }

    /// Replaces every fault knob and resets their counters.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.inner.faults).set(faults);
    }

    /// Creates an organization outside the API (no creator, no rules). An unknown `parent_id` is
    /// kept as a dangling reference. Returns the new id.
    pub fn seed_organization(&self, name: &str, parent_id: Option<&str>) -> String {
        lock(&self.inner.store).seed(name, parent_id)
    }

    /// Adds `count` standard accounts named `<name_prefix>1` … `<name_prefix>N` to an
    /// organization; returns their ids (empty when the organization does not exist).
    pub fn seed_accounts(&self, org_id: &str, count: usize, name_prefix: &str) -> Vec<String> {
        let names = (1..=count)
            .map(|i| Some(format!("{name_prefix}{i}")))
            .collect();
        lock(&self.inner.store)
            .add_accounts(org_id, names, "standard")
            .unwrap_or_default()
    }

    /// Adds one account (`kind` = `"standard"` or `"enterprise"`, not checked); `None` when the
    /// organization does not exist.
    pub fn seed_account(&self, org_id: &str, name: Option<&str>, kind: &str) -> Option<String> {
        lock(&self.inner.store)
            .add_accounts(org_id, vec![name.map(str::to_string)], kind)
            .and_then(|ids| ids.into_iter().next())
    }

    /// Removes every account of an organization; how many, or `None` for an unknown org.
    pub fn remove_accounts_out_of_band(&self, org_id: &str) -> Option<usize> {
        lock(&self.inner.store).clear_accounts(org_id)
    }

    /// Deletes an organization with its profile and accounts, ignoring the emptiness rule (its
    /// sub-organizations stay, with a dangling parent). False when it does not exist.
    pub fn delete_out_of_band(&self, org_id: &str) -> bool {
        lock(&self.inner.store).remove(org_id)
    }

    /// Stores `profile` exactly as given, unvalidated (`null` removes it), so tests can craft odd
    /// answers. False when the organization does not exist.
    pub fn set_profile_out_of_band(&self, org_id: &str, profile: Value) -> bool {
        lock(&self.inner.store).set_profile_raw(org_id, profile)
    }

    /// Renames an organization. False when it does not exist.
    pub fn rename_out_of_band(&self, org_id: &str, name: &str) -> bool {
        lock(&self.inner.store).rename(org_id, name)
    }

    /// Replaces the `meta` object answered for an organization (`null` restores the computed
    /// one). False when it does not exist.
    pub fn set_meta_out_of_band(&self, org_id: &str, meta: Value) -> bool {
        lock(&self.inner.store).set_meta_raw(org_id, meta)
    }
}

/// Runs the emulator on its own thread and tokio runtime (for synchronous tests), bound to
/// `127.0.0.1:0`. Dropping it shuts the server down and joins the thread.
#[derive(Debug)]
pub struct BackgroundEmulator {
    /// `http://127.0.0.1:PORT/client/v4`.
    pub base_url: String,
    /// The running emulator, for state inspection and fault changes.
    pub emulator: Emulator,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    /// Binds `127.0.0.1:0` and starts serving before returning.
    pub fn start(config: Config) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let emulator = Emulator::new(config);
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
        let served = emulator.clone();
        let thread = std::thread::Builder::new()
            .name("cloudflare-orgs-emulator".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let shutdown = async move {
                        let _ = shutdown_rx.await;
                    };
                    if let Err(e) = served.serve(listener, shutdown).await {
                        tracing::error!(error = %e, "emulator server failed");
                    }
                });
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(std::io::Error::other("emulator thread exited early")),
        }
        Ok(BackgroundEmulator {
            base_url: format!("http://{addr}{}", api::API_PREFIX),
            emulator,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
