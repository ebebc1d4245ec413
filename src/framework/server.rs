//! The protocol-neutral provider server: one method per Terraform RPC, in framework types.
//!
//! The protocol layer decodes each request's `DynamicValue`s with the types this server exposes
//! ([`Server::resource_schema`] etc.), calls the matching method, and encodes the response. Everything
//! Terraform checks (plan validity, apply consistency, no unknowns after apply, null state after delete) is
//! enforced here, so a resource cannot produce an invalid plan or an inconsistent apply by accident.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use super::plan::{check_plan_validity, replace_paths, unknowns_to_null};
use super::{
    check_apply_consistency, decode_json, plan_rules, AttrType, Attribute, AttributePath, Ctx,
    DataSource, Diagnostics, IdentitySchema, ListItem, ListResource, Mode, PlanContext, Provider,
    ProviderData, Resource, Schema, Value,
};

/// Request of `ReadResource`.
pub struct ReadResourceRequest {
    /// Resource type name.
    pub type_name: String,
    /// Current state (after UpgradeResourceState).
    pub current_state: Value,
    /// Private bytes stored with the state.
    pub private: Vec<u8>,
    /// Current identity, when state holds one.
    pub current_identity: Option<Value>,
}

/// Response of `ReadResource`.
pub struct ReadResourceResponse {
    /// Refreshed state; `Null` when the object is gone.
    pub new_state: Value,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// Identity of the refreshed object.
    pub new_identity: Option<Value>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Request of `PlanResourceChange`.
pub struct PlanResourceChangeRequest {
    /// Resource type name.
    pub type_name: String,
    /// Prior state (`Null` on create).
    pub prior_state: Value,
    /// Proposed new state (`Null` on destroy).
    pub proposed_new_state: Value,
    /// Configuration (`Null` on destroy).
    pub config: Value,
    /// Private bytes from the prior state.
    pub prior_private: Vec<u8>,
    /// Prior identity.
    pub prior_identity: Option<Value>,
}

/// Response of `PlanResourceChange`.
pub struct PlanResourceChangeResponse {
    /// Planned state.
    pub planned_state: Value,
    /// Paths whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private bytes for apply.
    pub planned_private: Vec<u8>,
    /// Planned identity (when known).
    pub planned_identity: Option<Value>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Request of `ApplyResourceChange`.
pub struct ApplyResourceChangeRequest {
    /// Resource type name.
    pub type_name: String,
    /// Prior state (`Null` on create).
    pub prior_state: Value,
    /// Planned state (`Null` on delete).
    pub planned_state: Value,
    /// Configuration.
    pub config: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
    /// Planned identity.
    pub planned_identity: Option<Value>,
}

/// Response of `ApplyResourceChange`.
pub struct ApplyResourceChangeResponse {
    /// New state (`Null` after delete).
    pub new_state: Value,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// New identity.
    pub new_identity: Option<Value>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// One object returned by `ImportResourceState`.
pub struct ImportedResource {
    /// Resource type name.
    pub type_name: String,
    /// Imported state.
    pub state: Value,
    /// Private bytes.
    pub private: Vec<u8>,
    /// Identity.
    pub identity: Option<Value>,
}

/// Response of `ImportResourceState`.
pub struct ImportResourceStateResponse {
    /// Imported objects (one here).
    pub imported_resources: Vec<ImportedResource>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// A resource type with its schema and identity schema, built once at startup.
type RegisteredResource = (Arc<dyn Resource>, Schema, Option<IdentitySchema>);

/// The framework server: owns the provider, its type registry, the configured provider data and the
/// stop token.
pub struct Server {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: BTreeMap<String, RegisteredResource>,
    data_sources: BTreeMap<String, (Arc<dyn DataSource>, Schema)>,
    list_resources: BTreeMap<String, (Arc<dyn ListResource>, Schema)>,
    provider_data: RwLock<Option<ProviderData>>,
    /// Fired by `StopProvider`, then replaced by a fresh token, so a process that outlives one Terraform
    /// command (debug mode) still serves the next one (terraform-plugin-go does the same with its stopCh).
    cancel: RwLock<CancellationToken>,
}

/// Source provider addresses whose state `MoveResourceState` accepts for a type of the same name (the
/// official provider's resources share our schemas at version 500).
const MOVE_SOURCES: &[&str] = &[
    "registry.terraform.io/cloudflare/cloudflare",
    "registry.terraform.io/cloudflare-orgs/cloudflare",
];

impl Server {
    /// Builds the registry from `provider`. Schemas are built once, here.
    pub fn new(provider: Arc<dyn Provider>) -> Server {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let s = r.schema();
                let i = r.identity_schema();
                (r.type_name().to_string(), (r, s, i))
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let s = d.schema();
                (d.type_name().to_string(), (d, s))
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let s = l.schema();
                (l.type_name().to_string(), (l, s))
            })
            .collect();
        Server {
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            list_resources,
            provider_data: RwLock::new(None),
            cancel: RwLock::new(CancellationToken::new()),
        }
    }

    /// The provider configuration schema.
    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }
    /// Every resource type with its schema, by name.
    pub fn resource_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.resources.iter().map(|(k, (_, s, _))| (k.as_str(), s))
    }
    /// Every data source type with its schema, by name.
    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.data_sources.iter().map(|(k, (_, s))| (k.as_str(), s))
    }
    /// Every list resource type with its config schema, by name.
    pub fn list_resource_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.list_resources
            .iter()
            .map(|(k, (_, s))| (k.as_str(), s))
    }
    /// Every resource identity schema, by resource type name.
    pub fn identity_schemas(&self) -> impl Iterator<Item = (&str, &IdentitySchema)> {
        self.resources
            .iter()
            .filter_map(|(k, (_, _, i))| i.as_ref().map(|i| (k.as_str(), i)))
    }
    /// Schema of resource `type_name`.
    pub fn resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.resources.get(type_name).map(|(_, s, _)| s)
    }
    /// Identity schema of resource `type_name`.
    pub fn identity_schema(&self, type_name: &str) -> Option<&IdentitySchema> {
        self.resources
            .get(type_name)
            .and_then(|(_, _, i)| i.as_ref())
    }
    /// Schema of data source `type_name`.
    pub fn data_source_schema(&self, type_name: &str) -> Option<&Schema> {
        self.data_sources.get(type_name).map(|(_, s)| s)
    }
    /// Config schema of list resource `type_name`.
    pub fn list_resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.list_resources.get(type_name).map(|(_, s)| s)
    }

    /// `StopProvider`: cancels in-flight work (HTTP calls, back-off waits) of everything configured
    /// before the stop. The server keeps serving, and a later `ConfigureProvider` (the next Terraform
    /// command attached to a `--debug` process) gets a fresh token.
    pub fn stop(&self) {
        let mut token = self.cancel.write().unwrap_or_else(|e| e.into_inner());
        token.cancel();
        *token = CancellationToken::new();
    }

    /// The current stop token (fired by the next [`Server::stop`]).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn ctx(&self) -> Ctx {
        let provider_data = self.provider_data.read().ok().and_then(|g| g.clone());
        Ctx { provider_data }
    }

    /// `ValidateProviderConfig`.
    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        self.provider.validate_config(config, &mut diags);
        diags
    }

    /// `ConfigureProvider`: stores the provider data for later calls in this process.
    pub async fn configure_provider(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let data = self
            .provider
            .configure(terraform_version, config, self.cancel_token(), &mut diags)
            .await;
        if let Ok(mut g) = self.provider_data.write() {
            *g = data;
        }
        diags
    }

    /// The error for a type name this provider does not serve; `kind` is "Resource", "Data Source" or
    /// "List Resource". Every RPC answers an unknown type with it (the protocol adapters too).
    pub fn unknown_type(kind: &str, type_name: &str) -> Diagnostics {
        let mut d = Diagnostics::new();
        d.error(
            format!("Unknown {kind} Type"),
            format!("This provider has no {kind} type named {type_name:?}. Check the type name, and that the configuration selects the cloudflare-orgs/cloudflare provider."),
        );
        d
    }

    /// `ValidateResourceConfig`.
    pub fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some((r, schema, _)) = self.resources.get(type_name) else {
            return Self::unknown_type("Resource", type_name);
        };
        let mut diags = Diagnostics::new();
        check_config(
            &schema.attributes,
            config,
            &AttributePath::root(),
            &mut diags,
        );
        r.validate(config, &mut diags);
        diags
    }

    /// `ValidateDataResourceConfig`.
    pub fn validate_data_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some((d, schema)) = self.data_sources.get(type_name) else {
            return Self::unknown_type("Data Source", type_name);
        };
        let mut diags = Diagnostics::new();
        check_config(
            &schema.attributes,
            config,
            &AttributePath::root(),
            &mut diags,
        );
        d.validate(config, &mut diags);
        diags
    }

    /// `ValidateListResourceConfig`.
    pub fn validate_list_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let Some((l, schema)) = self.list_resources.get(type_name) else {
            return Self::unknown_type("List Resource", type_name);
        };
        let mut diags = Diagnostics::new();
        check_config(
            &schema.attributes,
            config,
            &AttributePath::root(),
            &mut diags,
        );
        l.validate(config, &mut diags);
        diags
    }

    /// `UpgradeResourceState`: decodes state JSON written at `version` (0 up to the current version; the
    /// shapes are the same) into the current schema. Unknown keys are dropped, missing keys become null,
    /// then [`Resource::upgrade_state`] fills in what it can derive.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Value, Diagnostics) {
        let Some((resource, schema, _)) = self.resources.get(type_name) else {
            return (Value::Null, Self::unknown_type("Resource", type_name));
        };
        let mut diags = Diagnostics::new();
        if version > schema.version {
            diags.error(
                "Resource State Is Newer Than This Provider",
                format!("The state of this {type_name} was written at schema version {version}, but this provider only knows versions up to {}. Upgrade the provider; state cannot be downgraded.", schema.version),
            );
            return (Value::Null, diags);
        }
        match decode_json(raw_json, schema.value_type()) {
            Ok(v) if v.is_null() => (v, diags),
            Ok(v) => (resource.upgrade_state(version, v), diags),
            Err(e) => {
                diags.error(
                    "Unable to Read Previously Saved State",
                    format!("The stored state of this {type_name} (schema version {version}) could not be decoded: {e}. If the state was edited by hand, restore a backup."),
                );
                (Value::Null, diags)
            }
        }
    }

    /// `UpgradeResourceIdentity`: decodes identity JSON written at `version`.
    pub fn upgrade_resource_identity(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Value, Diagnostics) {
        if !self.resources.contains_key(type_name) {
            return (Value::Null, Self::unknown_type("Resource", type_name));
        }
        let mut diags = Diagnostics::new();
        let Some(identity) = self.identity_schema(type_name) else {
            diags.error(
                "Resource Identity Not Supported",
                format!("The resource type {type_name:?} has no identity in this provider."),
            );
            return (Value::Null, diags);
        };
        if version > identity.version {
            diags.error(
                "Resource Identity Is Newer Than This Provider",
                format!("The identity of this {type_name} was written at version {version}; this provider knows up to {}. Upgrade the provider.", identity.version),
            );
            return (Value::Null, diags);
        }
        match decode_json(raw_json, &identity.value_type()) {
            Ok(v) => (v, diags),
            Err(e) => {
                diags.error(
                    "Unable to Read Resource Identity",
                    format!("The stored identity could not be decoded: {e}."),
                );
                (Value::Null, diags)
            }
        }
    }

    fn identity_of(&self, r: &Arc<dyn Resource>, state: &Value) -> Option<Value> {
        if state.is_null() || !state.is_wholly_known() {
            return None;
        }
        r.identity(state)
    }

    /// `ReadResource`. Without provider data (provider config unknown at plan time) the state is returned
    /// unchanged and no API is called.
    pub async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let Some((r, _, _)) = self.resources.get(&req.type_name) else {
            return ReadResourceResponse {
                new_state: req.current_state,
                private: req.private,
                new_identity: req.current_identity,
                diagnostics: Self::unknown_type("Resource", &req.type_name),
            };
        };
        let ctx = self.ctx();
        if ctx.provider_data.is_none() || req.current_state.is_null() {
            let new_identity = req
                .current_identity
                .or_else(|| self.identity_of(r, &req.current_state));
            return ReadResourceResponse {
                new_state: req.current_state,
                private: req.private,
                new_identity,
                diagnostics: Diagnostics::new(),
            };
        }
        let mut diags = Diagnostics::new();
        let mut new_state = r.read(&ctx, &req.current_state, &mut diags).await;
        if diags.has_errors() && new_state.is_null() {
            // A failed read never drops the object from state.
            new_state = req.current_state.clone();
        }
        unknowns_to_null(&mut new_state);
        let new_identity = self.identity_of(r, &new_state);
        ReadResourceResponse {
            new_state,
            private: req.private,
            new_identity,
            diagnostics: diags,
        }
    }

    /// `PlanResourceChange`: framework plan rules, then the resource's own plan changes, then validity
    /// checks and `requires_replace`. Pure: no API calls.
    pub fn plan_resource_change(
        &self,
        req: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        let Some((r, schema, _)) = self.resources.get(&req.type_name) else {
            return PlanResourceChangeResponse {
                planned_state: req.proposed_new_state,
                requires_replace: Vec::new(),
                planned_private: req.prior_private,
                planned_identity: None,
                diagnostics: Self::unknown_type("Resource", &req.type_name),
            };
        };
        let mut diags = Diagnostics::new();
        let ctx = PlanContext {
            prior: &req.prior_state,
            proposed: &req.proposed_new_state,
            config: &req.config,
        };
        if req.proposed_new_state.is_null() {
            let mut planned = Value::Null;
            r.modify_plan(&ctx, &mut planned, &mut diags);
            return PlanResourceChangeResponse {
                planned_state: Value::Null,
                requires_replace: Vec::new(),
                planned_private: req.prior_private,
                planned_identity: None,
                diagnostics: diags,
            };
        }
        let mut planned = plan_rules(
            schema,
            &req.prior_state,
            &req.proposed_new_state,
            &req.config,
        );
        r.modify_plan(&ctx, &mut planned, &mut diags);
        diags.extend(check_plan_validity(schema, &req.config, &planned));
        let requires_replace = replace_paths(schema, &req.prior_state, &planned);
        let planned_identity = if req.prior_state.is_null() || !requires_replace.is_empty() {
            self.identity_of(r, &planned)
        } else {
            req.prior_identity
                .or_else(|| self.identity_of(r, &req.prior_state))
        };
        PlanResourceChangeResponse {
            planned_state: planned,
            requires_replace,
            planned_private: req.prior_private,
            planned_identity,
            diagnostics: diags,
        }
    }

    /// `ApplyResourceChange`: create, update or delete, then the consistency check against the plan.
    pub async fn apply_resource_change(
        &self,
        req: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        let Some((r, schema, _)) = self.resources.get(&req.type_name) else {
            return ApplyResourceChangeResponse {
                new_state: req.prior_state,
                private: req.planned_private,
                new_identity: None,
                diagnostics: Self::unknown_type("Resource", &req.type_name),
            };
        };
        let ctx = self.ctx();
        let mut diags = Diagnostics::new();
        if ctx.provider_data.is_none() {
            diags.error(
                "Provider Not Configured",
                "The provider was not configured before apply, so no API call can be made. Make sure every provider argument is known at apply time.",
            );
            return ApplyResourceChangeResponse {
                new_state: req.prior_state,
                private: req.planned_private,
                new_identity: req.planned_identity,
                diagnostics: diags,
            };
        }
        if req.planned_state.is_null() {
            r.delete(&ctx, &req.prior_state, &mut diags).await;
            // On failure the object stays in state.
            let new_state = if diags.has_errors() {
                req.prior_state
            } else {
                Value::Null
            };
            return ApplyResourceChangeResponse {
                new_identity: self.identity_of(r, &new_state),
                new_state,
                private: req.planned_private,
                diagnostics: diags,
            };
        }
        let mut new_state = if req.prior_state.is_null() {
            r.create(&ctx, &req.planned_state, &req.config, &mut diags)
                .await
        } else {
            let s = r
                .update(
                    &ctx,
                    &req.prior_state,
                    &req.planned_state,
                    &req.config,
                    &mut diags,
                )
                .await;
            if s.is_null() {
                req.prior_state.clone()
            } else {
                s
            }
        };
        if new_state.is_null() {
            if !diags.has_errors() {
                diags.error(
                    "Provider Returned No Object After Apply",
                    "The create returned no object and no error. This is a bug in the provider; please report it.",
                );
            }
        } else if !diags.has_errors() {
            diags.extend(check_apply_consistency(
                schema,
                &req.planned_state,
                &new_state,
            ));
        }
        unknowns_to_null(&mut new_state);
        ApplyResourceChangeResponse {
            new_identity: self.identity_of(r, &new_state),
            new_state,
            private: req.planned_private,
            diagnostics: diags,
        }
    }

    /// `ImportResourceState`, by ID or by identity.
    pub async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
        identity: Option<&Value>,
    ) -> ImportResourceStateResponse {
        let mut diags = Diagnostics::new();
        let Some((r, _, _)) = self.resources.get(type_name) else {
            return ImportResourceStateResponse {
                imported_resources: Vec::new(),
                diagnostics: Self::unknown_type("Resource", type_name),
            };
        };
        let id = match identity.filter(|v| !v.is_null()) {
            Some(ident) => match r.import_id_from_identity(ident) {
                Some(id) => id,
                None => {
                    diags.error(
                        "Invalid Import Identity",
                        format!("The identity given for {type_name} is incomplete or not supported. Give every attribute the identity schema marks as required for import."),
                    );
                    return ImportResourceStateResponse {
                        imported_resources: Vec::new(),
                        diagnostics: diags,
                    };
                }
            },
            None => id.to_string(),
        };
        let ctx = self.ctx();
        if ctx.provider_data.is_none() {
            diags.error(
                "Provider Not Configured",
                "Import needs a configured provider: make sure every provider argument is known.",
            );
            return ImportResourceStateResponse {
                imported_resources: Vec::new(),
                diagnostics: diags,
            };
        }
        let mut state = r.import(&ctx, &id, &mut diags).await;
        if diags.has_errors() {
            return ImportResourceStateResponse {
                imported_resources: Vec::new(),
                diagnostics: diags,
            };
        }
        if state.is_null() {
            diags.error(
                "Cannot Import Non-Existent Remote Object",
                format!("No {type_name} with ID {id:?} exists, or the credentials cannot see it. Check the ID (for organizations, the 32-character organization ID)."),
            );
            return ImportResourceStateResponse {
                imported_resources: Vec::new(),
                diagnostics: diags,
            };
        }
        unknowns_to_null(&mut state);
        ImportResourceStateResponse {
            imported_resources: vec![ImportedResource {
                type_name: type_name.to_string(),
                identity: self.identity_of(r, &state),
                state,
                private: Vec::new(),
            }],
            diagnostics: diags,
        }
    }

    /// `MoveResourceState`: accepts state of a same-named type from the official Cloudflare provider (or
    /// from us); anything else gets a clear "not supported" diagnostic.
    pub fn move_resource_state(
        &self,
        source_provider_address: &str,
        source_type_name: &str,
        source_schema_version: i64,
        source_raw_json: &[u8],
        target_type_name: &str,
    ) -> (Value, Diagnostics) {
        let supported = source_type_name == target_type_name
            && MOVE_SOURCES.contains(&source_provider_address)
            && self.resources.contains_key(target_type_name);
        if !supported {
            let mut diags = Diagnostics::new();
            diags.error(
                "Move Not Supported",
                format!("This provider cannot move state from {source_type_name} ({source_provider_address}) to {target_type_name}. Supported: moves between resources of the same type, from registry.terraform.io/cloudflare/cloudflare or this provider. Use `terraform state rm` and an `import` block instead."),
            );
            return (Value::Null, diags);
        }
        self.upgrade_resource_state(target_type_name, source_schema_version, source_raw_json)
    }

    /// `ReadDataSource`.
    pub async fn read_data_source(&self, type_name: &str, config: &Value) -> (Value, Diagnostics) {
        let Some((d, _)) = self.data_sources.get(type_name) else {
            return (Value::Null, Self::unknown_type("Data Source", type_name));
        };
        let ctx = self.ctx();
        let mut diags = Diagnostics::new();
        if ctx.provider_data.is_none() {
            diags.error(
                "Provider Not Configured",
                "Data sources need a configured provider: make sure every provider argument is known when this data source is read.",
            );
            return (Value::Null, diags);
        }
        let mut state = d.read(&ctx, config, &mut diags).await;
        if !diags.has_errors() && !state.is_wholly_known() {
            diags.error(
                "Provider Returned Unknown Data Source Values",
                "The data source result still holds unknown values. This is a bug in the provider; please report it.",
            );
        }
        unknowns_to_null(&mut state);
        (state, diags)
    }

    /// `ListResource`: the items (the protocol layer streams them).
    pub async fn list_resource(
        &self,
        type_name: &str,
        config: &Value,
        include_resource_object: bool,
        limit: i64,
    ) -> (Vec<ListItem>, Diagnostics) {
        let Some((l, _)) = self.list_resources.get(type_name) else {
            return (Vec::new(), Self::unknown_type("List Resource", type_name));
        };
        let ctx = self.ctx();
        let mut diags = Diagnostics::new();
        if ctx.provider_data.is_none() {
            diags.error(
                "Provider Not Configured",
                "Listing needs a configured provider: make sure every provider argument is known.",
            );
            return (Vec::new(), diags);
        }
        let items = l
            .list(&ctx, config, include_resource_object, limit, &mut diags)
            .await;
        (items, diags)
    }

    /// `GenerateResourceConfig`: the configuration value for a state: configurable attributes keep their
    /// values, computed-only ones are null (nested objects likewise), so the generated HCL plans no change.
    pub fn generate_resource_config(&self, type_name: &str, state: &Value) -> (Value, Diagnostics) {
        let Some((resource, schema, _)) = self.resources.get(type_name) else {
            return (Value::Null, Self::unknown_type("Resource", type_name));
        };
        (
            resource.generated_config(config_from_state(&schema.attributes, state)),
            Diagnostics::new(),
        )
    }
}

/// Config checks every schema implies, as terraform-plugin-framework makes them: a read-only
/// (computed-only) attribute may not be set; a required attribute may not be explicitly null (Terraform
/// core lets `parent = { id = null }` through, and the API would then get a body without it); a
/// deprecated attribute that is set gets a warning. Unknown values pass; they are checked at apply.
fn check_config(
    attrs: &[Attribute],
    config: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if !matches!(config, Value::Object(_)) {
        return;
    }
    for a in attrs {
        let v = config.get(&a.name);
        let p = path.child(&a.name);
        if v.is_null() {
            if a.mode == Mode::Required {
                diags.error_at(
                    p.clone(),
                    "Missing Configuration for Required Attribute",
                    format!("`{p}` is required and cannot be null. Set it, or leave out the whole enclosing block when that is what you mean (for example `parent = null` for a root organization)."),
                );
            }
            continue;
        }
        if a.mode == Mode::Computed {
            diags.error_at(
                p,
                "Invalid Configuration for Read-Only Attribute",
                format!(
                    "`{}` is read-only: the provider sets it from the API. Remove it from the configuration.",
                    a.name
                ),
            );
            continue;
        }
        if let Some(msg) = &a.deprecated {
            diags.warning_at(p.clone(), "Deprecated Attribute", msg.clone());
        }
        let AttrType::Nested(nesting, nested) = &a.ty else {
            continue;
        };
        match (nesting, v) {
            (super::Nesting::Single, _) => check_config(nested, v, &p, diags),
            (super::Nesting::List, Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let i = i64::try_from(i).unwrap_or(i64::MAX);
                    check_config(nested, item, &p.index(i), diags);
                }
            }
            // Set elements have no path of their own; point at the set.
            (super::Nesting::Set, Value::Set(items)) => {
                for item in items {
                    check_config(nested, item, &p, diags);
                }
            }
            (super::Nesting::Map, Value::Map(items)) => {
                for (k, item) in items {
                    check_config(nested, item, &p.key(k), diags);
                }
            }
            _ => {}
        }
    }
}

fn config_from_state(attrs: &[Attribute], state: &Value) -> Value {
    if state.is_null() || state.is_unknown() {
        return Value::Null;
    }
    Value::Object(
        attrs
            .iter()
            .map(|a| {
                let v = state.get(&a.name);
                let out = match (&a.ty, a.mode) {
                    (_, Mode::Computed) => Value::Null,
                    (AttrType::Nested(super::Nesting::Single, nested), _) => {
                        config_from_state(nested, v)
                    }
                    _ => v.clone(),
                };
                (a.name.clone(), out)
            })
            .collect(),
    )
}
