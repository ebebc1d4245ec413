//! # terraform-provider-cloudflare (cloudflare-orgs)
//!
//! A Terraform provider (plugin protocol 6) for the Cloudflare Organizations API, plus a local
//! emulator of that API.
//!
//! # Layout
//!
//! | module          | role                                                                 | may import                |
//! |-----------------|----------------------------------------------------------------------|---------------------------|
//! | [`protocol`]    | wire layer: handshake, TLS, socket, one adapter per RPC, proto ⇄ framework | `framework`          |
//! | [`framework`]   | protocol-neutral SDK: `Value`, codecs, schema, diagnostics, plan rules, traits | nothing above     |
//! | [`cloudflare`]  | REST client: auth, envelope, errors, pagination, retries, DTOs       | nothing above             |
//! | [`provider`]    | provider config schema, env fallbacks, Configure → `cloudflare::Client` | `framework`, `cloudflare` |
//! | [`mapping`]     | the Terraform ⇄ Cloudflare mapping both share: shapes, conversions, API errors as diagnostics | `framework`, `cloudflare` |
//! | [`resources`], [`data_sources`] | where Terraform meets Cloudflare                      | `framework`, `cloudflare`, `mapping` |
//! | [`emulator`]    | in-memory emulator of the Organizations API (own JSON shapes)        | nothing above             |
//!
//! Dependencies are one-way: `framework` never imports `protocol` or `cloudflare`; `cloudflare` never
//! imports `framework` and never builds a diagnostic; prost types stay inside `protocol`.

pub mod cloudflare;
pub mod data_sources;
pub mod emulator;
pub mod framework;
pub mod mapping;
pub mod protocol;
pub mod provider;
pub mod resources;
