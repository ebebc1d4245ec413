//! Codec tests: byte fixtures (written out in hex), round trips, hostile inputs, and the deterministic
//! stress test that runs the fuzz bodies over pseudo-random inputs.

use std::collections::BTreeMap;

use super::{decode_json, decode_msgpack, encode_json, encode_msgpack, MAX_DEPTH};
use crate::framework::{Number, PathStep, Refinements, Type, Value};

mod fuzz {
    use super::{decode_json, decode_msgpack, encode_json, encode_msgpack, Type};
    include!("fuzz_body.rs");
}

/// Bytes from space-separated hex, e.g. `"d4 00 00"`.
fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

fn mp_round_trip(v: &Value, ty: &Type, expected_hex: &str) {
    let bytes = encode_msgpack(v, ty).unwrap();
    assert_eq!(bytes, hex(expected_hex), "encoding of {v:?}");
    let back = decode_msgpack(&bytes, ty).unwrap();
    assert!(back.equals(v), "decoded {back:?}, expected {v:?}");
}

fn json_round_trip(v: &Value, ty: &Type, expected: &str) {
    let j = encode_json(v, ty).unwrap();
    assert_eq!(j.to_string(), expected, "JSON of {v:?}");
    let back = decode_json(expected.as_bytes(), ty).unwrap();
    assert!(back.equals(v), "decoded {back:?}, expected {v:?}");
}

fn attrs() -> Type {
    Type::object([("a", Type::String), ("b", Type::Number)])
}

// ----- unknowns ------------------------------------------------------------------------------------------

#[test]
fn plain_unknown_is_d4_00_00_at_any_type() {
    for ty in [
        Type::String,
        Type::Number,
        Type::Dynamic,
        Type::list(Type::String),
        attrs(),
    ] {
        assert_eq!(
            decode_msgpack(&hex("d4 00 00"), &ty).unwrap(),
            Value::unknown()
        );
        assert_eq!(
            encode_msgpack(&Value::unknown(), &ty).unwrap(),
            hex("d4 00 00")
        );
    }
    // An unknown object is the ext itself, not a map; unknowns nest at any depth.
    let v = Value::object([("a", Value::unknown()), ("b", Value::Null)]);
    mp_round_trip(&v, &attrs(), "82 a1 61 d4 00 00 a1 62 c0");
}

#[test]
fn refined_unknown_string_round_trips_byte_for_byte() {
    // fixext8, ext type 12, payload {1: false, 2: "abc"}.
    let bytes = hex("d7 0c 82 01 c2 02 a3 61 62 63");
    let v = decode_msgpack(&bytes, &Type::String).unwrap();
    let expected = Value::Unknown(Refinements {
        nullable: Some(false),
        string_prefix: Some("abc".into()),
        ..Refinements::default()
    });
    assert_eq!(v, expected);
    assert_eq!(encode_msgpack(&v, &Type::String).unwrap(), bytes);
}

#[test]
fn other_ext_types_are_unknown() {
    for h in [
        "d4 05 00",          // fixext1, type 5
        "d5 7f 01 02",       // fixext2, type 127
        "c7 03 07 01 02 03", // ext8, type 7, 3 bytes
        "c7 00 00",          // ext8, type 0, empty
        "c8 00 01 81 ff",    // ext16, type -127, 1 byte
        "d4 0c 00",          // ext 12 with a 1-byte payload: plain unknown (go-cty)
        "d6 ff 00 00 00 00", // fixext4, type -1 (msgpack timestamp) – still unknown
    ] {
        assert_eq!(
            decode_msgpack(&hex(h), &Type::String).unwrap(),
            Value::unknown(),
            "{h}"
        );
    }
}

#[test]
fn refinements_of_every_kind_round_trip() {
    // Number: > 0 (exclusive), <= 10.5 (inclusive), not null.
    let v = Value::Unknown(Refinements {
        nullable: Some(false),
        number_lower: Some((Number::Int(0), false)),
        number_upper: Some((Number::Float(10.5), true)),
        ..Refinements::default()
    });
    mp_round_trip(
        &v,
        &Type::Number,
        "c7 13 0c 83 01 c2 03 92 00 c2 04 92 cb 40 25 00 00 00 00 00 00 c3",
    );
    // Collection length between 1 and 300.
    let v = Value::Unknown(Refinements {
        length_lower: Some(1),
        length_upper: Some(300),
        ..Refinements::default()
    });
    mp_round_trip(
        &v,
        &Type::list(Type::String),
        "c7 07 0c 82 05 01 06 cd 01 2c",
    );
    let back = decode_msgpack(
        &hex("c7 07 0c 82 05 01 06 cd 01 2c"),
        &Type::set(Type::Bool),
    )
    .unwrap();
    assert_eq!(back, v);
    // Unknown keys are skipped, whatever their value; trailing payload bytes are ignored.
    let back = decode_msgpack(
        &hex("c7 0c 0c 82 09 92 81 a1 78 c0 01 01 c2 ff ff"),
        &Type::String,
    )
    .unwrap();
    assert_eq!(
        back,
        Value::Unknown(Refinements {
            nullable: Some(false),
            ..Refinements::default()
        })
    );
    // "Definitely null" is a known null, as go-cty makes it.
    assert_eq!(
        decode_msgpack(&hex("c7 03 0c 81 01 c3"), &Type::String).unwrap(),
        Value::Null
    );
    // Refinements on a dynamic unknown are ignored (go-cty), and never written.
    assert_eq!(
        decode_msgpack(&hex("c7 03 0c 81 01 c2"), &Type::Dynamic).unwrap(),
        Value::unknown()
    );
    let refined = Value::Unknown(Refinements {
        nullable: Some(false),
        ..Refinements::default()
    });
    assert_eq!(
        encode_msgpack(&refined, &Type::Dynamic).unwrap(),
        hex("d4 00 00")
    );
    // "May be null" and an empty prefix say nothing: plain unknown, never an empty ext 12.
    let nothing = Value::Unknown(Refinements {
        nullable: Some(true),
        string_prefix: Some(String::new()),
        ..Refinements::default()
    });
    assert_eq!(
        encode_msgpack(&nothing, &Type::String).unwrap(),
        hex("d4 00 00")
    );
}

#[test]
fn long_prefixes_are_cut_and_huge_bounds_dropped_to_stay_under_1_kib() {
    let long = "é".repeat(200); // 400 bytes
    let v = Value::Unknown(Refinements {
        string_prefix: Some(long.clone()),
        ..Refinements::default()
    });
    let bytes = encode_msgpack(&v, &Type::String).unwrap();
    let Value::Unknown(r) = decode_msgpack(&bytes, &Type::String).unwrap() else {
        panic!("not unknown");
    };
    let prefix = r.string_prefix.unwrap();
    assert_eq!(prefix.len(), 256);
    assert!(long.starts_with(&prefix));

    let huge = Number::Decimal(format!("1{}", "0".repeat(1100)));
    let v = Value::Unknown(Refinements {
        nullable: Some(false),
        number_upper: Some((huge, true)),
        ..Refinements::default()
    });
    assert_eq!(
        encode_msgpack(&v, &Type::Number).unwrap(),
        hex("c7 03 0c 81 01 c2")
    );
}

#[test]
fn bad_refinements_are_errors() {
    // Payload of 1125 bytes (over 1 KiB): ext16 header, then {2: <1120-byte string>}.
    let mut big = hex("c8 04 65 0c 81 02 da 04 60");
    big.extend(std::iter::repeat_n(b'x', 0x460));
    assert_eq!(big.len(), 4 + 1125);
    let err = decode_msgpack(&big, &Type::String).unwrap_err();
    assert!(err.message.contains("1024"), "{err}");
    // Exactly 1 KiB is fine.
    let mut ok = hex("c8 04 00 0c 81 02 da 03 fb");
    ok.extend(std::iter::repeat_n(b'x', 0x3fb));
    assert_eq!(ok.len(), 4 + 1024);
    assert!(decode_msgpack(&ok, &Type::String).unwrap().is_unknown());

    for (h, ty) in [
        ("d5 0c 00 00", Type::String),                   // payload is not a map
        ("d5 0c 81 01", Type::String),                   // map value missing
        ("d6 0c 81 01 01 00", Type::String),             // nullness is not a bool
        ("d6 0c 81 a1 61 c2", Type::String),             // key is not an integer
        ("d6 0c 81 02 01 00", Type::String),             // prefix is not a string
        ("d6 0c 81 02 a1 ff", Type::String),             // prefix is not UTF-8
        ("d6 0c 81 05 ff 00", Type::list(Type::String)), // negative length
        ("d7 0c 81 03 92 a1 78 c3 00 00", Type::Number), // bound is not a number
        ("d6 0c 81 03 91 01", Type::Number),             // bound is not [number, bool]
        ("d7 0c 81 02 a3 61 62 63 00 00", Type::Number), // prefix on a number
        ("d6 0c 81 05 01 00", Type::String),             // length on a string
        ("d7 0c 81 03 92 01 c3 00 00 00", Type::String), // bound on a string
    ] {
        let e = decode_msgpack(&hex(h), &ty);
        assert!(e.is_err(), "{h} decoded as {e:?}");
    }
    // Refinements that do not apply to the type are refused when encoding too.
    let v = Value::Unknown(Refinements {
        string_prefix: Some("x".into()),
        ..Refinements::default()
    });
    assert!(encode_msgpack(&v, &Type::Number).is_err());
}

#[test]
fn refinement_errors_carry_the_attribute_path() {
    let ty = Type::object([("name", Type::String)]);
    let err = decode_msgpack(&hex("81 a4 6e 61 6d 65 d5 0c 00 00"), &ty).unwrap_err();
    assert_eq!(err.path.steps(), &[PathStep::Attribute("name".into())]);
}

// ----- numbers ------------------------------------------------------------------------------------------

#[test]
fn msgpack_numbers_of_every_width() {
    let cases: &[(&str, Number)] = &[
        ("00", Number::Int(0)),
        ("7f", Number::Int(127)),
        ("ff", Number::Int(-1)),
        ("e0", Number::Int(-32)),
        ("cc 80", Number::Int(128)),
        ("cd 01 00", Number::Int(256)),
        ("ce 00 01 00 00", Number::Int(65536)),
        ("cf 00 00 00 01 00 00 00 00", Number::Int(1 << 32)),
        ("d0 df", Number::Int(-33)),
        ("d1 ff 7f", Number::Int(-129)),
        ("d2 ff ff 7f ff", Number::Int(-32769)),
        ("d3 80 00 00 00 00 00 00 00", Number::Int(i64::MIN)),
        ("cf 7f ff ff ff ff ff ff ff", Number::Int(i64::MAX)),
        ("cb 3f b9 99 99 99 99 99 9a", Number::Float(0.1)),
        ("a5 31 65 34 30 30", Number::Decimal("1e400".into())),
    ];
    for (h, n) in cases {
        let v = Value::Number(n.clone());
        assert_eq!(decode_msgpack(&hex(h), &Type::Number).unwrap(), v, "{h}");
        mp_round_trip(&v, &Type::Number, h);
    }
    // u64 above i64::MAX is a Decimal, written back (as go-cty would) as its decimal string.
    let big = Value::Number(Number::Decimal("18446744073709551615".into()));
    assert_eq!(
        decode_msgpack(&hex("cf ff ff ff ff ff ff ff ff"), &Type::Number).unwrap(),
        big
    );
    mp_round_trip(
        &big,
        &Type::Number,
        "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 35",
    );
    // Other encodings Terraform may use decode too.
    assert_eq!(
        decode_msgpack(&hex("ca 3f c0 00 00"), &Type::Number).unwrap(),
        Value::Number(Number::Float(1.5))
    );
    assert_eq!(
        decode_msgpack(&hex("d0 05"), &Type::Number).unwrap(),
        Value::Number(Number::Int(5))
    );
    assert_eq!(
        decode_msgpack(&hex("cc 05"), &Type::Number).unwrap(),
        Value::Number(Number::Int(5))
    );
    // Floats that are integers are written as integers, as go-cty does.
    assert_eq!(
        encode_msgpack(&Value::Number(Number::Float(3.0)), &Type::Number).unwrap(),
        hex("03")
    );
    assert_eq!(
        encode_msgpack(&Value::Number(Number::Float(-4096.0)), &Type::Number).unwrap(),
        hex("d1 f0 00")
    );
    // Not numbers.
    for h in [
        "a3 61 62 63",
        "a0",
        "a2 31 65",
        "cb 7f f8 00 00 00 00 00 00",
        "c3",
        "90",
    ] {
        assert!(decode_msgpack(&hex(h), &Type::Number).is_err(), "{h}");
    }
    for bad in [Number::Decimal("abc".into()), Number::Float(f64::NAN)] {
        assert!(encode_msgpack(&Value::Number(bad), &Type::Number).is_err());
    }
}

#[test]
fn integer_and_length_encodings_match_rmp() {
    let mut ints: Vec<i64> = vec![i64::MIN, i64::MAX, 0];
    for shift in 0..63 {
        let p = 1i64 << shift;
        ints.extend([p - 1, p, p + 1, -p - 1, -p, -p + 1]);
    }
    for i in ints {
        let mut ours = Vec::new();
        super::msgpack::put_int(&mut ours, i);
        let mut theirs = Vec::new();
        rmp::encode::write_sint(&mut theirs, i).unwrap();
        assert_eq!(ours, theirs, "{i}");
        assert_eq!(
            decode_msgpack(&ours, &Type::Number).unwrap(),
            Value::Number(Number::Int(i))
        );
    }
    for len in [0usize, 1, 15, 16, 31, 32, 255, 256, 65535, 65536] {
        let s = "x".repeat(len);
        let ours = encode_msgpack(&Value::String(s.clone()), &Type::String).unwrap();
        let mut theirs = Vec::new();
        rmp::encode::write_str(&mut theirs, &s).unwrap();
        assert_eq!(ours, theirs, "str {len}");
        let list = Value::List(vec![Value::Bool(true); len]);
        let ours = encode_msgpack(&list, &Type::list(Type::Bool)).unwrap();
        let mut theirs = Vec::new();
        rmp::encode::write_array_len(&mut theirs, len as u32).unwrap();
        theirs.extend(std::iter::repeat_n(0xc3, len));
        assert_eq!(ours, theirs, "array {len}");
        assert!(decode_msgpack(&ours, &Type::list(Type::Bool))
            .unwrap()
            .equals(&list));
    }
}

#[test]
fn msgpack_agrees_with_rmpv_on_a_nested_value() {
    use rmpv::Value as M;
    let ty = Type::object([
        ("list", Type::list(Type::Number)),
        ("map", Type::map(Type::Bool)),
        ("s", Type::String),
    ]);
    let theirs = M::Map(vec![
        (
            M::from("list"),
            M::Array(vec![
                M::from(1),
                M::from(-200),
                M::from(2.5),
                M::from(u64::MAX),
            ]),
        ),
        (M::from("map"), M::Map(vec![(M::from("k"), M::from(true))])),
        (M::from("s"), M::from("ü")),
    ]);
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &theirs).unwrap();
    let v = decode_msgpack(&bytes, &ty).unwrap();
    let expected = Value::object([
        (
            "list",
            Value::List(vec![
                Value::Number(Number::Int(1)),
                Value::Number(Number::Int(-200)),
                Value::Number(Number::Float(2.5)),
                Value::Number(Number::Decimal(u64::MAX.to_string())),
            ]),
        ),
        (
            "map",
            Value::Map(BTreeMap::from([("k".to_string(), Value::Bool(true))])),
        ),
        ("s", Value::string("ü")),
    ]);
    assert_eq!(v, expected);
    // And rmpv reads ours back as the same structure (u64::MAX travels as its decimal string).
    let ours = encode_msgpack(&v, &ty).unwrap();
    let read = rmpv::decode::read_value(&mut ours.as_slice()).unwrap();
    assert_eq!(read["s"], M::from("ü"));
    assert_eq!(read["list"][1], M::from(-200));
    assert_eq!(read["list"][3], M::from("18446744073709551615"));
}

// ----- objects, maps, nulls --------------------------------------------------------------------------------

#[test]
fn nested_null_objects_and_every_key_present() {
    let ty = Type::object([
        ("inner", Type::object([("x", Type::String)])),
        ("n", Type::Number),
    ]);
    // Encoding writes every attribute, absent ones as nil; decoding gives every attribute back.
    assert_eq!(
        encode_msgpack(&Value::object([("inner", Value::Null)]), &ty).unwrap(),
        hex("82 a5 69 6e 6e 65 72 c0 a1 6e c0")
    );
    mp_round_trip(
        &Value::object([("inner", Value::Null), ("n", Value::Null)]),
        &ty,
        "82 a5 69 6e 6e 65 72 c0 a1 6e c0",
    );
    mp_round_trip(
        &Value::object([
            ("inner", Value::object([("x", Value::Null)])),
            ("n", Value::Null),
        ]),
        &ty,
        "82 a5 69 6e 6e 65 72 81 a1 78 c0 a1 6e c0",
    );
    assert_eq!(
        encode_msgpack(
            &Value::object([("inner", Value::Object(BTreeMap::new()))]),
            &ty
        )
        .unwrap(),
        hex("82 a5 69 6e 6e 65 72 81 a1 78 c0 a1 6e c0")
    );
    json_round_trip(
        &Value::object([("inner", Value::Null), ("n", Value::Null)]),
        &ty,
        r#"{"inner":null,"n":null}"#,
    );
    mp_round_trip(&Value::Null, &ty, "c0");
}

#[test]
fn map_with_every_value_nil() {
    let ty = Type::map(Type::String);
    let v = Value::Map(BTreeMap::from([
        ("a".to_string(), Value::Null),
        ("b".to_string(), Value::Null),
    ]));
    mp_round_trip(&v, &ty, "82 a1 61 c0 a1 62 c0");
    json_round_trip(&v, &ty, r#"{"a":null,"b":null}"#);
}

#[test]
fn missing_keys_are_null_and_extra_keys_are_msgpack_errors_but_ignored_in_json() {
    let ty = attrs();
    assert_eq!(
        decode_msgpack(&hex("81 a1 61 a1 78"), &ty).unwrap(),
        Value::object([("a", Value::string("x")), ("b", Value::Null)])
    );
    assert_eq!(
        decode_msgpack(&hex("80"), &ty).unwrap(),
        Value::object([("a", Value::Null), ("b", Value::Null)])
    );
    let err = decode_msgpack(&hex("82 a1 61 a1 78 a3 7a 7a 7a 01"), &ty).unwrap_err();
    assert_eq!(err.path.steps(), &[PathStep::Attribute("zzz".into())]);

    assert_eq!(
        decode_json(br#"{"a":"x","zzz":{"deep":[1,2]}}"#, &ty).unwrap(),
        Value::object([("a", Value::string("x")), ("b", Value::Null)])
    );
    assert_eq!(
        decode_json(b"{}", &ty).unwrap(),
        Value::object([("a", Value::Null), ("b", Value::Null)])
    );
    // Encoding refuses attributes the type lacks.
    let extra = Value::object([("zzz", Value::Null)]);
    assert!(encode_msgpack(&extra, &ty).is_err());
    assert!(encode_json(&extra, &ty).is_err());
}

#[test]
fn collections_round_trip() {
    let list = Value::List(vec![Value::string("x"), Value::Null, Value::unknown()]);
    mp_round_trip(&list, &Type::list(Type::String), "93 a1 78 c0 d4 00 00");

    // Sets keep the order received.
    let set = Value::Set(vec![Value::string("b"), Value::string("a")]);
    let back = decode_msgpack(&hex("92 a1 62 a1 61"), &Type::set(Type::String)).unwrap();
    assert_eq!(back, set);
    mp_round_trip(&set, &Type::set(Type::String), "92 a1 62 a1 61");
    json_round_trip(&set, &Type::set(Type::String), r#"["b","a"]"#);

    let map = Value::Map(BTreeMap::from([
        ("k1".to_string(), Value::Number(Number::Int(1))),
        ("k2".to_string(), Value::Number(Number::Int(2))),
    ]));
    mp_round_trip(&map, &Type::map(Type::Number), "82 a2 6b 31 01 a2 6b 32 02");
    json_round_trip(&map, &Type::map(Type::Number), r#"{"k1":1,"k2":2}"#);

    let tuple_ty = Type::Tuple(vec![Type::String, Type::Bool, Type::Number]);
    let tuple = Value::Tuple(vec![
        Value::string("x"),
        Value::Bool(false),
        Value::Number(Number::Int(7)),
    ]);
    mp_round_trip(&tuple, &tuple_ty, "93 a1 78 c2 07");
    json_round_trip(&tuple, &tuple_ty, r#"["x",false,7]"#);
    assert!(decode_msgpack(&hex("92 a1 78 c2"), &tuple_ty).is_err());
    assert!(encode_msgpack(&Value::Tuple(vec![]), &tuple_ty).is_err());

    // Empty collections stay empty (not null).
    mp_round_trip(&Value::List(vec![]), &Type::list(Type::String), "90");
    mp_round_trip(&Value::Map(BTreeMap::new()), &Type::map(Type::String), "80");

    // A list is not a set.
    assert!(encode_msgpack(&list, &Type::set(Type::String)).is_err());
}

#[test]
fn dynamic_values_carry_their_type() {
    let v = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("hi")));
    // [bin8 `"string"`, "hi"] — the type JSON as msgpack bin, as go-cty writes it.
    mp_round_trip(
        &v,
        &Type::Dynamic,
        "92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69",
    );
    // The type may also arrive as a msgpack str.
    assert_eq!(
        decode_msgpack(
            &hex("92 a8 22 73 74 72 69 6e 67 22 a2 68 69"),
            &Type::Dynamic
        )
        .unwrap(),
        v
    );
    json_round_trip(&v, &Type::Dynamic, r#"{"value":"hi","type":"string"}"#);

    let lt = Type::list(Type::Number);
    let v = Value::Dynamic(
        Box::new(lt),
        Box::new(Value::List(vec![
            Value::Number(Number::Int(1)),
            Value::unknown(),
        ])),
    );
    // ["list","number"] is 17 bytes of JSON.
    mp_round_trip(
        &v,
        &Type::Dynamic,
        "92 c4 11 5b 22 6c 69 73 74 22 2c 22 6e 75 6d 62 65 72 22 5d 92 01 d4 00 00",
    );
    // Wholly unknown and null dynamics are just the ext and nil.
    mp_round_trip(&Value::unknown(), &Type::Dynamic, "d4 00 00");
    mp_round_trip(&Value::Null, &Type::Dynamic, "c0");
    // A dynamic holding a typed null.
    let v = Value::Dynamic(Box::new(Type::Bool), Box::new(Value::Null));
    mp_round_trip(&v, &Type::Dynamic, "92 c4 06 22 62 6f 6f 6c 22 c0");
    json_round_trip(&v, &Type::Dynamic, r#"{"value":null,"type":"bool"}"#);
    // Dynamic inside an object.
    let ty = Type::object([("d", Type::Dynamic)]);
    let v = Value::object([(
        "d",
        Value::Dynamic(
            Box::new(Type::Number),
            Box::new(Value::Number(Number::Int(3))),
        ),
    )]);
    json_round_trip(&v, &ty, r#"{"d":{"value":3,"type":"number"}}"#);

    // Errors.
    for h in [
        "93 c4 08 22 73 74 72 69 6e 67 22 a2 68 69 c0", // three elements
        "92 c4 03 78 78 78 a2 68 69",                   // type is not JSON
        "92 c4 05 22 66 6f 6f 22 a2 68 69",             // unknown type "foo"
        "92 c4 08 22 73 74 72 69 6e 67 22 01",          // value does not match the type
        "a2 68 69",                                     // not an array
    ] {
        assert!(decode_msgpack(&hex(h), &Type::Dynamic).is_err(), "{h}");
    }
    assert!(encode_msgpack(&Value::string("bare"), &Type::Dynamic).is_err());
    for j in [
        r#"{"value":"hi"}"#,
        r#"{"type":"string"}"#,
        r#"{"value":"hi","type":"string","x":1}"#,
        r#""hi""#,
    ] {
        assert!(decode_json(j.as_bytes(), &Type::Dynamic).is_err(), "{j}");
    }
}

// ----- hostile input --------------------------------------------------------------------------------------

fn sample() -> (Type, Value) {
    let ty = Type::object([
        ("d", Type::Dynamic),
        ("l", Type::list(Type::object([("x", Type::Number)]))),
        ("m", Type::map(Type::String)),
        ("s", Type::String),
        ("t", Type::Tuple(vec![Type::Bool, Type::set(Type::Number)])),
    ]);
    let v = Value::object([
        (
            "d",
            Value::Dynamic(
                Box::new(Type::list(Type::String)),
                Box::new(Value::List(vec![Value::string("q")])),
            ),
        ),
        (
            "l",
            Value::List(vec![
                Value::object([("x", Value::Number(Number::Decimal("1e400".into())))]),
                Value::object([("x", Value::Number(Number::Float(0.25)))]),
            ]),
        ),
        (
            "m",
            Value::Map(BTreeMap::from([(
                "k".to_string(),
                Value::string("vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"),
            )])),
        ),
        (
            "s",
            Value::Unknown(Refinements {
                nullable: Some(false),
                string_prefix: Some("pre".into()),
                ..Refinements::default()
            }),
        ),
        (
            "t",
            Value::Tuple(vec![
                Value::Bool(true),
                Value::Set(vec![
                    Value::Number(Number::Int(-70000)),
                    Value::Number(Number::Int(u32::MAX.into())),
                ]),
            ]),
        ),
    ]);
    (ty, v)
}

#[test]
fn truncated_input_is_an_error_not_a_panic() {
    let (ty, v) = sample();
    let bytes = encode_msgpack(&v, &ty).unwrap();
    assert!(decode_msgpack(&bytes, &ty).unwrap().equals(&v));
    for len in 0..bytes.len() {
        assert!(
            decode_msgpack(bytes.get(..len).unwrap(), &ty).is_err(),
            "prefix of {len} bytes decoded"
        );
    }
    // Trailing bytes are an error too.
    let mut longer = bytes.clone();
    longer.push(0xc0);
    assert!(decode_msgpack(&longer, &ty).is_err());
    // Length headers claiming far more than there is.
    for h in [
        "dd ff ff ff ff",
        "df ff ff ff ff",
        "db ff ff ff ff 61",
        "c6 ff ff ff ff",
        "c9 ff ff ff ff 0c",
    ] {
        assert!(
            decode_msgpack(&hex(h), &Type::list(Type::String)).is_err(),
            "{h}"
        );
    }
    assert!(decode_msgpack(&[], &Type::String).is_err());
    assert!(decode_msgpack(&hex("c1"), &Type::String).is_err());

    let json = encode_json(
        &Value::object([(
            "m",
            Value::Map(BTreeMap::from([(
                "k".to_string(),
                Value::string("v\"\\\u{1F600}"),
            )])),
        )]),
        &Type::object([("m", Type::map(Type::String))]),
    )
    .unwrap()
    .to_string();
    for len in 0..json.len() {
        if let Some(prefix) = json.get(..len) {
            assert!(
                decode_json(
                    prefix.as_bytes(),
                    &Type::object([("m", Type::map(Type::String))])
                )
                .is_err(),
                "JSON prefix {prefix:?} decoded"
            );
        }
    }
}

fn nested_list_type(levels: usize) -> Type {
    let mut t = Type::String;
    for _ in 0..levels {
        t = Type::list(t);
    }
    t
}

/// Runs `f` on a thread with a 1 MiB stack (half of what tokio workers and test threads get): the depth
/// limit must keep the codecs well inside it even in a debug build (about 2.5 KiB per level there).
fn on_small_stack(f: fn()) {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_nesting_is_refused_at_the_depth_limit() {
    on_small_stack(deep_nesting);
}

fn deep_nesting() {
    // 10,000 nested one-element arrays against a type deeper than the limit.
    let ty = nested_list_type(MAX_DEPTH + 10);
    let mut bytes = vec![0x91; 10_000];
    bytes.push(0xc0);
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert!(err.message.contains("nested"), "{err}");
    assert_eq!(err.path.steps().len(), MAX_DEPTH);

    // 10,000 nested dynamic values: each level's type is "dynamic" again.
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend(hex("92 c4 09 22 64 79 6e 61 6d 69 63 22"));
    }
    bytes.push(0xc0);
    assert!(decode_msgpack(&bytes, &Type::Dynamic).is_err());

    // 10,000 nested JSON arrays and objects.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(decode_json(deep.as_bytes(), &nested_list_type(20)).is_err());
    let deep = format!("{}1{}", r#"{"value":"#.repeat(10_000), "}".repeat(10_000));
    assert!(decode_json(deep.as_bytes(), &Type::Dynamic).is_err());

    // Just inside the limit works, in both directions.
    let levels = MAX_DEPTH - 1;
    let ty = nested_list_type(levels);
    let mut bytes = vec![0x91; levels];
    bytes.extend(hex("a1 78"));
    let v = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), bytes);
    let j = encode_json(&v, &ty).unwrap().to_string();
    assert!(decode_json(j.as_bytes(), &ty).unwrap().equals(&v));

    // Encoding refuses values deeper than the limit.
    let mut v = Value::string("x");
    for _ in 0..=MAX_DEPTH {
        v = Value::List(vec![v]);
    }
    let ty = nested_list_type(MAX_DEPTH + 1);
    assert!(encode_msgpack(&v, &ty).is_err());
    assert!(encode_json(&v, &ty).is_err());
}

#[test]
fn wrong_kinds_and_bad_strings_are_errors_with_paths() {
    let ty = Type::object([("tags", Type::list(Type::String))]);
    // tags[1] is an integer.
    let err = decode_msgpack(&hex("81 a4 74 61 67 73 92 a1 61 05"), &ty).unwrap_err();
    assert_eq!(
        err.path.steps(),
        &[
            PathStep::Attribute("tags".into()),
            PathStep::ElementKeyInt(1)
        ]
    );
    assert_eq!(err.to_string(), format!("tags[1]: {}", err.message));
    // Invalid UTF-8 in a string and in a key.
    assert!(decode_msgpack(&hex("a2 c3 28"), &Type::String).is_err());
    assert!(decode_msgpack(&hex("81 a1 ff c0"), &Type::map(Type::String)).is_err());
    // Non-string map key.
    assert!(decode_msgpack(&hex("81 01 c0"), &Type::map(Type::String)).is_err());
    // Bool is a bool.
    assert!(decode_msgpack(&hex("01"), &Type::Bool).is_err());
}

// ----- JSON ----------------------------------------------------------------------------------------------

#[test]
fn json_numbers_are_exact() {
    let cases: &[(&str, Number)] = &[
        ("-1", Number::Int(-1)),
        ("0", Number::Int(0)),
        ("9223372036854775807", Number::Int(i64::MAX)),
        ("-9223372036854775808", Number::Int(i64::MIN)),
        (
            "18446744073709551615",
            Number::Decimal("18446744073709551615".into()),
        ),
        (
            "123456789012345678901234567890",
            Number::Decimal("123456789012345678901234567890".into()),
        ),
        ("1e400", Number::Decimal("1e400".into())),
        ("0.1", Number::Float(0.1)),
        ("-2.5e-3", Number::Float(-0.0025)),
        ("1.5e3", Number::Int(1500)),
        ("100.000", Number::Int(100)),
        (
            "0.1000000000000000000000000001",
            Number::Decimal("0.1000000000000000000000000001".into()),
        ),
        ("1e-400", Number::Decimal("1e-400".into())),
    ];
    for (text, n) in cases {
        let v = decode_json(text.as_bytes(), &Type::Number).unwrap();
        let Value::Number(got) = &v else {
            panic!("{text} is {v:?}")
        };
        // Same variant and same value.
        assert_eq!(
            std::mem::discriminant(got),
            std::mem::discriminant(n),
            "{text} → {got:?}"
        );
        assert_eq!(got, n, "{text}");
        let back = decode_json(
            encode_json(&v, &Type::Number)
                .unwrap()
                .to_string()
                .as_bytes(),
            &Type::Number,
        )
        .unwrap();
        assert_eq!(back, v, "{text}");
    }
    // Numbers serde_json::Value cannot hold exactly are written as exact strings.
    assert_eq!(
        encode_json(
            &Value::Number(Number::Decimal("1e400".into())),
            &Type::Number
        )
        .unwrap(),
        serde_json::json!("1e400")
    );
    assert_eq!(
        encode_json(
            &Value::Number(Number::Decimal("18446744073709551615".into())),
            &Type::Number
        )
        .unwrap(),
        serde_json::json!(18446744073709551615u64)
    );
    assert_eq!(
        encode_json(&Value::Number(Number::Float(3.0)), &Type::Number).unwrap(),
        serde_json::json!(3)
    );
    assert!(encode_json(&Value::Number(Number::Float(f64::INFINITY)), &Type::Number).is_err());
    // Strings are accepted for numbers and bools (go-cty), and numbers/bools for strings.
    assert_eq!(
        decode_json(br#""42""#, &Type::Number).unwrap(),
        Value::Number(Number::Int(42))
    );
    assert!(decode_json(br#""4x2""#, &Type::Number).is_err());
    assert_eq!(
        decode_json(br#""true""#, &Type::Bool).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        decode_json(b"12.50", &Type::String).unwrap(),
        Value::string("12.50")
    );
    assert_eq!(
        decode_json(b"false", &Type::String).unwrap(),
        Value::string("false")
    );
    // Not JSON numbers.
    for bad in [
        "01",
        "1.",
        ".5",
        "+1",
        "1e",
        "-",
        "NaN",
        "Infinity",
        "0x10",
        "1e99999999999999999999",
    ] {
        assert!(decode_json(bad.as_bytes(), &Type::Number).is_err(), "{bad}");
    }
}

#[test]
fn json_state_decodes_like_terraform_writes_it() {
    let ty = Type::object([
        ("id", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("ports", Type::set(Type::Number)),
        ("nested", Type::list(Type::object([("x", Type::String)]))),
    ]);
    let state = br#" {
        "id": "abc\u00e9\ud83d\ude00\n",
        "count": 18446744073709551616,
        "enabled": true,
        "tags": {"a": "1", "b": null},
        "ports": [443, 80],
        "nested": [{"x": null, "removed_attr": 1}],
        "removed": {"anything": [true]}
    } "#;
    let v = decode_json(state, &ty).unwrap();
    assert_eq!(
        v,
        Value::object([
            ("id", Value::string("abcé😀\n")),
            (
                "count",
                Value::Number(Number::Decimal("18446744073709551616".into()))
            ),
            ("enabled", Value::Bool(true)),
            (
                "tags",
                Value::Map(BTreeMap::from([
                    ("a".to_string(), Value::string("1")),
                    ("b".to_string(), Value::Null),
                ]))
            ),
            (
                "ports",
                Value::Set(vec![
                    Value::Number(Number::Int(443)),
                    Value::Number(Number::Int(80))
                ])
            ),
            (
                "nested",
                Value::List(vec![Value::object([("x", Value::Null)])])
            ),
        ])
    );
    let out = encode_json(&v, &ty).unwrap().to_string();
    assert!(decode_json(out.as_bytes(), &ty).unwrap().equals(&v));
}

#[test]
fn json_syntax_errors_and_unknowns() {
    for bad in [
        "",
        " ",
        "{",
        "[1,]",
        "{\"a\":1,}",
        "{'a':1}",
        "[1 2]",
        "\"\\x\"",
        "\"\\ud800\"",
        "\"a\nb\"",
        "nul",
        "true false",
        "\u{feff}{}",
    ] {
        assert!(
            decode_json(bad.as_bytes(), &Type::list(Type::String)).is_err(),
            "{bad:?}"
        );
    }
    assert!(decode_json(b"\"\xff\"", &Type::String).is_err());
    assert!(encode_json(&Value::unknown(), &Type::String).is_err());
    let err = encode_json(&Value::object([("a", Value::unknown())]), &attrs()).unwrap_err();
    assert_eq!(err.path.steps(), &[PathStep::Attribute("a".into())]);
}

// ----- stress (the fuzz bodies over pseudo-random inputs) ------------------------------------------------

/// splitmix64: small, fixed-seed, good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Interesting bytes for mutations: msgpack markers, JSON punctuation, boundaries.
const DICTIONARY: &[u8] = b"\x00\x01\x0c\x7f\x80\x81\x90\x91\x92\xa1\xc0\xc2\xc3\xc4\xc7\xca\xcb\xcc\xcf\xd0\xd3\xd4\xd7\xd9\xdc\xdd\xde\xdf\xe0\xff{}[]\":,.-+eE0129 \\untrfals";

/// One to three random edits of `seed`, at or after byte `from`.
fn mutate(rng: &mut Rng, seed: &[u8], from: usize) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(3) {
        let from = from.min(data.len());
        let pos = from + rng.below(data.len() - from + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = pos.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = pos.min(data.len() - 1);
                data[i] = DICTIONARY[rng.below(DICTIONARY.len())];
            }
            2 => data.insert(pos, DICTIONARY[rng.below(DICTIONARY.len())]),
            3 if pos < data.len() => {
                data.remove(pos);
            }
            4 => data.truncate(pos),
            _ => data.insert(pos, rng.byte()),
        }
    }
    data
}

fn iterations() -> usize {
    std::env::var("CODEC_STRESS_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// Seeds in the fuzz input layout (type prefix + payload), with the length of their type prefix.
fn seeds(encode: impl Fn(&Value, &Type) -> Option<Vec<u8>>) -> Vec<(usize, Vec<u8>)> {
    let refined = Value::Unknown(Refinements {
        nullable: Some(false),
        string_prefix: Some("abc".into()),
        ..Refinements::default()
    });
    let cases: Vec<(Type, Value)> = vec![
        (Type::String, Value::string("hello")),
        (Type::String, refined),
        (Type::Number, Value::Number(Number::Decimal("1e400".into()))),
        (Type::Number, Value::Number(Number::Float(0.1))),
        (Type::Number, Value::Number(Number::Int(-70000))),
        (
            Type::Number,
            Value::Unknown(Refinements {
                number_lower: Some((Number::Int(1), true)),
                ..Refinements::default()
            }),
        ),
        (Type::Bool, Value::Bool(true)),
        (
            Type::Dynamic,
            Value::Dynamic(
                Box::new(Type::map(Type::Number)),
                Box::new(Value::Map(BTreeMap::from([(
                    "k".to_string(),
                    Value::Number(Number::Int(1)),
                )]))),
            ),
        ),
        (
            Type::list(Type::set(Type::String)),
            Value::List(vec![
                Value::Set(vec![Value::string("a"), Value::unknown()]),
                Value::Null,
            ]),
        ),
        (
            Type::object([
                ("a", Type::String),
                ("b", Type::list(Type::Number)),
                ("c", Type::Dynamic),
            ]),
            Value::object([
                ("a", Value::string("x")),
                (
                    "b",
                    Value::List(vec![
                        Value::Number(Number::Int(1)),
                        Value::Number(Number::Float(2.5)),
                    ]),
                ),
                (
                    "c",
                    Value::Dynamic(Box::new(Type::Bool), Box::new(Value::Bool(false))),
                ),
            ]),
        ),
        (
            Type::Tuple(vec![Type::Number, Type::map(Type::Bool)]),
            Value::Tuple(vec![
                Value::Number(Number::Int(3)),
                Value::Map(BTreeMap::from([("z".to_string(), Value::Bool(true))])),
            ]),
        ),
        (
            Type::map(Type::object([("a", Type::Number)])),
            Value::Map(BTreeMap::from([(
                "q".to_string(),
                Value::object([("a", Value::unknown())]),
            )])),
        ),
    ];
    cases
        .iter()
        .filter_map(|(t, v)| {
            let mut input = fuzz::type_prefix(t);
            assert_eq!(&fuzz::split_type(&input).0, t, "type prefix of {t:?}");
            let prefix = input.len();
            input.extend(encode(v, t)?);
            Some((prefix, input))
        })
        .collect()
}

/// A random value conforming to `ty`; unknowns (with refinements that fit the type) only when `unknowns`.
fn gen_value(rng: &mut Rng, ty: &Type, unknowns: bool, depth: usize) -> Value {
    const STRINGS: &[&str] = &[
        "",
        "a",
        "héllo",
        "😀",
        "\"quoted\"",
        "line\nbreak",
        "0123456789abcdefghijklmnopqrstuvwxyz",
    ];
    const DECIMALS: &[&str] = &[
        "1e400",
        "-1e-400",
        "18446744073709551616",
        "0.1000000000000000000000001",
        "12.50",
    ];
    match rng.below(12) {
        0 => return Value::Null,
        1 if unknowns => {
            let mut r = Refinements::default();
            // An unknown of type dynamic has no refinements (go-cty).
            if rng.below(2) == 0 && *ty != Type::Dynamic {
                r.nullable = Some(false);
            }
            match ty {
                Type::String if rng.below(2) == 0 => {
                    // Not "": an empty prefix says nothing and is not written.
                    r.string_prefix = Some(STRINGS[1 + rng.below(STRINGS.len() - 1)].to_string());
                }
                Type::Number if rng.below(2) == 0 => {
                    r.number_lower = Some((Number::Int(rng.next() as i64), rng.below(2) == 0));
                    if rng.below(2) == 0 {
                        r.number_upper =
                            Some((Number::Float(1.0 / (rng.below(100) as f64 + 0.5)), true));
                    }
                }
                Type::List(_) | Type::Set(_) | Type::Map(_) if rng.below(2) == 0 => {
                    r.length_lower = Some(rng.below(3) as u64);
                    r.length_upper = Some(rng.next() >> rng.below(64));
                }
                _ => {}
            }
            return Value::Unknown(r);
        }
        _ => {}
    }
    let elements = |rng: &mut Rng| if depth > 6 { 0 } else { rng.below(4) };
    match ty {
        Type::String => Value::string(STRINGS[rng.below(STRINGS.len())]),
        Type::Bool => Value::Bool(rng.below(2) == 0),
        Type::Number => Value::Number(match rng.below(4) {
            0 => Number::Int(rng.next() as i64 >> rng.below(64)),
            // Any bit pattern but NaN (infinities included: msgpack carries them).
            1 => Number::Float(
                Some(f64::from_bits(rng.next()))
                    .filter(|f| !f.is_nan())
                    .unwrap_or(0.5),
            ),
            2 => Number::Float((rng.next() as i64 >> rng.below(64)) as f64 / 8.0),
            _ => Number::Decimal(DECIMALS[rng.below(DECIMALS.len())].to_string()),
        }),
        Type::List(et) => Value::List(
            (0..elements(rng))
                .map(|_| gen_value(rng, et, unknowns, depth + 1))
                .collect(),
        ),
        Type::Set(et) => Value::Set(
            (0..elements(rng))
                .map(|_| gen_value(rng, et, unknowns, depth + 1))
                .collect(),
        ),
        Type::Map(et) => Value::Map(
            (0..elements(rng))
                .map(|_| {
                    (
                        STRINGS[rng.below(STRINGS.len())].to_string(),
                        gen_value(rng, et, unknowns, depth + 1),
                    )
                })
                .collect(),
        ),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, at)| (k.clone(), gen_value(rng, at, unknowns, depth + 1)))
                .collect(),
        ),
        Type::Tuple(ets) => Value::Tuple(
            ets.iter()
                .map(|et| gen_value(rng, et, unknowns, depth + 1))
                .collect(),
        ),
        Type::Dynamic => {
            let type_bytes: Vec<u8> = (0..8).map(|_| rng.byte()).collect();
            let (concrete, _) = fuzz::split_type(&type_bytes);
            let inner = gen_value(rng, &concrete, unknowns, depth + 1);
            Value::Dynamic(Box::new(concrete), Box::new(inner))
        }
    }
}

/// Sanitises a generated value for JSON, whose numbers must be finite: NaN and infinities become 0.
fn finite(v: Value) -> Value {
    match v {
        Value::Number(Number::Float(f)) if !f.is_finite() => Value::Number(Number::Int(0)),
        other => other,
    }
}

/// `decode_msgpack` or `decode_json`.
type DecodeFn = fn(&[u8], &Type) -> Result<Value, super::CodecError>;

/// Feeds `body` the seeds, then (in turn) freshly generated valid inputs, mutations of them and of the
/// seeds, and noise. Every generated input must decode. Returns how many inputs decoded.
fn stress(
    body: fn(&[u8]) -> bool,
    seeds: &[(usize, Vec<u8>)],
    encode: &dyn Fn(&Value, &Type) -> Option<Vec<u8>>,
    decode: DecodeFn,
    unknowns: bool,
    salt: u64,
) -> usize {
    let mut rng = Rng(0x5eed_c0de_0000_0000 ^ salt);
    for (_, seed) in seeds {
        assert!(body(seed), "seed does not decode: {seed:02x?}");
    }
    let mut decoded = 0;
    for i in 0..iterations() {
        let (prefix, base) = if i % 2 == 0 {
            let type_bytes: Vec<u8> = (0..12).map(|_| rng.byte()).collect();
            let (ty, _) = fuzz::split_type(&type_bytes);
            let v = gen_value(&mut rng, &ty, unknowns, 0);
            let v = if unknowns { v } else { map_numbers(v) };
            let mut input = fuzz::type_prefix(&ty);
            let prefix = input.len();
            let Some(bytes) = encode(&v, &ty) else {
                panic!("generated value does not encode: {v:?} as {ty:?}");
            };
            // The round-trip property, directly: decode(encode(v)) is v.
            let back = decode(&bytes, &ty).unwrap();
            assert!(same(&back, &v), "round trip changed {v:?} into {back:?}");
            input.extend(bytes);
            (prefix, input)
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        let input = match i % 10 {
            // Pure noise.
            9 => (0..rng.below(48)).map(|_| rng.byte()).collect(),
            // Valid generated input, unchanged.
            0 | 2 | 4 => {
                assert!(body(&base), "generated input does not decode: {base:02x?}");
                decoded += 1;
                continue;
            }
            // Mostly the payload, sometimes the type prefix too.
            n => mutate(&mut rng, &base, if n == 1 { 0 } else { prefix }),
        };
        decoded += usize::from(body(&input));
    }
    decoded
}

/// `Value::equals`, except that numbers compare by numeric value (`Float(1e300)` and `Decimal("1e300")`
/// are the same number; `Number`'s own equality compares decimal texts).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            super::parse_decimal(&x.to_decimal_string())
                == super::parse_decimal(&y.to_decimal_string())
        }
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| same(p, q)))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| same(p, q)))
        }
        (Value::Dynamic(tx, x), Value::Dynamic(ty, y)) => tx == ty && same(x, y),
        // Refinements are kept exactly (nothing generated here is cut or dropped).
        _ => a == b,
    }
}

/// `finite` applied throughout a value.
fn map_numbers(v: Value) -> Value {
    match v {
        Value::List(es) => Value::List(es.into_iter().map(map_numbers).collect()),
        Value::Set(es) => Value::Set(es.into_iter().map(map_numbers).collect()),
        Value::Tuple(es) => Value::Tuple(es.into_iter().map(map_numbers).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, e)| (k, map_numbers(e))).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, e)| (k, map_numbers(e))).collect())
        }
        Value::Dynamic(t, e) => Value::Dynamic(t, Box::new(map_numbers(*e))),
        other => finite(other),
    }
}

#[test]
fn stress_msgpack_decode() {
    let encode = |v: &Value, t: &Type| encode_msgpack(v, t).ok();
    let seeds = seeds(encode);
    let decoded = stress(fuzz::msgpack_body, &seeds, &encode, decode_msgpack, true, 1);
    eprintln!(
        "msgpack stress: {decoded} of {} inputs decoded",
        iterations()
    );
    // The mutations must reach the decoders' success paths too, not only their error paths.
    assert!(decoded * 3 > iterations(), "only {decoded} inputs decoded");
}

#[test]
fn stress_json_decode() {
    let encode = |v: &Value, t: &Type| encode_json(v, t).ok().map(|j| j.to_string().into_bytes());
    let seeds = seeds(encode);
    let decoded = stress(fuzz::json_body, &seeds, &encode, decode_json, false, 2);
    eprintln!("JSON stress: {decoded} of {} inputs decoded", iterations());
    assert!(decoded * 3 > iterations(), "only {decoded} inputs decoded");
}
