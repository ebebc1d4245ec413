//! ValidateProviderConfig, ConfigureProvider and StopProvider.

use crate::framework::Server;
use crate::protocol::convert;
use crate::protocol::proto::tfplugin6 as pb;

/// `ValidateProviderConfig`. Note the response's diagnostics field is number 2.
pub(super) fn validate_provider_config(
    server: &Server,
    req: pb::validate_provider_config::Request,
) -> pb::validate_provider_config::Response {
    let ty = server.provider_schema().value_type();
    let diags = match convert::decode(req.config.as_ref(), ty, "config") {
        Ok(config) => server.validate_provider_config(&config),
        Err(d) => d,
    };
    pb::validate_provider_config::Response {
        diagnostics: convert::diagnostics(diags),
    }
}

/// `ConfigureProvider`.
pub(super) async fn configure_provider(
    server: &Server,
    req: pb::configure_provider::Request,
) -> pb::configure_provider::Response {
    let ty = server.provider_schema().value_type();
    let diags = match convert::decode(req.config.as_ref(), ty, "config") {
        Ok(config) => {
            server
                .configure_provider(&req.terraform_version, &config)
                .await
        }
        Err(d) => d,
    };
    pb::configure_provider::Response {
        diagnostics: convert::diagnostics(diags),
    }
}

/// `StopProvider`: cancels in-flight work and answers at once with an empty `Error`. The server keeps
/// serving: Terraform may still use the connection.
pub(super) fn stop_provider(server: &Server) -> pb::stop_provider::Response {
    server.stop();
    pb::stop_provider::Response {
        error: String::new(),
    }
}
