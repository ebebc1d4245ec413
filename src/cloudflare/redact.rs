//! Redaction of request and response bodies before they reach TRACE logs.
//!
//! Replaces, at any depth, the value of every key that names a credential or one of the
//! profile's personal fields. Everything else (ids, names, flags, error codes) stays
//! readable, since that is what a debugging user needs.

use serde_json::Value;

/// What a redacted value becomes.
pub(crate) const REDACTED: &str = "<redacted>";

/// Keys whose values are never logged (compared case-insensitively).
const SENSITIVE_KEYS: &[&str] = &[
    // profile: personal data
    "business_address",
    "business_email",
    "business_name",
    "business_phone",
    // credentials, should a body ever carry one
    "api_key",
    "api_token",
    "token",
    "key",
    "secret",
    "password",
    "authorization",
    "x-auth-key",
    "x-auth-email",
    "email",
];

fn is_sensitive(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    // Any other contact detail (e.g. an account's `abuse_contact_email`) is personal too.
    SENSITIVE_KEYS.contains(&lower.as_str()) || lower.ends_with("email") || lower.ends_with("phone")
}

/// A copy of `value` with every sensitive key's value replaced by `"<redacted>"`
/// (`null` and `""` are kept, since they carry no data and show the shape).
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_sensitive(k) && !matches!(v, Value::Null) && v != "" {
                        Value::String(REDACTED.to_string())
                    } else {
                        redact(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// A loggable rendering of a body: redacted compact JSON, or only its size when it isn't JSON
/// (a non-JSON body can't be redacted field by field, so it is never printed).
pub(crate) fn loggable_body(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => redact(&v).to_string(),
        Err(_) => format!("<{} bytes, not JSON>", bytes.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_profile_fields_at_any_depth() {
        let v = json!({
            "success": true,
            "result": [{
                "id": "org1",
                "name": "Acme",
                "profile": {
                    "business_email": "jane@example.com",
                    "business_phone": "+1 555 0100",
                    "business_address": {"line1": "1 Main St"},
                    "business_name": "Acme Corp",
                    "external_metadata": "{\"department\":\"IT\"}"
                }
            }],
            "api_token": "SECRET-MARKER",
            "settings": {"abuse_contact_email": "abuse@example.net", "enforce_twofactor": true},
            "nested": {"Authorization": "Bearer SECRET-MARKER", "empty": {"key": ""}}
        });
        let out = redact(&v).to_string();
        for secret in [
            "jane@example.com",
            "555",
            "1 Main St",
            "Acme Corp",
            "SECRET-MARKER",
            "abuse@example.net",
        ] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
        // Non-sensitive data stays readable.
        assert!(out.contains("org1") && out.contains("Acme") && out.contains("department"));
        assert_eq!(redact(&v)["settings"]["enforce_twofactor"], json!(true));
        assert_eq!(redact(&v)["nested"]["empty"]["key"], json!(""));
    }

    #[test]
    fn non_json_bodies_are_summarised_not_printed() {
        assert_eq!(
            loggable_body(b"<html>token=abc</html>"),
            "<22 bytes, not JSON>"
        );
        assert_eq!(loggable_body(b""), "");
    }
}
