//! Code generated from `proto/` by `build.rs` (tonic + prost). Never committed.
//!
//! Not an API: only `protocol` uses these types. The module is public (and hidden from docs) so that the
//! integration tests in `tests/` can drive the server through the generated client stubs.

#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Terraform plugin protocol 6 (`proto/tfplugin6.proto`).
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller and stdio services (`proto/plugin.proto`).
pub mod plugin {
    tonic::include_proto!("plugin");
}

/// The gRPC health check (`proto/health.proto`).
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}
