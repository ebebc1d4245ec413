//! Managed resources: where Terraform (the `framework`) meets the REST client (`cloudflare`).
//!
//! One file per resource, each in the same order: `//!` doc → `TYPE_NAME` → `schema()` → model ⇄ DTO →
//! `impl Resource` (validate, plan, read, create, update, delete, import, identity).

pub mod organization;
pub mod organization_list;
pub mod organization_profile;
