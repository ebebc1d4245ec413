//! Features this provider does not have: ephemeral resources, state stores and actions.
//!
//! Terraform only calls these when a configuration uses a type the provider declared, and we declare none,
//! so a call means a mismatched configuration or client. Each gets an error diagnostic that says what is
//! not supported, rather than a bare `Unimplemented`.

use crate::framework::Diagnostics;
use crate::protocol::convert;
use crate::protocol::proto::tfplugin6 as pb;

/// The one diagnostic every unsupported RPC answers with.
pub(super) fn not_supported(feature: &str, type_name: &str) -> Vec<pb::Diagnostic> {
    let d: Diagnostics = convert::error(
        &format!("{feature} Not Supported"),
        format!(
            "The cloudflare-orgs/cloudflare provider has no {} (asked for {type_name:?}). Check that the \
             configuration uses the right provider.",
            feature.to_lowercase() + "s"
        ),
    );
    convert::diagnostics(d)
}
