//! GetMetadata, GetProviderSchema, GetResourceIdentitySchemas, GetFunctions and CallFunction.

use crate::framework::Server;
use crate::protocol::convert;
use crate::protocol::proto::tfplugin6 as pb;

/// `GetMetadata`: type names only, no schemas.
pub(super) fn get_metadata(server: &Server) -> pb::get_metadata::Response {
    use pb::get_metadata as m;
    pb::get_metadata::Response {
        server_capabilities: Some(convert::server_capabilities()),
        diagnostics: Vec::new(),
        data_sources: server
            .data_source_schemas()
            .map(|(n, _)| m::DataSourceMetadata {
                type_name: n.to_string(),
            })
            .collect(),
        resources: server
            .resource_schemas()
            .map(|(n, _)| m::ResourceMetadata {
                type_name: n.to_string(),
            })
            .collect(),
        functions: Vec::new(),
        ephemeral_resources: Vec::new(),
        list_resources: server
            .list_resource_schemas()
            .map(|(n, _)| m::ListResourceMetadata {
                type_name: n.to_string(),
            })
            .collect(),
    }
}

/// `GetProviderSchema`: every schema, plus capabilities. `provider` is always set (Terraform requires it).
pub(super) fn get_provider_schema(server: &Server) -> pb::get_provider_schema::Response {
    fn all<'a>(
        it: impl Iterator<Item = (&'a str, &'a crate::framework::Schema)>,
    ) -> std::collections::HashMap<String, pb::Schema> {
        it.map(|(n, s)| (n.to_string(), convert::schema(s)))
            .collect()
    }
    pb::get_provider_schema::Response {
        provider: Some(convert::schema(server.provider_schema())),
        resource_schemas: all(server.resource_schemas()),
        data_source_schemas: all(server.data_source_schemas()),
        list_resource_schemas: all(server.list_resource_schemas()),
        diagnostics: Vec::new(),
        provider_meta: None,
        server_capabilities: Some(convert::server_capabilities()),
        functions: Default::default(),
        ephemeral_resource_schemas: Default::default(),
    }
}

/// `GetResourceIdentitySchemas`: one entry per resource type that declares an identity.
pub(super) fn get_resource_identity_schemas(
    server: &Server,
) -> pb::get_resource_identity_schemas::Response {
    pb::get_resource_identity_schemas::Response {
        identity_schemas: server
            .identity_schemas()
            .map(|(n, s)| (n.to_string(), convert::identity_schema(s)))
            .collect(),
        diagnostics: Vec::new(),
    }
}

/// `GetFunctions`: this provider defines no functions.
pub(super) fn get_functions() -> pb::get_functions::Response {
    pb::get_functions::Response::default()
}

/// `CallFunction`: there are no functions to call.
pub(super) fn call_function(req: pb::call_function::Request) -> pb::call_function::Response {
    pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text: format!(
                "The cloudflare-orgs/cloudflare provider defines no functions, so {:?} cannot be called.",
                req.name
            ),
            function_argument: None,
        }),
    }
}
