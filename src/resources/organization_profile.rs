//! Resource `cloudflare_organization_profile`: the business profile of one organization (a singleton).
//!
//! REST: create and update `PUT /organizations/{organization_id}/profile` (204, so state = what was
//! sent), read `GET /organizations/{organization_id}/profile`. The API cannot delete a profile, so
//! destroy only removes it from state — the plan says so with a warning. Import by organization ID.

use async_trait::async_trait;

use crate::framework::{
    Attribute, AttributePath, Ctx, Diagnostics, IdentityAttribute, IdentitySchema, PlanContext,
    Resource, Schema, Type, Value,
};
use crate::mapping::{
    api_error_diag, client, profile_attributes, profile_from_value, profile_value, validate_id,
    PROFILE_FIELDS,
};

/// Terraform type name.
pub const TYPE_NAME: &str = "cloudflare_organization_profile";

/// Schema version: 500, as the official provider.
pub const SCHEMA_VERSION: i64 = 500;

/// Summary of the plan-time warning about destroy.
const DESTROY_WARNING: &str = "Resource Destruction Considerations";

/// The resource schema (the official provider's, plus a computed `id`).
pub fn schema() -> Schema {
    let mut attrs = vec![
        Attribute::string("id")
            .computed()
            .use_state_for_unknown()
            .description("Same as `organization_id`; set so the resource has an ID like every other."),
        Attribute::string("organization_id")
            .required()
            .requires_replace()
            .description("ID of the organization whose profile this is. Changing this forces a new resource."),
    ];
    attrs.extend(profile_attributes(Attribute::required));
    Schema::new(
        SCHEMA_VERSION,
        "Manages the business profile of a Cloudflare organization. The API cannot delete a profile: destroying this resource only removes it from Terraform state and leaves the profile in Cloudflare.",
        attrs,
    )
}

/// The identity schema: `{organization_id}`.
pub fn identity_schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute {
            name: "organization_id".into(),
            ty: Type::String,
            required_for_import: true,
            optional_for_import: false,
            description: "ID of the organization whose profile this is.".into(),
        }],
    }
}

/// State for organization `org_id` with profile object `profile` (the five strings).
fn state_from(org_id: &str, profile: &Value) -> Value {
    let mut fields = vec![
        ("id", Value::string(org_id)),
        ("organization_id", Value::string(org_id)),
    ];
    for (name, _) in PROFILE_FIELDS {
        fields.push((name, profile.get(name).clone()));
    }
    Value::object(fields)
}

/// True when every profile field in `state` is the empty string.
fn all_fields_empty(state: &Value) -> bool {
    PROFILE_FIELDS
        .iter()
        .all(|(name, _)| state.get(name).as_str() == Some(""))
}

/// The cloudflare_organization_profile resource.
pub struct OrganizationProfileResource;

impl OrganizationProfileResource {
    async fn put(
        &self,
        ctx: &Ctx,
        planned: &Value,
        first_write: bool,
        summary: &str,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let client = client(ctx, diags)?;
        let org_id = planned.get("organization_id").as_str()?.to_string();
        let Some(profile) = profile_from_value(planned) else {
            diags.error(
                summary,
                "Every profile attribute must be known at apply time. This is a bug in the provider; please report it.",
            );
            return None;
        };
        match client.put_profile(&org_id, &profile, first_write).await {
            Ok(()) => Some(state_from(&org_id, planned)),
            Err(e) => {
                api_error_diag(diags, summary, &e);
                None
            }
        }
    }
}

#[async_trait]
impl Resource for OrganizationProfileResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema())
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_id(
            config.get("organization_id"),
            AttributePath::attr("organization_id"),
            "Organization ID",
            diags,
        );
    }

    fn upgrade_state(&self, _from_version: i64, mut state: Value) -> Value {
        // The official provider's profile has no `id`; ours is the organization ID. Filling it here
        // keeps migrated state free of a diff, and keeps an update planned with `-refresh=false`
        // (which plans the null prior `id` as null) consistent with the state apply returns.
        if state.get("id").is_null() {
            let org_id = state.get("organization_id").clone();
            state.set("id", org_id);
        }
        state
    }

    fn modify_plan(&self, ctx: &PlanContext<'_>, planned: &mut Value, diags: &mut Diagnostics) {
        if ctx.is_destroy() {
            diags.warning(
                DESTROY_WARNING,
                "Destroying cloudflare_organization_profile only removes it from Terraform state. The Cloudflare API cannot delete an organization profile, so it stays on the organization until it is changed or the organization is deleted.",
            );
            return;
        }
        if ctx.is_create() {
            // The ID is the organization ID: known as soon as that is.
            planned.set("id", ctx.config.get("organization_id").clone());
            if ctx.config.get("organization_id").is_unknown() {
                planned.set("id", Value::unknown());
            }
            diags.warning(
                DESTROY_WARNING,
                "The API cannot delete an organization profile: after this resource is destroyed, the profile stays on the organization in Cloudflare.",
            );
        }
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return state.clone();
        };
        let Some(org_id) = state.get("organization_id").as_str() else {
            diags.error(
                "Organization Profile State Has No Organization ID",
                "The stored state of this cloudflare_organization_profile has no `organization_id`, so it cannot be refreshed. Remove it with `terraform state rm` and import it by its organization ID.",
            );
            return state.clone();
        };
        match client.get_profile(org_id).await {
            Ok(Some(p)) => state_from(
                org_id,
                &crate::mapping::reconcile_profile(state, profile_value(&p)),
            ),
            // An all-empty profile reads back as "none" (api.md open question 5); when that is exactly
            // what this resource wrote, it is still there.
            Ok(None) if all_fields_empty(state) => state.clone(),
            // get_profile answers a 404 as Ok(None).
            Ok(None) => Value::Null,
            Err(e) => {
                api_error_diag(diags, "Unable to Read Organization Profile", &e);
                state.clone()
            }
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.put(
            ctx,
            planned,
            true,
            "Unable to Create Organization Profile",
            diags,
        )
        .await
        .unwrap_or(Value::Null)
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        self.put(
            ctx,
            planned,
            false,
            "Unable to Update Organization Profile",
            diags,
        )
        .await
        .unwrap_or_else(|| prior.clone())
    }

    async fn delete(&self, _ctx: &Ctx, _prior: &Value, _diags: &mut Diagnostics) {
        // The API has no way to delete a profile: destroy only forgets it (warned at plan time).
    }

    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        if let Some(problem) = crate::mapping::id_problem(id) {
            diags.error(
                "Invalid Import ID",
                format!("{problem} Import a cloudflare_organization_profile by its organization ID, for example: terraform import cloudflare_organization_profile.example 023e105f4ecef8ad9ca31a8372d0c353"),
            );
            return Value::Null;
        }
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        match client.get_profile(id).await {
            Ok(Some(p)) => state_from(id, &profile_value(&p)),
            Ok(None) => Value::Null,
            Err(e) => {
                api_error_diag(diags, "Unable to Import Organization Profile", &e);
                Value::Null
            }
        }
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        let id = state.get("organization_id").as_str()?;
        Some(Value::object([("organization_id", Value::string(id))]))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        identity.get("organization_id").as_str().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::decode_json;

    /// State from the official provider (no `id`, at version 500 or 0) gets `id` = `organization_id`;
    /// our own state keeps its `id`.
    #[test]
    fn upgrade_fills_the_missing_id_from_organization_id() {
        let official = br#"{"organization_id":"o1","business_address":"a","business_email":"e",
            "business_name":"n","business_phone":"p","external_metadata":"{}","legacy":1}"#;
        let decoded = decode_json(official, schema().value_type()).unwrap();
        assert!(decoded.get("id").is_null());
        for version in [0, SCHEMA_VERSION] {
            let upgraded = OrganizationProfileResource.upgrade_state(version, decoded.clone());
            assert_eq!(upgraded.get("id"), &Value::string("o1"));
            assert_eq!(upgraded.get("business_name"), &Value::string("n"));
        }
        let mut ours = decoded;
        ours.set("id", Value::string("kept"));
        let upgraded = OrganizationProfileResource.upgrade_state(SCHEMA_VERSION, ours);
        assert_eq!(upgraded.get("id"), &Value::string("kept"));
    }
}
