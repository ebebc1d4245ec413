//! [`Client`]: one method per Organizations endpoint, over a single request path that owns
//! rate limiting, retries, cancellation, envelope decoding, pagination and logging.

use std::collections::HashSet;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::config::{Auth, ClientConfig};
use super::dto::{
    Account, AccountFilter, Organization, OrganizationCreate, OrganizationFilter,
    OrganizationUpdate, Profile,
};
use super::envelope::{Envelope, ResultInfo};
use super::error::{Error, ErrorKind};
use super::query::{self, Query};
use super::redact::loggable_body;
use super::retry;

/// A list stops with [`ErrorKind::PaginationLoop`] past this many pages.
pub const MAX_PAGES: usize = 10_000;

/// Largest `page_size` the API accepts.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Which failures one request may be retried after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Replay {
    /// Idempotent reads and PUTs: connection failures, 408, 409, 429, ≥ 500.
    Safe,
    /// DELETE: like `Safe` but never after 408/409 (api.md open question 9: never retry a 4xx
    /// DELETE other than the server's explicit 429 refusal).
    NoClientErrors,
    /// `POST /organizations`: only failures that certainly happened before the server saw the
    /// request (connect errors) and 429 (the server refused it).
    OnlyRefused,
}

/// One logical call (possibly several attempts).
struct Call<'a> {
    method: Method,
    segments: &'a [&'a str],
    query: Query,
    body: Option<Vec<u8>>,
    replay: Replay,
}

/// A 2xx response, body fully read.
struct Reply {
    status: u16,
    body: Vec<u8>,
    ray: Option<String>,
}

/// Where an error is attributed: method and path relative to the base URL.
#[derive(Clone)]
struct Site {
    method: String,
    path: String,
}

impl Site {
    fn error(&self, kind: ErrorKind) -> Error {
        Error::new(kind, &self.method, &self.path)
    }
}

/// A client of the Cloudflare Organizations API.
///
/// Cheap to clone: clones share one connection pool, one rate limiter (so every concurrent
/// Terraform operation in the process stays under `requests_per_second`) and one
/// cancellation token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Base URL with no trailing slash on its path.
    base: Url,
    used_token: bool,
    max_retries: u32,
    min_backoff: Duration,
    max_backoff: Duration,
    propagation_timeout: Duration,
    limiter: DefaultDirectRateLimiter,
    cancel: CancellationToken,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field(
                "auth",
                &if self.inner.used_token {
                    "token"
                } else {
                    "key+email"
                },
            )
            .finish_non_exhaustive()
    }
}

fn header_value(what: &str, value: &str, sensitive: bool) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        // Never echo the value: it may be a credential.
        Error::config(format!(
            "{what} contains characters not allowed in an HTTP header (e.g. a newline)"
        ))
    })?;
    v.set_sensitive(sensitive);
    Ok(v)
}

/// Default headers carrying exactly one auth scheme.
fn auth_headers(auth: &Auth) -> Result<HeaderMap, Error> {
    let mut h = HeaderMap::new();
    match auth {
        Auth::Token(token) => {
            let token = token.trim();
            if token.is_empty() {
                return Err(Error::config(
                    "no credentials: set an API token, or an API key and email",
                ));
            }
            h.insert(
                AUTHORIZATION,
                header_value("the API token", &format!("Bearer {token}"), true)?,
            );
        }
        Auth::KeyEmail { key, email } => {
            let (key, email) = (key.trim(), email.trim());
            if key.is_empty() || email.is_empty() {
                return Err(Error::config(
                    "an API key needs its email, and neither may be empty",
                ));
            }
            h.insert(
                HeaderName::from_static("x-auth-key"),
                header_value("the API key", key, true)?,
            );
            h.insert(
                HeaderName::from_static("x-auth-email"),
                header_value("the email", email, true)?,
            );
        }
    }
    h.insert(ACCEPT, HeaderValue::from_static("application/json"));
    Ok(h)
}

fn parse_base_url(raw: &str) -> Result<Url, Error> {
    let mut url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("base_url is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::config("base_url must be an http:// or https:// URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in the URL would end up in error messages and logs.
        return Err(Error::config(
            "base_url must not contain a user name or password; use the credential settings",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config("base_url must not have a query or fragment"));
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

/// The shared limiter: `rps` sustained, a burst of `ceil(rps)` clamped to 1..=10.
fn limiter(rps: f64) -> Result<DefaultDirectRateLimiter, Error> {
    // Below one request per ~11.6 days the period would not fit governor's quota; such a limit is a
    // mistake, not a setting.
    if !(rps.is_finite() && rps >= 1e-6) {
        return Err(Error::config(format!(
            "requests_per_second must be a positive number, got {rps}"
        )));
    }
    let period = Duration::from_secs_f64(1.0 / rps).max(Duration::from_nanos(1));
    let burst = NonZeroU32::new(rps.ceil().clamp(1.0, 10.0) as u32).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(period)
        .ok_or_else(|| Error::config("requests_per_second is too large"))?
        .allow_burst(burst);
    Ok(RateLimiter::direct(quota))
}

impl Client {
    /// Build a client. Fails with [`ErrorKind::Config`] on an invalid base URL, an empty or
    /// non-header-safe credential or user agent, a non-positive `requests_per_second`, or if
    /// the HTTP stack can't be initialised. No request is sent.
    ///
    /// `cancel` ends every wait of every clone (rate limiter, back-off, request in flight) with
    /// [`ErrorKind::Cancelled`]; pass the provider's StopProvider token.
    pub fn new(config: ClientConfig, cancel: CancellationToken) -> Result<Client, Error> {
        let base = parse_base_url(&config.base_url)?;
        let headers = auth_headers(&config.auth)?;
        let user_agent = header_value("user_agent", &config.user_agent, false)?;
        let limiter = limiter(config.requests_per_second)?;
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(user_agent)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // The API never redirects; following one could replay a POST or carry credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::config("could not initialise the HTTP client").with_source(e))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                used_token: config.auth.is_token(),
                max_retries: config.max_retries,
                min_backoff: config.min_backoff,
                max_backoff: config.max_backoff,
                propagation_timeout: config.propagation_timeout,
                limiter,
                cancel,
            }),
        })
    }

    /// The base URL every path is appended to (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// `POST /organizations`: create an organization and return it as the server echoes it.
    ///
    /// Never replayed once the request may have reached the server: only a failure that
    /// certainly happened before sending (connect refused, DNS, rate limiter) or a 429 (the
    /// server refused it) is retried. A 5xx, timeout or reset after sending gives
    /// [`ErrorKind::OutcomeUnknown`], whose message says the organization may exist and how
    /// to check. A 2xx whose body can't be decoded is [`ErrorKind::Decode`], whose message and
    /// hint say the organization was most likely created. Follow with
    /// [`Client::wait_for_organization`] before relying on reads.
    pub async fn create_organization(
        &self,
        body: &OrganizationCreate,
    ) -> Result<Organization, Error> {
        let call = Call {
            method: Method::POST,
            segments: &["organizations"],
            query: Query::new(),
            body: Some(json_body(body)?),
            replay: Replay::OnlyRefused,
        };
        let check = || {
            let mut check = self.url(&["organizations"], &Query::new());
            check.query_pairs_mut().append_pair("name", &body.name);
            check
                .as_str()
                .strip_prefix(self.inner.base.as_str())
                .unwrap_or(check.as_str())
                .to_string()
        };
        match self.call_result(&call).await {
            Err(e) if e.inner.kind == ErrorKind::OutcomeUnknown => {
                let check = check();
                Err(e.with_detail(format!(
                    "the request may have reached the server, so organization {:?} may have been created; \
                     check with `GET {check}` or in the dashboard before applying again",
                    body.name
                )))
            }
            // The server answered 2xx, so it accepted the create: the organization most likely
            // exists even though its answer can't be read. Say so, or it is silently orphaned.
            Err(e) if e.inner.kind == ErrorKind::Decode => {
                let check = check();
                let what = e.inner.detail.clone().unwrap_or_default();
                Err(e.with_detail(format!(
                    "{what}; the server accepted the request, so organization {:?} was most likely created; \
                     check with `GET {check}` or in the dashboard before applying again",
                    body.name
                )))
            }
            other => other,
        }
    }

    /// `GET /organizations/{id}`. [`ErrorKind::NotFound`] only on an authoritative 404
    /// (a Cloudflare error envelope); a bare 404 is [`ErrorKind::Api`].
    pub async fn get_organization(&self, id: &str) -> Result<Organization, Error> {
        let id = non_empty_id(id)?;
        self.call_result(&Call {
            method: Method::GET,
            segments: &["organizations", id],
            query: Query::new(),
            body: None,
            replay: Replay::Safe,
        })
        .await
    }

    /// Post-create propagation: poll `GET /organizations/{id}` until it reads back, retrying
    /// only 403 and 404 (authoritative or not) with delays `min_backoff × 2ⁿ` (1, 2, 4, 8 … s by
    /// default), all within `propagation_timeout`. Other failures return at once. When the
    /// budget runs out the error is [`ErrorKind::Timeout`] with the last status and API errors.
    /// Cancellable.
    pub async fn wait_for_organization(&self, id: &str) -> Result<Organization, Error> {
        let id = non_empty_id(id)?;
        self.tolerate_propagation(id, || self.get_organization(id))
            .await
    }

    /// `PUT /organizations/{id}` with the full writable object `{name, parent?: {id}}`.
    /// The API only applies `name`; read-only keys and the profile are never sent (profile
    /// changes go through [`Client::put_profile`]).
    pub async fn update_organization(
        &self,
        id: &str,
        body: &OrganizationUpdate,
    ) -> Result<Organization, Error> {
        let id = non_empty_id(id)?;
        self.call_result(&Call {
            method: Method::PUT,
            segments: &["organizations", id],
            query: Query::new(),
            body: Some(json_body(body)?),
            replay: Replay::Safe,
        })
        .await
    }

    /// `DELETE /organizations/{id}`. An authoritative 404 is `Ok(())` (already gone). The
    /// organization must be empty: the error for a non-empty one carries a hint to remove
    /// sub-organizations and accounts first. Never retried after a 4xx other than 429.
    pub async fn delete_organization(&self, id: &str) -> Result<(), Error> {
        let id = non_empty_id(id)?;
        let call = Call {
            method: Method::DELETE,
            segments: &["organizations", id],
            query: Query::new(),
            body: None,
            replay: Replay::NoClientErrors,
        };
        match self.call_value(&call).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `GET /organizations`, following cursor pages. Sends the filters on every page,
    /// `page_size = min(remaining, page_size hint or 1000)`, and stops at the last page or
    /// after `max_items` items. A repeated page token or more than [`MAX_PAGES`] pages gives
    /// [`ErrorKind::PaginationLoop`].
    pub async fn list_organizations(
        &self,
        filter: &OrganizationFilter,
        max_items: Option<usize>,
    ) -> Result<Vec<Organization>, Error> {
        self.paginate(
            &["organizations"],
            query::organization_query(filter),
            filter.page_size,
            filter.page_token.clone(),
            max_items,
        )
        .await
    }

    /// `GET /organizations/{id}/accounts`, following cursor pages like
    /// [`Client::list_organizations`].
    pub async fn list_accounts(
        &self,
        organization_id: &str,
        filter: &AccountFilter,
        max_items: Option<usize>,
    ) -> Result<Vec<Account>, Error> {
        let id = non_empty_id(organization_id)?;
        self.paginate(
            &["organizations", id, "accounts"],
            query::account_query(filter),
            filter.page_size,
            filter.page_token.clone(),
            max_items,
        )
        .await
    }

    /// `GET /organizations/{id}/profile`. `Ok(None)` when the API answers an authoritative
    /// 404, 204, a `null` result, or a profile whose fields are all empty (api.md open
    /// question 5).
    pub async fn get_profile(&self, organization_id: &str) -> Result<Option<Profile>, Error> {
        let id = non_empty_id(organization_id)?;
        let call = Call {
            method: Method::GET,
            segments: &["organizations", id, "profile"],
            query: Query::new(),
            body: None,
            replay: Replay::Safe,
        };
        let (value, _) = match self.call_value(&call).await {
            Ok(v) => v,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if value.is_null() {
            return Ok(None);
        }
        let profile: Profile = decode_value(value, &self.site(&call))?;
        Ok((!profile.is_empty()).then_some(profile))
    }

    /// `PUT /organizations/{id}/profile` with all five fields. Accepts 204, or 200 with or
    /// without a body (a `success: false` envelope is still an error).
    ///
    /// `tolerate_propagation`: retry 403/404 like [`Client::wait_for_organization`]; use it for
    /// the first PUT right after the organization was created.
    pub async fn put_profile(
        &self,
        organization_id: &str,
        profile: &Profile,
        tolerate_propagation: bool,
    ) -> Result<(), Error> {
        let id = non_empty_id(organization_id)?;
        let segments: &[&str] = &["organizations", id, "profile"];
        let body = &json_body(profile)?;
        let put = || async move {
            let call = Call {
                method: Method::PUT,
                segments,
                query: Query::new(),
                body: Some(body.clone()),
                replay: Replay::Safe,
            };
            let reply = self.execute(&call).await?;
            // Don't insist on a body; only an explicit failure envelope is an error.
            if let Some(env) = Envelope::parse(&reply.body) {
                if env.is_error() {
                    return Err(self.envelope_error(&self.site(&call), &reply, env));
                }
            }
            Ok(())
        };
        if tolerate_propagation {
            self.tolerate_propagation(id, put).await
        } else {
            put().await
        }
    }

    // ---- request machinery -------------------------------------------------------------

    /// Retry `op` while it fails with 403/404, with delays `min_backoff × 2ⁿ`, until it
    /// succeeds, fails otherwise, or `propagation_timeout` runs out.
    async fn tolerate_propagation<T, F, Fut>(&self, id: &str, mut op: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let started = Instant::now();
        let deadline = started + self.inner.propagation_timeout;
        let mut polls: u32 = 0;
        loop {
            let err = match op().await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_propagation_status() => e,
                Err(e) => return Err(e),
            };
            let now = Instant::now();
            if now >= deadline {
                let mut e = err;
                e.inner.kind = ErrorKind::Timeout;
                let waited = now.duration_since(started).as_secs();
                return Err(e.with_detail(format!(
                    "organization {id} was still not accessible after {waited} s (permissions may still \
                     be propagating); retry later"
                )));
            }
            let delay = retry::propagation_delay(self.inner.min_backoff, polls)
                .min(deadline.duration_since(now));
            tracing::debug!(
                organization_id = id,
                status = err.status(),
                poll = polls + 1,
                delay_ms = delay.as_millis() as u64,
                "organization not accessible yet; waiting for propagation"
            );
            let site = Site {
                method: err.method().to_string(),
                path: err.path().to_string(),
            };
            self.sleep(delay, &site).await?;
            polls += 1;
        }
    }

    /// Run a call and decode its envelope's `result` as `T`.
    async fn call_result<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, Error> {
        let (value, _) = self.call_value(call).await?;
        decode_value(value, &self.site(call))
    }

    /// Run a call and return its envelope's `result` (Null on 204 / empty body) and `result_info`.
    async fn call_value(&self, call: &Call<'_>) -> Result<(Value, Option<ResultInfo>), Error> {
        let reply = self.execute(call).await?;
        let site = self.site(call);
        if reply.status == 204 || reply.body.iter().all(u8::is_ascii_whitespace) {
            return Ok((Value::Null, None));
        }
        let Some(env) = Envelope::parse(&reply.body) else {
            let mut e = site.error(ErrorKind::Decode).with_detail(format!(
                "HTTP {} response is not a Cloudflare JSON envelope ({} bytes)",
                reply.status,
                reply.body.len()
            ));
            e.inner.status = Some(reply.status);
            e.inner.ray_id = reply.ray;
            return Err(e);
        };
        if env.is_error() {
            return Err(self.envelope_error(&site, &reply, env));
        }
        Ok((env.result, env.result_info))
    }

    /// A `success: false` envelope under a 2xx status.
    fn envelope_error(&self, site: &Site, reply: &Reply, env: Envelope) -> Error {
        let mut e = site.error(ErrorKind::Api);
        e.inner.status = Some(reply.status);
        e.inner.ray_id = reply.ray.clone();
        e.inner.used_token = self.inner.used_token;
        e.inner.api_errors = env.errors;
        if e.inner.api_errors.is_empty() {
            e.inner.detail = Some("success: false without error details".to_string());
        }
        e
    }

    async fn paginate<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        filters: Query,
        hint: Option<u32>,
        start: Option<String>,
        max_items: Option<usize>,
    ) -> Result<Vec<T>, Error> {
        let mut out: Vec<T> = Vec::new();
        if max_items == Some(0) {
            return Ok(out);
        }
        let mut token = start.filter(|t| !t.is_empty());
        let mut seen: HashSet<String> = token.iter().cloned().collect();
        let mut pages = 0usize;
        loop {
            let mut q = filters.clone();
            let remaining = max_items.map(|m| m.saturating_sub(out.len()));
            q.push(("page_size", query::page_size(hint, remaining).to_string()));
            if let Some(t) = &token {
                q.push(("page_token", t.clone()));
            }
            let call = Call {
                method: Method::GET,
                segments,
                query: q,
                body: None,
                replay: Replay::Safe,
            };
            let site = self.site(&call);
            if pages >= MAX_PAGES {
                return Err(site.error(ErrorKind::PaginationLoop).with_detail(format!(
                    "more than {MAX_PAGES} pages; stopping in case the server is looping"
                )));
            }
            pages += 1;
            let (value, info) = self.call_value(&call).await?;
            let items: Vec<T> = match value {
                Value::Null => Vec::new(),
                v => decode_value(v, &site)?,
            };
            out.extend(items);
            if let Some(m) = max_items {
                if out.len() >= m {
                    out.truncate(m);
                    return Ok(out);
                }
            }
            match info.and_then(|i| i.next_page_token) {
                None => return Ok(out),
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(site.error(ErrorKind::PaginationLoop).with_detail(format!(
                            "the server repeated page token {next:?} after {pages} pages"
                        )));
                    }
                    token = Some(next);
                }
            }
        }
    }

    fn url(&self, segments: &[&str], query: &Query) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            // Base paths were normalised without a trailing slash; `pop_if_empty` covers a bare host.
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        url
    }

    fn site(&self, call: &Call<'_>) -> Site {
        let url = self.url(call.segments, &Query::new());
        let base = self.inner.base.path().trim_end_matches('/');
        let path = url.path().strip_prefix(base).unwrap_or(url.path());
        Site {
            method: call.method.as_str().to_string(),
            path: path.to_string(),
        }
    }

    async fn sleep(&self, d: Duration, site: &Site) -> Result<(), Error> {
        tokio::select! {
            biased;
            _ = self.inner.cancel.cancelled() => Err(site.error(ErrorKind::Cancelled)),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    /// Send `call`, retrying per its [`Replay`] rule, until a 2xx arrives or a failure is final.
    async fn execute(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let inner = &*self.inner;
        let url = self.url(call.segments, &call.query);
        let site = self.site(call);
        if let Some(body) = &call.body {
            tracing::trace!(method = %site.method, path = %site.path, body = %loggable_body(body), "request body");
        }
        let mut retries: u32 = 0;
        loop {
            tokio::select! {
                biased;
                _ = inner.cancel.cancelled() => return Err(site.error(ErrorKind::Cancelled)),
                _ = inner.limiter.until_ready() => {}
            }
            let mut request = inner.http.request(call.method.clone(), url.clone());
            if let Some(body) = &call.body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let started = Instant::now();
            let outcome = tokio::select! {
                biased;
                _ = inner.cancel.cancelled() => {
                    let e = site.error(ErrorKind::Cancelled);
                    return Err(if call.replay == Replay::OnlyRefused {
                        e.with_detail("cancelled while the request was in flight; the organization may have been created")
                    } else {
                        e
                    });
                }
                r = send(request) => r,
            };
            let attempt = retries + 1;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let (status, headers, body) = match outcome {
                Ok(parts) => parts,
                Err(err) => {
                    // A connect failure (refused, DNS, TLS handshake, connect timeout) happened
                    // before any byte of the request reached the server.
                    let before_send = err.is_connect();
                    tracing::debug!(
                        method = %site.method, path = %site.path, attempt, duration_ms = elapsed_ms,
                        error = %err, "cloudflare api request failed"
                    );
                    if call.replay == Replay::OnlyRefused && !before_send {
                        let mut e = site.error(ErrorKind::OutcomeUnknown).with_source(err);
                        e.inner.used_token = inner.used_token;
                        return Err(e);
                    }
                    if retries < inner.max_retries {
                        self.sleep(self.backoff(retries), &site).await?;
                        retries += 1;
                        continue;
                    }
                    let kind = if err.is_timeout() {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Transport
                    };
                    return Err(site.error(kind).with_source(err));
                }
            };
            let ray = headers
                .get("cf-ray")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            tracing::debug!(
                method = %site.method, path = %site.path, status, attempt, duration_ms = elapsed_ms,
                cf_ray = ray.as_deref().unwrap_or(""), "cloudflare api request"
            );
            tracing::trace!(method = %site.method, path = %site.path, status, body = %loggable_body(&body), "response body");
            if (200..300).contains(&status) {
                return Ok(Reply { status, body, ray });
            }
            let retry_after = retry::retry_after(&headers, SystemTime::now());
            let retryable = retry::should_retry_header(&headers)
                .unwrap_or_else(|| retry::status_is_retryable(status))
                && match call.replay {
                    Replay::Safe => true,
                    Replay::NoClientErrors => status == 429 || status >= 500,
                    Replay::OnlyRefused => status == 429,
                };
            let cap = inner.max_backoff.min(retry::RETRY_AFTER_CAP);
            if retryable && retries < inner.max_retries {
                let delay = match retry_after {
                    // Too long to wait inside one Terraform operation: fail fast with the hint.
                    Some(d) if d > cap => None,
                    Some(d) => Some(d),
                    None => Some(self.backoff(retries)),
                };
                if let Some(delay) = delay {
                    tracing::debug!(
                        method = %site.method, path = %site.path, status, attempt,
                        delay_ms = delay.as_millis() as u64, "retrying"
                    );
                    self.sleep(delay, &site).await?;
                    retries += 1;
                    continue;
                }
            }
            return Err(self.status_error(call, &site, status, ray, retry_after, &body));
        }
    }

    fn backoff(&self, retries: u32) -> Duration {
        retry::backoff(
            self.inner.min_backoff,
            self.inner.max_backoff,
            retries,
            retry::random_jitter(),
        )
    }

    /// The final error for a non-2xx response.
    fn status_error(
        &self,
        call: &Call<'_>,
        site: &Site,
        status: u16,
        ray: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> Error {
        let envelope = Envelope::parse(body);
        let authoritative = envelope.as_ref().is_some_and(Envelope::is_error);
        let kind = match status {
            404 if authoritative => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            s if s >= 500 && call.replay == Replay::OnlyRefused => ErrorKind::OutcomeUnknown,
            _ => ErrorKind::Api,
        };
        let mut e = site.error(kind);
        e.inner.status = Some(status);
        e.inner.ray_id = ray;
        e.inner.retry_after = retry_after;
        e.inner.used_token = self.inner.used_token;
        match envelope {
            Some(env) if !env.errors.is_empty() => e.inner.api_errors = env.errors,
            Some(_) => {}
            None if body.is_empty() => e.inner.detail = Some("empty response body".to_string()),
            // Never echo a non-envelope body: it can't be redacted field by field.
            None => {
                e.inner.detail = Some(format!(
                    "not a Cloudflare API response ({} bytes); check base_url",
                    body.len()
                ))
            }
        }
        e
    }
}

/// Send and read the whole body (the per-attempt timeout covers both).
async fn send(
    request: reqwest::RequestBuilder,
) -> Result<(u16, HeaderMap, Vec<u8>), reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body.to_vec()))
}

fn json_body<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body)
        .map_err(|e| Error::config("could not encode the request body").with_source(e))
}

fn non_empty_id(id: &str) -> Result<&str, Error> {
    if id.trim().is_empty() {
        Err(Error::config("organization id must not be empty"))
    } else {
        Ok(id)
    }
}

/// Decode a `result` into `T`. The error text never quotes values (they may be personal
/// data): only "missing field" messages, which name a key, are kept verbatim.
fn decode_value<T: DeserializeOwned>(value: Value, site: &Site) -> Result<T, Error> {
    if value.is_null() {
        return Err(site
            .error(ErrorKind::Decode)
            .with_detail("the response has no `result`"));
    }
    serde_json::from_value(value).map_err(|e| {
        let msg = e.to_string();
        let what = if msg.starts_with("missing field") {
            msg
        } else {
            "a field has an unexpected type or value".to_string()
        };
        site.error(ErrorKind::Decode)
            .with_detail(format!("unexpected `result` shape: {what}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Result<Client, Error> {
        Client::new(
            ClientConfig {
                base_url: base.to_string(),
                auth: Auth::Token("t".into()),
                ..ClientConfig::default()
            },
            CancellationToken::new(),
        )
    }

    #[test]
    fn joins_paths_with_or_without_trailing_slash() {
        for base in [
            "https://api.cloudflare.com/client/v4",
            "https://api.cloudflare.com/client/v4/",
        ] {
            let c = client(base).unwrap();
            let u = c.url(
                &["organizations", "a/b c"],
                &vec![("parent.id", "null".to_string())],
            );
            assert_eq!(
                u.as_str(),
                "https://api.cloudflare.com/client/v4/organizations/a%2Fb%20c?parent.id=null"
            );
        }
        let c = client("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            c.url(&["organizations"], &Query::new()).as_str(),
            "http://127.0.0.1:8080/organizations"
        );
        let call = Call {
            method: Method::GET,
            segments: &["organizations", "x", "profile"],
            query: Query::new(),
            body: None,
            replay: Replay::Safe,
        };
        assert_eq!(c.site(&call).path, "/organizations/x/profile");
    }

    fn assert_send<T: Send>(_: &T) {}

    /// Resources run these futures inside tonic handlers, which need `Send`.
    #[test]
    fn every_endpoint_future_is_send() {
        let c = client("http://127.0.0.1:1").unwrap();
        let (p, u, cr) = (
            Profile::default(),
            OrganizationUpdate::default(),
            OrganizationCreate::default(),
        );
        let (of, af) = (OrganizationFilter::default(), AccountFilter::default());
        assert_send(&c.create_organization(&cr));
        assert_send(&c.get_organization("x"));
        assert_send(&c.wait_for_organization("x"));
        assert_send(&c.update_organization("x", &u));
        assert_send(&c.delete_organization("x"));
        assert_send(&c.list_organizations(&of, None));
        assert_send(&c.list_accounts("x", &af, None));
        assert_send(&c.get_profile("x"));
        assert_send(&c.put_profile("x", &p, true));
        fn sync_send<T: Send + Sync + Clone + 'static>() {}
        sync_send::<Client>();
        sync_send::<std::sync::Arc<Error>>();
    }

    #[test]
    fn rejects_bad_config() {
        assert_eq!(client("ftp://x").unwrap_err().kind(), &ErrorKind::Config);
        assert_eq!(client("not a url").unwrap_err().kind(), &ErrorKind::Config);
        let userinfo = client("https://me:PASSWORD@api.example.com").unwrap_err();
        assert_eq!(userinfo.kind(), &ErrorKind::Config);
        assert!(!userinfo.to_string().contains("PASSWORD"));
        let empty = Client::new(ClientConfig::default(), CancellationToken::new());
        assert_eq!(empty.unwrap_err().kind(), &ErrorKind::Config);
        let bad = Client::new(
            ClientConfig {
                auth: Auth::Token("SECRET\nx".into()),
                ..ClientConfig::default()
            },
            CancellationToken::new(),
        )
        .unwrap_err();
        assert!(!bad.to_string().contains("SECRET"));
        let zero_rps = Client::new(
            ClientConfig {
                auth: Auth::Token("t".into()),
                requests_per_second: 0.0,
                ..ClientConfig::default()
            },
            CancellationToken::new(),
        );
        assert_eq!(zero_rps.unwrap_err().kind(), &ErrorKind::Config);
    }

    #[test]
    fn debug_never_prints_credentials() {
        let cfg = ClientConfig {
            auth: Auth::KeyEmail {
                key: "KEY-MARKER".into(),
                email: "me@example.com".into(),
            },
            ..ClientConfig::default()
        };
        let s = format!("{cfg:?}");
        assert!(!s.contains("KEY-MARKER") && !s.contains("me@example.com"));
        let c = Client::new(cfg, CancellationToken::new()).unwrap();
        assert!(!format!("{c:?}").contains("KEY-MARKER"));
    }
}
