//! The wire layer: Terraform plugin protocol 6 over gRPC (being built).

#[doc(hidden)]
pub mod proto;
