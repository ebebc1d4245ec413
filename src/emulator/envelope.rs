//! The Cloudflare v4 response envelope and the error catalogue the emulator answers with.
//!
//! Every error the emulator can produce is built by one of the constructors on [`ApiError`], so the
//! table in the module docs of [`crate::emulator`] and the code cannot drift apart silently.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Error codes used by the emulator (see the table in the module docs of [`crate::emulator`]).
pub(crate) mod code {
    pub const INTERNAL: u32 = 10001;
    pub const UNAVAILABLE: u32 = 10013;
    pub const AUTH_ERROR: u32 = 10000;
    pub const INVALID_HEADERS: u32 = 6003;
    pub const MISSING_EMAIL: u32 = 6100;
    pub const MISSING_KEY: u32 = 6101;
    pub const BAD_AUTHORIZATION: u32 = 6111;
    pub const MISSING_CREDENTIALS: u32 = 9106;
    pub const BOTH_SCHEMES: u32 = 9109;
    pub const NO_ROUTE: u32 = 7000;
    pub const METHOD_NOT_ALLOWED: u32 = 7001;
    pub const NOT_FOUND: u32 = 7003;
    pub const MALFORMED_BODY: u32 = 1001;
    pub const INVALID_FIELD: u32 = 1002;
    pub const READ_ONLY_FIELD: u32 = 1003;
    pub const PARENT_CHANGE: u32 = 1004;
    pub const PARENT_NOT_FOUND: u32 = 1005;
    pub const TOO_DEEP: u32 = 1006;
    pub const INVALID_QUERY: u32 = 1007;
    pub const INVALID_PAGE_TOKEN: u32 = 1008;
    pub const ONE_ORG_PER_USER: u32 = 1009;
    pub const NOT_EMPTY: u32 = 1010;
    pub const RATE_LIMITED: u32 = 971;
}

/// An error answer: HTTP status, one Cloudflare `{code, message}` (optionally with an
/// `error_chain` of details, as the real API does for header problems), and optional
/// `Retry-After`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    pub chain: Vec<(u32, String)>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            chain: Vec::new(),
            retry_after: None,
        }
    }

    fn with_chain(mut self, code: u32, message: impl Into<String>) -> Self {
        self.chain.push((code, message.into()));
        self
    }

    /// 400 / 6003 "Invalid request headers" with one `error_chain` entry giving the detail.
    pub fn invalid_headers(detail_code: u32, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_HEADERS,
            "Invalid request headers",
        )
        .with_chain(detail_code, detail)
    }

    /// 403 / 10000 "Authentication error".
    pub fn auth_error() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            code::AUTH_ERROR,
            "Authentication error",
        )
    }

    /// 404 / 7000 for a path that is not part of the API.
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code::NO_ROUTE,
            "No route for that URI",
        )
    }

    /// 405 / 7001 for a known path with a method it does not serve.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            code::METHOD_NOT_ALLOWED,
            "Method not allowed",
        )
    }

    /// 404 / 7003 "Could not route to {path}, perhaps your object identifier is invalid?".
    pub fn not_found(api_path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code::NOT_FOUND,
            format!("Could not route to {api_path}, perhaps your object identifier is invalid?"),
        )
    }

    /// 404 / 7003 when an organization exists but has no profile.
    pub fn profile_not_found(org_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code::NOT_FOUND,
            format!("No profile exists for organization {org_id}"),
        )
    }

    /// A 400 with the given code.
    pub fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 429 / 971 with `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            code::RATE_LIMITED,
            "Please wait and consider throttling your request speed",
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// The error envelope: `{"success":false,"errors":[…],"messages":[],"result":null}`.
    pub fn body(&self) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if !self.chain.is_empty() {
            error["error_chain"] = self
                .chain
                .iter()
                .map(|(c, m)| json!({"code": c, "message": m}))
                .collect();
        }
        json!({"success": false, "errors": [error], "messages": [], "result": null})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, &self.body());
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The success envelope around `result`, with `result_info` when given (lists).
pub(crate) fn success(result: Value, result_info: Option<Value>) -> Value {
    let mut body = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(info) = result_info {
        body["result_info"] = info;
    }
    body
}

/// A JSON response with the given status.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The body Cloudflare's edge serves for a 502: HTML, not JSON, which clients must survive.
pub(crate) fn bad_gateway_html() -> Response {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n\
                </body>\r\n</html>\r\n";
    let mut response = (StatusCode::BAD_GATEWAY, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_envelope_shape_and_chain() {
        let e = ApiError::invalid_headers(code::MISSING_CREDENTIALS, "Missing headers");
        assert_eq!(
            e.body(),
            json!({"success": false, "errors": [{"code": 6003, "message": "Invalid request headers",
                "error_chain": [{"code": 9106, "message": "Missing headers"}]}],
                "messages": [], "result": null})
        );
    }

    #[test]
    fn success_body_only_carries_result_info_for_lists() {
        assert_eq!(
            success(json!({"id": "x"}), None),
            json!({"success": true, "errors": [], "messages": [], "result": {"id": "x"}})
        );
        let list = success(json!([]), Some(json!({"total_size": 0})));
        assert_eq!(list["result_info"], json!({"total_size": 0}));
    }
}
