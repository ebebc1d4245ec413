//! Protocol-neutral provider SDK: values, codecs, schemas, diagnostics, plan rules, and the traits that
//! resources implement. Knows neither tonic/prost (see `protocol`) nor Cloudflare (see `cloudflare`).

mod codec;
mod diag;
pub mod docs;
mod plan;
mod schema;
mod server;
mod traits;
mod value;

pub use codec::{decode_json, decode_msgpack, encode_json, encode_msgpack, CodecError};
pub use diag::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use plan::{check_apply_consistency, plan_rules};
pub use schema::{
    object_type, AttrType, Attribute, IdentityAttribute, IdentitySchema, Mode, Nesting, Schema,
};
pub use server::*;
pub use traits::{
    Ctx, DataSource, ListItem, ListResource, PlanContext, Provider, ProviderData, Resource,
};
pub use value::{Number, Refinements, Type, Value};
