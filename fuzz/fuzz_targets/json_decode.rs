//! Fuzzes `decode_json` (never panics) and the JSON round trip through `encode_json`. The body is shared
//! with the codec's deterministic stress test.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod fuzz {
    #![allow(dead_code)]
    use tfcf::framework::{decode_json, decode_msgpack, encode_json, encode_msgpack, Type};
    include!("../../src/framework/codec/fuzz_body.rs");
}

fuzz_target!(|data: &[u8]| {
    fuzz::json_body(data);
});
