//! Request and response bodies of the Organizations endpoints (api.md §5).
//!
//! Decoding is tolerant because the API is in beta: unknown keys are ignored, a missing or
//! `null` optional key becomes `None`, `null` where an object is expected becomes `None`, and
//! flag values are free strings. Encoding never sends `null`: `None` keys are left out.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// An organization, as returned by `GET/POST/PUT /organizations[/{id}]` and the list.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Organization {
    /// Organization id (32 hex characters in practice; never validated).
    pub id: String,
    /// Display name; the only field the org PUT changes.
    pub name: String,
    /// RFC 3339 creation time (read-only), passed through verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Parent organization; `None` for a root organization (key absent, `null`, or without an id).
    #[serde(
        default,
        deserialize_with = "parent_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent: Option<Parent>,
    /// Profile, when the server echoes one (GET may not: read `GET …/profile` then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// Read-only metadata; any part may be missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `parent` of an [`Organization`].
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Parent {
    /// Parent organization id.
    pub id: String,
    /// Parent's name (read-only; never sent back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `{ "id": … }`: how requests refer to a parent organization.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParentRef {
    /// Parent organization id.
    pub id: String,
}

/// The organization profile ("customer identification data"): five opaque strings.
///
/// Serialized with all five keys (the API requires all of them). Deserialized with `null`
/// or a missing key as `""`, and a non-string value (e.g. an address sent as a JSON object)
/// as its compact JSON text. Never reformatted. `Debug` redacts the four personal fields.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// Free text, or a JSON-encoded address object; opaque.
    #[serde(default, deserialize_with = "string_or_json")]
    pub business_address: String,
    /// Business contact email.
    #[serde(default, deserialize_with = "string_or_json")]
    pub business_email: String,
    /// Legal business name.
    #[serde(default, deserialize_with = "string_or_json")]
    pub business_name: String,
    /// Business phone number.
    #[serde(default, deserialize_with = "string_or_json")]
    pub business_phone: String,
    /// A JSON string such as `{"department":"IT"}`; opaque.
    #[serde(default, deserialize_with = "string_or_json")]
    pub external_metadata: String,
}

impl Profile {
    /// True when every field is empty: the API's way (possibly) of saying "no profile".
    pub fn is_empty(&self) -> bool {
        self.business_address.is_empty()
            && self.business_email.is_empty()
            && self.business_name.is_empty()
            && self.business_phone.is_empty()
            && self.external_metadata.is_empty()
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn r(s: &str) -> &str {
            if s.is_empty() {
                ""
            } else {
                "<redacted>"
            }
        }
        f.debug_struct("Profile")
            .field("business_address", &r(&self.business_address))
            .field("business_email", &r(&self.business_email))
            .field("business_name", &r(&self.business_name))
            .field("business_phone", &r(&self.business_phone))
            .field("external_metadata", &self.external_metadata)
            .finish()
    }
}

/// `meta` of an [`Organization`] (read-only).
///
/// `flags` is filled from `meta.flags`, or when that is absent or `null`, from
/// `meta.tenant_flags` (the five shared keys). Other keys are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "RawMeta")]
pub struct Meta {
    /// Capability flags (free strings, no enum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Flags>,
    /// Who manages the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// Tags from the root down to this organization: `[rootTag, …, parentTag, selfTag]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hierarchy_tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawMeta {
    #[serde(default)]
    flags: Option<Flags>,
    #[serde(default)]
    tenant_flags: Option<Flags>,
    #[serde(default, deserialize_with = "opt_string")]
    managed_by: Option<String>,
    #[serde(default, deserialize_with = "opt_string_vec")]
    hierarchy_tags: Option<Vec<String>>,
}

impl From<RawMeta> for Meta {
    fn from(raw: RawMeta) -> Meta {
        Meta {
            // An empty `flags: {}` next to a filled `tenant_flags` defers to the latter.
            flags: match raw.flags {
                Some(f) if f != Flags::default() => Some(f),
                f => raw.tenant_flags.or(f),
            },
            managed_by: raw.managed_by,
            hierarchy_tags: raw.hierarchy_tags,
        }
    }
}

/// The five flags shared by `meta.flags` and `meta.tenant_flags`. Values are free strings;
/// a boolean or number is kept as its text.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Flags {
    /// Whether accounts may be created in the organization.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_creation: Option<String>,
    /// Whether accounts may be deleted.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_deletion: Option<String>,
    /// Whether accounts may be migrated.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_migration: Option<String>,
    /// Whether accounts may move between organizations.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_mobility: Option<String>,
    /// Whether sub-organizations may be created.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sub_org_creation: Option<String>,
}

/// Body of `POST /organizations`. `None` keys are omitted, never sent as `null`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrganizationCreate {
    /// Organization name (required).
    pub name: String,
    /// Parent organization, for a sub-organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentRef>,
    /// Initial profile (all five keys are sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

/// Body of `PUT /organizations/{id}`: the writable fields only (no id, meta, profile or parent name).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrganizationUpdate {
    /// New name.
    pub name: String,
    /// Current parent (the API ignores or rejects a change; resources plan a replace instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentRef>,
}

/// Filters of `GET /organizations` (api.md §3). Every page request repeats them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OrganizationFilter {
    /// Exact ids, sent as repeated `id=`.
    pub ids: Vec<String>,
    /// `name.contains` (case-insensitive).
    pub name_contains: Option<String>,
    /// `name.startsWith` (case-insensitive).
    pub name_starts_with: Option<String>,
    /// `name.endsWith` (case-insensitive).
    pub name_ends_with: Option<String>,
    /// `name`: exact name (in the spec, though the SDKs drop it).
    pub name: Option<String>,
    /// `parent.id`: an org id, or the literal string `"null"` for root organizations.
    pub parent_id: Option<String>,
    /// `containing.account`: organizations containing this account id.
    pub containing_account: Option<String>,
    /// `containing.organization`: organizations containing this organization id.
    pub containing_organization: Option<String>,
    /// `containing.user`: organizations containing this user id (implies no privilege).
    pub containing_user: Option<String>,
    /// Per-request page size hint, clamped to 1..=1000 (default 1000, or fewer when `max_items` is near).
    pub page_size: Option<u32>,
    /// Cursor to start from instead of the first page.
    pub page_token: Option<String>,
}

/// Filters of `GET /organizations/{id}/accounts` (api.md §3). Every page request repeats them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AccountFilter {
    /// `name`: exact account name (case-insensitive).
    pub name: Option<String>,
    /// `name.contains`.
    pub name_contains: Option<String>,
    /// `name.startsWith`.
    pub name_starts_with: Option<String>,
    /// `name.endsWith`.
    pub name_ends_with: Option<String>,
    /// `account_pubname` (deprecated in the spec).
    pub account_pubname: Option<String>,
    /// `account_pubname.contains` (deprecated).
    pub account_pubname_contains: Option<String>,
    /// `account_pubname.startsWith` (deprecated).
    pub account_pubname_starts_with: Option<String>,
    /// `account_pubname.endsWith` (deprecated).
    pub account_pubname_ends_with: Option<String>,
    /// `order_by`, e.g. `account_name` (default order: internal account id).
    pub order_by: Option<String>,
    /// `direction`: `asc` or `desc`.
    pub direction: Option<String>,
    /// Per-request page size hint, clamped to 1..=1000.
    pub page_size: Option<u32>,
    /// Cursor to start from instead of the first page.
    pub page_token: Option<String>,
}

/// An account inside an organization (`GET /organizations/{id}/accounts`).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Account {
    /// Account id.
    pub id: String,
    /// Account name (nullable in the API).
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// `standard` or `enterprise`; unknown values are kept verbatim, missing → `""`.
    #[serde(rename = "type", default, deserialize_with = "string_or_json")]
    pub r#type: String,
    /// RFC 3339 creation time.
    #[serde(default, deserialize_with = "opt_string")]
    pub created_on: Option<String>,
    /// Account settings; every key nullable.
    #[serde(default)]
    pub settings: Option<AccountSettings>,
}

/// `settings` of an [`Account`]; every key is nullable.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountSettings {
    /// Abuse contact email.
    #[serde(default, deserialize_with = "opt_string")]
    pub abuse_contact_email: Option<String>,
    /// RFC 3339 time until which access approval lasts.
    #[serde(default, deserialize_with = "opt_string")]
    pub access_approval_expiry: Option<String>,
    /// Whether API access is enabled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub api_access_enabled: Option<bool>,
    /// Default nameservers (deprecated).
    #[serde(default, deserialize_with = "opt_string")]
    pub default_nameservers: Option<String>,
    /// Whether 2FA is enforced.
    #[serde(default, deserialize_with = "opt_bool")]
    pub enforce_twofactor: Option<bool>,
    /// Whether account custom nameservers are the default (deprecated).
    #[serde(default, deserialize_with = "opt_bool")]
    pub use_account_custom_ns_by_default: Option<bool>,
}

/// `null`/missing → `""`; string → itself; anything else → its compact JSON text.
fn string_or_json<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    })
}

/// `null` → `None`; string → itself; bool/number → its text; object/array → `None`.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// `null` → `None`; bool → itself; `"true"`/`"false"` → the bool; anything else → `None`.
fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// `null` → `None`; an array → its string items (non-strings as JSON text); anything else → `None`.
fn opt_string_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
        ),
        _ => None,
    })
}

/// `null`, a non-object, or an object without a non-empty string `id` → `None`.
fn parent_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Parent>, D::Error> {
    let Value::Object(map) = Value::deserialize(d)? else {
        return Ok(None);
    };
    let id = match map.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Ok(None),
    };
    let name = match map.get("name") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(Some(Parent { id, name }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meta_takes_flags_then_tenant_flags() {
        let m: Meta = serde_json::from_value(json!({
            "tenant_flags": {"account_creation": "enabled", "member_management": "x"},
            "managed_by": "me", "extra": 1
        }))
        .unwrap();
        assert_eq!(
            m.flags.unwrap().account_creation.as_deref(),
            Some("enabled")
        );
        let m: Meta = serde_json::from_value(json!({"flags": null})).unwrap();
        assert_eq!(m, Meta::default());
        let m: Meta = serde_json::from_value(json!({
            "flags": {"sub_org_creation": true}, "tenant_flags": {"sub_org_creation": "no"}
        }))
        .unwrap();
        assert_eq!(m.flags.unwrap().sub_org_creation.as_deref(), Some("true"));
    }

    #[test]
    fn organization_decodes_tolerantly() {
        let o: Organization = serde_json::from_value(json!({
            "id": "a", "name": "n", "parent": {}, "profile": null, "meta": null, "new_key": [1]
        }))
        .unwrap();
        assert_eq!(o.parent, None);
        assert_eq!(o.profile, None);
        assert_eq!(o.meta, None);
        let o: Organization = serde_json::from_value(json!({
            "id": "a", "name": "n", "parent": {"id": "p", "name": null},
            "profile": {"business_address": {"line1": "x"}, "business_email": null}
        }))
        .unwrap();
        assert_eq!(
            o.parent,
            Some(Parent {
                id: "p".into(),
                name: None
            })
        );
        let p = o.profile.unwrap();
        assert_eq!(p.business_address, r#"{"line1":"x"}"#);
        assert_eq!(p.business_email, "");
    }

    #[test]
    fn create_body_omits_none_and_sends_full_profile() {
        let body = OrganizationCreate {
            name: "n".into(),
            parent: None,
            profile: Some(Profile::default()),
        };
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(
            v,
            json!({"name": "n", "profile": {"business_address": "", "business_email": "",
                "business_name": "", "business_phone": "", "external_metadata": ""}})
        );
        let v = serde_json::to_value(OrganizationUpdate {
            name: "n".into(),
            parent: Some(ParentRef { id: "p".into() }),
        })
        .unwrap();
        assert_eq!(v, json!({"name": "n", "parent": {"id": "p"}}));
    }

    #[test]
    fn profile_debug_redacts_personal_fields() {
        let p = Profile {
            business_email: "jane@example.com".into(),
            business_phone: "+1 555".into(),
            ..Profile::default()
        };
        let s = format!("{p:?}");
        assert!(!s.contains("jane@"));
        assert!(!s.contains("555"));
    }

    #[test]
    fn account_keeps_unknown_type() {
        let a: Account = serde_json::from_value(json!({
            "id": "1", "name": null, "type": "partner", "settings": {"enforce_twofactor": null}
        }))
        .unwrap();
        assert_eq!(a.r#type, "partner");
        assert_eq!(a.name, None);
        assert_eq!(a.settings.unwrap().enforce_twofactor, None);
    }
}
