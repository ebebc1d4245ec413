//! go-plugin's handshake: the environment Terraform launches us with, and the line we answer on stdout.

use std::env;

/// The magic cookie Terraform sets for protocol 5/6 providers (fixed by Terraform, never changes).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The plugin protocol version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own handshake version (`CORE` field).
const CORE_PROTOCOL_VERSION: u32 = 1;

/// What someone who runs the binary by hand reads on stderr.
pub const NOT_LAUNCHED_BY_TERRAFORM: &str = "\
This binary is the Terraform provider plugin for the Cloudflare Organizations API \
(terraform-provider-cloudflare, source address cloudflare-orgs/cloudflare). It is not meant to be run \
directly: Terraform starts it and talks to it over gRPC. To use it, declare it in your configuration with \
`terraform { required_providers { cloudflare = { source = \"cloudflare-orgs/cloudflare\" } } }`; for a local \
build, point a CLI configuration file (TF_CLI_CONFIG_FILE) at the directory holding this binary with \
`provider_installation { dev_overrides { \"cloudflare-orgs/cloudflare\" = \"<dir>\" } direct {} }`. To run it \
under a debugger, start it with `--debug` and export the TF_REATTACH_PROVIDERS line it prints in the shell \
where you run Terraform. See the README for details.";

/// Why the environment is not one Terraform set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeEnvError {
    /// `TF_PLUGIN_MAGIC_COOKIE` is missing or wrong: not launched by Terraform.
    NoCookie,
    /// Launched by a plugin client that does not offer protocol 6 (e.g. Terraform < 1.0).
    NoProtocol6 {
        /// What `PLUGIN_PROTOCOL_VERSIONS` offered.
        offered: String,
    },
}

impl std::fmt::Display for HandshakeEnvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandshakeEnvError::NoCookie => f.write_str(NOT_LAUNCHED_BY_TERRAFORM),
            HandshakeEnvError::NoProtocol6 { offered } => write!(
                f,
                "This Terraform provider speaks plugin protocol {PROTOCOL_VERSION} only, but the program \
                 that started it offered {offered:?} (PLUGIN_PROTOCOL_VERSIONS). Use Terraform 1.0 or \
                 newer; this provider is tested with Terraform 1.15."
            ),
        }
    }
}

impl std::error::Error for HandshakeEnvError {}

/// Checks that Terraform launched us: the magic cookie is right and protocol 6 is on offer.
pub fn check_env() -> Result<(), HandshakeEnvError> {
    check(
        env::var(MAGIC_COOKIE_KEY).ok().as_deref(),
        env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref(),
    )
}

fn check(cookie: Option<&str>, versions: Option<&str>) -> Result<(), HandshakeEnvError> {
    if cookie != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeEnvError::NoCookie);
    }
    let offered = versions.unwrap_or_default();
    let has6 = offered
        .split(',')
        .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
    if has6 {
        Ok(())
    } else {
        Err(HandshakeEnvError::NoProtocol6 {
            offered: offered.to_string(),
        })
    }
}

/// The handshake line (without newline): `1|6|unix|<socket>|grpc|<cert>`, where `cert` is the server
/// certificate's DER in unpadded standard base64, or empty without TLS.
pub(crate) fn line(socket: &str, cert_b64: &str) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|unix|{socket}|grpc|{cert_b64}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_and_protocol_6_are_both_required() {
        let c = Some(MAGIC_COOKIE_VALUE);
        assert_eq!(check(c, Some("5,6")), Ok(()));
        assert_eq!(check(c, Some("6")), Ok(()));
        assert_eq!(check(c, Some(" 6 ,5")), Ok(()));
        assert_eq!(check(None, Some("6")), Err(HandshakeEnvError::NoCookie));
        assert_eq!(
            check(Some("nope"), Some("6")),
            Err(HandshakeEnvError::NoCookie)
        );
        assert!(matches!(
            check(c, Some("4,5")),
            Err(HandshakeEnvError::NoProtocol6 { .. })
        ));
        assert!(matches!(
            check(c, None),
            Err(HandshakeEnvError::NoProtocol6 { .. })
        ));
    }

    #[test]
    fn handshake_line_has_six_fields() {
        assert_eq!(
            line("/tmp/plugin1/p.sock", "MIIB"),
            "1|6|unix|/tmp/plugin1/p.sock|grpc|MIIB"
        );
        assert_eq!(line("/s", "").split('|').count(), 6);
    }
}
