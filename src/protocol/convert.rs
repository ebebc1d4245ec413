//! Every conversion between framework types and generated protobuf types, in one place.
//!
//! Adapters call these and nothing else to cross the boundary: schemas (nested attributes, Markdown
//! descriptions), identity schemas, diagnostics with attribute paths, `DynamicValue`s (decode with the
//! schema's type; encode always as msgpack) and capabilities.
//!
//! A value Terraform sent that does not decode becomes an error diagnostic ("Invalid Request Value"
//! naming the attribute), never a panic and never a gRPC `Status`.

use super::proto::tfplugin6 as pb;
use crate::framework::{
    decode_json, decode_msgpack, encode_msgpack, AttrType, Attribute, AttributePath, CodecError,
    Diagnostic, Diagnostics, IdentitySchema, Mode, Nesting, PathStep, Schema, Severity, Type,
    Value,
};

/// msgpack `nil`: a null of any type, including `dynamic`.
const MSGPACK_NIL: u8 = 0xc0;

// ----- schemas ----------------------------------------------------------------------------------------

/// A framework schema as a protocol schema. Descriptions are Markdown.
pub(crate) fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(pb::schema::Block {
            version: s.version,
            attributes: s.attributes.iter().map(attribute).collect(),
            block_types: Vec::new(),
            description: s.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            deprecation_message: String::new(),
        }),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.ty {
        AttrType::Plain(t) => (t.to_json_bytes(), None),
        AttrType::Nested(nesting, attrs) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: attrs.iter().map(attribute).collect(),
                nesting: object_nesting(*nesting) as i32,
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        required: a.mode == Mode::Required,
        optional: a.mode.optional(),
        computed: a.mode.computed(),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated.is_some(),
        deprecation_message: a.deprecated.clone().unwrap_or_default(),
        write_only: false,
    }
}

fn object_nesting(n: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode as N;
    match n {
        Nesting::Single => N::Single,
        Nesting::List => N::List,
        Nesting::Set => N::Set,
        Nesting::Map => N::Map,
    }
}

/// A framework identity schema as a protocol identity schema.
pub(crate) fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

/// What this provider supports beyond protocol 6's baseline (sent by GetProviderSchema and GetMetadata).
pub(crate) fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        // Terraform plans destroys through us, so plan-time warnings can reach the user.
        plan_destroy: true,
        // Schemas are built once at startup; a cached copy is as good as asking again.
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

// ----- diagnostics and paths --------------------------------------------------------------------------

/// Framework diagnostics as protocol diagnostics, in order.
pub(crate) fn diagnostics(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.into_vec().into_iter().map(diagnostic).collect()
}

/// One framework diagnostic as a protocol diagnostic.
pub(crate) fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.attribute.as_ref().map(attribute_path),
    }
}

/// A framework attribute path as a protocol attribute path.
pub(crate) fn attribute_path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .steps()
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// A single error diagnostic, for adapters that answer before reaching the framework.
pub(crate) fn error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(summary, detail);
    d
}

// ----- values -----------------------------------------------------------------------------------------

/// Decodes a request `DynamicValue` of type `ty`. Absent or empty means null. msgpack is preferred; JSON
/// is accepted when msgpack is empty. `field` names the request field for the diagnostic.
pub(crate) fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    field: &str,
) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let result = if !dv.msgpack.is_empty() {
        if dv.msgpack == [MSGPACK_NIL] {
            return Ok(Value::Null);
        }
        decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        decode_json(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| invalid_request_value(field, &e))
}

fn invalid_request_value(field: &str, e: &CodecError) -> Diagnostics {
    let mut d = Diagnostics::new();
    let detail = format!(
        "Terraform sent a `{field}` value this provider could not decode: {e}. This is a bug in the \
         provider or in Terraform; please report it with the Terraform and provider versions."
    );
    if e.path.steps().is_empty() {
        d.error("Invalid Request Value", detail);
    } else {
        d.error_at(e.path.clone(), "Invalid Request Value", detail);
    }
    d
}

/// Encodes a response value of type `ty` as msgpack. Null needs no codec (msgpack nil for every type). A
/// value that does not fit its type is a provider bug: it becomes an error diagnostic and no value.
pub(crate) fn encode(
    v: &Value,
    ty: &Type,
    field: &str,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    if v.is_null() {
        return Some(pb::DynamicValue {
            msgpack: vec![MSGPACK_NIL],
            json: Vec::new(),
        });
    }
    match encode_msgpack(v, ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            let detail = format!(
                "The provider produced a `{field}` value that does not match its own schema: {e}. This \
                 is a bug in the provider; please report it."
            );
            if e.path.steps().is_empty() {
                diags.error("Invalid Response Value", detail);
            } else {
                diags.error_at(e.path.clone(), "Invalid Response Value", detail);
            }
            None
        }
    }
}

/// Decodes a request identity, when the type has an identity schema and Terraform sent one.
pub(crate) fn decode_identity(
    data: Option<&pb::ResourceIdentityData>,
    schema: Option<&IdentitySchema>,
    field: &str,
) -> Result<Option<Value>, Diagnostics> {
    let (Some(schema), Some(dv)) = (schema, data.and_then(|d| d.identity_data.as_ref())) else {
        return Ok(None);
    };
    match decode(Some(dv), &schema.value_type(), field)? {
        Value::Null => Ok(None),
        v => Ok(Some(v)),
    }
}

/// Encodes a response identity, when there is one and the type has an identity schema.
pub(crate) fn encode_identity(
    v: Option<&Value>,
    schema: Option<&IdentitySchema>,
    field: &str,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let (Some(v), Some(schema)) = (v.filter(|v| !v.is_null()), schema) else {
        return None;
    };
    encode(v, &schema.value_type(), field, diags).map(|dv| pb::ResourceIdentityData {
        identity_data: Some(dv),
    })
}

/// The JSON of a stored state or identity (`RawState`). The legacy flatmap format predates protocol 6
/// providers and is refused with a diagnostic.
pub(crate) fn raw_json<'a>(
    raw: Option<&'a pb::RawState>,
    field: &str,
) -> Result<&'a [u8], Diagnostics> {
    match raw {
        Some(r) if !r.json.is_empty() => Ok(&r.json),
        Some(r) if !r.flatmap.is_empty() => Err(error(
            "Unsupported State Format",
            format!(
                "The stored `{field}` is in the legacy flatmap format, which only providers from before \
                 Terraform 0.12 wrote. This provider reads JSON state only. Remove the resource from \
                 state and import it again."
            ),
        )),
        _ => Err(error(
            "Invalid Request Value",
            format!("Terraform sent an empty `{field}`. This is a bug in Terraform; please report it."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::IdentityAttribute;

    #[test]
    fn nested_attributes_keep_their_nesting_and_empty_type() {
        let s = Schema::new(
            500,
            "A thing.",
            vec![
                Attribute::string("id").computed().description("The ID."),
                Attribute::object("meta", vec![Attribute::bool("flag").computed()])
                    .optional_computed()
                    .deprecated("Use flag2."),
                Attribute::list_of_objects("items", vec![Attribute::number("n").required()])
                    .required(),
            ],
        );
        let p = schema(&s);
        assert_eq!(p.version, 500);
        let block = p.block.expect("block");
        assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
        let id = &block.attributes[0];
        assert_eq!(id.r#type, b"\"string\"");
        assert!(id.computed && !id.optional && !id.required);
        assert_eq!(id.description_kind, pb::StringKind::Markdown as i32);
        let meta = &block.attributes[1];
        assert!(meta.r#type.is_empty());
        assert!(meta.optional && meta.computed && meta.deprecated);
        assert_eq!(meta.deprecation_message, "Use flag2.");
        let obj = meta.nested_type.as_ref().expect("nested");
        assert_eq!(obj.nesting, pb::schema::object::NestingMode::Single as i32);
        assert_eq!(obj.attributes[0].name, "flag");
        let items = block.attributes[2].nested_type.as_ref().expect("nested");
        assert_eq!(items.nesting, pb::schema::object::NestingMode::List as i32);
    }

    #[test]
    fn diagnostics_carry_severity_and_path_steps() {
        use pb::attribute_path::step::Selector;
        let mut d = Diagnostics::new();
        d.warning("W", "w");
        d.error_at(AttributePath::attr("result").index(3).key("k"), "E", "e");
        let out = diagnostics(d);
        assert_eq!(out[0].severity, pb::diagnostic::Severity::Warning as i32);
        assert!(out[0].attribute.is_none());
        assert_eq!(out[1].severity, pb::diagnostic::Severity::Error as i32);
        let steps: Vec<_> = out[1]
            .attribute
            .as_ref()
            .expect("path")
            .steps
            .iter()
            .map(|s| s.selector.clone())
            .collect();
        assert_eq!(
            steps,
            [
                Some(Selector::AttributeName("result".into())),
                Some(Selector::ElementKeyInt(3)),
                Some(Selector::ElementKeyString("k".into())),
            ]
        );
    }

    #[test]
    fn absent_empty_and_nil_values_decode_as_null_without_a_codec() {
        let ty = Type::object([("a", Type::String)]);
        assert_eq!(decode(None, &ty, "config"), Ok(Value::Null));
        let empty = pb::DynamicValue::default();
        assert_eq!(decode(Some(&empty), &ty, "config"), Ok(Value::Null));
        let nil = pb::DynamicValue {
            msgpack: vec![0xc0],
            json: Vec::new(),
        };
        assert_eq!(decode(Some(&nil), &ty, "config"), Ok(Value::Null));
        let mut diags = Diagnostics::new();
        let enc = encode(&Value::Null, &ty, "state", &mut diags).expect("encoded");
        assert_eq!(enc.msgpack, [0xc0]);
        assert!(diags.is_empty());
    }

    #[test]
    fn identity_schema_keeps_import_flags() {
        let s = IdentitySchema {
            version: 1,
            attributes: vec![IdentityAttribute {
                name: "id".into(),
                ty: Type::String,
                required_for_import: true,
                optional_for_import: false,
                description: "The ID.".into(),
            }],
        };
        let p = identity_schema(&s);
        assert_eq!(p.version, 1);
        assert_eq!(p.identity_attributes[0].r#type, b"\"string\"");
        assert!(p.identity_attributes[0].required_for_import);
    }

    #[test]
    fn flatmap_state_is_refused_with_a_diagnostic() {
        let raw = pb::RawState {
            json: Vec::new(),
            flatmap: [("id".to_string(), "x".to_string())].into(),
        };
        let err = raw_json(Some(&raw), "raw_state").expect_err("flatmap");
        assert!(err.has_errors());
        assert_eq!(
            raw_json(
                Some(&pb::RawState {
                    json: b"{}".to_vec(),
                    ..Default::default()
                }),
                "raw_state"
            ),
            Ok(&b"{}"[..])
        );
    }
}
