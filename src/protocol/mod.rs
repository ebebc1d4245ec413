//! The wire layer: Terraform plugin protocol 6 over gRPC, as go-plugin and Terraform 1.15 speak it.
//!
//! This module knows tonic, prost, rustls and go-plugin's conventions, and nothing of Cloudflare. It turns
//! each RPC into a call on the protocol-neutral [`crate::framework::Server`] and back.
//!
//! # Layout
//!
//! | file | role |
//! |---|---|
//! | `handshake.rs` | the environment check (magic cookie, protocol 6) and the handshake line |
//! | `serve.rs` | socket, TLS listener, services, signals, shutdown: [`serve`] |
//! | `tls.rs` | AutoMTLS: our certificate, the pinned client certificate |
//! | `controller.rs` | go-plugin's `GRPCController` (Shutdown), `GRPCStdio`, and the health check |
//! | `rpc/` | one thin adapter per RPC (decode → framework → encode), files named after RPC groups |
//! | `convert.rs` | every framework ⇄ protobuf conversion, in one place |
//! | `logging.rs` | hclog JSON logs on stderr, level from `TF_LOG_PROVIDER` / `TF_LOG` |
//! | `proto.rs` | the generated code (from `proto/*.proto` via `build.rs`) |
//!
//! # Handshake
//!
//! Terraform starts the provider with `TF_PLUGIN_MAGIC_COOKIE` and `PLUGIN_PROTOCOL_VERSIONS` (which
//! must offer 6); without them the binary explains itself on stderr and exits 1
//! ([`handshake::check_env`]). The provider listens on a unix socket in a fresh private directory (0700,
//! under `PLUGIN_UNIX_SOCKET_DIR` or the system temp dir) and prints exactly one line on stdout,
//! `1|6|unix|<socket>|grpc|<cert>`, before anything else, then flushes. Everything after that goes to
//! stderr, which Terraform copies into its log.
//!
//! # TLS
//!
//! With `PLUGIN_CLIENT_CERT` (AutoMTLS, Terraform's default) we generate a self-signed ECDSA P-256
//! certificate for `localhost`, put its DER in the handshake line as unpadded standard base64, and accept
//! only connections presenting exactly the client certificate Terraform announced. Without it we serve
//! plaintext and the certificate field is empty. Details in `tls.rs`.
//!
//! # Lifecycle
//!
//! - Terraform starts a fresh process for each phase of a command and ends each with
//!   `plugin.GRPCController/Shutdown`: we answer, stop serving, remove the socket and its directory, and
//!   [`serve`] returns so the process exits 0 at once (otherwise go-plugin waits 2 s, then kills).
//! - SIGINT (Ctrl-C reaches the whole process group) is ignored; Terraform calls `StopProvider`, which
//!   cancels in-flight work and answers `""` while the server keeps serving. SIGTERM stops the server like
//!   Shutdown does.
//! - `--debug` serves plaintext, ignores Shutdown, prints a `TF_REATTACH_PROVIDERS` line to export, and runs
//!   until Ctrl-C or SIGTERM.
//! - Messages up to 256 MiB are accepted and sent on the Provider service.
//! - User-facing problems are diagnostics in the response; `Status` is only for broken protocol input.

mod controller;
mod convert;
pub mod handshake;
pub mod logging;
#[doc(hidden)]
pub mod proto;
mod rpc;
mod serve;
mod tls;

pub use serve::{
    serve, serve_connections, ServeError, ServeOptions, MAX_MESSAGE_SIZE, PROVIDER_ADDRESS,
};
