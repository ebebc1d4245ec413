//! Data source `cloudflare_organization`: one organization, by ID or by a filter that must match exactly
//! one.
//!
//! REST: by `organization_id`, `GET /organizations/{id}` (+ `GET …/profile` when the org omits its
//! profile; no profile → null). By `filter`, `GET /organizations` over every page; zero or several
//! matches is an error that says how many matched and how to narrow the filter; exactly one → the same
//! GETs as by ID. A 404 is the error "Organization Not Found" naming the ID (the official provider
//! fails with a raw HTTP error).

use async_trait::async_trait;

use crate::cloudflare::{Client, Organization};
use crate::framework::{Attribute, AttributePath, Ctx, DataSource, Diagnostics, Schema, Value};
use crate::mapping::{
    api_error_diag, client, computed_organization_attributes, describe_organization_filter,
    fetch_organization, organization_fields, organization_filter, organization_filter_attributes,
    organization_not_found, validate_id, validate_organization_filter,
};

/// Terraform type name.
pub const TYPE_NAME: &str = "cloudflare_organization";

/// How many matches an ambiguous-filter error lists.
const SHOWN_MATCHES: usize = 5;

/// The data source schema (the official one).
pub fn schema() -> Schema {
    Schema::new(
        0,
        "Reads one Cloudflare organization, by `organization_id` or by a `filter` that matches exactly one organization. Accepted permissions: `User Details Read` or `User Details Write`.",
        vec![
            Attribute::string("organization_id")
                .optional()
                .description("ID of the organization to read; set exactly one of `organization_id` and `filter`."),
            Attribute::object("filter", organization_filter_attributes())
                .optional()
                .description("Finds the organization by listing with these filters, which must match exactly one organization; set exactly one of `organization_id` and `filter`."),
            Attribute::string("id")
                .computed()
                .description("Organization ID (the `organization_id` that was read or found)."),
        ]
        .into_iter()
        .chain(computed_organization_attributes(
            "Business profile of the organization; null when it has none yet.",
        ))
        .collect(),
    )
}

/// The state for `org` with `profile`, next to the configured `filter`.
fn state_from(org: &Organization, profile: Value, config: &Value) -> Value {
    let mut fields = organization_fields(org, profile);
    fields.push(("organization_id", Value::string(&org.id)));
    fields.push(("filter", config.get("filter").clone()));
    Value::object(fields)
}

/// The error for a filter that matched `orgs.len() != 1` organizations.
fn ambiguity_detail(orgs: &[Organization], filter_text: &str) -> (String, String) {
    if orgs.is_empty() {
        return (
            "No Organization Matches the Filter".to_string(),
            format!("No organization visible to these credentials matches the filter ({filter_text}). Check the filter values, or read the organization by `organization_id`; the cloudflare_organizations data source returns an empty list instead of failing."),
        );
    }
    let mut shown: Vec<String> = orgs
        .iter()
        .take(SHOWN_MATCHES)
        .map(|o| format!("{:?} ({})", o.name, o.id))
        .collect();
    if orgs.len() > SHOWN_MATCHES {
        shown.push(format!("and {} more", orgs.len() - SHOWN_MATCHES));
    }
    (
        format!("{} Organizations Match the Filter", orgs.len()),
        format!(
            "The filter ({filter_text}) matches {} organizations, but this data source needs exactly one: {}. Narrow the filter, for example with `filter.id`, a more specific `filter.name.starts_with` or `filter.name.ends_with`, or `filter.parent.id`; or set `organization_id` instead. To read several organizations, use the cloudflare_organizations data source.",
            orgs.len(),
            shown.join(", "),
        ),
    )
}

/// The cloudflare_organization data source.
pub struct OrganizationDataSource;

impl OrganizationDataSource {
    /// The ID of the only organization matching `filter`, or an error diagnostic.
    async fn find(client: &Client, filter: &Value, diags: &mut Diagnostics) -> Option<String> {
        let f = organization_filter(filter);
        let orgs = match client.list_organizations(&f, None).await {
            Ok(o) => o,
            Err(e) => {
                api_error_diag(diags, "Unable to List Organizations", &e);
                return None;
            }
        };
        if let [only] = orgs.as_slice() {
            return Some(only.id.clone());
        }
        let (summary, detail) =
            ambiguity_detail(&orgs, &describe_organization_filter(&f, "filter."));
        diags.error_at(AttributePath::attr("filter"), summary, detail);
        None
    }

    /// The organization and its profile (null when it has none), or an error diagnostic.
    async fn fetch(
        client: &Client,
        id: &str,
        path: Option<AttributePath>,
        diags: &mut Diagnostics,
    ) -> Option<(Organization, Value)> {
        match fetch_organization(client, id).await {
            Ok(Some(found)) => Some(found),
            Ok(None) => {
                organization_not_found(diags, path, id);
                None
            }
            Err(e) => {
                api_error_diag(diags, "Unable to Read Organization", &e);
                None
            }
        }
    }
}

#[async_trait]
impl DataSource for OrganizationDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let id = config.get("organization_id");
        let filter = config.get("filter");
        validate_id(
            id,
            AttributePath::attr("organization_id"),
            "Organization ID",
            diags,
        );
        validate_organization_filter(filter, &AttributePath::attr("filter"), diags);
        if id.is_unknown() || filter.is_unknown() {
            return;
        }
        match (id.is_null(), filter.is_null()) {
            (true, true) => diags.error_at(
                AttributePath::attr("organization_id"),
                "Missing Organization Selector",
                "Set exactly one of `organization_id` (to read an organization by ID) or `filter` (to find the only organization matching it).",
            ),
            (false, false) => diags.error_at(
                AttributePath::attr("filter"),
                "Conflicting Organization Selectors",
                "Set exactly one of `organization_id` and `filter`, not both: remove `filter` to read by ID, or `organization_id` to search.",
            ),
            _ => {}
        }
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        let (id, path) = match config.get("organization_id").as_str() {
            Some(id) => (id.to_string(), Some(AttributePath::attr("organization_id"))),
            None if !config.get("filter").is_null() => {
                match Self::find(client, config.get("filter"), diags).await {
                    Some(id) => (id, None),
                    None => return Value::Null,
                }
            }
            None => {
                diags.error(
                    "Missing Organization Selector",
                    "Set exactly one of `organization_id` or `filter`.",
                );
                return Value::Null;
            }
        };
        match Self::fetch(client, &id, path, diags).await {
            Some((org, profile)) => state_from(&org, profile, config),
            None => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Mode::{Computed as C, Optional as O};
    use crate::mapping::testing::{
        assert_conforms, assert_read_only_vocabulary, assert_snapshot, fake_api, not_found,
        null_config, ok, org_json, profile_json,
    };
    use crate::mapping::{FLAG_FIELDS, PROFILE_FIELDS};
    use serde_json::json;

    /// The official schema's attribute tree (v5.22.0, plus `meta.hierarchy_tags`).
    #[test]
    fn schema_matches_the_official_attribute_tree() {
        let mut want = vec![
            ("organization_id", O, "string"),
            ("filter", O, "object"),
            ("filter.id", O, "list(string)"),
            ("filter.containing", O, "object"),
            ("filter.containing.account", O, "string"),
            ("filter.containing.organization", O, "string"),
            ("filter.containing.user", O, "string"),
            ("filter.name", O, "object"),
            ("filter.name.contains", O, "string"),
            ("filter.name.ends_with", O, "string"),
            ("filter.name.starts_with", O, "string"),
            ("filter.page_size", O, "number"),
            ("filter.page_token", O, "string"),
            ("filter.parent", O, "object"),
            ("filter.parent.id", O, "string"),
            ("id", C, "string"),
            ("name", C, "string"),
            ("create_time", C, "string"),
            ("meta", C, "object"),
            ("meta.flags", C, "object"),
            ("meta.hierarchy_tags", C, "list(string)"),
            ("meta.managed_by", C, "string"),
            ("parent", C, "object"),
            ("parent.id", C, "string"),
            ("parent.name", C, "string"),
            ("profile", C, "object"),
        ];
        let flags: Vec<String> = FLAG_FIELDS
            .iter()
            .map(|f| format!("meta.flags.{f}"))
            .collect();
        let profile: Vec<String> = PROFILE_FIELDS
            .iter()
            .map(|(f, _)| format!("profile.{f}"))
            .collect();
        want.extend(flags.iter().map(|p| (p.as_str(), C, "string")));
        want.extend(profile.iter().map(|p| (p.as_str(), C, "string")));
        let s = schema();
        assert_eq!(s.version, 0);
        assert_snapshot(&s, &want);
        assert_read_only_vocabulary(&s);
    }

    fn config_with(id: Option<&str>, filter: Value) -> Value {
        let mut c = null_config(&schema());
        c.set("organization_id", Value::opt_string(id));
        c.set("filter", filter);
        c
    }

    fn name_filter(contains: &str) -> Value {
        let mut f = null_config(&Schema::new(0, "", organization_filter_attributes()));
        f.set(
            "name",
            Value::object([
                ("contains", Value::string(contains)),
                ("ends_with", Value::Null),
                ("starts_with", Value::Null),
            ]),
        );
        f
    }

    /// Exactly one of `organization_id`/`filter`, judged on known values only, with attribute paths.
    #[test]
    fn validate_requires_exactly_one_selector() {
        let cases = [
            (config_with(None, Value::Null), Some("organization_id")),
            (config_with(Some("o1"), name_filter("a")), Some("filter")),
            (config_with(Some("o1"), Value::Null), None),
            (config_with(None, name_filter("a")), None),
            (config_with(None, Value::unknown()), None),
        ];
        for (config, want) in cases {
            let mut diags = Diagnostics::new();
            OrganizationDataSource.validate(&config, &mut diags);
            let got: Vec<String> = diags
                .iter()
                .map(|d| {
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(got, want.into_iter().map(String::from).collect::<Vec<_>>());
        }
        let mut unknown_id = config_with(None, Value::Null);
        unknown_id.set("organization_id", Value::unknown());
        let mut diags = Diagnostics::new();
        OrganizationDataSource.validate(&unknown_id, &mut diags);
        assert!(diags.is_empty());
    }

    /// By ID: the org GET, then the profile GET when the org omits it; the state conforms to the schema.
    #[tokio::test]
    async fn reads_by_id_with_the_profile_endpoint() {
        let api = fake_api(|path, _| match path {
            "/client/v4/organizations/o1" => ok(org_json("o1", "Acme", false), None),
            "/client/v4/organizations/o1/profile" => ok(profile_json(), None),
            _ => not_found(),
        })
        .await;
        let mut diags = Diagnostics::new();
        let state = OrganizationDataSource
            .read(&api.ctx, &config_with(Some("o1"), Value::Null), &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_conforms(&state, schema().value_type());
        assert_eq!(state.get("id"), &Value::string("o1"));
        assert_eq!(state.get("organization_id"), &Value::string("o1"));
        assert_eq!(
            state.get("profile").get("business_email"),
            &Value::string("ops@example.com")
        );
        assert_eq!(state.get("meta").get("flags"), &Value::Null);
        assert_eq!(state.get("meta").get("managed_by"), &Value::string("self"));
    }

    /// An organization without a profile reads with `profile = null`.
    #[tokio::test]
    async fn missing_profile_is_null() {
        let api = fake_api(|path, _| match path {
            "/client/v4/organizations/o1" => ok(org_json("o1", "Acme", false), None),
            _ => not_found(),
        })
        .await;
        let mut diags = Diagnostics::new();
        let state = OrganizationDataSource
            .read(&api.ctx, &config_with(Some("o1"), Value::Null), &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(state.get("profile"), &Value::Null);
        assert_conforms(&state, schema().value_type());
    }

    /// A 404 is "Organization Not Found" naming the ID, at `organization_id` (defect #14).
    #[tokio::test]
    async fn not_found_names_the_id() {
        let api = fake_api(|_, _| not_found()).await;
        let mut diags = Diagnostics::new();
        let state = OrganizationDataSource
            .read(
                &api.ctx,
                &config_with(Some("gone1"), Value::Null),
                &mut diags,
            )
            .await;
        assert_eq!(state, Value::Null);
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "Organization Not Found");
        assert!(d.detail.contains("\"gone1\""), "{}", d.detail);
        assert_eq!(d.attribute, Some(AttributePath::attr("organization_id")));
    }

    /// A filter matching one organization reads it by ID (for the profile).
    #[tokio::test]
    async fn filter_with_one_match_reads_it() {
        let api = fake_api(|path, _| match path {
            "/client/v4/organizations" => ok(json!([org_json("o2", "Beta", false)]), None),
            "/client/v4/organizations/o2" => ok(org_json("o2", "Beta", true), None),
            _ => not_found(),
        })
        .await;
        let mut diags = Diagnostics::new();
        let config = config_with(None, name_filter("bet"));
        let state = OrganizationDataSource
            .read(&api.ctx, &config, &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_conforms(&state, schema().value_type());
        assert_eq!(state.get("id"), &Value::string("o2"));
        assert_eq!(state.get("filter"), config.get("filter"));
        assert_eq!(
            state.get("profile").get("business_name"),
            &Value::string("Example Ltd")
        );
        assert!(api.requests.lock().unwrap()[0].contains("name.contains=bet"));
    }

    /// Several matches: the error says how many, lists up to five, and which filter to narrow (#16).
    #[tokio::test]
    async fn filter_with_several_matches_explains() {
        let api = fake_api(|_, _| {
            let orgs: Vec<_> = (1..=7)
                .map(|i| org_json(&format!("o{i}"), &format!("Acme {i}"), false))
                .collect();
            ok(json!(orgs), None)
        })
        .await;
        let mut diags = Diagnostics::new();
        let state = OrganizationDataSource
            .read(
                &api.ctx,
                &config_with(None, name_filter("acme")),
                &mut diags,
            )
            .await;
        assert_eq!(state, Value::Null);
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "7 Organizations Match the Filter");
        assert_eq!(d.attribute, Some(AttributePath::attr("filter")));
        for part in [
            "\"Acme 1\" (o1)",
            "\"Acme 5\" (o5)",
            "and 2 more",
            "`filter.name.contains = \"acme\"`",
            "`filter.id`",
        ] {
            assert!(d.detail.contains(part), "{part} missing from {}", d.detail);
        }
        assert!(!d.detail.contains("(o6)"));
    }

    /// No match: a clear error naming the filter.
    #[tokio::test]
    async fn filter_with_no_match_explains() {
        let api = fake_api(|_, _| ok(json!([]), None)).await;
        let mut diags = Diagnostics::new();
        OrganizationDataSource
            .read(&api.ctx, &config_with(None, name_filter("zzz")), &mut diags)
            .await;
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "No Organization Matches the Filter");
        assert!(
            d.detail.contains("`filter.name.contains = \"zzz\"`"),
            "{}",
            d.detail
        );
    }
}
