//! List resource `cloudflare_organization` (for `terraform query`): discovers organizations to import.
//!
//! REST: `GET /organizations` with the same filters as the `cloudflare_organizations` data source,
//! following every page up to Terraform's `limit`. Each item carries the resource identity `{id}`, a
//! display name, and on request the full `cloudflare_organization` state, whose profile is whatever the
//! list returned (null when it returned none; a later import or refresh reads it).

use async_trait::async_trait;

use crate::cloudflare::Organization;
use crate::framework::{AttributePath, Ctx, Diagnostics, ListItem, ListResource, Schema, Value};
use crate::mapping::{
    api_error_diag, client, listed_organization_value, organization_filter,
    organization_filter_attributes, validate_organization_filter,
};

/// Terraform type name: the managed resource it lists.
pub const TYPE_NAME: &str = super::organization::TYPE_NAME;

/// Schema of the `config` block: the filters of the `cloudflare_organizations` data source, without
/// `max_items` (Terraform passes `limit`) and `result`.
pub fn schema() -> Schema {
    Schema::new(
        0,
        "Lists the Cloudflare organizations the credentials can see, optionally filtered, for `terraform query` and bulk import.",
        organization_filter_attributes(),
    )
}

/// The list item for `org`.
fn item(org: &Organization, include_resource_object: bool) -> ListItem {
    ListItem {
        identity: Value::object([("id", Value::string(&org.id))]),
        display_name: format!("{} ({})", org.name, org.id),
        resource_object: include_resource_object.then(|| listed_organization_value(org)),
    }
}

/// The cloudflare_organization list resource.
pub struct OrganizationListResource;

#[async_trait]
impl ListResource for OrganizationListResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_organization_filter(config, &AttributePath::root(), diags);
    }

    async fn list(
        &self,
        ctx: &Ctx,
        config: &Value,
        include_resource_object: bool,
        limit: i64,
        diags: &mut Diagnostics,
    ) -> Vec<ListItem> {
        let Some(client) = client(ctx, diags) else {
            return Vec::new();
        };
        let max_items = usize::try_from(limit).ok().filter(|n| *n > 0);
        match client
            .list_organizations(&organization_filter(config), max_items)
            .await
        {
            Ok(orgs) => orgs
                .iter()
                .map(|o| item(o, include_resource_object))
                .collect(),
            Err(e) => {
                api_error_diag(diags, "Unable to List Organizations", &e);
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Mode::Optional as O;
    use crate::mapping::testing::{
        assert_conforms, assert_read_only_vocabulary, assert_snapshot, fake_api, null_config, ok,
        org_json,
    };
    use crate::resources::organization;
    use serde_json::json;

    /// The config schema is the `cloudflare_organizations` filters, all optional.
    #[test]
    fn schema_is_the_organization_filters() {
        let s = schema();
        assert_eq!(s.version, 0);
        assert_snapshot(
            &s,
            &[
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
            ],
        );
        assert_read_only_vocabulary(&s);
    }

    /// Items carry the resource's identity shape and a full resource state object (profile or null).
    #[test]
    fn items_conform_to_the_resource_schemas() {
        for with_profile in [false, true] {
            let org: Organization =
                serde_json::from_value(org_json("o1", "Acme", with_profile)).unwrap();
            let it = item(&org, true);
            assert_conforms(&it.identity, &organization::identity_schema().value_type());
            let object = it.resource_object.unwrap();
            assert_conforms(&object, organization::schema().value_type());
            assert_eq!(object.get("profile").is_null(), !with_profile);
            assert_eq!(it.display_name, "Acme (o1)");
        }
        let org: Organization = serde_json::from_value(org_json("o1", "Acme", false)).unwrap();
        assert!(item(&org, false).resource_object.is_none());
    }

    /// `limit` caps the items across pages; ≤ 0 lists everything.
    #[tokio::test]
    async fn list_honours_limit() {
        let api = fake_api(|_, query| {
            if query.contains("page_token=t2") {
                ok(json!([org_json("o3", "C", false)]), None)
            } else {
                ok(
                    json!([org_json("o1", "A", false), org_json("o2", "B", false)]),
                    Some("t2"),
                )
            }
        })
        .await;
        let config = null_config(&schema());
        let mut diags = Diagnostics::new();
        let all = OrganizationListResource
            .list(&api.ctx, &config, false, 0, &mut diags)
            .await;
        assert_eq!(all.len(), 3);
        let two = OrganizationListResource
            .list(&api.ctx, &config, true, 2, &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        let ids: Vec<&str> = two
            .iter()
            .filter_map(|i| i.identity.get("id").as_str())
            .collect();
        assert_eq!(ids, ["o1", "o2"]);
    }
}
