// Fuzz bodies shared, through `include!`, by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and by the
// deterministic stress test in `codec/tests.rs`. The including module brings `Type`, `Value`,
// `decode_msgpack`, `encode_msgpack`, `decode_json` and `encode_json` into scope.
//
// Input layout: the first bytes choose a type (see `split_type`), the rest is the payload. A payload that
// decodes must re-encode, and the re-encoding must decode to an equal value and encode to the same bytes.

/// Takes one byte (0 once `data` is exhausted).
fn next_byte(data: &mut &[u8]) -> u8 {
    match data.split_first() {
        Some((b, rest)) => {
            *data = rest;
            *b
        }
        None => 0,
    }
}

const ATTR_NAMES: [&str; 3] = ["a", "b", "c"];

fn gen_type(data: &mut &[u8], depth: u32) -> Type {
    let b = next_byte(data);
    let kind = if depth >= 4 { b % 4 } else { b % 9 };
    match kind {
        0 => Type::String,
        1 => Type::Number,
        2 => Type::Bool,
        3 => Type::Dynamic,
        4 => Type::list(gen_type(data, depth + 1)),
        5 => Type::set(gen_type(data, depth + 1)),
        6 => Type::map(gen_type(data, depth + 1)),
        7 => {
            let n = usize::from(next_byte(data) % 4);
            let mut attrs = Vec::new();
            for name in ATTR_NAMES.iter().take(n) {
                attrs.push((*name, gen_type(data, depth + 1)));
            }
            Type::object(attrs)
        }
        _ => {
            let n = next_byte(data) % 4;
            Type::Tuple((0..n).map(|_| gen_type(data, depth + 1)).collect())
        }
    }
}

/// Splits fuzz input into a type (from its first bytes) and the payload.
pub fn split_type(data: &[u8]) -> (Type, &[u8]) {
    let mut rest = data;
    let ty = gen_type(&mut rest, 0);
    (ty, rest)
}

/// The bytes that `split_type` reads back as `ty` (for `gen_type`'s shapes: object attributes named from
/// `ATTR_NAMES`, at most 3 attributes or tuple elements, at most 4 levels).
pub fn type_prefix(ty: &Type) -> Vec<u8> {
    let mut out = Vec::new();
    fn go(ty: &Type, out: &mut Vec<u8>) {
        match ty {
            Type::String => out.push(0),
            Type::Number => out.push(1),
            Type::Bool => out.push(2),
            Type::Dynamic => out.push(3),
            Type::List(t) => {
                out.push(4);
                go(t, out);
            }
            Type::Set(t) => {
                out.push(5);
                go(t, out);
            }
            Type::Map(t) => {
                out.push(6);
                go(t, out);
            }
            Type::Object(attrs) => {
                out.push(7);
                out.push(attrs.len() as u8);
                for t in attrs.values() {
                    go(t, out);
                }
            }
            Type::Tuple(ts) => {
                out.push(8);
                out.push(ts.len() as u8);
                for t in ts {
                    go(t, out);
                }
            }
        }
    }
    go(ty, &mut out);
    out
}

/// msgpack: decode must never panic; whatever decodes must round-trip. Returns whether it decoded.
pub fn msgpack_body(data: &[u8]) -> bool {
    let (ty, payload) = split_type(data);
    let Ok(v) = decode_msgpack(payload, &ty) else {
        return false;
    };
    let bytes = match encode_msgpack(&v, &ty) {
        Ok(b) => b,
        Err(e) => panic!("decoded value does not re-encode: {e}\nvalue: {v:?}\ntype: {ty:?}"),
    };
    let again = match decode_msgpack(&bytes, &ty) {
        Ok(a) => a,
        Err(e) => panic!("re-encoded value does not decode: {e}\nbytes: {bytes:02x?}\ntype: {ty:?}"),
    };
    assert!(
        again.equals(&v),
        "round trip changed the value\nfirst: {v:?}\nthen: {again:?}"
    );
    let bytes_again = match encode_msgpack(&again, &ty) {
        Ok(b) => b,
        Err(e) => panic!("second encoding failed: {e}"),
    };
    assert_eq!(bytes, bytes_again, "encoding is not stable for {v:?}");
    true
}

/// JSON: decode must never panic; whatever decodes must round-trip through `encode_json`. Returns whether
/// it decoded.
pub fn json_body(data: &[u8]) -> bool {
    let (ty, payload) = split_type(data);
    let Ok(v) = decode_json(payload, &ty) else {
        return false;
    };
    let json = match encode_json(&v, &ty) {
        Ok(j) => j,
        Err(e) => panic!("decoded value does not re-encode: {e}\nvalue: {v:?}\ntype: {ty:?}"),
    };
    let text = json.to_string();
    let again = match decode_json(text.as_bytes(), &ty) {
        Ok(a) => a,
        Err(e) => panic!("re-encoded JSON does not decode: {e}\njson: {text}\ntype: {ty:?}"),
    };
    assert!(
        again.equals(&v),
        "round trip changed the value\nfirst: {v:?}\nthen: {again:?}\njson: {text}"
    );
    let json_again = match encode_json(&again, &ty) {
        Ok(j) => j,
        Err(e) => panic!("second encoding failed: {e}"),
    };
    assert_eq!(json, json_again, "encoding is not stable for {v:?}");
    true
}
