//! Data sources: read-only views of organizations, profiles and accounts.
//!
//! One file per data source, each in the same order: `//!` doc → `TYPE_NAME` → `schema()` → model ⇄
//! DTO → `impl DataSource` (validate, read). Schemas are version 0 and declare no plan behaviour;
//! shared shapes (`meta`, `profile`, the organization list filters) come from [`crate::mapping`].

use std::sync::Arc;

use crate::framework::DataSource;

pub mod organization;
pub mod organization_accounts;
pub mod organization_profile;
pub mod organizations;

/// Every data source type this provider serves.
pub fn all() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(organization::OrganizationDataSource),
        Arc::new(organizations::OrganizationsDataSource),
        Arc::new(organization_profile::OrganizationProfileDataSource),
        Arc::new(organization_accounts::OrganizationAccountsDataSource),
    ]
}
