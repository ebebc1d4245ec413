//! Terraform values: the tri-state `Value` (unknown / null / known) and the `Type` that describes it.
//!
//! A `Value` carries no type of its own: the schema's implied `Type` travels beside it, exactly as
//! Terraform's wire format (msgpack `DynamicValue`) expects. Unknown is a real variant and never collapses
//! into `Option`: code that needs a known value must say what to do with unknown.

use std::collections::BTreeMap;
use std::fmt;

/// A Terraform type, as in a schema attribute's `type` (cty type JSON).
///
/// JSON form (compact, as Terraform sends it): `"string"`, `"number"`, `"bool"`, `"dynamic"`,
/// `["list",T]`, `["set",T]`, `["map",T]`, `["object",{"k":T}]`, `["tuple",[T…]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// UTF-8 string.
    String,
    /// Arbitrary-precision number.
    Number,
    /// Boolean.
    Bool,
    /// The `dynamic` pseudo-type: the concrete type travels with the value.
    Dynamic,
    /// Ordered list of one element type.
    List(Box<Type>),
    /// Unordered set of one element type.
    Set(Box<Type>),
    /// Map from string keys to one element type.
    Map(Box<Type>),
    /// Object with named attributes (sorted by name).
    Object(BTreeMap<String, Type>),
    /// Fixed-length tuple.
    Tuple(Vec<Type>),
}

impl Type {
    /// Shorthand for `Type::List(Box::new(t))`.
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    /// Shorthand for `Type::Set(Box::new(t))`.
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    /// Shorthand for `Type::Map(Box::new(t))`.
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    /// An object type from `(name, type)` pairs.
    pub fn object<I: IntoIterator<Item = (S, Type)>, S: Into<String>>(attrs: I) -> Type {
        Type::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The cty JSON form of this type, e.g. `["list","string"]`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value as J};
        match self {
            Type::String => J::from("string"),
            Type::Number => J::from("number"),
            Type::Bool => J::from("bool"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, J> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", m])
            }
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
        }
    }

    /// Compact JSON bytes of [`Type::to_json`], as the protocol's `Attribute.type` field wants them.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses the cty JSON form. Errors name what was not understood.
    pub fn from_json(v: &serde_json::Value) -> Result<Type, String> {
        use serde_json::Value as J;
        match v {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(format!("unknown primitive type {other:?}")),
            },
            J::Array(parts) if parts.len() == 2 || parts.len() == 3 => {
                let kind = parts[0].as_str().ok_or("type kind must be a string")?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(&parts[1])?)),
                    "set" => Ok(Type::set(Type::from_json(&parts[1])?)),
                    "map" => Ok(Type::map(Type::from_json(&parts[1])?)),
                    "object" => {
                        let attrs = parts[1]
                            .as_object()
                            .ok_or("object attributes must be a map")?;
                        let mut out = BTreeMap::new();
                        for (k, t) in attrs {
                            out.insert(k.clone(), Type::from_json(t)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = parts[1].as_array().ok_or("tuple elements must be a list")?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    other => Err(format!("unknown type kind {other:?}")),
                }
            }
            other => Err(format!("not a type: {other}")),
        }
    }
}

/// A number as Terraform sends it: an `i64` when exact, an `f64` when an exact non-integer, otherwise the
/// exact decimal string (big or high-precision numbers are never rounded).
#[derive(Clone, Debug)]
pub enum Number {
    /// Exactly representable as a 64-bit signed integer.
    Int(i64),
    /// A finite binary64 value.
    Float(f64),
    /// Any other number, as its exact decimal string (e.g. `"1e400"`, `"18446744073709551616"`).
    Decimal(String),
}

impl Number {
    /// The value as `i64` when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Decimal(s) => s.parse().ok(),
        }
    }
    /// Canonical decimal text, used for equality and JSON output.
    pub fn to_decimal_string(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    (*f as i64).to_string()
                } else {
                    f.to_string()
                }
            }
            Number::Decimal(s) => s.clone(),
        }
    }
}

impl Number {
    /// The nearest `f64` (exact for `Float`, and for `Int` up to 2^53); `None` for an unparsable decimal.
    pub fn approx_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Decimal(s) => s.parse().ok(),
        }
    }
}

impl PartialEq for Number {
    /// Numeric equality across representations. Integers and decimal strings compare exactly (by
    /// canonical text); a comparison that involves a `Float` is made in binary64, the precision that
    /// value has.
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Float(_), _) | (_, Number::Float(_)) => {
                match (self.approx_f64(), other.approx_f64()) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
            }
            _ => self.to_decimal_string() == other.to_decimal_string(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

/// What Terraform knows about an unknown value (msgpack ext 12 refinements). All empty for a plain unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: definitely not null. (Terraform only ever refines to "not null".)
    pub nullable: Option<bool>,
    /// A known prefix of an unknown string.
    pub string_prefix: Option<String>,
    /// Lower bound of an unknown number, and whether it is inclusive.
    pub number_lower: Option<(Number, bool)>,
    /// Upper bound of an unknown number, and whether it is inclusive.
    pub number_upper: Option<(Number, bool)>,
    /// Lower bound of an unknown collection's length.
    pub length_lower: Option<u64>,
    /// Upper bound of an unknown collection's length.
    pub length_upper: Option<u64>,
}

impl Refinements {
    /// True when nothing is refined (encodes as a plain unknown).
    pub fn is_empty(&self) -> bool {
        *self == Refinements::default()
    }
}

/// A Terraform value: unknown, null, or known.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Not known until apply. Carries any refinements Terraform sent.
    Unknown(Refinements),
    /// Null (absent).
    Null,
    /// A known boolean.
    Bool(bool),
    /// A known number.
    Number(Number),
    /// A known string.
    String(String),
    /// A list (elements may be unknown).
    List(Vec<Value>),
    /// A set (order is not significant).
    Set(Vec<Value>),
    /// A map with string keys.
    Map(BTreeMap<String, Value>),
    /// An object; every attribute of its type is present (null where absent).
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A value of the `dynamic` pseudo-type together with its concrete type.
    Dynamic(Box<Type>, Box<Value>),
}

impl Value {
    /// A plain unknown with no refinements.
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }
    /// A known string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    /// A string, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }
    /// An object from `(name, value)` pairs.
    pub fn object<I: IntoIterator<Item = (S, Value)>, S: Into<String>>(attrs: I) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// True for `Value::Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// True for `Value::Unknown` (at the top level only).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// The known string, or `None` for null, unknown or a non-string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The known bool, or `None`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The known number as `i64` when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    /// Elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
    /// Attribute `name` of a known object; `Value::Null` when the object (or attribute) is null/absent, and
    /// `Value::Unknown` when the object itself is unknown.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        static UNKNOWN: Value = Value::Unknown(Refinements {
            nullable: None,
            string_prefix: None,
            number_lower: None,
            number_upper: None,
            length_lower: None,
            length_upper: None,
        });
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            Value::Unknown(_) => &UNKNOWN,
            _ => &NULL,
        }
    }
    /// Mutable attribute of an object; `None` when this is not an object or has no such attribute.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get_mut(name),
            _ => None,
        }
    }
    /// Sets attribute `name` of an object (no effect on a non-object).
    pub fn set(&mut self, name: &str, v: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), v);
        }
    }
    /// Follows an attribute path (attribute names and element keys) into this value.
    pub fn at(&self, path: &super::AttributePath) -> &Value {
        use super::PathStep;
        static NULL: Value = Value::Null;
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), v) => v.get(n),
                (PathStep::ElementKeyString(k), Value::Map(m)) => m.get(k).unwrap_or(&NULL),
                (PathStep::ElementKeyInt(i), Value::List(v) | Value::Tuple(v)) => {
                    usize::try_from(*i)
                        .ok()
                        .and_then(|i| v.get(i))
                        .unwrap_or(&NULL)
                }
                _ => &NULL,
            };
        }
        cur
    }

    /// Semantic equality for Terraform values: sets compare without order, numbers by value.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.equals(y)))
            }
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| x.equals(y)))
            }
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a.equals(b),
            (Value::Unknown(_), Value::Unknown(_)) => true,
            _ => self == other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_round_trips() {
        let t = Type::object([
            ("a", Type::String),
            ("b", Type::list(Type::Number)),
            ("c", Type::map(Type::set(Type::Bool))),
            ("d", Type::Tuple(vec![Type::Dynamic, Type::String])),
        ]);
        let bytes = t.to_json_bytes();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            r#"["object",{"a":"string","b":["list","number"],"c":["map",["set","bool"]],"d":["tuple",["dynamic","string"]]}]"#
        );
        let back = Type::from_json(&serde_json::from_slice(&bytes).unwrap()).unwrap();
        assert_eq!(back, t);
        assert!(Type::from_json(&serde_json::json!("strin")).is_err());
    }

    #[test]
    fn numbers_compare_by_value_across_representations() {
        assert_eq!(Number::Decimal("1e300".into()), Number::Float(1e300));
        assert_eq!(
            Number::Int(9223372036854774784),
            Number::Float(9223372036854774784.0)
        );
        assert_ne!(Number::Decimal("0.1".into()), Number::Float(0.2));
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_eq!(Number::Int(3), Number::Decimal("3".into()));
        assert_ne!(Number::Int(3), Number::Float(3.5));
        assert_eq!(
            Number::Decimal("18446744073709551616".into()).as_i64(),
            None
        );
    }

    #[test]
    fn sets_compare_without_order_and_unknown_is_not_null() {
        let a = Value::Set(vec![Value::string("x"), Value::string("y")]);
        let b = Value::Set(vec![Value::string("y"), Value::string("x")]);
        assert!(a.equals(&b));
        assert!(!Value::unknown().is_null());
        assert!(!Value::object([("a", Value::unknown())]).is_wholly_known());
        assert_eq!(Value::unknown().get("x"), &Value::unknown());
        assert_eq!(Value::Null.get("x"), &Value::Null);
    }
}
