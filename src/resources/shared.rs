//! What the resources and data sources share: the configured client, API errors rendered as
//! diagnostics, and the organization object's nested shapes (`parent`, `profile`, `meta`) as schema
//! attributes and as values.

use crate::cloudflare::{self, ErrorKind, Flags, Meta, Organization, Parent, Profile};
use crate::framework::{Attribute, AttributePath, Ctx, Diagnostics, Type, Value};

/// The five profile attributes, in schema order, with their descriptions.
pub const PROFILE_FIELDS: [(&str, &str); 5] = [
    ("business_address", "Business address, as free text or a JSON-encoded address object. Sent and stored verbatim (never reformatted)."),
    ("business_email", "Business contact email address."),
    ("business_name", "Legal business name."),
    ("business_phone", "Business phone number."),
    ("external_metadata", "Free-form metadata, usually a JSON string such as `{\"department\":\"IT\"}`. Sent and stored verbatim."),
];

/// The five `meta.flags` keys.
pub const FLAG_FIELDS: [&str; 5] = [
    "account_creation",
    "account_deletion",
    "account_migration",
    "account_mobility",
    "sub_org_creation",
];

/// The configured REST client, or an error diagnostic when the provider has not been configured.
pub fn client<'a>(ctx: &'a Ctx, diags: &mut Diagnostics) -> Option<&'a cloudflare::Client> {
    let c = ctx
        .provider_data
        .as_ref()
        .and_then(|d| d.downcast_ref::<cloudflare::Client>());
    if c.is_none() {
        diags.error(
            "Provider Not Configured",
            "The cloudflare-orgs provider has no API client yet. Make sure every provider argument is known, and report this if it persists.",
        );
    }
    c
}

/// Renders an API error as a diagnostic: `summary` names the action (e.g. "Unable to Create
/// Organization"); the detail says what happened, what to do, and ends with the API's `code: message`.
pub fn api_error_diag(diags: &mut Diagnostics, summary: &str, err: &cloudflare::Error) {
    api_error_diag_at(diags, None, summary, err);
}

/// Like [`api_error_diag`], pointing at an attribute.
pub fn api_error_diag_at(
    diags: &mut Diagnostics,
    path: Option<AttributePath>,
    summary: &str,
    err: &cloudflare::Error,
) {
    let what = match err.kind() {
        ErrorKind::Cancelled => {
            "The operation was cancelled because Terraform is stopping.".to_string()
        }
        ErrorKind::OutcomeUnknown => {
            "The request may or may not have taken effect: the connection failed after it was sent."
                .to_string()
        }
        ErrorKind::RateLimited => "The Cloudflare API rate limit was reached.".to_string(),
        ErrorKind::Timeout => "The request to the Cloudflare API timed out.".to_string(),
        ErrorKind::Transport => "The Cloudflare API could not be reached.".to_string(),
        _ => match err.status() {
            Some(s) => format!("The Cloudflare API answered HTTP {s}."),
            None => "The Cloudflare API request failed.".to_string(),
        },
    };
    let mut detail = what;
    if let Some(h) = err.hint() {
        detail.push_str("\n\n");
        detail.push_str(&h);
    }
    detail.push_str(&format!("\n\nRequest: {} {}", err.method(), err.path()));
    if let Some(ray) = err.ray_id() {
        detail.push_str(&format!(" (cf-ray {ray})"));
    }
    for e in err.api_errors() {
        detail.push_str(&format!("\n{}: {}", e.code, e.message));
    }
    if err.api_errors().is_empty() {
        detail.push_str(&format!("\n{err}"));
    }
    match path {
        Some(p) => diags.error_at(p, summary, detail),
        None => diags.error(summary, detail),
    }
}

/// Checks an ID attribute's known value: non-empty, no `/`, `?`, `#` or whitespace (it goes into a URL
/// path). Not stricter than the API: the format is otherwise free (the docs' examples are not hex).
pub fn validate_id(value: &Value, path: AttributePath, what: &str, diags: &mut Diagnostics) {
    if let Some(s) = value.as_str() {
        if let Some(problem) = id_problem(s) {
            diags.error_at(
                path,
                format!("Invalid {what}"),
                format!("{problem} A {what} is the identifier Cloudflare shows for the object (32 hexadecimal characters in practice), for example 023e105f4ecef8ad9ca31a8372d0c353."),
            );
        }
    }
}

/// Why `s` cannot be an object ID, or `None` when it can.
pub fn id_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        Some("The ID is empty.".to_string())
    } else if s
        .chars()
        .any(|c| c == '/' || c == '?' || c == '#' || c == '%' || c.is_whitespace())
    {
        Some(format!(
            "The ID {s:?} contains a character that cannot appear in an ID (/, ?, #, % or white space)."
        ))
    } else {
        None
    }
}

/// Checks a known string is not empty.
pub fn validate_not_empty(value: &Value, path: AttributePath, what: &str, diags: &mut Diagnostics) {
    if value.as_str().is_some_and(|s| s.trim().is_empty()) {
        diags.error_at(
            path,
            format!("Invalid {what}"),
            format!("The {what} must not be empty: the Cloudflare API rejects an empty value."),
        );
    }
}

/// Schema attributes of the five profile strings, with `mode` applied to each.
pub fn profile_attributes(mode: fn(Attribute) -> Attribute) -> Vec<Attribute> {
    PROFILE_FIELDS
        .iter()
        .map(|(name, desc)| mode(Attribute::string(name).description(desc)))
        .collect()
}

/// The computed `meta` attribute (read-only organization metadata).
pub fn meta_attribute() -> Attribute {
    let flags = FLAG_FIELDS
        .iter()
        .map(|f| {
            Attribute::string(f)
                .computed()
                .description(&format!("Setting of the `{f}` capability, as the API reports it (a free string such as `enabled`)."))
        })
        .collect();
    Attribute::object(
        "meta",
        vec![
            Attribute::object("flags", flags)
                .computed()
                .description("Capability flags of the organization (read from `meta.flags`, or from `meta.tenant_flags` on newer API versions)."),
            Attribute::typed("hierarchy_tags", Type::list(Type::String))
                .computed()
                .description("Hierarchy tags from the root organization down to this one: `[root, …, parent, self]`. Order is significant and kept as the API returns it."),
            Attribute::string("managed_by")
                .computed()
                .description("Who manages the organization, as the API reports it."),
        ],
    )
    .computed()
    .description("Read-only metadata the API keeps about the organization.")
}

/// A profile DTO as a value of the profile object type.
pub fn profile_value(p: &Profile) -> Value {
    Value::object([
        ("business_address", Value::string(&p.business_address)),
        ("business_email", Value::string(&p.business_email)),
        ("business_name", Value::string(&p.business_name)),
        ("business_phone", Value::string(&p.business_phone)),
        ("external_metadata", Value::string(&p.external_metadata)),
    ])
}

/// A profile DTO from a known profile object value; `None` when the value is null, unknown or partial.
pub fn profile_from_value(v: &Value) -> Option<Profile> {
    let get = |k: &str| v.get(k).as_str().map(str::to_string);
    Some(Profile {
        business_address: get("business_address")?,
        business_email: get("business_email")?,
        business_name: get("business_name")?,
        business_phone: get("business_phone")?,
        external_metadata: get("external_metadata")?,
    })
}

/// `parent` as a value: `{id, name}` or null for a root organization.
pub fn parent_value(p: Option<&Parent>) -> Value {
    match p {
        Some(p) => Value::object([
            ("id", Value::string(&p.id)),
            ("name", Value::opt_string(p.name.clone())),
        ]),
        None => Value::Null,
    }
}

fn flags_value(f: Option<&Flags>) -> Value {
    match f {
        Some(f) => Value::object([
            (
                "account_creation",
                Value::opt_string(f.account_creation.clone()),
            ),
            (
                "account_deletion",
                Value::opt_string(f.account_deletion.clone()),
            ),
            (
                "account_migration",
                Value::opt_string(f.account_migration.clone()),
            ),
            (
                "account_mobility",
                Value::opt_string(f.account_mobility.clone()),
            ),
            (
                "sub_org_creation",
                Value::opt_string(f.sub_org_creation.clone()),
            ),
        ]),
        None => Value::Null,
    }
}

/// `meta` as a value (null when the API sent none).
pub fn meta_value(m: Option<&Meta>) -> Value {
    match m {
        Some(m) => Value::object([
            ("flags", flags_value(m.flags.as_ref())),
            (
                "hierarchy_tags",
                match &m.hierarchy_tags {
                    Some(tags) => Value::List(tags.iter().map(Value::string).collect()),
                    None => Value::Null,
                },
            ),
            ("managed_by", Value::opt_string(m.managed_by.clone())),
        ]),
        None => Value::Null,
    }
}

/// The computed fields every organization object shares (`id`, `name`, `create_time`, `parent`,
/// `meta`) plus the given `profile` value.
pub fn organization_fields(org: &Organization, profile: Value) -> Vec<(&'static str, Value)> {
    vec![
        ("id", Value::string(&org.id)),
        ("name", Value::string(&org.name)),
        ("create_time", Value::opt_string(org.create_time.clone())),
        ("parent", parent_value(org.parent.as_ref())),
        ("profile", profile),
        ("meta", meta_value(org.meta.as_ref())),
    ]
}
