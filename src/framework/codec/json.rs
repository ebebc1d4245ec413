//! JSON ⇄ [`Value`], per Terraform's object wire format (JSON rules) and go-cty's `cty/json`.
//!
//! Decoding uses a small RFC 8259 parser of our own so that every number is seen as its exact text
//! (`serde_json` here is built without `arbitrary_precision`, so it would round big integers and long
//! fractions through `f64`). Encoding produces a `serde_json::Value`; see [`encode_json`] for the one
//! number form `serde_json::Value` cannot hold.

use std::collections::BTreeMap;

use super::{
    classify_decimal, parse_decimal, type_name, value_kind, CodecError, FLOAT_AS_INT_LIMIT,
    MAX_DEPTH,
};
use crate::framework::{Number, PathStep, Type, Value};

/// Decodes JSON bytes of type `ty` (state JSON): object keys not in the type are ignored, missing keys are null.
///
/// As go-cty does, a string is accepted where a number or bool is expected (`"12"`, `"true"`) and a number
/// or bool where a string is expected. A `dynamic` value is `{"value": …, "type": …}`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| CodecError::at(&[], format!("JSON is not valid UTF-8 ({e})")))?;
    let doc = Parser::new(text)
        .document()
        .map_err(|m| CodecError::at(&[], m))?;
    let mut path = Vec::new();
    from_json(&doc, ty, &mut path)
}

/// Encodes a wholly known `v` of type `ty` as JSON; unknown values are an error.
///
/// Numbers: `Int` and `Float` are JSON numbers (a `Float` that is an integer is written as one). A
/// `Decimal` is a JSON number when it is an integer that fits `i64`/`u64` or a float that `f64` holds in its
/// shortest form; any other decimal (e.g. `1e400`, or more digits than `f64` keeps) cannot be held by a
/// `serde_json::Value` without rounding, so it is written as a JSON **string** of its exact text — which
/// [`decode_json`] and go-cty both read back as that exact number.
pub fn encode_json(v: &Value, ty: &Type) -> Result<serde_json::Value, CodecError> {
    ToJson {
        path: Vec::new(),
        depth: 0,
    }
    .value(v, ty)
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/// A parsed JSON document; numbers keep their exact text.
#[derive(Debug)]
enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(String),
    Array(Vec<Json<'a>>),
    /// Members in document order (duplicates kept; the last one wins when converting).
    Object(Vec<(String, Json<'a>)>),
}

impl Json<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a bool",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The same document as a `serde_json::Value` (used for a dynamic value's type, which has no numbers;
    /// a number is kept as its text).
    fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Json::Null => J::Null,
            Json::Bool(b) => J::Bool(*b),
            Json::Number(t) => J::String((*t).to_string()),
            Json::String(s) => J::String(s.clone()),
            Json::Array(es) => J::Array(es.iter().map(Json::to_serde).collect()),
            Json::Object(ms) => {
                J::Object(ms.iter().map(|(k, v)| (k.clone(), v.to_serde())).collect())
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("invalid JSON at byte {}: {what}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn document(&mut self) -> Result<Json<'a>, String> {
        self.skip_ws();
        let v = self.value()?;
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return self.fail("unexpected characters after the value");
        }
        Ok(v)
    }

    fn value(&mut self) -> Result<Json<'a>, String> {
        match self.peek() {
            None => self.fail("unexpected end of input"),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.fail("expected a value"),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Json<'a>, String>) -> Result<Json<'a>, String> {
        if self.depth >= MAX_DEPTH {
            return self.fail(&format!("nested more than {MAX_DEPTH} levels deep"));
        }
        self.depth += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, v: Json<'a>) -> Result<Json<'a>, String> {
        let end = self.pos.saturating_add(word.len());
        if self.bytes.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(v)
        } else {
            self.fail("expected a value")
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json<'a>, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("expected a digit"),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.fail("expected a digit after the decimal point");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.fail("expected a digit in the exponent");
            }
        }
        match self.text.get(start..self.pos) {
            Some(t) => Ok(Json::Number(t)),
            None => self.fail("invalid number"),
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let end = self.pos.saturating_add(4);
        let code = self
            .text
            .get(self.pos..end)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match code {
            Some(c) => {
                self.pos = end;
                Ok(c)
            }
            None => self.fail("expected four hex digits after \\u"),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.pos += 1;
            }
            // `start` and `pos` sit next to ASCII bytes (or the ends), so both are char boundaries.
            match self.text.get(start..self.pos) {
                Some(run) => out.push_str(run),
                None => return self.fail("invalid string"),
            }
            match self.peek() {
                None => return self.fail("unterminated string"),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return self.fail("control character in string"),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(c) = self.peek() else {
            return self.fail("unterminated escape");
        };
        self.pos += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = match hi {
                    0xd800..=0xdbff => {
                        if self.bytes.get(self.pos..self.pos.saturating_add(2)) != Some(b"\\u") {
                            return self.fail("unpaired surrogate in \\u escape");
                        }
                        self.pos += 2;
                        let lo = self.hex4()?;
                        if !(0xdc00..=0xdfff).contains(&lo) {
                            return self.fail("unpaired surrogate in \\u escape");
                        }
                        0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                    }
                    0xdc00..=0xdfff => return self.fail("unpaired surrogate in \\u escape"),
                    c => c,
                };
                match char::from_u32(code) {
                    Some(ch) => ch,
                    None => return self.fail("invalid \\u escape"),
                }
            }
            _ => return self.fail("invalid escape"),
        };
        out.push(ch);
        Ok(())
    }

    fn array(&mut self) -> Result<Json<'a>, String> {
        self.pos += 1; // '['
        let mut out = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(out));
        }
        loop {
            self.skip_ws();
            out.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(out));
                }
                _ => return self.fail("expected ',' or ']'"),
            }
        }
    }

    fn object(&mut self) -> Result<Json<'a>, String> {
        self.pos += 1; // '{'
        let mut out = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(out));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return self.fail("expected a string key");
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return self.fail("expected ':'");
            }
            self.pos += 1;
            self.skip_ws();
            out.push((key, self.value()?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(out));
                }
                _ => return self.fail("expected ',' or '}'"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// JSON → Value
//
// The recursive path goes through small functions only (a dispatcher and one function per container kind),
// so a level costs little stack even in debug builds; error formatting lives in cold functions.

#[cold]
#[inline(never)]
fn mismatch(path: &[PathStep], expected: &str, ty: &Type, found: &Json<'_>) -> CodecError {
    CodecError::at(
        path,
        format!(
            "expected {expected} for type {}, found {}",
            type_name(ty),
            found.kind()
        ),
    )
}

#[cold]
#[inline(never)]
fn error(path: &[PathStep], message: String) -> CodecError {
    CodecError::at(path, message)
}

#[cold]
#[inline(never)]
fn tuple_length(path: &[PathStep], ty: &Type, want: usize, got: usize) -> CodecError {
    error(
        path,
        format!(
            "tuple type {} has {want} elements, found {got}",
            type_name(ty)
        ),
    )
}

fn index(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

/// Converts a parsed document to a value of type `ty`. Recursion is bounded by the parser's depth limit.
fn from_json(j: &Json<'_>, ty: &Type, path: &mut Vec<PathStep>) -> Result<Value, CodecError> {
    match (j, ty) {
        (Json::Null, _) => Ok(Value::Null),
        (_, Type::String | Type::Number | Type::Bool) => primitive_from_json(j, ty, path),
        (Json::Array(es), Type::List(et)) => Ok(Value::List(elements_from_json(es, et, path)?)),
        (Json::Array(es), Type::Set(et)) => Ok(Value::Set(elements_from_json(es, et, path)?)),
        (Json::Array(es), Type::Tuple(ets)) => tuple_from_json(es, ty, ets, path),
        (Json::Object(ms), Type::Map(et)) => map_from_json(ms, et, path),
        (Json::Object(ms), Type::Object(attrs)) => object_from_json(ms, attrs, path),
        (Json::Object(ms), Type::Dynamic) => dynamic_from_json(ms, path),
        (_, Type::List(_) | Type::Set(_) | Type::Tuple(_)) => {
            Err(mismatch(path, "an array", ty, j))
        }
        (_, Type::Map(_) | Type::Object(_)) => Err(mismatch(path, "an object", ty, j)),
        (_, Type::Dynamic) => Err(mismatch(
            path,
            "an object {\"value\": …, \"type\": …}",
            ty,
            j,
        )),
    }
}

#[inline(never)]
fn primitive_from_json(j: &Json<'_>, ty: &Type, path: &[PathStep]) -> Result<Value, CodecError> {
    match (ty, j) {
        (Type::String, Json::String(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Number(t)) => Ok(Value::String((*t).to_string())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        // A JSON number is a decimal number unless its exponent is beyond i64 (go-cty refuses those too).
        (Type::Number, Json::Number(t)) if parse_decimal(t).is_some() => {
            Ok(Value::Number(classify_decimal(t)))
        }
        (Type::Number, Json::Number(t)) => Err(error(
            path,
            format!("number {t} is out of range (exponent too large)"),
        )),
        (Type::Number, Json::String(s)) => {
            if parse_decimal(s).is_some() {
                Ok(Value::Number(classify_decimal(s)))
            } else {
                Err(error(path, format!("{s:?} is not a decimal number")))
            }
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) if s == "true" || s == "1" => Ok(Value::Bool(true)),
        (Type::Bool, Json::String(s)) if s == "false" || s == "0" => Ok(Value::Bool(false)),
        (Type::String, _) => Err(mismatch(path, "a string", ty, j)),
        (Type::Number, _) => Err(mismatch(path, "a number", ty, j)),
        _ => Err(mismatch(path, "a bool", ty, j)),
    }
}

#[inline(never)]
fn elements_from_json(
    es: &[Json<'_>],
    et: &Type,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, CodecError> {
    let mut out = Vec::with_capacity(es.len());
    for (i, e) in es.iter().enumerate() {
        path.push(PathStep::ElementKeyInt(index(i)));
        out.push(from_json(e, et, path)?);
        path.pop();
    }
    Ok(out)
}

#[inline(never)]
fn tuple_from_json(
    es: &[Json<'_>],
    ty: &Type,
    ets: &[Type],
    path: &mut Vec<PathStep>,
) -> Result<Value, CodecError> {
    if es.len() != ets.len() {
        return Err(tuple_length(path, ty, ets.len(), es.len()));
    }
    let mut out = Vec::with_capacity(es.len());
    for (i, (e, et)) in es.iter().zip(ets).enumerate() {
        path.push(PathStep::ElementKeyInt(index(i)));
        out.push(from_json(e, et, path)?);
        path.pop();
    }
    Ok(Value::Tuple(out))
}

#[inline(never)]
fn map_from_json(
    ms: &[(String, Json<'_>)],
    et: &Type,
    path: &mut Vec<PathStep>,
) -> Result<Value, CodecError> {
    let mut out = BTreeMap::new();
    for (k, e) in ms {
        path.push(PathStep::ElementKeyString(k.clone()));
        out.insert(k.clone(), from_json(e, et, path)?);
        path.pop();
    }
    Ok(Value::Map(out))
}

#[inline(never)]
fn object_from_json(
    ms: &[(String, Json<'_>)],
    attrs: &BTreeMap<String, Type>,
    path: &mut Vec<PathStep>,
) -> Result<Value, CodecError> {
    let mut out = BTreeMap::new();
    for (k, e) in ms {
        // Attributes the type lacks are ignored: old state may carry removed attributes.
        if let Some(at) = attrs.get(k) {
            path.push(PathStep::Attribute(k.clone()));
            out.insert(k.clone(), from_json(e, at, path)?);
            path.pop();
        }
    }
    for name in attrs.keys() {
        if !out.contains_key(name) {
            out.insert(name.clone(), Value::Null);
        }
    }
    Ok(Value::Object(out))
}

#[inline(never)]
fn dynamic_from_json(
    ms: &[(String, Json<'_>)],
    path: &mut Vec<PathStep>,
) -> Result<Value, CodecError> {
    let (mut type_json, mut value_json) = (None, None);
    for (k, e) in ms {
        match k.as_str() {
            "type" => type_json = Some(e),
            "value" => value_json = Some(e),
            other => {
                return Err(error(
                    path,
                    format!(
                        "invalid key {other:?} in a dynamic value (only \"value\" and \"type\")"
                    ),
                ))
            }
        }
    }
    let (Some(type_json), Some(value_json)) = (type_json, value_json) else {
        return Err(error(
            path,
            "a dynamic value needs both \"value\" and \"type\"".into(),
        ));
    };
    let concrete = Type::from_json(&type_json.to_serde())
        .map_err(|e| error(path, format!("invalid dynamic value type: {e}")))?;
    let v = from_json(value_json, &concrete, path)?;
    Ok(Value::Dynamic(Box::new(concrete), Box::new(v)))
}

// ---------------------------------------------------------------------------------------------------------
// Value → JSON

fn number_json(n: &Number) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    let float = |f: f64| {
        serde_json::Number::from_f64(f)
            .map(J::Number)
            .ok_or_else(|| format!("{f} cannot be written as JSON"))
    };
    match n {
        Number::Int(i) => Ok(J::from(*i)),
        Number::Float(f) if !f.is_finite() => Err(format!("{f} cannot be written as JSON")),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < FLOAT_AS_INT_LIMIT => {
            Ok(J::from(*f as i64))
        }
        // Written in its shortest form, which is what a Float stands for (see Number::to_decimal_string).
        Number::Float(f) => float(*f),
        Number::Decimal(s) => {
            if parse_decimal(s).is_none() {
                return Err(format!("{s:?} is not a decimal number"));
            }
            if let Ok(u) = s.parse::<u64>() {
                return Ok(J::from(u));
            }
            match classify_decimal(s) {
                Number::Int(i) => Ok(J::from(i)),
                Number::Float(f) => float(f),
                // Exact text that serde_json::Value cannot hold as a number.
                Number::Decimal(text) => Ok(J::String(text)),
            }
        }
    }
}

/// Value → JSON, with the same small-frame structure as the decoder; `depth` bounds the recursion.
struct ToJson {
    path: Vec<PathStep>,
    depth: usize,
}

impl ToJson {
    fn value(&mut self, v: &Value, ty: &Type) -> Result<serde_json::Value, CodecError> {
        if self.depth >= MAX_DEPTH {
            return Err(error(
                &self.path,
                format!("value is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        let r = self.value_inner(v, ty);
        self.depth -= 1;
        r
    }

    fn value_inner(&mut self, v: &Value, ty: &Type) -> Result<serde_json::Value, CodecError> {
        match (v, ty) {
            (Value::Unknown(_), _) => Err(error(
                &self.path,
                "an unknown value cannot be written as JSON".into(),
            )),
            (Value::Null, _) => Ok(serde_json::Value::Null),
            (Value::Dynamic(concrete, inner), Type::Dynamic) => self.dynamic(concrete, inner),
            (Value::String(s), Type::String) => Ok(serde_json::Value::String(s.clone())),
            (Value::Bool(b), Type::Bool) => Ok(serde_json::Value::Bool(*b)),
            (Value::Number(n), Type::Number) => number_json(n).map_err(|m| error(&self.path, m)),
            (Value::List(es), Type::List(et)) | (Value::Set(es), Type::Set(et)) => {
                self.list(es, et)
            }
            (Value::Tuple(es), Type::Tuple(ets)) => self.tuple(es, ty, ets),
            (Value::Map(m), Type::Map(et)) => self.map(m, et),
            (Value::Object(m), Type::Object(attrs)) => self.object(m, ty, attrs),
            _ => Err(self.nonconforming(v, ty)),
        }
    }

    #[cold]
    #[inline(never)]
    fn nonconforming(&self, v: &Value, ty: &Type) -> CodecError {
        if *ty == Type::Dynamic {
            return error(
                &self.path,
                format!(
                    "a value of type \"dynamic\" must be Value::Dynamic (carrying its concrete type) or null; found {}",
                    value_kind(v)
                ),
            );
        }
        error(
            &self.path,
            format!(
                "{} does not conform to type {}",
                value_kind(v),
                type_name(ty)
            ),
        )
    }

    #[inline(never)]
    fn dynamic(&mut self, concrete: &Type, inner: &Value) -> Result<serde_json::Value, CodecError> {
        let value = self.value(inner, concrete)?;
        let mut m = serde_json::Map::new();
        m.insert("value".into(), value);
        m.insert("type".into(), concrete.to_json());
        Ok(serde_json::Value::Object(m))
    }

    #[inline(never)]
    fn list(&mut self, es: &[Value], et: &Type) -> Result<serde_json::Value, CodecError> {
        let mut out = Vec::with_capacity(es.len());
        for (i, e) in es.iter().enumerate() {
            self.path.push(PathStep::ElementKeyInt(index(i)));
            out.push(self.value(e, et)?);
            self.path.pop();
        }
        Ok(serde_json::Value::Array(out))
    }

    #[inline(never)]
    fn tuple(
        &mut self,
        es: &[Value],
        ty: &Type,
        ets: &[Type],
    ) -> Result<serde_json::Value, CodecError> {
        if es.len() != ets.len() {
            return Err(tuple_length(&self.path, ty, ets.len(), es.len()));
        }
        let mut out = Vec::with_capacity(es.len());
        for (i, (e, et)) in es.iter().zip(ets).enumerate() {
            self.path.push(PathStep::ElementKeyInt(index(i)));
            out.push(self.value(e, et)?);
            self.path.pop();
        }
        Ok(serde_json::Value::Array(out))
    }

    #[inline(never)]
    fn map(
        &mut self,
        m: &BTreeMap<String, Value>,
        et: &Type,
    ) -> Result<serde_json::Value, CodecError> {
        let mut out = serde_json::Map::new();
        for (k, e) in m {
            self.path.push(PathStep::ElementKeyString(k.clone()));
            out.insert(k.clone(), self.value(e, et)?);
            self.path.pop();
        }
        Ok(serde_json::Value::Object(out))
    }

    #[inline(never)]
    fn object(
        &mut self,
        m: &BTreeMap<String, Value>,
        ty: &Type,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<serde_json::Value, CodecError> {
        static NULL: Value = Value::Null;
        if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
            self.path.push(PathStep::Attribute(extra.clone()));
            return Err(error(
                &self.path,
                format!("attribute is not in the object type {}", type_name(ty)),
            ));
        }
        let mut out = serde_json::Map::new();
        for (k, at) in attrs {
            self.path.push(PathStep::Attribute(k.clone()));
            out.insert(k.clone(), self.value(m.get(k).unwrap_or(&NULL), at)?);
            self.path.pop();
        }
        Ok(serde_json::Value::Object(out))
    }
}
