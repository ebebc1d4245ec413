//! List resources (`terraform query`): ValidateListResourceConfig and the server-streaming ListResource.

use crate::framework::{Diagnostics, Server};
use crate::protocol::convert;
use crate::protocol::proto::tfplugin6 as pb;

/// The framework's diagnostic for a list resource type name it does not know.
fn unknown_type(type_name: &str) -> Diagnostics {
    Server::unknown_type("List Resource", type_name)
}

/// `ValidateListResourceConfig`. `include_resource_object` and `limit` are Terraform's business; only the
/// `config` block is the list resource's.
pub(super) fn validate_list_resource_config(
    server: &Server,
    req: pb::validate_list_resource_config::Request,
) -> pb::validate_list_resource_config::Response {
    let diags = match server.list_resource_schema(&req.type_name) {
        None => unknown_type(&req.type_name),
        Some(schema) => match convert::decode(req.config.as_ref(), schema.value_type(), "config") {
            Ok(config) => server.validate_list_resource_config(&req.type_name, &config),
            Err(d) => d,
        },
    };
    pb::validate_list_resource_config::Response {
        diagnostics: convert::diagnostics(diags),
    }
}

/// `ListResource`: one event per listed object (identity, display name, and the full object when asked
/// for), then one event per diagnostic.
pub(super) async fn list_resource(
    server: &Server,
    req: pb::list_resource::Request,
) -> Vec<pb::list_resource::Event> {
    let Some(schema) = server.list_resource_schema(&req.type_name) else {
        return diagnostic_events(unknown_type(&req.type_name));
    };
    let (items, mut diags) =
        match convert::decode(req.config.as_ref(), schema.value_type(), "config") {
            Ok(config) => {
                server
                    .list_resource(
                        &req.type_name,
                        &config,
                        req.include_resource_object,
                        req.limit,
                    )
                    .await
            }
            Err(d) => (Vec::new(), d),
        };
    let identity_schema = server.identity_schema(&req.type_name);
    let resource_type = server
        .resource_schema(&req.type_name)
        .map(|s| s.value_type());
    if identity_schema.is_none() && !items.is_empty() {
        diags.error(
            "List Resource Without Identity",
            format!(
                "The list resource {:?} returned objects, but the managed resource type of that name has \
                 no identity schema, so Terraform cannot use them. This is a bug in the provider; please \
                 report it.",
                req.type_name
            ),
        );
    }
    let mut events = Vec::with_capacity(items.len());
    for item in items {
        let identity = convert::encode_identity(
            Some(&item.identity),
            identity_schema,
            "identity",
            &mut diags,
        );
        let resource_object = match (&item.resource_object, &resource_type) {
            (Some(obj), Some(ty)) if req.include_resource_object => {
                convert::encode(obj, ty, "resource_object", &mut diags)
            }
            _ => None,
        };
        events.push(pb::list_resource::Event {
            identity,
            display_name: item.display_name,
            resource_object,
            diagnostic: Vec::new(),
        });
    }
    events.extend(diagnostic_events(diags));
    events
}

fn diagnostic_events(diags: Diagnostics) -> Vec<pb::list_resource::Event> {
    diags
        .into_vec()
        .into_iter()
        .map(|d| pb::list_resource::Event {
            diagnostic: vec![convert::diagnostic(d)],
            ..Default::default()
        })
        .collect()
}
