//! Managed resources: ValidateResourceConfig, UpgradeResourceState, UpgradeResourceIdentity, ReadResource,
//! PlanResourceChange, ApplyResourceChange, ImportResourceState, MoveResourceState and
//! GenerateResourceConfig.
//!
//! Each adapter looks the type up, decodes the request values with the type's schema, calls the framework
//! and encodes the result. When a value does not decode, Read and Apply hand the state Terraform sent back
//! unchanged (so a provider-side problem never drops an object from state) along with the diagnostic.

use crate::framework::{
    ApplyResourceChangeRequest, Diagnostics, PlanResourceChangeRequest, ReadResourceRequest,
    Server, Value,
};
use crate::protocol::convert;
use crate::protocol::proto::tfplugin6 as pb;

/// The framework's diagnostic for a resource type name it does not know.
fn unknown_type(type_name: &str) -> Vec<pb::Diagnostic> {
    convert::diagnostics(Server::unknown_type("Resource", type_name))
}

/// `ValidateResourceConfig`.
pub(super) fn validate_resource_config(
    server: &Server,
    req: pb::validate_resource_config::Request,
) -> pb::validate_resource_config::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::validate_resource_config::Response {
            diagnostics: unknown_type(&req.type_name),
        };
    };
    let diags = match convert::decode(req.config.as_ref(), schema.value_type(), "config") {
        Ok(config) => server.validate_resource_config(&req.type_name, &config),
        Err(d) => d,
    };
    pb::validate_resource_config::Response {
        diagnostics: convert::diagnostics(diags),
    }
}

/// `UpgradeResourceState`: stored JSON (any older schema version) → current schema, as msgpack.
pub(super) fn upgrade_resource_state(
    server: &Server,
    req: pb::upgrade_resource_state::Request,
) -> pb::upgrade_resource_state::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: unknown_type(&req.type_name),
        };
    };
    let (state, mut diags) = match convert::raw_json(req.raw_state.as_ref(), "raw_state") {
        Ok(json) => server.upgrade_resource_state(&req.type_name, req.version, json),
        Err(d) => (Value::Null, d),
    };
    let upgraded_state = if diags.has_errors() {
        None
    } else {
        convert::encode(&state, schema.value_type(), "upgraded_state", &mut diags)
    };
    pb::upgrade_resource_state::Response {
        upgraded_state,
        diagnostics: convert::diagnostics(diags),
    }
}

/// `UpgradeResourceIdentity`: stored identity JSON → current identity schema.
pub(super) fn upgrade_resource_identity(
    server: &Server,
    req: pb::upgrade_resource_identity::Request,
) -> pb::upgrade_resource_identity::Response {
    let identity_schema = server.identity_schema(&req.type_name);
    let (identity, mut diags) = match convert::raw_json(req.raw_identity.as_ref(), "raw_identity") {
        Ok(json) => server.upgrade_resource_identity(&req.type_name, req.version, json),
        Err(d) => (Value::Null, d),
    };
    let upgraded_identity = if diags.has_errors() {
        None
    } else {
        convert::encode_identity(
            Some(&identity),
            identity_schema,
            "upgraded_identity",
            &mut diags,
        )
    };
    pb::upgrade_resource_identity::Response {
        upgraded_identity,
        diagnostics: convert::diagnostics(diags),
    }
}

/// `ReadResource`.
pub(super) async fn read_resource(
    server: &Server,
    req: pb::read_resource::Request,
) -> pb::read_resource::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::read_resource::Response {
            new_state: req.current_state,
            private: req.private,
            diagnostics: unknown_type(&req.type_name),
            ..Default::default()
        };
    };
    let ty = schema.value_type();
    let identity_schema = server.identity_schema(&req.type_name);
    let decoded = convert::decode(req.current_state.as_ref(), ty, "current_state").and_then(|s| {
        let i = convert::decode_identity(
            req.current_identity.as_ref(),
            identity_schema,
            "current_identity",
        )?;
        Ok((s, i))
    });
    let (current_state, current_identity) = match decoded {
        Ok(v) => v,
        Err(d) => {
            return pb::read_resource::Response {
                new_state: req.current_state,
                private: req.private,
                new_identity: req.current_identity,
                diagnostics: convert::diagnostics(d),
                deferred: None,
            }
        }
    };
    let resp = server
        .read_resource(ReadResourceRequest {
            type_name: req.type_name.clone(),
            current_state,
            private: req.private,
            current_identity,
        })
        .await;
    let mut diags = resp.diagnostics;
    let new_state = convert::encode(&resp.new_state, ty, "new_state", &mut diags);
    let new_identity = convert::encode_identity(
        resp.new_identity.as_ref(),
        identity_schema,
        "new_identity",
        &mut diags,
    );
    pb::read_resource::Response {
        // An unencodable state is a provider bug: keep the one Terraform has.
        new_state: new_state.or(req.current_state),
        diagnostics: convert::diagnostics(diags),
        private: resp.private,
        deferred: None,
        new_identity,
    }
}

/// `PlanResourceChange`. Never deferred.
pub(super) fn plan_resource_change(
    server: &Server,
    req: pb::plan_resource_change::Request,
) -> pb::plan_resource_change::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::plan_resource_change::Response {
            diagnostics: unknown_type(&req.type_name),
            ..Default::default()
        };
    };
    let ty = schema.value_type();
    let identity_schema = server.identity_schema(&req.type_name);
    let decoded = (|| {
        Ok::<_, Diagnostics>(PlanResourceChangeRequest {
            type_name: req.type_name.clone(),
            prior_state: convert::decode(req.prior_state.as_ref(), ty, "prior_state")?,
            proposed_new_state: convert::decode(
                req.proposed_new_state.as_ref(),
                ty,
                "proposed_new_state",
            )?,
            config: convert::decode(req.config.as_ref(), ty, "config")?,
            prior_private: req.prior_private.clone(),
            prior_identity: convert::decode_identity(
                req.prior_identity.as_ref(),
                identity_schema,
                "prior_identity",
            )?,
        })
    })();
    let framework_req = match decoded {
        Ok(r) => r,
        Err(d) => {
            return pb::plan_resource_change::Response {
                diagnostics: convert::diagnostics(d),
                ..Default::default()
            }
        }
    };
    let resp = server.plan_resource_change(framework_req);
    let mut diags = resp.diagnostics;
    let planned_state = convert::encode(&resp.planned_state, ty, "planned_state", &mut diags);
    let planned_identity = convert::encode_identity(
        resp.planned_identity.as_ref(),
        identity_schema,
        "planned_identity",
        &mut diags,
    );
    pb::plan_resource_change::Response {
        planned_state,
        requires_replace: resp
            .requires_replace
            .iter()
            .map(convert::attribute_path)
            .collect(),
        planned_private: resp.planned_private,
        diagnostics: convert::diagnostics(diags),
        legacy_type_system: false,
        deferred: None,
        planned_identity,
    }
}

/// `ApplyResourceChange`.
pub(super) async fn apply_resource_change(
    server: &Server,
    req: pb::apply_resource_change::Request,
) -> pb::apply_resource_change::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::apply_resource_change::Response {
            new_state: req.prior_state,
            private: req.planned_private,
            diagnostics: unknown_type(&req.type_name),
            ..Default::default()
        };
    };
    let ty = schema.value_type();
    let identity_schema = server.identity_schema(&req.type_name);
    let decoded = (|| {
        Ok::<_, Diagnostics>(ApplyResourceChangeRequest {
            type_name: req.type_name.clone(),
            prior_state: convert::decode(req.prior_state.as_ref(), ty, "prior_state")?,
            planned_state: convert::decode(req.planned_state.as_ref(), ty, "planned_state")?,
            config: convert::decode(req.config.as_ref(), ty, "config")?,
            planned_private: req.planned_private.clone(),
            planned_identity: convert::decode_identity(
                req.planned_identity.as_ref(),
                identity_schema,
                "planned_identity",
            )?,
        })
    })();
    let framework_req = match decoded {
        Ok(r) => r,
        Err(d) => {
            return pb::apply_resource_change::Response {
                new_state: req.prior_state,
                private: req.planned_private,
                diagnostics: convert::diagnostics(d),
                ..Default::default()
            }
        }
    };
    let resp = server.apply_resource_change(framework_req).await;
    let mut diags = resp.diagnostics;
    let new_state = convert::encode(&resp.new_state, ty, "new_state", &mut diags);
    let new_identity = convert::encode_identity(
        resp.new_identity.as_ref(),
        identity_schema,
        "new_identity",
        &mut diags,
    );
    pb::apply_resource_change::Response {
        // An unencodable state is a provider bug: keep the prior object tracked so the user can retry.
        new_state: new_state.or(req.prior_state),
        private: resp.private,
        diagnostics: convert::diagnostics(diags),
        legacy_type_system: false,
        new_identity,
    }
}

/// `ImportResourceState`, by ID or by identity. Never deferred.
pub(super) async fn import_resource_state(
    server: &Server,
    req: pb::import_resource_state::Request,
) -> pb::import_resource_state::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::import_resource_state::Response {
            diagnostics: unknown_type(&req.type_name),
            ..Default::default()
        };
    };
    let identity_schema = server.identity_schema(&req.type_name);
    let identity =
        match convert::decode_identity(req.identity.as_ref(), identity_schema, "identity") {
            Ok(i) => i,
            Err(d) => {
                return pb::import_resource_state::Response {
                    diagnostics: convert::diagnostics(d),
                    ..Default::default()
                }
            }
        };
    let resp = server
        .import_resource_state(&req.type_name, &req.id, identity.as_ref())
        .await;
    let mut diags = resp.diagnostics;
    let mut imported_resources = Vec::new();
    for r in resp.imported_resources {
        // Imported objects are of the requested type (the framework never imports another one).
        let ty = server
            .resource_schema(&r.type_name)
            .unwrap_or(schema)
            .value_type();
        let state = convert::encode(&r.state, ty, "imported_resources.state", &mut diags);
        let identity = convert::encode_identity(
            r.identity.as_ref(),
            server.identity_schema(&r.type_name),
            "imported_resources.identity",
            &mut diags,
        );
        imported_resources.push(pb::import_resource_state::ImportedResource {
            type_name: r.type_name,
            state,
            private: r.private,
            identity,
        });
    }
    if diags.has_errors() {
        imported_resources.clear();
    }
    pb::import_resource_state::Response {
        imported_resources,
        diagnostics: convert::diagnostics(diags),
        deferred: None,
    }
}

/// `MoveResourceState`: the framework decides which sources it accepts.
pub(super) fn move_resource_state(
    server: &Server,
    req: pb::move_resource_state::Request,
) -> pb::move_resource_state::Response {
    let json = match convert::raw_json(req.source_state.as_ref(), "source_state") {
        Ok(j) => j,
        Err(d) => {
            return pb::move_resource_state::Response {
                diagnostics: convert::diagnostics(d),
                ..Default::default()
            }
        }
    };
    let (state, mut diags) = server.move_resource_state(
        &req.source_provider_address,
        &req.source_type_name,
        req.source_schema_version,
        json,
        &req.target_type_name,
    );
    let target_state = match server.resource_schema(&req.target_type_name) {
        Some(schema) if !diags.has_errors() => {
            convert::encode(&state, schema.value_type(), "target_state", &mut diags)
        }
        _ => None,
    };
    pb::move_resource_state::Response {
        target_state,
        diagnostics: convert::diagnostics(diags),
        target_private: Vec::new(),
        target_identity: None,
    }
}

/// `GenerateResourceConfig`: a configuration value for a state (for `terraform query -generate-config-out`
/// and `import` blocks).
pub(super) fn generate_resource_config(
    server: &Server,
    req: pb::generate_resource_config::Request,
) -> pb::generate_resource_config::Response {
    let Some(schema) = server.resource_schema(&req.type_name) else {
        return pb::generate_resource_config::Response {
            config: None,
            diagnostics: unknown_type(&req.type_name),
        };
    };
    let ty = schema.value_type();
    let (config, mut diags) = match convert::decode(req.state.as_ref(), ty, "state") {
        Ok(state) => server.generate_resource_config(&req.type_name, &state),
        Err(d) => (Value::Null, d),
    };
    let config = if diags.has_errors() {
        None
    } else {
        convert::encode(&config, ty, "config", &mut diags)
    };
    pb::generate_resource_config::Response {
        config,
        diagnostics: convert::diagnostics(diags),
    }
}
