//! The wire layer: Terraform plugin protocol 6 over gRPC (being built).

mod convert;
#[doc(hidden)]
pub mod proto;
mod rpc;
