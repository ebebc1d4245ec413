//! Wire codecs for [`Value`]: msgpack (`DynamicValue.msgpack`, what Terraform sends everywhere) and JSON
//! (`RawState.json` in UpgradeResourceState, `DynamicValue.json`). Both are driven by the schema's [`Type`].
//!
//! Both decoders treat their input as hostile: every problem (truncated input, wrong msgpack/JSON kind,
//! invalid UTF-8, nesting deeper than [`MAX_DEPTH`], …) is a [`CodecError`] naming the attribute path,
//! never a panic, and no allocation is sized from a length header alone.
//!
//! Numbers (see [`Number`](super::Number)): the msgpack decoder keeps what the wire says (int → `Int`,
//! uint above `i64::MAX` → `Decimal`, float → `Float`, string → `Decimal` after checking it is a decimal
//! number). JSON numbers are read from their exact text by our own small JSON parser (`serde_json` is
//! built without `arbitrary_precision` here): an integer that fits `i64` → `Int`, any other integer →
//! `Decimal` (exact text), a non-integer written in a shortest round-trip form of an `f64` (`0.1`) →
//! `Float`, anything else → `Decimal` (exact text). So no JSON number is ever rounded. A JSON number whose
//! exponent does not fit `i64` is refused, as go-cty refuses it.
//!
//! Recursion: every recursive step goes through small functions (error formatting is kept in cold
//! functions), so one level costs about 2.5 KiB of stack in a debug build and far less in release; at
//! [`MAX_DEPTH`] that is well inside the 2 MiB of a tokio worker or test thread (a test runs the deepest
//! accepted and refused inputs on a 1 MiB thread).

use std::fmt;

use super::{AttributePath, PathStep, Type, Value};

mod json;
mod msgpack;

#[cfg(test)]
mod tests;

pub use json::{decode_json, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};

/// Deepest nesting of values (lists, sets, maps, objects, tuples, dynamic wrappers) the codecs accept, in
/// both directions. Terraform schemas are a handful of levels deep; the limit only exists so that a
/// malicious or corrupt input cannot overflow the stack through recursion.
pub const MAX_DEPTH: usize = 256;

/// Largest msgpack ext 12 (refined unknown) payload accepted or produced, as Terraform (go-cty) enforces.
const MAX_REFINEMENT_PAYLOAD: usize = 1024;

/// Longest string-prefix refinement we encode (longer prefixes are cut at a character boundary; a shorter
/// prefix is a weaker but still true promise).
const MAX_PREFIX_BYTES: usize = 256;

/// Floats that are integers below this magnitude are written as integers (go-cty writes every float that
/// is an exact `i64` as an integer; we stop at the bound [`Number`](super::Number)'s own `as_i64` and
/// equality use, so that `Float(x)` and the `Int` it is written as stay equal there).
const FLOAT_AS_INT_LIMIT: f64 = 9.2e18;

/// A value that does not conform to its type, or bytes that are not valid msgpack/JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

impl CodecError {
    fn at(path: &[PathStep], message: impl Into<String>) -> CodecError {
        CodecError {
            path: AttributePath::from_steps(path.to_vec()),
            message: message.into(),
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.steps().is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CodecError {}

/// The compact cty JSON of a type, for error messages.
fn type_name(ty: &Type) -> String {
    ty.to_json().to_string()
}

/// What kind of value `v` is, for error messages.
fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Unknown(_) => "an unknown value",
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
        Value::Dynamic(..) => "a dynamic value",
    }
}

/// A decimal number reduced to `(-1)^negative × digits × 10^exponent`, with `digits` free of leading and
/// trailing zeros (empty for zero). Two texts denote the same number exactly when these are equal.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

/// Parses decimal text: `[+-] (digits [. digits] | . digits) [(e|E) [+-] digits]`, as go-cty's number
/// parser accepts it (no `Inf`, no hex, no whitespace). `None` when it is not a decimal number, or when its
/// exponent is beyond `i64`.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&sign @ (b'+' | b'-')) = bytes.first() {
        negative = sign == b'-';
        i = 1;
    }
    let int_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_part = text.get(int_start..i)?;
    let mut frac_part = "";
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_part = text.get(frac_start..i)?;
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut exponent: i64 = 0;
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let mut exp_negative = false;
        if let Some(&sign @ (b'+' | b'-')) = bytes.get(i) {
            exp_negative = sign == b'-';
            i += 1;
        }
        let exp_start = i;
        while let Some(d) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            exponent = exponent.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
            i += 1;
        }
        if i == exp_start {
            return None;
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let all: String = int_part.chars().chain(frac_part.chars()).collect();
    let trimmed_front = all.trim_start_matches('0');
    let digits = trimmed_front.trim_end_matches('0');
    let trailing_zeros = i64::try_from(trimmed_front.len() - digits.len()).ok()?;
    let frac_len = i64::try_from(frac_part.len()).ok()?;
    if digits.is_empty() {
        return Some(Decimal {
            negative: false,
            digits: String::new(),
            exponent: 0,
        });
    }
    Some(Decimal {
        negative,
        digits: digits.to_string(),
        exponent: exponent
            .checked_sub(frac_len)?
            .checked_add(trailing_zeros)?,
    })
}

/// The [`Number`](super::Number) for exact decimal text (already known to be a decimal number): `Int` when
/// it is an integer that fits `i64`, `Float` when it is a non-integer written in a shortest round-trip form
/// of an `f64` (e.g. `0.1`), otherwise `Decimal` with the text unchanged.
fn classify_decimal(text: &str) -> super::Number {
    use super::Number;
    let Some(d) = parse_decimal(text) else {
        return Number::Decimal(text.to_string());
    };
    if d.digits.is_empty() {
        return Number::Int(0);
    }
    if d.exponent >= 0 {
        // An integer: exact as i64 when it fits, otherwise kept as text (an f64 would round it).
        let len = i64::try_from(d.digits.len()).unwrap_or(i64::MAX);
        if len.saturating_add(d.exponent) <= 19 {
            let zeros = usize::try_from(d.exponent).unwrap_or(0);
            let sign = if d.negative { "-" } else { "" };
            let int_text = format!("{sign}{}{}", d.digits, "0".repeat(zeros));
            if let Ok(i) = int_text.parse::<i64>() {
                return Number::Int(i);
            }
        }
        return Number::Decimal(text.to_string());
    }
    // A shortest round-trip form of an f64 has as few significant digits as Rust's own shortest form (the
    // two may differ in the last digit when two candidates are equally close, as ryu's and Rust's do).
    match text.parse::<f64>() {
        Ok(f)
            if f.is_finite()
                && parse_decimal(&f.to_string())
                    .is_some_and(|s| s.digits.len() == d.digits.len()) =>
        {
            Number::Float(f)
        }
        _ => Number::Decimal(text.to_string()),
    }
}
