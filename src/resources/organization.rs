//! Resource `cloudflare_organization`: an organization in the Cloudflare account hierarchy.
//!
//! REST: create `POST /organizations` (then a bounded read-after-create poll for permission
//! propagation), read `GET /organizations/{id}` (+ `GET …/profile` when the org GET omits the profile),
//! rename `PUT /organizations/{id}`, profile changes `PUT /organizations/{id}/profile`, delete
//! `DELETE /organizations/{id}`, import by organization ID (or identity `{id}`).
//!
//! Plan choices: `parent.id` forces replacement (the API only renames); `id`, `create_time`, `meta` and
//! `parent` keep their prior values across renames; `profile` is optional+computed — omitted from config
//! it is "not managed here" and keeps whatever the API holds (the API cannot delete a profile).

use async_trait::async_trait;

use crate::cloudflare::{self, Organization, OrganizationCreate, OrganizationUpdate, ParentRef};
use crate::framework::{
    Attribute, AttributePath, Ctx, Diagnostics, IdentityAttribute, IdentitySchema, PlanContext,
    Resource, Schema, Type, Value,
};
use crate::mapping::{
    api_error_diag, client, meta_attribute, organization_fields, profile_attributes,
    profile_from_value, validate_id, validate_not_empty,
};

/// Terraform type name.
pub const TYPE_NAME: &str = "cloudflare_organization";

/// Schema version: 500, as the official provider, so its state loads here unchanged.
pub const SCHEMA_VERSION: i64 = 500;

/// The resource schema (compatible with the official provider's, with `profile` relaxed to
/// optional+computed and `parent.id` forcing replacement).
pub fn schema() -> Schema {
    Schema::new(
        SCHEMA_VERSION,
        "Manages a Cloudflare organization. Accepted permissions: `User Details Write` (API token), or a global API key with `email`, which the Organizations API needs for the whole lifecycle.",
        vec![
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description("Organization ID, assigned by Cloudflare."),
            Attribute::string("name")
                .required()
                .description("Organization name. Changing it renames the organization in place."),
            Attribute::object(
                "parent",
                vec![
                    Attribute::string("id")
                        .required()
                        .requires_replace()
                        .description("ID of the parent organization. Changing this forces a new resource (the API cannot move an organization)."),
                    Attribute::string("name")
                        .computed()
                        .use_state_for_unknown()
                        .description("Name of the parent organization, as the API reports it."),
                ],
            )
            .optional_computed()
            .use_state_for_unknown()
            .description("Parent organization, for nested (MSSP or distributor) hierarchies. Omit it for a root organization. Changing `parent.id` forces a new resource."),
            Attribute::object("profile", profile_attributes(Attribute::required))
                .optional_computed()
                .use_state_for_unknown()
                .description("Business profile (\"customer identification data\"). Sent on create; later changes go to the profile endpoint. When omitted, the provider does not manage the profile and shows whatever the API holds; removing the block stops managing it and leaves the profile in place (the API cannot delete a profile). Manage a profile here or with `cloudflare_organization_profile`, not both."),
            Attribute::string("create_time")
                .computed()
                .use_state_for_unknown()
                .description("When the organization was created (RFC 3339)."),
            meta_attribute().use_state_for_unknown(),
        ],
    )
}

/// The identity schema: `{id}`.
pub fn identity_schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute {
            name: "id".into(),
            ty: Type::String,
            required_for_import: true,
            optional_for_import: false,
            description: "Organization ID.".into(),
        }],
    }
}

/// The state for `org`, whose profile is `profile` (already resolved by the caller).
fn state_from(org: &Organization, profile: Value) -> Value {
    Value::object(organization_fields(org, profile))
}

/// Body of `POST /organizations` from the planned state.
fn create_body(planned: &Value) -> OrganizationCreate {
    OrganizationCreate {
        name: planned.get("name").as_str().unwrap_or_default().to_string(),
        parent: parent_ref(planned),
        profile: profile_from_value(planned.get("profile")),
    }
}

/// The parent an organization was created under cannot change; when an answer leaves it out, keep the
/// planned `parent.id` (its `name` is then unknown to us: null) rather than report a root organization.
fn keep_planned_parent(mut state: Value, planned: &Value) -> Value {
    if state.get("parent").is_null() {
        if let Some(id) = planned.get("parent").get("id").as_str() {
            let parent = Value::object([("id", Value::string(id)), ("name", Value::Null)]);
            state.set("parent", parent);
        }
    }
    state
}

fn parent_ref(v: &Value) -> Option<ParentRef> {
    v.get("parent")
        .get("id")
        .as_str()
        .map(|id| ParentRef { id: id.to_string() })
}

/// True when a failed create may still have created the organization (the request may have reached
/// the API): never retried, so the user must be told what to look for.
fn may_have_been_created(e: &cloudflare::Error) -> bool {
    matches!(
        e.kind(),
        cloudflare::ErrorKind::OutcomeUnknown | cloudflare::ErrorKind::Decode
    )
}

/// After a create whose outcome is unknown, lists organizations with exactly this name (one request,
/// no retry of the POST) and tells the user which IDs to check and how to import the right one.
/// Nothing is added to state: names are not unique, so we cannot know which one is ours.
async fn report_candidates(client: &cloudflare::Client, name: &str, diags: &mut Diagnostics) {
    let filter = cloudflare::OrganizationFilter {
        name: Some(name.to_string()),
        ..Default::default()
    };
    let detail = match client.list_organizations(&filter, Some(20)).await {
        Ok(orgs) => {
            // The API's name filter is case-insensitive: keep exact matches only.
            let ids: Vec<String> = orgs
                .iter()
                .filter(|o| o.name == name)
                .map(|o| format!("{} (created {})", o.id, o.create_time.as_deref().unwrap_or("at an unknown time")))
                .collect();
            if ids.is_empty() {
                return diags.warning(
                    "Organization Probably Not Created",
                    format!("No organization named {name:?} is visible now, so the create most likely did not happen; running apply again is safe."),
                );
            }
            format!(
                "Organizations named {name:?} now: {}. If one of them is the one this apply created, import it instead of applying again (apply would create a second one): terraform import <address> <id>",
                ids.join(", ")
            )
        }
        Err(e) => format!(
            "Checking for an organization named {name:?} also failed ({e}); check in the dashboard before applying again."
        ),
    };
    diags.warning("Organization May Have Been Created", detail);
}

/// One line for an error inside a warning: status and the API's codes, never a body.
fn err_summary(e: &cloudflare::Error) -> String {
    match e.kind() {
        cloudflare::ErrorKind::Cancelled => "Terraform is stopping".to_string(),
        cloudflare::ErrorKind::Timeout => match e.status() {
            Some(status) => format!("still HTTP {status} when the wait ran out"),
            None => "the API did not answer in time".to_string(),
        },
        _ => e.to_string(),
    }
}

/// The cloudflare_organization resource.
pub struct OrganizationResource;

impl OrganizationResource {
    /// Reads the organization and its profile (see [`crate::mapping::fetch_organization`]); `Ok(None)`
    /// when it is gone. Profile fields that differ from `prior_profile` only by normalisation keep the
    /// prior text.
    async fn fetch(
        client: &cloudflare::Client,
        id: &str,
        prior_profile: &Value,
    ) -> Result<Option<Value>, cloudflare::Error> {
        Ok(crate::mapping::fetch_organization(client, id)
            .await?
            .map(|(org, profile)| {
                state_from(
                    &org,
                    crate::mapping::reconcile_profile(prior_profile, profile),
                )
            }))
    }
}

#[async_trait]
impl Resource for OrganizationResource {
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
        validate_not_empty(
            config.get("name"),
            AttributePath::attr("name"),
            "Organization Name",
            diags,
        );
        validate_id(
            config.get("parent").get("id"),
            AttributePath::attr("parent").child("id"),
            "Parent Organization ID",
            diags,
        );
    }

    fn modify_plan(&self, ctx: &PlanContext<'_>, planned: &mut Value, diags: &mut Diagnostics) {
        if ctx.is_destroy() {
            return;
        }
        if !ctx.is_create() {
            let prior_parent = ctx.prior.get("parent").get("id");
            if ctx.config.get("parent").is_null() {
                if let Some(parent) = prior_parent.as_str() {
                    diags.warning_at(
                        AttributePath::attr("parent"),
                        "Sub-Organization Kept Under Its Parent",
                        format!("`parent` is not set in the configuration, but this organization is a sub-organization of {parent}. Organizations cannot move, so nothing changes and `parent` keeps its value. Set `parent = {{ id = \"{parent}\" }}` to say so explicitly, or run `terraform apply -replace=<address>` to recreate it as a root organization."),
                    );
                }
            }
            return;
        }
        // A new organization has exactly the parent and profile it is created with: plan them exactly
        // instead of "(known after apply)".
        if ctx.config.get("parent").is_null() {
            planned.set("parent", Value::Null);
        }
        if ctx.config.get("profile").is_null() {
            planned.set("profile", Value::Null);
        }
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return state.clone();
        };
        let Some(id) = state.get("id").as_str() else {
            diags.error(
                "Organization State Has No ID",
                "The stored state of this cloudflare_organization has no `id`, so it cannot be refreshed. Remove it with `terraform state rm` and import it by its organization ID.",
            );
            return state.clone();
        };
        match Self::fetch(client, id, state.get("profile")).await {
            Ok(Some(new)) => new,
            Ok(None) => {
                tracing::info!(id, "organization no longer exists; removing it from state");
                Value::Null
            }
            Err(e) => {
                api_error_diag(diags, "Unable to Read Organization", &e);
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
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        let body = create_body(planned);
        let created = match client.create_organization(&body).await {
            Ok(o) => o,
            Err(e) => {
                api_error_diag(diags, "Unable to Create Organization", &e);
                if e.kind() == &cloudflare::ErrorKind::Cancelled {
                    // Interrupted while the POST was in flight: the API may have committed it, and the
                    // stopped client cannot look. Say what to check.
                    diags.warning(
                        "Organization May Have Been Created",
                        format!("Terraform was interrupted while creating organization {:?}. The API may have created it: look for it (the cloudflare_organizations data source with name.contains, or the dashboard) and import it rather than creating a second one.", body.name),
                    );
                } else if may_have_been_created(&e) {
                    report_candidates(client, &body.name, diags).await;
                }
                return Value::Null;
            }
        };
        let sent_profile = planned.get("profile").clone();
        // From here on the organization exists: every path returns a state that tracks it.
        let created_state =
            keep_planned_parent(state_from(&created, sent_profile.clone()), planned);
        match client.wait_for_organization(&created.id).await {
            Ok(org) => {
                let mut state = keep_planned_parent(state_from(&org, sent_profile), planned);
                if state.get("create_time").is_null() {
                    state.set("create_time", created_state.get("create_time").clone());
                }
                state
            }
            Err(e) => {
                // The organization exists: record it as created (a warning, not an error, so Terraform
                // does not taint it and replace a live organization on the next apply).
                tracing::warn!(id = %created.id, error = %e, "organization created but not yet readable");
                diags.warning(
                    "Organization Created; Permissions Still Propagating",
                    format!(
                        "Cloudflare created organization {} but did not let this provider read it back yet ({}). It is recorded in state as created. If the next plan fails with HTTP 403, wait a minute and run it again; nothing will be replaced.",
                        created.id,
                        err_summary(&e),
                    ),
                );
                created_state
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(client) = client(ctx, diags) else {
            return prior.clone();
        };
        let Some(id) = prior.get("id").as_str() else {
            return prior.clone();
        };
        let mut state = prior.clone();
        if planned.get("name") != prior.get("name") {
            let body = OrganizationUpdate {
                name: planned.get("name").as_str().unwrap_or_default().to_string(),
                parent: parent_ref(prior),
            };
            match client.update_organization(id, &body).await {
                Ok(org) => {
                    state.set("name", Value::string(&org.name));
                }
                Err(e) => {
                    api_error_diag(diags, "Unable to Rename Organization", &e);
                    return state;
                }
            }
        }
        let planned_profile = planned.get("profile");
        if !planned_profile.equals(prior.get("profile")) {
            if let Some(p) = profile_from_value(planned_profile) {
                if let Err(e) = client.put_profile(id, &p, false).await {
                    api_error_diag(diags, "Unable to Update Organization Profile", &e);
                    return state;
                }
                state.set("profile", planned_profile.clone());
            }
        }
        state
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        let Some(client) = client(ctx, diags) else {
            return;
        };
        let Some(id) = prior.get("id").as_str() else {
            return;
        };
        if let Err(e) = client.delete_organization(id).await {
            api_error_diag(diags, "Unable to Delete Organization", &e);
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value {
        if let Some(problem) = crate::mapping::id_problem(id) {
            diags.error(
                "Invalid Import ID",
                format!("{problem} Import a cloudflare_organization by its organization ID, for example: terraform import cloudflare_organization.example 023e105f4ecef8ad9ca31a8372d0c353"),
            );
            return Value::Null;
        }
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        match Self::fetch(client, id, &Value::Null).await {
            Ok(Some(state)) => state,
            Ok(None) => Value::Null,
            Err(e) => {
                api_error_diag(diags, "Unable to Import Organization", &e);
                Value::Null
            }
        }
    }

    fn generated_config(&self, mut config: Value) -> Value {
        // Generated config does not take over the profile: it may be managed by a
        // cloudflare_organization_profile (imported alongside), and two owners would fight.
        config.set("profile", Value::Null);
        config
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        let id = state.get("id").as_str()?;
        Some(Value::object([("id", Value::string(id))]))
    }

    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        identity.get("id").as_str().map(str::to_string)
    }
}
