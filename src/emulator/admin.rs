//! The admin surface under `/__emulator/` (no credentials, not recorded in the request log).
//!
//! Answers are plain JSON, not the Cloudflare envelope; errors are `{"error": "…"}` with 400 or
//! 404. See the table in the module docs of [`crate::emulator`].

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::faults::Faults;
use super::{lock, Emulator};

/// An admin error: status plus `{"error": message}`.
#[derive(Debug)]
struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> AdminError {
    AdminError(status, message.into())
}

fn unknown_org(id: &str) -> AdminError {
    error(
        StatusCode::NOT_FOUND,
        format!("no organization with id {id}"),
    )
}

/// Parses a JSON body; an empty body counts as `null`.
fn parse(body: &Bytes) -> Result<Value, AdminError> {
    if body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("body is not valid JSON: {e}"),
        )
    })
}

pub(crate) fn routes() -> Router<Emulator> {
    Router::new()
        .route("/state", get(state))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(get_faults).put(put_faults))
        .route("/organizations", post(seed_organizations))
        .route("/organizations/{id}", axum::routing::delete(delete_org))
        .route("/organizations/{id}/profile", put(set_profile))
        .route("/organizations/{id}/name", put(rename).patch(rename))
        .route("/organizations/{id}/meta", put(set_meta))
        .route(
            "/organizations/{id}/accounts",
            post(seed_accounts).delete(clear_accounts),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such admin endpoint") })
}

/// `GET /__emulator/state`.
async fn state(State(emu): State<Emulator>) -> Json<Value> {
    Json(emu.state_json())
}

/// `GET /__emulator/requests`: the request log as a JSON array.
async fn requests(State(emu): State<Emulator>) -> Json<Value> {
    Json(serde_json::to_value(emu.requests()).unwrap_or(Value::Null))
}

/// `DELETE /__emulator/requests`.
async fn clear_requests(State(emu): State<Emulator>) -> StatusCode {
    emu.clear_requests();
    StatusCode::NO_CONTENT
}

/// `GET /__emulator/faults`.
async fn get_faults(State(emu): State<Emulator>) -> Json<Faults> {
    Json(emu.faults())
}

/// `PUT /__emulator/faults`: replaces every knob (missing keys = off) and resets counters.
async fn put_faults(State(emu): State<Emulator>, body: Bytes) -> Response {
    let body = if body.is_empty() {
        Bytes::from_static(b"{}")
    } else {
        body
    };
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            emu.set_faults(faults.clone());
            Json(faults).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("invalid faults: {e}")).into_response(),
    }
}

fn opt_str<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, AdminError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(error(
            StatusCode::BAD_REQUEST,
            format!("{key} must be a string"),
        )),
    }
}

fn opt_count(body: &Value) -> Result<Option<usize>, AdminError> {
    match body.get("count") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= 100_000)
            .map(Some)
            .ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    "count must be an integer between 0 and 100000",
                )
            }),
    }
}

/// `POST /__emulator/organizations`: `{"name", "parent_id"?, "profile"?}` → `{"id"}`, or
/// `{"count", "name_prefix"?, "parent_id"?}` → `{"ids": […]}` (names `<prefix>1` … `<prefix>N`).
async fn seed_organizations(State(emu): State<Emulator>, body: Bytes) -> Response {
    let body = match parse(&body) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) => {
            return error(StatusCode::BAD_REQUEST, "body must be a JSON object").into_response()
        }
        Err(r) => return r.into_response(),
    };
    let run = || -> Result<Response, AdminError> {
        let parent_id = match opt_str(&body, "parent_id")? {
            Some(p) => Some(p),
            None => body
                .get("parent")
                .and_then(|p| p.get("id"))
                .and_then(Value::as_str),
        };
        if let Some(pid) = parent_id {
            if emu.organization(pid).is_none() {
                return Err(error(
                    StatusCode::NOT_FOUND,
                    format!("parent organization {pid} does not exist"),
                ));
            }
        }
        if let Some(count) = opt_count(&body)? {
            let prefix = opt_str(&body, "name_prefix")?.unwrap_or("org-");
            let ids: Vec<String> = (1..=count)
                .map(|i| emu.seed_organization(&format!("{prefix}{i}"), parent_id))
                .collect();
            return Ok(Json(json!({ "ids": ids })).into_response());
        }
        let name = opt_str(&body, "name")?
            .ok_or_else(|| error(StatusCode::BAD_REQUEST, "name or count is required"))?;
        let id = emu.seed_organization(name, parent_id);
        if let Some(profile) = body.get("profile").filter(|p| !p.is_null()) {
            emu.set_profile_out_of_band(&id, profile.clone());
        }
        Ok(Json(json!({ "id": id })).into_response())
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// `DELETE /__emulator/organizations/{id}`: removes it (with profile and accounts) regardless
/// of the emptiness rule.
async fn delete_org(State(emu): State<Emulator>, Path(id): Path<String>) -> Response {
    if emu.delete_out_of_band(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        unknown_org(&id).into_response()
    }
}

/// `PUT /__emulator/organizations/{id}/profile`: stores the body as is (`null` removes it).
async fn set_profile(State(emu): State<Emulator>, Path(id): Path<String>, body: Bytes) -> Response {
    let profile = match parse(&body) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    if emu.set_profile_out_of_band(&id, profile) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        unknown_org(&id).into_response()
    }
}

/// `PUT|PATCH /__emulator/organizations/{id}/name`: body `{"name": "…"}` or a JSON string.
async fn rename(State(emu): State<Emulator>, Path(id): Path<String>, body: Bytes) -> Response {
    let name = match parse(&body) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(map)) => match map.get("name") {
            Some(Value::String(s)) => s.clone(),
            _ => return error(StatusCode::BAD_REQUEST, "name must be a string").into_response(),
        },
        Ok(_) => {
            return error(StatusCode::BAD_REQUEST, "body must be {\"name\": \"…\"}").into_response()
        }
        Err(r) => return r.into_response(),
    };
    if emu.rename_out_of_band(&id, &name) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        unknown_org(&id).into_response()
    }
}

/// `PUT /__emulator/organizations/{id}/meta`: replaces the answered `meta` (`null` restores).
async fn set_meta(State(emu): State<Emulator>, Path(id): Path<String>, body: Bytes) -> Response {
    let meta = match parse(&body) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    if emu.set_meta_out_of_band(&id, meta) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        unknown_org(&id).into_response()
    }
}

/// `POST /__emulator/organizations/{id}/accounts`: `{"name": str|null, "type"?}` → `{"id"}`,
/// or `{"count", "name_prefix"?, "type"?}` → `{"ids": […]}`.
async fn seed_accounts(
    State(emu): State<Emulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) => {
            return error(StatusCode::BAD_REQUEST, "body must be a JSON object").into_response()
        }
        Err(r) => return r.into_response(),
    };
    let run = || -> Result<Response, AdminError> {
        let kind = opt_str(&body, "type")?.unwrap_or("standard");
        let names: Vec<Option<String>> = match opt_count(&body)? {
            Some(count) => {
                let prefix = opt_str(&body, "name_prefix")?.unwrap_or("acct-");
                (1..=count).map(|i| Some(format!("{prefix}{i}"))).collect()
            }
            None => vec![opt_str(&body, "name")?.map(str::to_string)],
        };
        let single = opt_count(&body)?.is_none();
        let ids = lock(&emu.inner.store)
            .add_accounts(&id, names, kind)
            .ok_or_else(|| unknown_org(&id))?;
        Ok(if single {
            Json(json!({ "id": ids.first() })).into_response()
        } else {
            Json(json!({ "ids": ids })).into_response()
        })
    };
    run().unwrap_or_else(IntoResponse::into_response)
}

/// `DELETE /__emulator/organizations/{id}/accounts`: removes all of the org's accounts.
async fn clear_accounts(State(emu): State<Emulator>, Path(id): Path<String>) -> Response {
    match emu.remove_accounts_out_of_band(&id) {
        Some(n) => Json(json!({ "removed": n })).into_response(),
        None => unknown_org(&id).into_response(),
    }
}
