//! What the resources and data sources share: the configured client, API errors rendered as
//! diagnostics, and the organization object's nested shapes (`parent`, `profile`, `meta`) as schema
//! attributes and as values.

use crate::cloudflare::{self, ErrorKind, Flags, Meta, Organization, Parent, Profile};
use crate::framework::{Attribute, AttributePath, Ctx, Diagnostics, Type, Value};

/// The five profile attributes, in schema order, with their descriptions.
pub const PROFILE_FIELDS: [(&str, &str); 5] = [
    ("business_address", "Business address, as free text or a JSON-encoded address object, kept verbatim (never reformatted)."),
    ("business_email", "Business contact email address."),
    ("business_name", "Legal business name."),
    ("business_phone", "Business phone number."),
    ("external_metadata", "Free-form metadata, usually a JSON string such as `{\"department\":\"IT\"}`, kept verbatim."),
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
        ErrorKind::OutcomeUnknown => match err.status() {
            Some(s) => format!("The API answered HTTP {s} after the request was sent, so it may or may not have taken effect."),
            None => "The request may or may not have taken effect: the connection failed after it was sent.".to_string(),
        },
        ErrorKind::RateLimited => "The Cloudflare API rate limit was reached.".to_string(),
        ErrorKind::Timeout => match err.status() {
            Some(s) => format!("The API kept answering HTTP {s} while the provider waited for a new organization to become accessible (permissions propagate for a while after create). If the organization ID is right, retry later; if not, fix it."),
            None => "The request to the Cloudflare API timed out.".to_string(),
        },
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

/// `GET /organizations/{id}` and the organization's profile: from that answer when it has one, else
/// `GET /organizations/{id}/profile` (whose "none" — 404 or all empty — gives null). `Ok(None)` when
/// the organization does not exist (an authoritative 404).
pub async fn fetch_organization(
    client: &cloudflare::Client,
    id: &str,
) -> Result<Option<(Organization, Value)>, cloudflare::Error> {
    let org = match client.get_organization(id).await {
        Ok(o) => o,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let profile = match &org.profile {
        Some(p) => profile_value(p),
        None => client
            .get_profile(&org.id)
            .await?
            .map_or(Value::Null, |p| profile_value(&p)),
    };
    Ok(Some((org, profile)))
}

/// The error for an organization ID the API does not know: "Organization Not Found", naming `id`,
/// at `path` when one attribute holds it.
pub fn organization_not_found(diags: &mut Diagnostics, path: Option<AttributePath>, id: &str) {
    let detail = format!("The Cloudflare API has no organization with ID {id:?} (HTTP 404), or these credentials cannot see it. Check the ID, for example with the cloudflare_organizations data source.");
    match path {
        Some(p) => diags.error_at(p, "Organization Not Found", detail),
        None => diags.error("Organization Not Found", detail),
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
                format!("{problem} The {what} is the identifier Cloudflare shows for the object (32 hexadecimal characters in practice), for example 023e105f4ecef8ad9ca31a8372d0c353."),
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
            format!(
                "The {what} must not be empty or only white space: the Cloudflare API rejects it."
            ),
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

/// The read-only attributes of an organization as data sources expose it (`name`, `create_time`,
/// `meta`, `parent`, `profile`); callers add `id` with their own wording. `profile_description`
/// says where the profile comes from in that data source.
pub fn computed_organization_attributes(profile_description: &str) -> Vec<Attribute> {
    vec![
        Attribute::string("name")
            .computed()
            .description("Organization name."),
        Attribute::string("create_time")
            .computed()
            .description("When the organization was created (RFC 3339)."),
        meta_attribute(),
        Attribute::object(
            "parent",
            vec![
                Attribute::string("id")
                    .computed()
                    .description("ID of the parent organization."),
                Attribute::string("name")
                    .computed()
                    .description("Name of the parent organization."),
            ],
        )
        .computed()
        .description("Parent organization; null for a root organization."),
        Attribute::object("profile", profile_attributes(Attribute::computed))
            .computed()
            .description(profile_description),
    ]
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

/// True when two profile strings mean the same: equal, equal as JSON documents (key order and white
/// space aside: `business_address` and `external_metadata` are often JSON), or both empty (`""`, `{}`,
/// `null` — some API versions drop empty values or answer `{}` for "none").
pub fn profile_strings_equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let blank = |s: &str| matches!(s.trim(), "" | "{}" | "null");
    if blank(a) && blank(b) {
        return true;
    }
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x.is_object() && x == y,
        _ => false,
    }
}

/// A profile as read from the API, with each field that only differs from `prior` by normalisation
/// (see [`profile_strings_equivalent`]) kept as it was in state — so a server that reorders JSON keys
/// or drops empty values causes no perpetual diff, while a real change still shows as drift.
pub fn reconcile_profile(prior: &Value, read: Value) -> Value {
    let Value::Object(mut fields) = read else {
        return read;
    };
    for (name, _) in PROFILE_FIELDS {
        let (Some(old), Some(new)) = (
            prior.get(name).as_str(),
            fields.get(name).and_then(Value::as_str),
        ) else {
            continue;
        };
        if old != new && profile_strings_equivalent(old, new) {
            tracing::debug!(
                field = name,
                "profile field differs from state only by normalisation; keeping the state's value"
            );
            fields.insert(name.to_string(), Value::string(old));
        }
    }
    Value::Object(fields)
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

// ---------------------------------------------------------------------------------------------------
// Organization list filters: shared by the `cloudflare_organizations` data source, the `filter` of the
// `cloudflare_organization` data source and the `cloudflare_organization` list resource.
// ---------------------------------------------------------------------------------------------------

/// The `GET /organizations` filter attributes (all optional): `id`, `containing`, `name`, `parent`,
/// `page_size` and `page_token`. Wire names are mapped by the client (`name.starts_with` →
/// `name.startsWith`).
pub fn organization_filter_attributes() -> Vec<Attribute> {
    let text = |name: &str, desc: &str| Attribute::string(name).optional().description(desc);
    vec![
        Attribute::typed("id", Type::list(Type::String))
            .optional()
            .description("Only organizations with one of these IDs (sent as a repeated `id` query parameter)."),
        Attribute::object(
            "containing",
            vec![
                text("account", "Only organizations that contain the account with this ID."),
                text("organization", "Only organizations that contain the organization with this ID."),
                text("user", "Only organizations that contain the user with this ID; \"containing\" a user means the organization manages that user, and implies no privilege to manage anything in it."),
            ],
        )
        .optional()
        .description("Only organizations that contain the given account, organization or user (every set field must match)."),
        Attribute::object("name", name_filter_attributes("organization", false))
            .optional()
            .description("Case-insensitive filters on the organization name (every set field must match)."),
        Attribute::object(
            "parent",
            vec![text("id", "Only sub-organizations of the organization with this ID; the literal string `\"null\"` selects root organizations (those without a parent).")],
        )
        .optional()
        .description("Only sub-organizations of a given parent, or only root organizations."),
        page_size_attribute("organizations"),
        page_token_attribute(),
    ]
}

/// The `{contains, ends_with, starts_with}` name filter attributes (plus `equals` when `with_equals`),
/// for objects called `what` (e.g. "organization").
pub fn name_filter_attributes(what: &str, with_equals: bool) -> Vec<Attribute> {
    let mut attrs = vec![Attribute::string("contains")
        .optional()
        .description(&format!(
            "Only {what}s whose name contains this string (case-insensitive)."
        ))];
    attrs.push(
        Attribute::string("ends_with")
            .optional()
            .description(&format!(
                "Only {what}s whose name ends with this string (case-insensitive)."
            )),
    );
    if with_equals {
        attrs.push(
            Attribute::string("equals")
                .optional()
                .description(&format!("Only {what}s whose name is exactly this string (case-insensitive); sent as the API's plain `name` query parameter.")),
        );
    }
    attrs.push(
        Attribute::string("starts_with")
            .optional()
            .description(&format!(
                "Only {what}s whose name starts with this string (case-insensitive)."
            )),
    );
    attrs
}

/// The optional `page_size` attribute of a list of `what` (a per-request hint, 0–1000).
pub fn page_size_attribute(what: &str) -> Attribute {
    Attribute::number("page_size")
        .optional()
        .description(&format!("How many {what} to request per API call (1–1000; 0 or unset lets the provider choose); only a performance hint, since the provider reads every page it needs."))
}

/// The optional, deprecated `page_token` attribute (a starting cursor).
pub fn page_token_attribute() -> Attribute {
    Attribute::string("page_token")
        .optional()
        .deprecated("The provider follows every page itself; `page_token` only sets where listing starts and will be removed in a future major version.")
        .description("Opaque cursor from an earlier API response: listing starts at that page instead of the first one.")
}

/// The optional `max_items` attribute of a list of `what`.
pub fn max_items_attribute(what: &str) -> Attribute {
    Attribute::number("max_items")
        .optional()
        .description(&format!("Stop after this many {what}; unset, 0 or less returns every match (the provider reads as many pages as needed)."))
}

/// Checks the known values of the filter attributes in `filter` (an object of
/// [`organization_filter_attributes`]) at `base`: `page_size` range and `parent.id`.
pub fn validate_organization_filter(filter: &Value, base: &AttributePath, diags: &mut Diagnostics) {
    validate_page_size(filter.get("page_size"), base.child("page_size"), diags);
    // `parent = { id = var.x }` with x null would silently list every organization.
    if let Value::Object(_) = filter.get("parent") {
        if filter.get("parent").get("id").is_null() {
            diags.error_at(
                base.child("parent").child("id"),
                "Missing Parent Organization ID",
                "`parent` is set but its `id` is null, which would match every organization. Set `id` to an organization ID, or to the string \"null\" for root organizations, or leave out `parent` (for example `parent = var.parent_id == null ? null : { id = var.parent_id }`).",
            );
        }
    }
    validate_id(
        filter.get("parent").get("id"),
        base.child("parent").child("id"),
        "Parent Organization ID",
        diags,
    );
}

/// Checks a known `page_size`: a whole number from 0 to 1000.
pub fn validate_page_size(value: &Value, path: AttributePath, diags: &mut Diagnostics) {
    let Value::Number(n) = value else {
        return;
    };
    if !n.as_i64().is_some_and(|n| (0..=MAX_PAGE_SIZE).contains(&n)) {
        diags.error_at(
            path,
            "Invalid Page Size",
            format!("page_size must be a whole number from 0 to {MAX_PAGE_SIZE} (the API's maximum), got {n}. It is only a per-request hint: leave it unset to let the provider choose."),
        );
    }
}

/// Checks a known `max_items`: a whole number.
pub fn validate_max_items(value: &Value, path: AttributePath, diags: &mut Diagnostics) {
    if let Value::Number(n) = value {
        if n.as_i64().is_none() {
            diags.error_at(
                path,
                "Invalid Maximum Item Count",
                format!("max_items must be a whole number, got {n}. Leave it unset (or 0) to read every match."),
            );
        }
    }
}

/// The API's largest page size.
/// The API's largest `page_size`, as the client knows it.
const MAX_PAGE_SIZE: i64 = cloudflare::MAX_PAGE_SIZE as i64;

/// A known, non-empty string attribute of `v` (empty strings filter nothing, so they are not sent).
pub fn filter_string(v: &Value, name: &str) -> Option<String> {
    v.get(name)
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The per-request page size hint: `None` when unset or 0.
pub fn page_size_hint(v: &Value) -> Option<u32> {
    v.as_i64()
        .filter(|n| *n > 0)
        .and_then(|n| u32::try_from(n).ok())
}

/// `max_items` as the client's limit: `None` (every item) when unset or ≤ 0.
pub fn max_items_limit(v: &Value) -> Option<usize> {
    v.as_i64()
        .filter(|n| *n > 0)
        .and_then(|n| usize::try_from(n).ok())
}

/// The client filter from a filter object (attributes of [`organization_filter_attributes`]); null or
/// unset attributes filter nothing.
pub fn organization_filter(filter: &Value) -> cloudflare::OrganizationFilter {
    let containing = filter.get("containing");
    let name = filter.get("name");
    cloudflare::OrganizationFilter {
        ids: filter
            .get("id")
            .as_elements()
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        name_contains: filter_string(name, "contains"),
        name_starts_with: filter_string(name, "starts_with"),
        name_ends_with: filter_string(name, "ends_with"),
        name: None,
        parent_id: filter_string(filter.get("parent"), "id"),
        containing_account: filter_string(containing, "account"),
        containing_organization: filter_string(containing, "organization"),
        containing_user: filter_string(containing, "user"),
        page_size: page_size_hint(filter.get("page_size")),
        page_token: filter_string(filter, "page_token"),
    }
}

/// The set filters of `f` as Terraform attribute assignments under `prefix` (e.g. `filter.`), for
/// messages: `` `filter.name.contains = "acme"`, … ``, or "no filter" when none is set.
pub fn describe_organization_filter(f: &cloudflare::OrganizationFilter, prefix: &str) -> String {
    let mut parts = Vec::new();
    if !f.ids.is_empty() {
        parts.push(format!("`{prefix}id = {:?}`", f.ids));
    }
    let strings = [
        ("name.contains", &f.name_contains),
        ("name.starts_with", &f.name_starts_with),
        ("name.ends_with", &f.name_ends_with),
        ("parent.id", &f.parent_id),
        ("containing.account", &f.containing_account),
        ("containing.organization", &f.containing_organization),
        ("containing.user", &f.containing_user),
        ("page_token", &f.page_token),
    ];
    for (name, value) in strings {
        if let Some(v) = value {
            parts.push(format!("`{prefix}{name} = {v:?}`"));
        }
    }
    if parts.is_empty() {
        "no filter".to_string()
    } else {
        parts.join(", ")
    }
}

/// An organization of a list result as a value with `id`, `name`, `create_time`, `parent`, `profile`
/// and `meta`. The profile is the one the list returned (often none): no extra GET per item.
pub fn listed_organization_value(org: &Organization) -> Value {
    let profile = org.profile.as_ref().map_or(Value::Null, profile_value);
    Value::object(organization_fields(org, profile))
}

/// Test support shared by the resource, data source and list resource tests: schema snapshots and
/// checks, value/type conformance, and a tiny fake of the REST API behind a real client.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::{Arc, Mutex};

    use tokio_util::sync::CancellationToken;

    use crate::cloudflare::{Auth, Client, ClientConfig};
    use crate::framework::{AttrType, Ctx, Mode, Nesting, Schema, Type, Value};

    /// `(path, mode, type)` of every attribute, sorted by path. Types read `string`, `number`,
    /// `bool`, `list(string)`, `object` (nested single) or `list(object)` (nested list).
    pub fn snapshot(schema: &Schema) -> Vec<(String, Mode, String)> {
        let mut out: Vec<_> = schema
            .walk()
            .into_iter()
            .map(|(path, a)| {
                let ty = match &a.ty {
                    AttrType::Nested(Nesting::Single, _) => "object".to_string(),
                    AttrType::Nested(Nesting::List, _) => "list(object)".to_string(),
                    AttrType::Nested(n, _) => format!("{n:?}(object)"),
                    AttrType::Plain(t) => type_name(t),
                };
                (path, a.mode, ty)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn type_name(t: &Type) -> String {
        match t {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(e) => format!("list({})", type_name(e)),
            other => format!("{other:?}"),
        }
    }

    /// A configuration of `schema` with every top-level attribute null.
    pub fn null_config(schema: &Schema) -> Value {
        Value::object(
            schema
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        )
    }

    /// Asserts the schema has exactly `expected` attributes (in any order).
    pub fn assert_snapshot(schema: &Schema, expected: &[(&str, Mode, &str)]) {
        let mut want: Vec<(String, Mode, String)> = expected
            .iter()
            .map(|(p, m, t)| (p.to_string(), *m, t.to_string()))
            .collect();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(snapshot(schema), want);
    }

    /// Asserts the schema and every attribute have a non-empty description ending in a period, and
    /// that no attribute declares plan behaviour or is sensitive (the data-source vocabulary has none).
    pub fn assert_read_only_vocabulary(schema: &Schema) {
        assert!(
            schema.description.trim_end().ends_with('.'),
            "schema description: {:?}",
            schema.description
        );
        for (path, a) in schema.walk() {
            let d = a.description.trim();
            assert!(
                !d.is_empty() && d.ends_with('.'),
                "{path}: description {d:?}"
            );
            assert!(
                !a.requires_replace && !a.use_state_for_unknown,
                "{path}: plan modifier"
            );
            assert!(!a.sensitive, "{path}: sensitive");
            if let Some(msg) = &a.deprecated {
                assert!(msg.ends_with('.'), "{path}: deprecation message {msg:?}");
            }
        }
    }

    /// Asserts `v` is a wholly known value of type `t` (objects have exactly the type's attributes).
    pub fn assert_conforms(v: &Value, t: &Type) {
        if let Err(e) = conforms(v, t, "") {
            panic!("value does not conform to its type: {e}\nvalue: {v:?}");
        }
    }

    fn conforms(v: &Value, t: &Type, path: &str) -> Result<(), String> {
        match (v, t) {
            (Value::Null, _) => Ok(()),
            (Value::Unknown(_), _) => Err(format!("{path}: unknown")),
            (Value::String(_), Type::String)
            | (Value::Number(_), Type::Number)
            | (Value::Bool(_), Type::Bool) => Ok(()),
            (Value::List(items), Type::List(e)) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| conforms(x, e, &format!("{path}[{i}]"))),
            (Value::Object(m), Type::Object(attrs)) => {
                let have: Vec<&String> = m.keys().collect();
                let want: Vec<&String> = attrs.keys().collect();
                if have != want {
                    return Err(format!("{path}: attributes {have:?}, type has {want:?}"));
                }
                attrs
                    .iter()
                    .try_for_each(|(k, t)| conforms(&m[k], t, &format!("{path}.{k}")))
            }
            (v, t) => Err(format!("{path}: {v:?} is not a {t:?}")),
        }
    }

    /// One fake API response: HTTP status and JSON body.
    pub type Reply = (u16, serde_json::Value);

    /// A fake Cloudflare API on `127.0.0.1:0` answering with `route(path, query)`, plus a `Ctx` whose
    /// client points at it, and every request's `path?query` in order.
    pub struct FakeApi {
        /// A context with a configured client.
        pub ctx: Ctx,
        /// `path?query` of every request received.
        pub requests: Arc<Mutex<Vec<String>>>,
    }

    /// A success envelope around `result` (with `result_info.next_page_token` when `next` is set).
    pub fn ok(result: serde_json::Value, next: Option<&str>) -> Reply {
        let mut body =
            serde_json::json!({"success": true, "errors": [], "messages": [], "result": result});
        if let Some(n) = next {
            body["result_info"] = serde_json::json!({"next_page_token": n});
        } else {
            body["result_info"] = serde_json::json!({});
        }
        (200, body)
    }

    /// An authoritative Cloudflare 404 envelope.
    pub fn not_found() -> Reply {
        (
            404,
            serde_json::json!({"success": false, "errors": [{"code": 1404, "message": "not found"}], "messages": [], "result": null}),
        )
    }

    /// Starts the fake API.
    pub async fn fake_api(route: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> FakeApi {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let route = Arc::new(route);
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let route = route.clone();
            let seen = seen.clone();
            async move {
                let query = uri.query().unwrap_or("").to_string();
                if let Ok(mut s) = seen.lock() {
                    s.push(format!("{}?{query}", uri.path()));
                }
                let (status, body) = route(uri.path(), &query);
                (
                    axum::http::StatusCode::from_u16(status)
                        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                    axum::Json(body),
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let client = Client::new(
            ClientConfig {
                base_url: format!("http://{addr}/client/v4"),
                auth: Auth::Token("test-token-0123456789012345678901234567890123".into()),
                max_retries: 0,
                requests_per_second: 1000.0,
                ..ClientConfig::default()
            },
            CancellationToken::new(),
        )
        .unwrap();
        FakeApi {
            ctx: Ctx {
                provider_data: Some(Arc::new(client)),
            },
            requests,
        }
    }

    /// A sample organization as the API sends it (with the profile when `with_profile`).
    pub fn org_json(id: &str, name: &str, with_profile: bool) -> serde_json::Value {
        let mut o = serde_json::json!({
            "id": id,
            "name": name,
            "create_time": "2026-04-01T10:00:00Z",
            "parent": {"id": "p1", "name": "Parent"},
            "meta": {"flags": null, "managed_by": "self", "hierarchy_tags": ["root", id]},
        });
        if with_profile {
            o["profile"] = profile_json();
        }
        o
    }

    /// A sample profile as the API sends it.
    pub fn profile_json() -> serde_json::Value {
        serde_json::json!({
            "business_address": "1 Main St", "business_email": "ops@example.com",
            "business_name": "Example Ltd", "business_phone": "+1 555 0100",
            "external_metadata": "{\"department\":\"IT\"}",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_strings_compare_as_json_and_blank_equivalents() {
        assert!(profile_strings_equivalent(
            "{\"a\":1,\"b\":2}",
            "{ \"b\": 2, \"a\": 1 }"
        ));
        assert!(profile_strings_equivalent("{}", ""));
        assert!(profile_strings_equivalent("", "null"));
        assert!(!profile_strings_equivalent("{\"a\":1}", ""));
        assert!(!profile_strings_equivalent("Acme", "acme"));
        // Plain JSON scalars are not treated as documents: "1" and "1.0" are different text.
        assert!(!profile_strings_equivalent("1", "1.0"));
    }

    #[test]
    fn reconcile_keeps_prior_only_for_normalised_fields() {
        let prior = profile_value(&Profile {
            business_address: "x".into(),
            business_email: "a@b.example".into(),
            business_name: "Acme".into(),
            business_phone: "1".into(),
            external_metadata: "{\"a\":1,\"b\":2}".into(),
        });
        let read = profile_value(&Profile {
            business_address: "y".into(),
            business_email: "a@b.example".into(),
            business_name: "Acme".into(),
            business_phone: "1".into(),
            external_metadata: "{\"b\":2,\"a\":1}".into(),
        });
        let out = reconcile_profile(&prior, read);
        assert_eq!(
            out.get("external_metadata"),
            &Value::string("{\"a\":1,\"b\":2}")
        );
        assert_eq!(
            out.get("business_address"),
            &Value::string("y"),
            "a real change stays visible"
        );
        assert_eq!(reconcile_profile(&Value::Null, Value::Null), Value::Null);
    }
}
