//! Schemas: attributes, nested attributes, modes, plan behaviour declared in the schema, and identity.
//!
//! Plan behaviour lives here (not in each resource): `requires_replace` and `use_state_for_unknown` are
//! read by the plan rules in [`super::plan`]. Data sources and list resources use the same types; plan
//! behaviour on them would have no effect (they are never planned), and their unit tests check they
//! declare none.

use super::value::Type;

/// Whether an attribute is set by the user, by the provider, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Must be set in config.
    Required,
    /// May be set in config; null when not set.
    Optional,
    /// Set by the provider only.
    Computed,
    /// May be set in config; the provider fills it when not set.
    OptionalComputed,
}

impl Mode {
    /// `required` flag on the wire.
    pub fn required(self) -> bool {
        self == Mode::Required
    }
    /// `optional` flag on the wire.
    pub fn optional(self) -> bool {
        matches!(self, Mode::Optional | Mode::OptionalComputed)
    }
    /// `computed` flag on the wire.
    pub fn computed(self) -> bool {
        matches!(self, Mode::Computed | Mode::OptionalComputed)
    }
}

/// How nested attributes nest (protocol `Schema.Object.NestingMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// One object (`profile = { … }`).
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// The type of an attribute: a plain Terraform type, or nested attributes.
#[derive(Clone, Debug)]
pub enum AttrType {
    /// A plain type (`string`, `list(string)`, …).
    Plain(Type),
    /// Nested attributes (`nested_type` on the wire).
    Nested(Nesting, Vec<Attribute>),
}

/// One schema attribute.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// Attribute name (snake_case).
    pub name: String,
    /// Its type.
    pub ty: AttrType,
    /// User-facing Markdown description: a full sentence ending in a period.
    pub description: String,
    /// Required / optional / computed / optional+computed.
    pub mode: Mode,
    /// Hidden from plan output and logs.
    pub sensitive: bool,
    /// Deprecation message, when deprecated.
    pub deprecated: Option<String>,
    /// A change of this attribute's value (prior known → planned different) forces replacement.
    pub requires_replace: bool,
    /// When the attribute would be planned unknown, keep the prior state's value instead (only for values a
    /// change of other attributes cannot alter).
    pub use_state_for_unknown: bool,
}

impl Attribute {
    fn new(name: &str, ty: AttrType) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty,
            description: String::new(),
            mode: Mode::Optional,
            sensitive: false,
            deprecated: None,
            requires_replace: false,
            use_state_for_unknown: false,
        }
    }
    /// A string attribute (optional until a mode method says otherwise).
    pub fn string(name: &str) -> Attribute {
        Self::new(name, AttrType::Plain(Type::String))
    }
    /// A bool attribute.
    pub fn bool(name: &str) -> Attribute {
        Self::new(name, AttrType::Plain(Type::Bool))
    }
    /// A number attribute (Terraform `number`; shown as "Number" in the docs).
    pub fn number(name: &str) -> Attribute {
        Self::new(name, AttrType::Plain(Type::Number))
    }
    /// An attribute of any plain type.
    pub fn typed(name: &str, ty: Type) -> Attribute {
        Self::new(name, AttrType::Plain(ty))
    }
    /// A single nested object (`name = { … }`).
    pub fn object(name: &str, attributes: Vec<Attribute>) -> Attribute {
        Self::new(name, AttrType::Nested(Nesting::Single, attributes))
    }
    /// A list of nested objects.
    pub fn list_of_objects(name: &str, attributes: Vec<Attribute>) -> Attribute {
        Self::new(name, AttrType::Nested(Nesting::List, attributes))
    }
    /// Sets the description (Markdown).
    pub fn description(mut self, d: &str) -> Self {
        self.description = d.to_string();
        self
    }
    /// Mode: required.
    pub fn required(mut self) -> Self {
        self.mode = Mode::Required;
        self
    }
    /// Mode: optional.
    pub fn optional(mut self) -> Self {
        self.mode = Mode::Optional;
        self
    }
    /// Mode: computed.
    pub fn computed(mut self) -> Self {
        self.mode = Mode::Computed;
        self
    }
    /// Mode: optional + computed.
    pub fn optional_computed(mut self) -> Self {
        self.mode = Mode::OptionalComputed;
        self
    }
    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Marks the attribute deprecated with a message.
    pub fn deprecated(mut self, msg: &str) -> Self {
        self.deprecated = Some(msg.to_string());
        self
    }
    /// A change forces replacement.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }
    /// Keep the prior value instead of planning unknown.
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// The Terraform type this attribute's values have.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttrType::Plain(t) => t.clone(),
            AttrType::Nested(nesting, attrs) => {
                let obj = object_type(attrs);
                match nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }
    /// Nested attributes, when this attribute has them.
    pub fn nested(&self) -> Option<(Nesting, &[Attribute])> {
        match &self.ty {
            AttrType::Nested(n, a) => Some((*n, a)),
            AttrType::Plain(_) => None,
        }
    }
}

/// The object type implied by a list of attributes.
pub fn object_type(attrs: &[Attribute]) -> Type {
    Type::Object(
        attrs
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect(),
    )
}

/// A versioned schema for a provider, resource, data source or list resource.
///
/// Schemas are built once at start-up and not changed afterwards: [`Schema::value_type`] is computed on
/// first use and cached, because every RPC decodes and encodes values with it.
#[derive(Clone, Debug)]
pub struct Schema {
    /// Schema version (state upgrades key on it). Our resources use 500, like the official provider.
    pub version: i64,
    /// Markdown description of the whole type.
    pub description: String,
    /// Top-level attributes. (We use nested attributes, never blocks, as the official provider does.)
    pub attributes: Vec<Attribute>,
    implied: std::sync::OnceLock<Type>,
}

impl Schema {
    /// A schema at `version` with `attributes`.
    pub fn new(version: i64, description: &str, attributes: Vec<Attribute>) -> Schema {
        Schema {
            version,
            description: description.to_string(),
            attributes,
            implied: std::sync::OnceLock::new(),
        }
    }
    /// The object type of a whole value of this schema (computed once, then cached).
    pub fn value_type(&self) -> &Type {
        self.implied.get_or_init(|| object_type(&self.attributes))
    }
    /// Top-level attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    /// Every attribute (nested ones included) with its dotted path, depth first.
    pub fn walk(&self) -> Vec<(String, &Attribute)> {
        fn rec<'a>(prefix: &str, attrs: &'a [Attribute], out: &mut Vec<(String, &'a Attribute)>) {
            for a in attrs {
                let path = if prefix.is_empty() {
                    a.name.clone()
                } else {
                    format!("{prefix}.{}", a.name)
                };
                out.push((path.clone(), a));
                if let Some((_, nested)) = a.nested() {
                    rec(&path, nested, out);
                }
            }
        }
        let mut out = Vec::new();
        rec("", &self.attributes, &mut out);
        out
    }
}

/// One attribute of a resource identity.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    /// Name.
    pub name: String,
    /// Type (identity attributes are primitives or lists of primitives).
    pub ty: Type,
    /// Must be given in an `import { identity = … }` block.
    pub required_for_import: bool,
    /// May be given in an `import { identity = … }` block.
    pub optional_for_import: bool,
    /// User-facing description.
    pub description: String,
}

/// A resource identity schema (protocol 6.9+): what uniquely names a remote object.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// Identity schema version.
    pub version: i64,
    /// Its attributes.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The object type of an identity value.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_single_attribute_implies_an_object_type() {
        let s = Schema::new(
            1,
            "x",
            vec![
                Attribute::string("id").computed(),
                Attribute::object("p", vec![Attribute::string("a").required()]).optional(),
                Attribute::list_of_objects("r", vec![Attribute::bool("b").computed()]).computed(),
            ],
        );
        assert_eq!(
            String::from_utf8_lossy(&s.value_type().to_json_bytes()),
            r#"["object",{"id":"string","p":["object",{"a":"string"}],"r":["list",["object",{"b":"bool"}]]}]"#
        );
        let paths: Vec<String> = s.walk().into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["id", "p", "p.a", "r", "r.b"]);
    }
}
