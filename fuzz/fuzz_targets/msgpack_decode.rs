//! Fuzzes `decode_msgpack` (never panics) and the msgpack round trip (whatever decodes re-encodes to bytes
//! that decode to an equal value). The body is shared with the codec's deterministic stress test.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod fuzz {
    #![allow(dead_code)]
    use tfcf::framework::{decode_json, decode_msgpack, encode_json, encode_msgpack, Type};
    include!("../../src/framework/codec/fuzz_body.rs");
}

fuzz_target!(|data: &[u8]| {
    fuzz::msgpack_body(data);
});
