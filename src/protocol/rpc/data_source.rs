//! Data sources: ValidateDataResourceConfig and ReadDataSource.

use crate::framework::{Server, Value};
use crate::protocol::convert;
use crate::protocol::proto::tfplugin6 as pb;

/// The framework's diagnostic for a data source type name it does not know.
fn unknown_type(type_name: &str) -> Vec<pb::Diagnostic> {
    convert::diagnostics(Server::unknown_type("Data Source", type_name))
}

/// `ValidateDataResourceConfig`.
pub(super) fn validate_data_resource_config(
    server: &Server,
    req: pb::validate_data_resource_config::Request,
) -> pb::validate_data_resource_config::Response {
    let Some(schema) = server.data_source_schema(&req.type_name) else {
        return pb::validate_data_resource_config::Response {
            diagnostics: unknown_type(&req.type_name),
        };
    };
    let diags = match convert::decode(req.config.as_ref(), schema.value_type(), "config") {
        Ok(config) => server.validate_data_resource_config(&req.type_name, &config),
        Err(d) => d,
    };
    pb::validate_data_resource_config::Response {
        diagnostics: convert::diagnostics(diags),
    }
}

/// `ReadDataSource`. Never deferred.
pub(super) async fn read_data_source(
    server: &Server,
    req: pb::read_data_source::Request,
) -> pb::read_data_source::Response {
    let Some(schema) = server.data_source_schema(&req.type_name) else {
        return pb::read_data_source::Response {
            diagnostics: unknown_type(&req.type_name),
            ..Default::default()
        };
    };
    let ty = schema.value_type();
    let (state, mut diags) = match convert::decode(req.config.as_ref(), ty, "config") {
        Ok(config) => server.read_data_source(&req.type_name, &config).await,
        Err(d) => (Value::Null, d),
    };
    let state = if diags.has_errors() && state.is_null() {
        None
    } else {
        convert::encode(&state, ty, "state", &mut diags)
    };
    pb::read_data_source::Response {
        state,
        diagnostics: convert::diagnostics(diags),
        deferred: None,
    }
}
