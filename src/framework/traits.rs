//! The traits provider code implements: [`Provider`], [`Resource`], [`DataSource`], [`ListResource`].
//!
//! They speak only framework types (`Value`, `Schema`, `Diagnostics`); the [`super::Server`] turns RPCs into
//! calls on them and enforces Terraform's rules around them (plan rules, apply consistency).

use std::any::Any;
use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{Diagnostics, IdentitySchema, Schema, Value};

/// What `Provider::configure` hands to every resource and data source (e.g. the REST client). Resources
/// downcast it to their concrete type.
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// Per-call context: the configured provider data. (Cancellation reaches API work through the token
/// `Provider::configure` received, which `StopProvider` and SIGINT fire.)
#[derive(Clone)]
pub struct Ctx {
    /// Set by a successful `ConfigureProvider`; `None` before, or when the provider config had unknowns.
    pub provider_data: Option<ProviderData>,
}

/// Facts about a plan that `Resource::modify_plan` may look at. Values are whole objects of the resource's
/// schema; `prior` is `Null` on create, `config`/`proposed` are `Null` on destroy.
pub struct PlanContext<'a> {
    /// Prior state (null on create).
    pub prior: &'a Value,
    /// Terraform's proposed new state (config merged with prior computed values).
    pub proposed: &'a Value,
    /// The configuration (may contain unknowns).
    pub config: &'a Value,
}

impl PlanContext<'_> {
    /// True when this plan creates the object.
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }
    /// True when this plan destroys the object.
    pub fn is_destroy(&self) -> bool {
        self.proposed.is_null()
    }
}

/// The provider itself: its configuration schema, Configure, and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Provider configuration schema (version 0).
    fn schema(&self) -> Schema;
    /// Checks the provider config (may contain unknowns). No network.
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Builds what resources need (e.g. the API client). Must be cheap and make no API calls. Returns
    /// `None` when the config is not yet known (plan with provider config from other resources).
    async fn configure(
        &self,
        terraform_version: &str,
        config: &Value,
        cancel: CancellationToken,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData>;
    /// Managed resource types.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    /// Data source types.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
    /// List resource types (for `terraform query`).
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }
}

/// A managed resource type. Planning is pure (no I/O); CRUD methods talk to the API.
///
/// Failure contract: `create` returns `Null` only when nothing was created; `update` returns the best-known
/// state (the prior state when nothing changed remotely) together with error diagnostics, so a failure never
/// drops a live object from state.
#[async_trait]
pub trait Resource: Send + Sync {
    /// Terraform type name, e.g. `cloudflare_organization`.
    fn type_name(&self) -> &'static str;
    /// Resource schema (plan behaviour declared on attributes).
    fn schema(&self) -> Schema;
    /// Identity schema, when the resource supports identity.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }
    /// Config checks beyond the schema (config may contain unknowns; check known values only).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Completes stored state written at schema version `from_version` (or by another provider whose
    /// schema lacks some of ours), after decoding has dropped unknown keys and nulled missing ones.
    /// Pure: no I/O. The default keeps the decoded state as it is.
    fn upgrade_state(&self, _from_version: i64, state: Value) -> Value {
        state
    }
    /// Resource-specific plan changes, run after the framework's plan rules. Pure and deterministic.
    fn modify_plan(&self, _ctx: &PlanContext<'_>, _planned: &mut Value, _diags: &mut Diagnostics) {}
    /// Refreshes `state` from the API; returns `Null` when the object no longer exists.
    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> Value;
    /// Creates the object; returns its new state (`Null` only if nothing was created).
    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value;
    /// Updates in place; returns the new state (or the best-known state with errors).
    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value;
    /// Deletes the object (a gone object is success).
    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics);
    /// Imports by ID; returns the full state, or `Null` when no such object exists.
    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Value;
    /// Adjusts the configuration generated for an imported object (`-generate-config-out`): by default
    /// every configurable attribute that has a value. Pure.
    fn generated_config(&self, config: Value) -> Value {
        config
    }
    /// The identity of the object described by `state` (must be wholly known).
    fn identity(&self, _state: &Value) -> Option<Value> {
        None
    }
    /// The import ID that an identity value stands for.
    fn import_id_from_identity(&self, _identity: &Value) -> Option<String> {
        None
    }
}

/// A data source type. Reads are driven by config; there is no plan behaviour.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// Terraform type name.
    fn type_name(&self) -> &'static str;
    /// Data source schema.
    fn schema(&self) -> Schema;
    /// Config checks beyond the schema (check known values only).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Reads; returns the whole state object (config values plus computed values).
    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value;
}

/// One result of a list resource.
#[derive(Clone, Debug)]
pub struct ListItem {
    /// The object's identity (object of the resource's identity schema).
    pub identity: Value,
    /// A human-readable name for `terraform query` output.
    pub display_name: String,
    /// The full resource object, when requested.
    pub resource_object: Option<Value>,
}

/// A list resource (`list` blocks in `.tfquery.hcl`, Terraform 1.14+), named like its managed resource.
#[async_trait]
pub trait ListResource: Send + Sync {
    /// The managed resource type it lists.
    fn type_name(&self) -> &'static str;
    /// Schema of the `config` block inside `list`.
    fn schema(&self) -> Schema;
    /// Config checks (check known values only).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Lists up to `limit` objects (`limit` ≤ 0 means no limit).
    async fn list(
        &self,
        ctx: &Ctx,
        config: &Value,
        include_resource_object: bool,
        limit: i64,
        diags: &mut Diagnostics,
    ) -> Vec<ListItem>;
}
