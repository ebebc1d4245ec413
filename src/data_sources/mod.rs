//! Data sources: read-only views of organizations, profiles and accounts.

use std::sync::Arc;

use crate::framework::DataSource;

/// Every data source type this provider serves.
pub fn all() -> Vec<Arc<dyn DataSource>> {
    Vec::new()
}
