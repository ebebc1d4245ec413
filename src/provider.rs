//! PLACEHOLDER, replaced at merge by the real provider (config schema, env fallbacks, Configure →
//! `cloudflare::Client`, and its resources and data sources).
//!
//! It exists so that the binary serves the protocol in this branch: an empty provider with no resources.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::framework::{DataSource, Diagnostics, Provider, ProviderData, Resource, Schema, Value};

/// The provider (placeholder: no resources, no data sources).
pub fn new() -> Arc<dyn Provider> {
    Arc::new(Placeholder)
}

struct Placeholder;

#[async_trait]
impl Provider for Placeholder {
    fn schema(&self) -> Schema {
        Schema::new(0, "Placeholder provider (replaced at merge).", Vec::new())
    }

    async fn configure(
        &self,
        _terraform_version: &str,
        _config: &Value,
        _cancel: CancellationToken,
        _diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        Some(Arc::new(()))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}
