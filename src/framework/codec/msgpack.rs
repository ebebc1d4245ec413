//! msgpack ⇄ [`Value`], per Terraform's object wire format (protocol guide §9).
//!
//! Our own reader and writer: the reader is a bounds-checked cursor (every read returns an error on
//! truncation), the writer always picks the most compact msgpack format, as go-cty does.

use std::collections::BTreeMap;

use super::{
    parse_decimal, type_name, value_kind, CodecError, FLOAT_AS_INT_LIMIT, MAX_DEPTH,
    MAX_PREFIX_BYTES, MAX_REFINEMENT_PAYLOAD,
};
use crate::framework::{Number, PathStep, Refinements, Type, Value};

/// The msgpack ext type of a refined unknown value.
const EXT_REFINED_UNKNOWN: i8 = 12;

/// Refinement map keys (go-cty `cty/msgpack/unknown.go`).
const KEY_NULLNESS: i64 = 1;
const KEY_STRING_PREFIX: i64 = 2;
const KEY_NUMBER_LOWER: i64 = 3;
const KEY_NUMBER_UPPER: i64 = 4;
const KEY_LENGTH_LOWER: i64 = 5;
const KEY_LENGTH_UPPER: i64 = 6;

/// Decodes msgpack bytes of type `ty`. Any ext type decodes as unknown (ext 12 keeps its refinements).
///
/// Object maps may omit attributes (they decode as null) but may not carry attributes the type lacks.
/// Trailing bytes after the value are an error.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut d = Decoder {
        r: Reader::new(bytes),
        path: Vec::new(),
        depth: 0,
    };
    let v = d.value(ty)?;
    if d.r.remaining() != 0 {
        return Err(d.err(format!(
            "{} unexpected bytes after the msgpack value",
            d.r.remaining()
        )));
    }
    Ok(v)
}

/// Encodes `v` as msgpack of type `ty`. A plain unknown is `d4 00 00`; a refined one is ext 12.
///
/// Objects are written with every attribute of the type (absent ones as nil). A value of type `dynamic`
/// must be `Value::Dynamic` (or null / unknown); its type JSON is written as msgpack bin, as go-cty does.
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut e = Encoder {
        out: Vec::new(),
        path: Vec::new(),
        depth: 0,
    };
    e.value(v, ty)?;
    Ok(e.out)
}

// ---------------------------------------------------------------------------------------------------------
// Reading

/// One msgpack item's header; strings, binaries and ext payloads come with their bytes, arrays and maps
/// with their element counts (the elements follow).
#[derive(Debug)]
enum Head<'a> {
    Nil,
    Bool(bool),
    /// Any integer that fits `i64`.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    BigUint(u64),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(u32),
    Map(u32),
    Ext(i8, &'a [u8]),
}

impl Head<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "a bool",
            Head::Int(_) | Head::BigUint(_) => "an integer",
            Head::Float(_) => "a float",
            Head::Str(_) => "a string",
            Head::Bin(_) => "binary data",
            Head::Array(_) => "an array",
            Head::Map(_) => "a map",
            Head::Ext(..) => "an ext value",
        }
    }
}

/// A bounds-checked cursor over msgpack bytes.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
            .ok_or_else(|| {
                format!(
                    "msgpack data ends early (needed {n} more bytes at offset {}, {} left)",
                    self.pos,
                    self.remaining()
                )
            })?;
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| "msgpack data ends early".to_string())
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn len(&mut self, width: u8) -> Result<usize, String> {
        let n = match width {
            1 => u32::from(self.u8()?),
            2 => u32::from(self.u16()?),
            _ => self.u32()?,
        };
        usize::try_from(n).map_err(|_| "length does not fit in memory".to_string())
    }

    fn ext(&mut self, len: usize) -> Result<Head<'a>, String> {
        let code = i8::from_be_bytes(self.array()?);
        Ok(Head::Ext(code, self.take(len)?))
    }

    fn head(&mut self) -> Result<Head<'a>, String> {
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7f => Head::Int(i64::from(marker)),
            0x80..=0x8f => Head::Map(u32::from(marker & 0x0f)),
            0x90..=0x9f => Head::Array(u32::from(marker & 0x0f)),
            0xa0..=0xbf => Head::Str(self.take(usize::from(marker & 0x1f))?),
            0xc0 => Head::Nil,
            0xc1 => return Err("invalid msgpack marker 0xc1".into()),
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => {
                let n = self.len(1)?;
                Head::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.len(2)?;
                Head::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.len(4)?;
                Head::Bin(self.take(n)?)
            }
            0xc7 => {
                let n = self.len(1)?;
                self.ext(n)?
            }
            0xc8 => {
                let n = self.len(2)?;
                self.ext(n)?
            }
            0xc9 => {
                let n = self.len(4)?;
                self.ext(n)?
            }
            0xca => Head::Float(f64::from(f32::from_be_bytes(self.array()?))),
            0xcb => Head::Float(f64::from_be_bytes(self.array()?)),
            0xcc => Head::Int(i64::from(self.u8()?)),
            0xcd => Head::Int(i64::from(self.u16()?)),
            0xce => Head::Int(i64::from(self.u32()?)),
            0xcf => {
                let u = u64::from_be_bytes(self.array()?);
                match i64::try_from(u) {
                    Ok(i) => Head::Int(i),
                    Err(_) => Head::BigUint(u),
                }
            }
            0xd0 => Head::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xd1 => Head::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xd2 => Head::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xd3 => Head::Int(i64::from_be_bytes(self.array()?)),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = self.len(1)?;
                Head::Str(self.take(n)?)
            }
            0xda => {
                let n = self.len(2)?;
                Head::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.len(4)?;
                Head::Str(self.take(n)?)
            }
            0xdc => Head::Array(u32::from(self.u16()?)),
            0xdd => Head::Array(self.u32()?),
            0xde => Head::Map(u32::from(self.u16()?)),
            0xdf => Head::Map(self.u32()?),
            0xe0..=0xff => Head::Int(i64::from(i8::from_be_bytes([marker]))),
        })
    }

    /// Skips one whole item (iteratively, so nesting depth does not matter).
    fn skip(&mut self) -> Result<(), String> {
        let mut pending: u64 = 1;
        while pending > 0 {
            pending -= 1;
            match self.head()? {
                Head::Array(n) => pending = pending.saturating_add(u64::from(n)),
                Head::Map(n) => pending = pending.saturating_add(2 * u64::from(n)),
                _ => {}
            }
        }
        Ok(())
    }
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| format!("string is not valid UTF-8 ({e})"))
}

/// A number from any of its three wire forms: integer, float, or decimal string.
fn number_from(head: Head<'_>) -> Result<Number, String> {
    match head {
        Head::Int(i) => Ok(Number::Int(i)),
        Head::BigUint(u) => Ok(Number::Decimal(u.to_string())),
        Head::Float(f) if f.is_nan() => Err("NaN is not a number".into()),
        Head::Float(f) => Ok(Number::Float(f)),
        Head::Str(b) | Head::Bin(b) => {
            let text = utf8(b)?;
            if parse_decimal(&text).is_some() {
                Ok(Number::Decimal(text))
            } else {
                Err(format!("{text:?} is not a decimal number"))
            }
        }
        other => Err(format!("expected a number, found {}", other.kind())),
    }
}

/// Refinements as read from an ext 12 payload, before checking them against the type.
struct ParsedRefinements {
    refinements: Refinements,
    /// The nullness key said "definitely null" (go-cty turns that into a known null).
    definitely_null: bool,
}

/// Parses an ext 12 payload: a msgpack map with small-integer keys. Unknown keys are skipped; bytes after
/// the map are ignored (go-cty reserves them).
fn parse_refinements(payload: &[u8]) -> Result<ParsedRefinements, String> {
    let mut r = Reader::new(payload);
    let count = match r.head()? {
        Head::Map(n) => n,
        other => return Err(format!("expected a map, found {}", other.kind())),
    };
    let mut out = ParsedRefinements {
        refinements: Refinements::default(),
        definitely_null: false,
    };
    for _ in 0..count {
        let key = match r.head()? {
            Head::Int(k) => k,
            // Not a key we know: skip its value.
            Head::BigUint(_) => i64::MAX,
            other => {
                return Err(format!(
                    "refinement key is {}, not an integer",
                    other.kind()
                ))
            }
        };
        match key {
            KEY_NULLNESS => match r.head()? {
                Head::Bool(null) => {
                    out.definitely_null = null;
                    out.refinements.nullable = if null { None } else { Some(false) };
                }
                other => return Err(format!("nullness is {}, not a bool", other.kind())),
            },
            KEY_STRING_PREFIX => match r.head()? {
                Head::Str(b) | Head::Bin(b) => out.refinements.string_prefix = Some(utf8(b)?),
                other => return Err(format!("string prefix is {}, not a string", other.kind())),
            },
            KEY_NUMBER_LOWER | KEY_NUMBER_UPPER => {
                match r.head()? {
                    Head::Array(2) => {}
                    other => {
                        return Err(format!(
                            "number bound is {}, not a [number, bool] array",
                            other.kind()
                        ))
                    }
                }
                let bound = number_from(r.head()?).map_err(|e| format!("number bound: {e}"))?;
                let inclusive = match r.head()? {
                    Head::Bool(b) => b,
                    other => {
                        return Err(format!(
                            "number bound's inclusive flag is {}, not a bool",
                            other.kind()
                        ))
                    }
                };
                if key == KEY_NUMBER_LOWER {
                    out.refinements.number_lower = Some((bound, inclusive));
                } else {
                    out.refinements.number_upper = Some((bound, inclusive));
                }
            }
            KEY_LENGTH_LOWER | KEY_LENGTH_UPPER => {
                let n = match r.head()? {
                    Head::Int(i) => u64::try_from(i)
                        .map_err(|_| format!("collection length bound {i} is negative"))?,
                    Head::BigUint(u) => u,
                    other => {
                        return Err(format!(
                            "collection length bound is {}, not an integer",
                            other.kind()
                        ))
                    }
                };
                if key == KEY_LENGTH_LOWER {
                    out.refinements.length_lower = Some(n);
                } else {
                    out.refinements.length_upper = Some(n);
                }
            }
            _ => r.skip()?,
        }
    }
    Ok(out)
}

/// Which refinements make sense for `ty` (go-cty rejects the others, in both directions).
fn check_refinements_apply(r: &Refinements, ty: &Type) -> Result<(), String> {
    if r.string_prefix.is_some() && *ty != Type::String {
        return Err(format!(
            "a string prefix refinement does not apply to type {}",
            type_name(ty)
        ));
    }
    if (r.number_lower.is_some() || r.number_upper.is_some()) && *ty != Type::Number {
        return Err(format!(
            "a number bound refinement does not apply to type {}",
            type_name(ty)
        ));
    }
    if (r.length_lower.is_some() || r.length_upper.is_some())
        && !matches!(ty, Type::List(_) | Type::Set(_) | Type::Map(_))
    {
        return Err(format!(
            "a collection length refinement does not apply to type {}",
            type_name(ty)
        ));
    }
    Ok(())
}

struct Decoder<'a> {
    r: Reader<'a>,
    path: Vec<PathStep>,
    depth: usize,
}

impl<'a> Decoder<'a> {
    #[cold]
    #[inline(never)]
    fn err(&self, message: impl Into<String>) -> CodecError {
        CodecError::at(&self.path, message)
    }

    fn head(&mut self) -> Result<Head<'a>, CodecError> {
        let h = self.r.head();
        h.map_err(|m| self.err(m))
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, expected: &str, ty: &Type, found: &Head<'_>) -> CodecError {
        self.err(format!(
            "expected {expected} for type {}, found {}",
            type_name(ty),
            found.kind()
        ))
    }

    fn value(&mut self, ty: &Type) -> Result<Value, CodecError> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(&self.path));
        }
        self.depth += 1;
        let v = self.value_inner(ty);
        self.depth -= 1;
        v
    }

    // The recursive path (value → value_inner → one container function → value …) goes through small
    // functions only, so that a level costs little stack even in debug builds; error formatting lives in
    // separate cold functions for the same reason.
    fn value_inner(&mut self, ty: &Type) -> Result<Value, CodecError> {
        let head = self.head()?;
        match (head, ty) {
            (Head::Ext(code, payload), _) => self.unknown(code, payload, ty),
            (Head::Nil, _) => Ok(Value::Null),
            (head, Type::String | Type::Number | Type::Bool) => self.primitive(head, ty),
            (head, Type::List(et)) => self.list(head, ty, et, false),
            (head, Type::Set(et)) => self.list(head, ty, et, true),
            (head, Type::Tuple(ets)) => self.tuple(head, ty, ets),
            (head, Type::Map(et)) => self.map(head, ty, et),
            (head, Type::Object(attrs)) => self.object(head, ty, attrs),
            (head, Type::Dynamic) => self.dynamic(head, ty),
        }
    }

    #[inline(never)]
    fn primitive(&self, head: Head<'_>, ty: &Type) -> Result<Value, CodecError> {
        match (ty, head) {
            (Type::String, Head::Str(b) | Head::Bin(b)) => {
                utf8(b).map(Value::String).map_err(|m| self.err(m))
            }
            (Type::Number, head) => number_from(head)
                .map(Value::Number)
                .map_err(|m| self.err(m)),
            (Type::Bool, Head::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Bool, other) => Err(self.mismatch("a bool", ty, &other)),
            (_, other) => Err(self.mismatch("a string", ty, &other)),
        }
    }

    #[inline(never)]
    fn list(
        &mut self,
        head: Head<'_>,
        ty: &Type,
        et: &Type,
        set: bool,
    ) -> Result<Value, CodecError> {
        let n = self.array_len(head, ty)?;
        // Every element takes at least one byte, so the remaining input bounds the allocation.
        let cap = usize::try_from(n).unwrap_or(0).min(self.r.remaining());
        let mut out = Vec::with_capacity(cap);
        for i in 0..n {
            self.path.push(PathStep::ElementKeyInt(i64::from(i)));
            out.push(self.value(et)?);
            self.path.pop();
        }
        Ok(if set {
            Value::Set(out)
        } else {
            Value::List(out)
        })
    }

    #[inline(never)]
    fn tuple(&mut self, head: Head<'_>, ty: &Type, ets: &[Type]) -> Result<Value, CodecError> {
        let n = self.array_len(head, ty)?;
        if usize::try_from(n).ok() != Some(ets.len()) {
            return Err(self.tuple_length(ty, ets.len(), n));
        }
        let mut out = Vec::with_capacity(ets.len());
        for (i, et) in ets.iter().enumerate() {
            self.path.push(PathStep::ElementKeyInt(index(i)));
            out.push(self.value(et)?);
            self.path.pop();
        }
        Ok(Value::Tuple(out))
    }

    #[inline(never)]
    fn map(&mut self, head: Head<'_>, ty: &Type, et: &Type) -> Result<Value, CodecError> {
        let n = self.map_len(head, ty)?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let key = self.key()?;
            self.path.push(PathStep::ElementKeyString(key.clone()));
            out.insert(key, self.value(et)?);
            self.path.pop();
        }
        Ok(Value::Map(out))
    }

    #[inline(never)]
    fn object(
        &mut self,
        head: Head<'_>,
        ty: &Type,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<Value, CodecError> {
        let n = self.map_len(head, ty)?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let key = self.key()?;
            self.path.push(PathStep::Attribute(key.clone()));
            let Some(at) = attrs.get(&key) else {
                return Err(self.err("unsupported attribute (not in the schema)"));
            };
            out.insert(key, self.value(at)?);
            self.path.pop();
        }
        for name in attrs.keys() {
            if !out.contains_key(name) {
                out.insert(name.clone(), Value::Null);
            }
        }
        Ok(Value::Object(out))
    }

    #[inline(never)]
    fn dynamic(&mut self, head: Head<'_>, ty: &Type) -> Result<Value, CodecError> {
        let n = self.array_len(head, ty)?;
        if n != 2 {
            return Err(self.err(format!(
                "a dynamic value must be a [type, value] array, found an array of {n}"
            )));
        }
        let concrete = self.dynamic_type()?;
        let v = self.value(&concrete)?;
        Ok(Value::Dynamic(Box::new(concrete), Box::new(v)))
    }

    #[inline(never)]
    fn dynamic_type(&mut self) -> Result<Type, CodecError> {
        let type_json = match self.head()? {
            Head::Bin(b) | Head::Str(b) => b,
            other => {
                return Err(self.err(format!(
                    "a dynamic value's type must be JSON bytes, found {}",
                    other.kind()
                )))
            }
        };
        serde_json::from_slice::<serde_json::Value>(type_json)
            .map_err(|e| e.to_string())
            .and_then(|j| Type::from_json(&j))
            .map_err(|e| self.err(format!("invalid dynamic value type: {e}")))
    }

    #[cold]
    #[inline(never)]
    fn tuple_length(&self, ty: &Type, want: usize, got: u32) -> CodecError {
        self.err(format!(
            "tuple type {} has {want} elements, the array has {got}",
            type_name(ty)
        ))
    }

    fn array_len(&self, head: Head<'_>, ty: &Type) -> Result<u32, CodecError> {
        match head {
            Head::Array(n) => Ok(n),
            other => Err(self.mismatch("an array", ty, &other)),
        }
    }

    fn map_len(&self, head: Head<'_>, ty: &Type) -> Result<u32, CodecError> {
        match head {
            Head::Map(n) => Ok(n),
            other => Err(self.mismatch("a map", ty, &other)),
        }
    }

    fn key(&mut self) -> Result<String, CodecError> {
        match self.head()? {
            Head::Str(b) | Head::Bin(b) => utf8(b).map_err(|m| self.err(m)),
            other => Err(self.err(format!("map key is {}, not a string", other.kind()))),
        }
    }

    #[inline(never)]
    fn unknown(&self, code: i8, payload: &[u8], ty: &Type) -> Result<Value, CodecError> {
        // Any ext is an unknown; only a non-trivial ext 12 payload carries refinements (go-cty treats a
        // payload of 0 or 1 bytes as a plain unknown whatever its type).
        if code != EXT_REFINED_UNKNOWN || payload.len() <= 1 {
            return Ok(Value::unknown());
        }
        if payload.len() > MAX_REFINEMENT_PAYLOAD {
            return Err(self.err(format!(
                "unknown value refinements of {} bytes exceed the {MAX_REFINEMENT_PAYLOAD}-byte limit",
                payload.len()
            )));
        }
        let parsed = parse_refinements(payload)
            .map_err(|m| self.err(format!("malformed unknown value refinements: {m}")))?;
        if *ty == Type::Dynamic {
            // go-cty: an unknown of type dynamic has no refinements; ignore them.
            return Ok(Value::unknown());
        }
        check_refinements_apply(&parsed.refinements, ty)
            .map_err(|m| self.err(format!("invalid unknown value refinements: {m}")))?;
        if parsed.definitely_null {
            // There is only one null of each type: go-cty makes this a known null.
            return Ok(Value::Null);
        }
        Ok(Value::Unknown(parsed.refinements))
    }
}

#[cold]
#[inline(never)]
fn too_deep(path: &[PathStep]) -> CodecError {
    CodecError::at(
        path,
        format!("value is nested more than {MAX_DEPTH} levels deep"),
    )
}

fn index(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------------------
// Writing

fn put_uint(out: &mut Vec<u8>, u: u64) {
    if u < 0x80 {
        out.push(u as u8);
    } else if let Ok(b) = u8::try_from(u) {
        out.extend_from_slice(&[0xcc, b]);
    } else if let Ok(s) = u16::try_from(u) {
        out.push(0xcd);
        out.extend_from_slice(&s.to_be_bytes());
    } else if let Ok(w) = u32::try_from(u) {
        out.push(0xce);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        out.push(0xcf);
        out.extend_from_slice(&u.to_be_bytes());
    }
}

pub(super) fn put_int(out: &mut Vec<u8>, i: i64) {
    if let Ok(u) = u64::try_from(i) {
        put_uint(out, u);
    } else if i >= -32 {
        out.extend_from_slice(&(i as i8).to_be_bytes());
    } else if let Ok(b) = i8::try_from(i) {
        out.push(0xd0);
        out.extend_from_slice(&b.to_be_bytes());
    } else if let Ok(s) = i16::try_from(i) {
        out.push(0xd1);
        out.extend_from_slice(&s.to_be_bytes());
    } else if let Ok(w) = i32::try_from(i) {
        out.push(0xd2);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// Writes a length header: the fix form (`fix_marker | n`) when `n <= fix_max`, else the 8/16/32-bit form
/// whose markers are given (`None` where a width does not exist).
fn put_len(
    out: &mut Vec<u8>,
    n: usize,
    fix: Option<(u8, usize)>,
    m8: Option<u8>,
    m16: u8,
    m32: u8,
) -> Result<(), String> {
    match fix {
        Some((marker, max)) if n <= max => {
            out.push(marker | (n as u8));
            return Ok(());
        }
        _ => {}
    }
    if let (Some(marker), Ok(b)) = (m8, u8::try_from(n)) {
        out.extend_from_slice(&[marker, b]);
    } else if let Ok(s) = u16::try_from(n) {
        out.push(m16);
        out.extend_from_slice(&s.to_be_bytes());
    } else if let Ok(w) = u32::try_from(n) {
        out.push(m32);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        return Err(format!("{n} is too long for msgpack"));
    }
    Ok(())
}

fn put_str(out: &mut Vec<u8>, s: &str) -> Result<(), String> {
    put_len(out, s.len(), Some((0xa0, 31)), Some(0xd9), 0xda, 0xdb)?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn put_bin(out: &mut Vec<u8>, b: &[u8]) -> Result<(), String> {
    put_len(out, b.len(), None, Some(0xc4), 0xc5, 0xc6)?;
    out.extend_from_slice(b);
    Ok(())
}

fn put_array_len(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    put_len(out, n, Some((0x90, 15)), None, 0xdc, 0xdd)
}

fn put_map_len(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    put_len(out, n, Some((0x80, 15)), None, 0xde, 0xdf)
}

fn put_ext(out: &mut Vec<u8>, code: i8, payload: &[u8]) -> Result<(), String> {
    let fixed = match payload.len() {
        1 => Some(0xd4),
        2 => Some(0xd5),
        4 => Some(0xd6),
        8 => Some(0xd7),
        16 => Some(0xd8),
        _ => None,
    };
    match fixed {
        Some(marker) => out.push(marker),
        None => put_len(out, payload.len(), None, Some(0xc7), 0xc8, 0xc9)?,
    }
    out.extend_from_slice(&code.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Writes a number as go-cty does: an integer when it is one that fits `i64` (floats included), a float64
/// for other floats, and the exact decimal string for `Decimal`.
fn put_number(out: &mut Vec<u8>, n: &Number) -> Result<(), String> {
    match n {
        Number::Int(i) => put_int(out, *i),
        Number::Float(f) if f.is_nan() => return Err("NaN is not a number".into()),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < FLOAT_AS_INT_LIMIT => {
            put_int(out, *f as i64)
        }
        Number::Float(f) => {
            out.push(0xcb);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Number::Decimal(s) => {
            if parse_decimal(s).is_none() {
                return Err(format!("{s:?} is not a decimal number"));
            }
            put_str(out, s)?;
        }
    }
    Ok(())
}

/// The ext 12 payload for `r` (`None` when there is nothing to say). With `with_bounds == false`, number
/// bounds are left out (used when they would push the payload over the size limit).
fn refinement_payload(r: &Refinements, with_bounds: bool) -> Result<Option<Vec<u8>>, String> {
    let mut entries = 0;
    let mut body = Vec::new();
    // `nullable: Some(true)` ("may be null") is no refinement at all; the wire's `true` would mean
    // "definitely null", which Terraform turns into a known null.
    if r.nullable == Some(false) {
        entries += 1;
        put_int(&mut body, KEY_NULLNESS);
        body.push(0xc2);
    }
    if let Some(prefix) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
        let mut end = prefix.len().min(MAX_PREFIX_BYTES);
        while !prefix.is_char_boundary(end) {
            end -= 1;
        }
        entries += 1;
        put_int(&mut body, KEY_STRING_PREFIX);
        put_str(&mut body, prefix.get(..end).unwrap_or(""))?;
    }
    if with_bounds {
        for (key, bound) in [
            (KEY_NUMBER_LOWER, &r.number_lower),
            (KEY_NUMBER_UPPER, &r.number_upper),
        ] {
            if let Some((n, inclusive)) = bound {
                entries += 1;
                put_int(&mut body, key);
                put_array_len(&mut body, 2)?;
                put_number(&mut body, n)?;
                body.push(if *inclusive { 0xc3 } else { 0xc2 });
            }
        }
    }
    for (key, bound) in [
        (KEY_LENGTH_LOWER, r.length_lower),
        (KEY_LENGTH_UPPER, r.length_upper),
    ] {
        if let Some(n) = bound {
            entries += 1;
            put_int(&mut body, key);
            put_uint(&mut body, n);
        }
    }
    if entries == 0 {
        return Ok(None);
    }
    let mut payload = Vec::with_capacity(body.len() + 1);
    put_map_len(&mut payload, entries)?;
    payload.extend_from_slice(&body);
    Ok(Some(payload))
}

struct Encoder {
    out: Vec<u8>,
    path: Vec<PathStep>,
    depth: usize,
}

impl Encoder {
    #[cold]
    #[inline(never)]
    fn err(&self, message: impl Into<String>) -> CodecError {
        CodecError::at(&self.path, message)
    }

    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), CodecError> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(&self.path));
        }
        self.depth += 1;
        let r = self.value_inner(v, ty);
        self.depth -= 1;
        r
    }

    fn value_inner(&mut self, v: &Value, ty: &Type) -> Result<(), CodecError> {
        match (v, ty) {
            (Value::Unknown(r), _) => self.unknown(r, ty),
            (Value::Null, _) => {
                self.out.push(0xc0);
                Ok(())
            }
            (Value::Dynamic(concrete, inner), Type::Dynamic) => self.dynamic(concrete, inner),
            (Value::String(_) | Value::Number(_) | Value::Bool(_), _) => self.primitive(v, ty),
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
            return self.err(format!(
                "a value of type \"dynamic\" must be Value::Dynamic (carrying its concrete type), null or unknown; found {}",
                value_kind(v)
            ));
        }
        self.err(format!(
            "{} does not conform to type {}",
            value_kind(v),
            type_name(ty)
        ))
    }

    #[inline(never)]
    fn primitive(&mut self, v: &Value, ty: &Type) -> Result<(), CodecError> {
        match (v, ty) {
            (Value::String(s), Type::String) => self.put(|o| put_str(o, s)),
            (Value::Number(n), Type::Number) => self.put(|o| put_number(o, n)),
            (Value::Bool(b), Type::Bool) => {
                self.out.push(if *b { 0xc3 } else { 0xc2 });
                Ok(())
            }
            _ => Err(self.nonconforming(v, ty)),
        }
    }

    #[inline(never)]
    fn dynamic(&mut self, concrete: &Type, inner: &Value) -> Result<(), CodecError> {
        self.put(|o| put_array_len(o, 2))?;
        let type_json = concrete.to_json_bytes();
        self.put(|o| put_bin(o, &type_json))?;
        self.value(inner, concrete)
    }

    #[inline(never)]
    fn list(&mut self, es: &[Value], et: &Type) -> Result<(), CodecError> {
        self.put(|o| put_array_len(o, es.len()))?;
        for (i, e) in es.iter().enumerate() {
            self.path.push(PathStep::ElementKeyInt(index(i)));
            self.value(e, et)?;
            self.path.pop();
        }
        Ok(())
    }

    #[inline(never)]
    fn tuple(&mut self, es: &[Value], ty: &Type, ets: &[Type]) -> Result<(), CodecError> {
        if es.len() != ets.len() {
            return Err(self.err(format!(
                "tuple type {} has {} elements, the value has {}",
                type_name(ty),
                ets.len(),
                es.len()
            )));
        }
        self.put(|o| put_array_len(o, es.len()))?;
        for (i, (e, et)) in es.iter().zip(ets).enumerate() {
            self.path.push(PathStep::ElementKeyInt(index(i)));
            self.value(e, et)?;
            self.path.pop();
        }
        Ok(())
    }

    #[inline(never)]
    fn map(&mut self, m: &BTreeMap<String, Value>, et: &Type) -> Result<(), CodecError> {
        self.put(|o| put_map_len(o, m.len()))?;
        for (k, e) in m {
            self.put(|o| put_str(o, k))?;
            self.path.push(PathStep::ElementKeyString(k.clone()));
            self.value(e, et)?;
            self.path.pop();
        }
        Ok(())
    }

    #[inline(never)]
    fn object(
        &mut self,
        m: &BTreeMap<String, Value>,
        ty: &Type,
        attrs: &BTreeMap<String, Type>,
    ) -> Result<(), CodecError> {
        static NULL: Value = Value::Null;
        if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
            self.path.push(PathStep::Attribute(extra.clone()));
            return Err(self.err(format!(
                "attribute is not in the object type {}",
                type_name(ty)
            )));
        }
        self.put(|o| put_map_len(o, attrs.len()))?;
        for (k, at) in attrs {
            self.put(|o| put_str(o, k))?;
            self.path.push(PathStep::Attribute(k.clone()));
            self.value(m.get(k).unwrap_or(&NULL), at)?;
            self.path.pop();
        }
        Ok(())
    }

    fn put(
        &mut self,
        f: impl FnOnce(&mut Vec<u8>) -> Result<(), String>,
    ) -> Result<(), CodecError> {
        let r = f(&mut self.out);
        r.map_err(|m| self.err(m))
    }

    #[inline(never)]
    fn unknown(&mut self, r: &Refinements, ty: &Type) -> Result<(), CodecError> {
        const PLAIN_UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];
        if *ty == Type::Dynamic {
            // go-cty: an unknown of type dynamic can have no refinements.
            self.out.extend_from_slice(&PLAIN_UNKNOWN);
            return Ok(());
        }
        check_refinements_apply(r, ty)
            .map_err(|m| self.err(format!("invalid unknown value refinements: {m}")))?;
        let mut payload = refinement_payload(r, true).map_err(|m| self.err(m))?;
        if payload
            .as_ref()
            .is_some_and(|p| p.len() > MAX_REFINEMENT_PAYLOAD)
        {
            // Huge decimal bounds: drop them (a weaker promise is still a true one).
            payload = refinement_payload(r, false).map_err(|m| self.err(m))?;
        }
        match payload {
            None => {
                self.out.extend_from_slice(&PLAIN_UNKNOWN);
                Ok(())
            }
            Some(p) => self.put(|o| put_ext(o, EXT_REFINED_UNKNOWN, &p)),
        }
    }
}
