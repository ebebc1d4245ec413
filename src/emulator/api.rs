//! The API surface under `/client/v4`: one handler that records the request, applies latency,
//! authenticates, injects faults, then routes to the eight operations.
//!
//! Routing is done by hand (not with axum routes) so unknown paths and methods get Cloudflare
//! error envelopes and every request, routable or not, lands in the request log.

use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::envelope::{self, code, ApiError};
use super::faults::{Faults, Injected};
use super::listing::{self, Query};
use super::log::{AuthScheme, RecordedRequest};
use super::net::ConnHandle;
use super::store::{self, ProfileMode};
use super::{lock, Emulator, Inner};

/// Largest request body read (bigger bodies are refused with 400 / 1001): 100 MB, the API upload limit
/// Cloudflare documents for Free and Pro plans (its edge answers 413 above it). A smaller limit would
/// refuse bodies the real API takes, and the refusal, sent before the body is read, reaches the client
/// as a reset connection rather than an answer.
const MAX_BODY_BYTES: usize = 100_000_000;

/// The API prefix, as in `https://api.cloudflare.com/client/v4`.
pub(crate) const API_PREFIX: &str = "/client/v4";

/// Result of checking the credential headers.
struct Auth {
    scheme: AuthScheme,
    identity: Option<String>,
    /// The authenticated identity, or the error to answer with.
    result: Result<String, ApiError>,
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .map(|v| v.to_str().map(str::trim).unwrap_or(""))
}

/// Exactly one scheme per request: a Bearer token, or X-Auth-Email + X-Auth-Key.
fn authenticate(inner: &Inner, headers: &HeaderMap) -> Auth {
    let authorization = header_str(headers, header::AUTHORIZATION.as_str());
    let email = header_str(headers, "x-auth-email");
    let key = header_str(headers, "x-auth-key");
    let has_key_headers = email.is_some() || key.is_some();
    match (authorization, has_key_headers) {
        (Some(_), true) => Auth {
            scheme: AuthScheme::Both,
            identity: None,
            result: Err(ApiError::invalid_headers(
                code::BOTH_SCHEMES,
                "Use either Authorization: Bearer <token> or X-Auth-Email with X-Auth-Key, not both",
            )),
        },
        (None, false) => Auth {
            scheme: AuthScheme::None,
            identity: None,
            result: Err(ApiError::invalid_headers(
                code::MISSING_CREDENTIALS,
                "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
            )),
        },
        (Some(value), false) => {
            let token = value
                .split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim())
                .filter(|token| !token.is_empty());
            let (identity, result) = match token {
                None => (
                    None,
                    Err(ApiError::invalid_headers(
                        code::BAD_AUTHORIZATION,
                        "Invalid format for Authorization header",
                    )),
                ),
                Some(token) => match inner.tokens.iter().position(|t| t == token) {
                    Some(i) => {
                        let who = format!("token:{}", i + 1);
                        (Some(who.clone()), Ok(who))
                    }
                    None => (None, Err(ApiError::auth_error())),
                },
            };
            Auth {
                scheme: AuthScheme::Token,
                identity,
                result,
            }
        }
        (None, true) => {
            let email = email.filter(|e| !e.is_empty());
            let key = key.filter(|k| !k.is_empty());
            let result = match (email, key) {
                (None, _) => Err(ApiError::invalid_headers(
                    code::MISSING_EMAIL,
                    "Missing X-Auth-Email header",
                )),
                (Some(_), None) => Err(ApiError::invalid_headers(
                    code::MISSING_KEY,
                    "Missing X-Auth-Key header",
                )),
                (Some(email), Some(key)) => inner
                    .keys
                    .iter()
                    .find(|(e, k)| e.eq_ignore_ascii_case(email) && k == key)
                    .map(|(e, _)| e.clone())
                    .ok_or_else(ApiError::auth_error),
            };
            Auth {
                scheme: AuthScheme::Key,
                identity: match &result {
                    Ok(who) => Some(who.clone()),
                    Err(_) => email.map(str::to_string),
                },
                result,
            }
        }
    }
}

/// What one request produced.
struct Reply {
    response: Response,
    fault: Option<&'static str>,
    /// Abort the connection instead of answering.
    drop_connection: bool,
}

impl Reply {
    fn ok(result: Value) -> Self {
        Self::from(envelope::json_response(
            StatusCode::OK,
            &envelope::success(result, None),
        ))
    }

    fn list(result: Value, info: Value) -> Self {
        Self::from(envelope::json_response(
            StatusCode::OK,
            &envelope::success(result, Some(info)),
        ))
    }

    fn fault(mut self, fault: &'static str) -> Self {
        self.fault = Some(fault);
        self
    }
}

impl From<Response> for Reply {
    fn from(response: Response) -> Self {
        Reply {
            response,
            fault: None,
            drop_connection: false,
        }
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        Self::from(e.into_response())
    }
}

/// Everything the operations need to know about the request.
struct Ctx<'a> {
    seq: u64,
    method: &'a Method,
    path: &'a str,
    query: Query,
    /// The body parsed as JSON (`None` when empty), or a 400 if it is not JSON.
    body: Result<Option<Value>, ApiError>,
    faults: Faults,
}

impl Ctx<'_> {
    fn body(&self) -> Result<Option<&Value>, ApiError> {
        self.body.as_ref().map(Option::as_ref).map_err(Clone::clone)
    }
}

/// Marks the log entry as abandoned when the handler future is dropped before it answers
/// (the client disconnected, or the server shut down).
struct InFlight {
    emulator: Emulator,
    seq: u64,
    done: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.done {
            lock(&self.emulator.inner.log).finish(self.seq, 499, Some("client_disconnected"));
            tracing::info!(seq = self.seq, "client disconnected before the answer");
        }
    }
}

/// The fallback handler: every non-admin request comes through here.
pub(crate) async fn handle(State(emulator): State<Emulator>, request: Request) -> Response {
    let ray = emulator.next_ray();
    let (parts, body) = request.into_parts();
    let conn = parts
        .extensions
        .get::<ConnectInfo<ConnHandle>>()
        .map(|c| c.0.clone());
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);

    let (logged_body, body) = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) if bytes.is_empty() => (None, Ok(None)),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => (Some(v.clone()), Ok(Some(v))),
            Err(e) => (
                Some(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
                Err(ApiError::bad_request(
                    code::MALFORMED_BODY,
                    format!("Malformed JSON in request body: {e}"),
                )),
            ),
        },
        Err(_) => (
            None,
            Err(ApiError::bad_request(
                code::MALFORMED_BODY,
                format!("Request body could not be read or exceeds {MAX_BODY_BYTES} bytes"),
            )),
        ),
    };

    let auth = authenticate(&emulator.inner, &parts.headers);
    let seq = lock(&emulator.inner.log).begin(RecordedRequest {
        seq: 0,
        at_ms: emulator.elapsed_ms(),
        method: parts.method.to_string(),
        path: path.clone(),
        query: raw_query.clone(),
        auth: auth.scheme,
        identity: auth.identity.clone(),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: logged_body,
        status: 0,
        fault: None,
        ray: ray.clone(),
    });
    let mut guard = InFlight {
        emulator: emulator.clone(),
        seq,
        done: false,
    };

    let faults = lock(&emulator.inner.faults).faults.clone();
    let ctx = Ctx {
        seq,
        method: &parts.method,
        path: &path,
        query: Query::parse(raw_query.as_deref()),
        body,
        faults,
    };
    let reply = process(&emulator, &ctx, auth.result).await;
    guard.done = true;

    let status = if reply.drop_connection {
        0
    } else {
        reply.response.status().as_u16()
    };
    lock(&emulator.inner.log).finish(seq, status, reply.fault);
    tracing::info!(
        seq,
        method = %parts.method,
        path = %path,
        query = raw_query.as_deref().unwrap_or(""),
        status,
        auth = auth.scheme.as_str(),
        identity = auth.identity.as_deref().unwrap_or("-"),
        fault = reply.fault.unwrap_or("-"),
        ray = %ray,
        "api request"
    );

    let mut response = if reply.drop_connection {
        match conn {
            Some(conn) => {
                conn.kill();
                reply.response
            }
            // Served without `Emulator::serve` (no connection handle): the best we can do
            // is a response whose body fails, so the client still sees a transport error.
            None => {
                let failing = futures::stream::once(async {
                    Err::<Bytes, std::io::Error>(std::io::Error::other(
                        "connection dropped by the emulator",
                    ))
                });
                let mut r = Response::new(Body::from_stream(failing));
                *r.status_mut() = StatusCode::OK;
                r
            }
        }
    } else {
        reply.response
    };
    if let Ok(value) = HeaderValue::from_str(&ray) {
        response.headers_mut().insert("cf-ray", value);
    }
    response
}

/// Latency, authentication, request-level faults, then routing.
async fn process(emulator: &Emulator, ctx: &Ctx<'_>, auth: Result<String, ApiError>) -> Reply {
    if ctx.faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(ctx.faults.latency_ms)).await;
    }
    let identity = match auth {
        Ok(identity) => identity,
        Err(e) => return e.into(),
    };
    let injected = lock(&emulator.inner.faults).check(ctx.method.as_str(), ctx.path);
    match injected {
        Some(Injected::RateLimited { retry_after }) => {
            return Reply::from(ApiError::rate_limited(retry_after)).fault("rate_limit")
        }
        Some(Injected::ServerError(status)) => {
            let response = match status {
                502 => envelope::bad_gateway_html(),
                503 => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::UNAVAILABLE,
                    "Service temporarily unavailable",
                )
                .into_response(),
                _ => ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code::INTERNAL,
                    "Internal server error",
                )
                .into_response(),
            };
            return Reply::from(response).fault("error_5xx");
        }
        None => {}
    }
    match route(emulator, ctx, &identity).await {
        Ok(reply) => reply,
        Err(e) => e.into(),
    }
}

async fn route(emulator: &Emulator, ctx: &Ctx<'_>, identity: &str) -> Result<Reply, ApiError> {
    let api_path = ctx
        .path
        .strip_prefix(API_PREFIX)
        .ok_or_else(ApiError::no_route)?;
    let segments: Vec<&str> = match api_path.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None => return Err(ApiError::no_route()),
    };
    let method = ctx.method;
    match segments.as_slice() {
        ["organizations"] => match *method {
            Method::POST => create(emulator, ctx, identity).await,
            Method::GET => list_organizations(emulator, ctx, api_path),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["organizations", id] if !id.is_empty() => match *method {
            Method::GET => get_organization(emulator, id),
            Method::PUT => update_organization(emulator, ctx, id),
            Method::DELETE => delete_organization(emulator, id),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["organizations", id, "accounts"] if !id.is_empty() => match *method {
            Method::GET => list_accounts(emulator, ctx, id, api_path),
            _ => Err(ApiError::method_not_allowed()),
        },
        ["organizations", id, "profile"] if !id.is_empty() => match *method {
            Method::GET => get_profile(emulator, id),
            Method::PUT => put_profile(emulator, ctx, id),
            _ => Err(ApiError::method_not_allowed()),
        },
        _ => Err(ApiError::no_route()),
    }
}

fn profile_mode(emulator: &Emulator) -> ProfileMode {
    if emulator.inner.echo_profile {
        ProfileMode::IfPresent
    } else {
        ProfileMode::Omit
    }
}

/// `POST /organizations`.
async fn create(emulator: &Emulator, ctx: &Ctx<'_>, identity: &str) -> Result<Reply, ApiError> {
    let faults = &ctx.faults;
    if faults.hold_post_secs > 0 {
        lock(&emulator.inner.log).note(ctx.seq, "hold_post");
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(faults.hold_post_secs)) => {}
            _ = emulator.inner.shutdown.cancelled() => {
                let e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::UNAVAILABLE,
                    "Service temporarily unavailable",
                );
                return Ok(Reply::from(e).fault("shutdown"));
            }
        }
    }
    let new = store::parse_new_org(ctx.body()?)?;
    let result = {
        let mut store = lock(&emulator.inner.store);
        let id = store.create(
            new,
            identity,
            emulator.inner.one_org_per_user,
            faults.propagation_403,
        )?;
        store
            .get(&id)
            .map(|org| store.org_json(org, profile_mode(emulator)))
            .unwrap_or(Value::Null)
    };
    if faults.drop_after_post_commit {
        let mut reply = Reply::ok(Value::Null).fault("drop_after_post_commit");
        reply.drop_connection = true;
        return Ok(reply);
    }
    if faults.empty_result_on_create {
        return Ok(Reply::ok(json!({})).fault("empty_result_on_create"));
    }
    let reply = Reply::ok(result);
    Ok(if faults.hold_post_secs > 0 {
        reply.fault("hold_post")
    } else {
        reply
    })
}

/// `GET /organizations`.
fn list_organizations(
    emulator: &Emulator,
    ctx: &Ctx<'_>,
    api_path: &str,
) -> Result<Reply, ApiError> {
    let mut page = listing::page_params(&ctx.query, api_path)?;
    if page.first {
        page.reversed = lock(&emulator.inner.faults).next_list_reversed();
    }
    let items: Vec<Value> = {
        let store = lock(&emulator.inner.store);
        let mode = profile_mode(emulator);
        listing::filter_orgs(&store, &ctx.query)
            .into_iter()
            .map(|o| store.org_json(o, mode))
            .collect()
    };
    let (result, info) = listing::paginate(items, page);
    Ok(Reply::list(result, info))
}

/// The 403 answered for the first requests after create when `propagation_403` is set.
fn propagation_denied(emulator: &Emulator, id: &str) -> Option<Reply> {
    lock(&emulator.inner.store)
        .take_propagation(id)
        .then(|| Reply::from(ApiError::auth_error()).fault("propagation_403"))
}

/// `GET /organizations/{id}`.
fn get_organization(emulator: &Emulator, id: &str) -> Result<Reply, ApiError> {
    if let Some(reply) = propagation_denied(emulator, id) {
        return Ok(reply);
    }
    let store = lock(&emulator.inner.store);
    let org = store
        .get(id)
        .ok_or_else(|| ApiError::not_found(&format!("/organizations/{id}")))?;
    Ok(Reply::ok(store.org_json(org, profile_mode(emulator))))
}

/// `PUT /organizations/{id}`.
fn update_organization(emulator: &Emulator, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    let mut store = lock(&emulator.inner.store);
    if !store.contains(id) {
        return Err(ApiError::not_found(&format!("/organizations/{id}")));
    }
    store.update(id, ctx.body()?)?;
    let org = store
        .get(id)
        .ok_or_else(|| ApiError::not_found(&format!("/organizations/{id}")))?;
    Ok(Reply::ok(store.org_json(org, profile_mode(emulator))))
}

/// `DELETE /organizations/{id}`.
fn delete_organization(emulator: &Emulator, id: &str) -> Result<Reply, ApiError> {
    lock(&emulator.inner.store).delete(id)?;
    Ok(Reply::ok(json!({ "id": id })))
}

/// `GET /organizations/{id}/accounts`.
fn list_accounts(
    emulator: &Emulator,
    ctx: &Ctx<'_>,
    id: &str,
    api_path: &str,
) -> Result<Reply, ApiError> {
    let mut page = listing::page_params(&ctx.query, api_path)?;
    let items: Vec<Value> = {
        let store = lock(&emulator.inner.store);
        let org = store.get(id).ok_or_else(|| ApiError::not_found(api_path))?;
        listing::filter_accounts(org, &ctx.query)?
            .into_iter()
            .map(|a| a.to_json())
            .collect()
    };
    if page.first {
        page.reversed = lock(&emulator.inner.faults).next_list_reversed();
    }
    let (result, info) = listing::paginate(items, page);
    Ok(Reply::list(result, info))
}

/// `GET /organizations/{id}/profile`.
fn get_profile(emulator: &Emulator, id: &str) -> Result<Reply, ApiError> {
    if let Some(reply) = propagation_denied(emulator, id) {
        return Ok(reply);
    }
    let profile = lock(&emulator.inner.store).profile(id)?;
    Ok(Reply::ok(profile))
}

/// `PUT /organizations/{id}/profile`: 204 with no body.
fn put_profile(emulator: &Emulator, ctx: &Ctx<'_>, id: &str) -> Result<Reply, ApiError> {
    if let Some(reply) = propagation_denied(emulator, id) {
        return Ok(reply);
    }
    let mut store = lock(&emulator.inner.store);
    if !store.contains(id) {
        return Err(ApiError::not_found(&format!("/organizations/{id}/profile")));
    }
    let body = ctx.body()?.ok_or_else(|| {
        ApiError::bad_request(
            code::MALFORMED_BODY,
            "Request body is required and must be a JSON object",
        )
    })?;
    let profile = store::validate_profile(body, "profile")?;
    store.set_profile_raw(id, profile);
    Ok(Reply::from(StatusCode::NO_CONTENT.into_response()))
}
