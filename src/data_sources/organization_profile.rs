//! Data source `cloudflare_organization_profile`: the business profile of one organization.
//!
//! REST: `GET /organizations/{organization_id}/profile`. No profile (a 404, an empty result, or a
//! profile with every field empty) is the error "Organization Profile Not Found" naming the ID, never a
//! crash or a silent null (the official provider fails with a raw HTTP error).

use async_trait::async_trait;

use crate::framework::{Attribute, AttributePath, Ctx, DataSource, Diagnostics, Schema, Value};
use crate::mapping::{api_error_diag, client, profile_attributes, profile_value, validate_id};

/// Terraform type name.
pub const TYPE_NAME: &str = "cloudflare_organization_profile";

/// The data source schema (the official one).
pub fn schema() -> Schema {
    let mut attrs = vec![Attribute::string("organization_id")
        .required()
        .description("ID of the organization whose profile to read.")];
    attrs.extend(profile_attributes(Attribute::computed));
    Schema::new(
        0,
        "Reads the business profile (\"customer identification data\") of a Cloudflare organization. Accepted permissions: `User Details Read` or `User Details Write`.",
        attrs,
    )
}

/// The state for organization `org_id` whose profile is `profile` (an object of the five strings).
fn state_from(org_id: &str, profile: &Value) -> Value {
    let mut state = profile.clone();
    state.set("organization_id", Value::string(org_id));
    state
}

/// The cloudflare_organization_profile data source.
pub struct OrganizationProfileDataSource;

#[async_trait]
impl DataSource for OrganizationProfileDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_id(
            config.get("organization_id"),
            AttributePath::attr("organization_id"),
            "Organization ID",
            diags,
        );
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        let Some(org_id) = config.get("organization_id").as_str() else {
            diags.error_at(
                AttributePath::attr("organization_id"),
                "Missing Organization ID",
                "Set `organization_id` to the ID of the organization whose profile to read.",
            );
            return Value::Null;
        };
        match client.get_profile(org_id).await {
            Ok(Some(p)) => state_from(org_id, &profile_value(&p)),
            Ok(None) => {
                diags.error_at(
                    AttributePath::attr("organization_id"),
                    "Organization Profile Not Found",
                    format!("The Cloudflare API has no profile for organization {org_id:?}. The organization may have no profile yet (set one with the cloudflare_organization_profile resource or the `profile` attribute of cloudflare_organization), or the ID may be wrong or not visible to these credentials."),
                );
                Value::Null
            }
            Err(e) => {
                api_error_diag(diags, "Unable to Read Organization Profile", &e);
                Value::Null
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Mode::{Computed as C, Required as R};
    use crate::mapping::testing::{
        assert_conforms, assert_read_only_vocabulary, assert_snapshot, fake_api, not_found,
        null_config, ok, profile_json,
    };

    /// The official schema: `organization_id` required, the five profile strings computed, no `id`.
    #[test]
    fn schema_matches_the_official_attribute_tree() {
        let s = schema();
        assert_eq!(s.version, 0);
        assert_snapshot(
            &s,
            &[
                ("organization_id", R, "string"),
                ("business_address", C, "string"),
                ("business_email", C, "string"),
                ("business_name", C, "string"),
                ("business_phone", C, "string"),
                ("external_metadata", C, "string"),
            ],
        );
        assert_read_only_vocabulary(&s);
    }

    fn config(id: &str) -> Value {
        let mut c = null_config(&schema());
        c.set("organization_id", Value::string(id));
        c
    }

    /// A profile reads into the five strings, verbatim.
    #[tokio::test]
    async fn reads_the_profile() {
        let api = fake_api(|path, _| match path {
            "/client/v4/organizations/o1/profile" => ok(profile_json(), None),
            _ => not_found(),
        })
        .await;
        let mut diags = Diagnostics::new();
        let state = OrganizationProfileDataSource
            .read(&api.ctx, &config("o1"), &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_conforms(&state, schema().value_type());
        assert_eq!(
            state.get("external_metadata"),
            &Value::string("{\"department\":\"IT\"}")
        );
        assert_eq!(state.get("organization_id"), &Value::string("o1"));
    }

    /// No profile (404) is an error naming the ID and saying the organization may have none yet.
    #[tokio::test]
    async fn missing_profile_is_a_clear_error() {
        let api = fake_api(|_, _| not_found()).await;
        let mut diags = Diagnostics::new();
        let state = OrganizationProfileDataSource
            .read(&api.ctx, &config("o9"), &mut diags)
            .await;
        assert_eq!(state, Value::Null);
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "Organization Profile Not Found");
        assert!(
            d.detail.contains("\"o9\"") && d.detail.contains("no profile yet"),
            "{}",
            d.detail
        );
    }
}
