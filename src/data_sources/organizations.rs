//! Data source `cloudflare_organizations`: the organizations the credentials can see, filtered.
//!
//! REST: `GET /organizations`, following every page (the client handles the cursor; unlike the official
//! provider, which reads only the first page). `page_size` is a per-request hint and `page_token` a
//! starting cursor; `max_items` caps the result. The API's order is kept. Profiles are whatever the
//! list returns (often none): no extra request per organization.

use async_trait::async_trait;

use crate::framework::{Attribute, AttributePath, Ctx, DataSource, Diagnostics, Schema, Value};
use crate::mapping::{
    api_error_diag, client, computed_organization_attributes, listed_organization_value,
    max_items_attribute, max_items_limit, organization_filter, organization_filter_attributes,
    validate_max_items, validate_organization_filter,
};

/// Terraform type name.
pub const TYPE_NAME: &str = "cloudflare_organizations";

/// The data source schema: the official one, with `parent.id` settable (it was computed-only there).
pub fn schema() -> Schema {
    let mut attrs = organization_filter_attributes();
    attrs.push(max_items_attribute("organizations"));
    attrs.push(
        Attribute::list_of_objects("result", result_attributes())
            .computed()
            .description("The matching organizations, in the order the API returns them."),
    );
    Schema::new(
        0,
        "Lists the Cloudflare organizations the credentials can see, optionally filtered. Every page is read. Accepted permissions: `User Details Read` or `User Details Write`.",
        attrs,
    )
}

/// Attributes of one `result` item.
fn result_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("id")
            .computed()
            .description("Organization ID."),
    ]
    .into_iter()
    .chain(computed_organization_attributes(
        "Business profile, when the list returns one; null otherwise (read it with the `cloudflare_organization` or `cloudflare_organization_profile` data source).",
    ))
    .collect()
}

/// The state: the configuration plus `result`.
fn state_from(config: &Value, orgs: &[crate::cloudflare::Organization]) -> Value {
    let mut state = config.clone();
    state.set(
        "result",
        Value::List(orgs.iter().map(listed_organization_value).collect()),
    );
    state
}

/// The cloudflare_organizations data source.
pub struct OrganizationsDataSource;

#[async_trait]
impl DataSource for OrganizationsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_organization_filter(config, &AttributePath::root(), diags);
        validate_max_items(
            config.get("max_items"),
            AttributePath::attr("max_items"),
            diags,
        );
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        let filter = organization_filter(config);
        let limit = max_items_limit(config.get("max_items"));
        match client.list_organizations(&filter, limit).await {
            Ok(orgs) => state_from(config, &orgs),
            Err(e) => {
                api_error_diag(diags, "Unable to List Organizations", &e);
                Value::Null
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Mode::{Computed as C, Optional as O};
    use crate::mapping::testing::{
        assert_conforms, assert_read_only_vocabulary, assert_snapshot, fake_api, not_found,
        null_config, ok, org_json,
    };
    use crate::mapping::PROFILE_FIELDS;
    use serde_json::json;

    /// The official schema's attribute tree (v5.22.0), with `parent.id` relaxed to optional (defect #5).
    #[test]
    fn schema_matches_the_official_attribute_tree() {
        let mut want = vec![
            ("id", O, "list(string)"),
            ("containing", O, "object"),
            ("containing.account", O, "string"),
            ("containing.organization", O, "string"),
            ("containing.user", O, "string"),
            ("name", O, "object"),
            ("name.contains", O, "string"),
            ("name.ends_with", O, "string"),
            ("name.starts_with", O, "string"),
            ("parent", O, "object"),
            ("parent.id", O, "string"),
            ("page_size", O, "number"),
            ("page_token", O, "string"),
            ("max_items", O, "number"),
            ("result", C, "list(object)"),
            ("result.id", C, "string"),
            ("result.create_time", C, "string"),
            ("result.name", C, "string"),
            ("result.meta", C, "object"),
            ("result.meta.flags", C, "object"),
            ("result.meta.hierarchy_tags", C, "list(string)"),
            ("result.meta.managed_by", C, "string"),
            ("result.parent", C, "object"),
            ("result.parent.id", C, "string"),
            ("result.parent.name", C, "string"),
            ("result.profile", C, "object"),
        ];
        let flags: Vec<String> = crate::mapping::FLAG_FIELDS
            .iter()
            .map(|f| format!("result.meta.flags.{f}"))
            .collect();
        let profile: Vec<String> = PROFILE_FIELDS
            .iter()
            .map(|(f, _)| format!("result.profile.{f}"))
            .collect();
        want.extend(flags.iter().map(|p| (p.as_str(), C, "string")));
        want.extend(profile.iter().map(|p| (p.as_str(), C, "string")));
        let s = schema();
        assert_eq!(s.version, 0);
        assert_snapshot(&s, &want);
        assert_read_only_vocabulary(&s);
        assert!(s
            .attribute("page_token")
            .and_then(|a| a.deprecated.as_ref())
            .is_some());
        let parent_id = &s
            .walk()
            .into_iter()
            .find(|(p, _)| p == "parent.id")
            .unwrap()
            .1
            .description;
        assert!(parent_id.contains("`\"null\"`"), "{parent_id}");
    }

    /// Out-of-range or fractional numbers are rejected with the attribute's path; unknowns are not checked.
    #[test]
    fn validate_checks_known_numbers_with_paths() {
        let config = Value::object([
            (
                "page_size",
                Value::Number(crate::framework::Number::Int(1001)),
            ),
            (
                "max_items",
                Value::Number(crate::framework::Number::Float(2.5)),
            ),
            ("parent", Value::object([("id", Value::string("a/b"))])),
        ]);
        let mut diags = Diagnostics::new();
        OrganizationsDataSource.validate(&config, &mut diags);
        let paths: Vec<String> = diags
            .iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(paths, ["page_size", "parent.id", "max_items"]);
        let unknown = Value::object([
            ("page_size", Value::unknown()),
            ("parent", Value::unknown()),
        ]);
        let mut diags = Diagnostics::new();
        OrganizationsDataSource.validate(&unknown, &mut diags);
        assert!(diags.is_empty());
    }

    /// A listed organization becomes a result item of the schema's type, `meta.flags: null` included.
    #[test]
    fn listed_organization_conforms_to_the_result_type() {
        let org: crate::cloudflare::Organization =
            serde_json::from_value(org_json("o1", "Acme", false)).unwrap();
        let config = null_config(&schema());
        let state = state_from(&config, &[org]);
        assert_conforms(&state, schema().value_type());
        let item = &state.get("result").as_elements().unwrap()[0];
        assert_eq!(item.get("meta").get("flags"), &Value::Null);
        assert_eq!(item.get("profile"), &Value::Null);
        assert_eq!(item.get("parent").get("name"), &Value::string("Parent"));
    }

    /// Every page is read, the filters go on every page, and `max_items` stops early.
    #[tokio::test]
    async fn reads_every_page_and_honours_max_items() {
        let api = fake_api(|_, query| {
            if query.contains("page_token=t2") {
                ok(json!([org_json("o3", "C", false)]), None)
            } else {
                ok(
                    json!([org_json("o1", "A", true), org_json("o2", "B", false)]),
                    Some("t2"),
                )
            }
        })
        .await;
        let mut config = null_config(&schema());
        config.set(
            "name",
            Value::object([
                ("contains", Value::string("x")),
                ("ends_with", Value::Null),
                ("starts_with", Value::Null),
            ]),
        );
        config.set("parent", Value::object([("id", Value::string("null"))]));
        let mut diags = Diagnostics::new();
        let state = OrganizationsDataSource
            .read(&api.ctx, &config, &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_conforms(&state, schema().value_type());
        let ids: Vec<&str> = state
            .get("result")
            .as_elements()
            .unwrap()
            .iter()
            .filter_map(|o| o.get("id").as_str())
            .collect();
        assert_eq!(ids, ["o1", "o2", "o3"]);
        let requests = api.requests.lock().unwrap().clone();
        assert_eq!(requests.len(), 2);
        assert!(requests
            .iter()
            .all(|r| r.contains("name.contains=x") && r.contains("parent.id=null")));
        assert_eq!(
            state.get("result").as_elements().unwrap()[0]
                .get("profile")
                .get("business_name"),
            &Value::string("Example Ltd")
        );

        config.set("max_items", Value::Number(crate::framework::Number::Int(2)));
        let state = OrganizationsDataSource
            .read(&api.ctx, &config, &mut diags)
            .await;
        assert_eq!(state.get("result").as_elements().unwrap().len(), 2);
        assert_eq!(api.requests.lock().unwrap().len(), 3);
    }

    /// An API failure is a diagnostic naming the action, and no state.
    #[tokio::test]
    async fn api_errors_become_diagnostics() {
        let api = fake_api(|_, _| not_found()).await;
        let mut diags = Diagnostics::new();
        let state = OrganizationsDataSource
            .read(&api.ctx, &null_config(&schema()), &mut diags)
            .await;
        assert_eq!(state, Value::Null);
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "Unable to List Organizations");
        assert!(d.detail.contains("1404: not found"), "{}", d.detail);
    }
}
