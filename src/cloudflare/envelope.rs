//! The Cloudflare v4 response envelope (api.md §6), decoded in one place.
//!
//! `{"success": bool, "errors": [Message], "messages": [Message], "result": …, "result_info"?: {…}}`.
//! Missing `errors`/`messages` are empty; a missing `result` is `null`. Message items are read
//! tolerantly: a string code is parsed, a missing code is 0, a bare string is a message.

use serde_json::Value;

use super::error::ApiMessage;

/// `result_info` of a list response (cursor pagination, api.md §4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResultInfo {
    /// Cursor of the next page; `None` when absent, `null` or `""` (the end).
    pub next_page_token: Option<String>,
}

/// A decoded envelope.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Envelope {
    /// `success`, if present and a boolean.
    pub success: Option<bool>,
    /// `errors` items.
    pub errors: Vec<ApiMessage>,
    /// `result` (`Value::Null` when absent).
    pub result: Value,
    /// `result_info`, if present and an object.
    pub result_info: Option<ResultInfo>,
}

impl Envelope {
    /// Parse a body. `None` when it is not a JSON object carrying at least one of
    /// `success`, `errors` or `result` (i.e. not something Cloudflare's API produced).
    pub(crate) fn parse(body: &[u8]) -> Option<Envelope> {
        let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        if !(map.contains_key("success")
            || map.contains_key("errors")
            || map.contains_key("result"))
        {
            return None;
        }
        let success = map.get("success").and_then(Value::as_bool);
        let errors = map.get("errors").map(messages).unwrap_or_default();
        let result_info = match map.get("result_info") {
            Some(Value::Object(info)) => Some(ResultInfo {
                next_page_token: match info.get("next_page_token") {
                    Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                    _ => None,
                },
            }),
            _ => None,
        };
        let result = map.remove("result").unwrap_or(Value::Null);
        Some(Envelope {
            success,
            errors,
            result,
            result_info,
        })
    }

    /// True when this is a Cloudflare *error* envelope: `success: false` or a non-empty `errors`.
    pub(crate) fn is_error(&self) -> bool {
        self.success == Some(false) || !self.errors.is_empty()
    }
}

/// Tolerant decode of an `errors`/`messages` array.
fn messages(v: &Value) -> Vec<ApiMessage> {
    let Value::Array(items) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::Object(m) => Some(ApiMessage {
                code: match m.get("code") {
                    Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                    Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
                    _ => 0,
                },
                message: match m.get("message") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                },
            }),
            Value::String(s) => Some(ApiMessage {
                code: 0,
                message: s.clone(),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Option<Envelope> {
        Envelope::parse(v.to_string().as_bytes())
    }

    #[test]
    fn decodes_success_and_list_info() {
        let e = parse(json!({"success": true, "result": [1], "result_info": {"next_page_token": "t2", "total_size": 9}}))
            .unwrap_or_default();
        assert_eq!(e.success, Some(true));
        assert!(e.errors.is_empty());
        assert_eq!(e.result, json!([1]));
        assert_eq!(
            e.result_info.unwrap_or_default().next_page_token.as_deref(),
            Some("t2")
        );
    }

    #[test]
    fn end_of_pages_is_absent_null_or_empty() {
        for info in [
            json!({}),
            json!({"next_page_token": null}),
            json!({"next_page_token": ""}),
        ] {
            let e = parse(json!({"success": true, "result": [], "result_info": info}))
                .unwrap_or_default();
            assert_eq!(e.result_info.unwrap_or_default().next_page_token, None);
        }
    }

    #[test]
    fn decodes_errors_tolerantly() {
        let e = parse(json!({"success": false, "errors": [
            {"code": 10000, "message": "Authentication error"},
            {"code": "1001", "message": "x", "documentation_url": "u", "source": {"pointer": "/a"}},
            "plain"
        ]}))
        .unwrap_or_default();
        assert!(e.is_error());
        assert_eq!(e.errors.len(), 3);
        assert_eq!(e.errors[1].code, 1001);
        assert_eq!(e.errors[2].message, "plain");
        assert_eq!(e.result, Value::Null);
    }

    #[test]
    fn rejects_non_envelopes() {
        assert_eq!(Envelope::parse(b"<html>404</html>"), None);
        assert_eq!(Envelope::parse(b"{\"message\": \"Not Found\"}"), None);
        assert_eq!(Envelope::parse(b"[]"), None);
    }
}
