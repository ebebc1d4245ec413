//! Benchmarks of the per-RPC hot paths (`make bench`): every Terraform command decodes and encodes each
//! resource's state several times and plans it once, so these bound the provider's own overhead.
//!
//! Targets (checked here, never in timed tests): msgpack decode + encode of an organization state under
//! 20 µs, and a full PlanResourceChange of a rename under 50 µs, on the 2-core CI machine.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use tfcf::framework::{decode_msgpack, encode_msgpack, PlanResourceChangeRequest, Server, Value};

fn organization_state(name: &str) -> Value {
    let s = Value::string;
    Value::object([
        ("id", s("023e105f4ecef8ad9ca31a8372d0c353")),
        ("name", s(name)),
        ("create_time", s("2026-11-29T21:00:00Z")),
        ("parent", Value::Null),
        (
            "profile",
            Value::object([
                (
                    "business_address",
                    s("101 Market St, San Francisco, CA 94105, US"),
                ),
                ("business_email", s("it-admin@acme.example")),
                ("business_name", s("Acme Corporation")),
                ("business_phone", s("+1 415 555 0100")),
                ("external_metadata", s("{\"department\":\"IT\"}")),
            ]),
        ),
        (
            "meta",
            Value::object([
                (
                    "flags",
                    Value::object([
                        ("account_creation", s("enabled")),
                        ("account_deletion", s("enabled")),
                        ("account_migration", s("disabled")),
                        ("account_mobility", s("disabled")),
                        ("sub_org_creation", s("enabled")),
                    ]),
                ),
                ("hierarchy_tags", Value::List(vec![s("a1b2c3d4e5f6a7b8")])),
                ("managed_by", s("")),
            ]),
        ),
    ])
}

fn bench(c: &mut Criterion) {
    let server = Server::new(tfcf::provider::new());
    let schema = server
        .resource_schema("cloudflare_organization")
        .expect("organization schema")
        .clone();
    let ty = schema.value_type();
    let state = organization_state("Acme Corp");
    let bytes = encode_msgpack(&state, ty).expect("encodes");

    c.bench_function("msgpack decode+encode organization state", |b| {
        b.iter(|| {
            let v = decode_msgpack(black_box(&bytes), ty).expect("decodes");
            black_box(encode_msgpack(&v, ty).expect("encodes"))
        })
    });

    let server = Arc::new(server);
    let renamed = organization_state("Acme Corporation Holdings");
    let mut config = renamed.clone();
    for computed in ["id", "create_time", "meta", "parent"] {
        config.set(computed, Value::Null);
    }
    c.bench_function("plan rename of an organization", |b| {
        b.iter(|| {
            black_box(server.plan_resource_change(PlanResourceChangeRequest {
                type_name: "cloudflare_organization".into(),
                prior_state: state.clone(),
                proposed_new_state: renamed.clone(),
                config: config.clone(),
                prior_private: Vec::new(),
                prior_identity: None,
            }))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
