//! F13: no cross-talk under `-parallelism=30`: 30 organizations, each with its own profile, applied
//! at once; every profile write carries its own organization's values, and destroy removes exactly
//! those organizations.

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::{BackgroundEmulator, Config};

const ORGS: usize = 30;

/// The profile the fixture configures for `count.index` = `i`, as the API receives it.
fn expected_profile(i: usize) -> Value {
    json!({
        "business_name": format!("Parallel Business {i}"),
        "business_email": format!("ops-{i}@parallel.example"),
        "business_phone": format!("+1 415 555 {i:04}"),
        "business_address": format!("{i} Market St, San Francisco, CA 94105, US"),
        "external_metadata": format!("{{\"index\":{i}}}"),
    })
}

/// 30 organizations and 30 profiles applied with `-parallelism=30` (provider debug logging on):
/// each profile PUT goes to an organization whose name has the same index as the body, once; the
/// state holds 60 resources and plans empty; destroy deletes exactly those 30 organizations.
///
/// The apply runs once, not the 20 times field-failures F13 suggests: each run takes tens of
/// seconds of CI time, and one run already puts 30 creates, 30 reads and 30 profile PUTs in flight
/// together. Run `cargo test --test acc_parallel` in a loop to hunt a suspected race.
#[test]
fn parallel_profiles_never_cross_talk() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator starts");
    let bystanders: Vec<String> = (0..3)
        .map(|i| {
            emu.emulator
                .seed_organization(&format!("Bystander {i}"), None)
        })
        .collect();
    let ws = Workspace::for_emulator(&emu)
        // The client's own limiter (3 requests/s by default) would queue the 90 create-time
        // requests one by one; lift it so that requests really overlap at the emulator.
        .env("CLOUDFLARE_REQUESTS_PER_SECOND", "500")
        // Debug logging runs under the same concurrency (a logging race crashed another provider).
        .env("TF_LOG_PROVIDER", "DEBUG")
        .file(
            "main.tf",
            &testdata("parallel/main.tf", &[("count", &ORGS.to_string())]),
        );
    let log_path = ws.scratch("provider-debug.log");
    let mut ws = ws;
    ws.set_env("TF_LOG_PATH", log_path.to_string_lossy());

    let started = Instant::now();
    let out = ws.apply_with(&["-parallelism=30"]);
    let wall = started.elapsed();
    println!(
        "apply -parallelism={ORGS} of {} resources: {:.1?} wall time",
        2 * ORGS,
        wall
    );
    out.stdout_contains(&format!("Apply complete! Resources: {} added", 2 * ORGS));

    // org id → index, from the names the emulator holds.
    let index_of: BTreeMap<String, usize> = emu
        .emulator
        .organization_ids()
        .into_iter()
        .filter(|id| !bystanders.contains(id))
        .map(|id| {
            let name = emu.emulator.organization(&id).expect("org")["name"]
                .as_str()
                .expect("name")
                .to_string();
            let i = name
                .strip_prefix("Parallel Org ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected organization {name:?}"));
            (id, i)
        })
        .collect();
    assert_eq!(index_of.len(), ORGS, "one organization per count.index");
    let mut indexes: Vec<usize> = index_of.values().copied().collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..ORGS).collect::<Vec<_>>());

    // Every profile PUT body matches the organization in its path; one PUT per organization.
    let mut puts: BTreeMap<String, usize> = BTreeMap::new();
    for r in emu.emulator.requests() {
        let Some(id) = r
            .path
            .strip_prefix("/client/v4/organizations/")
            .and_then(|p| p.strip_suffix("/profile"))
        else {
            continue;
        };
        if r.method != "PUT" {
            continue;
        }
        let i = *index_of
            .get(id)
            .unwrap_or_else(|| panic!("profile PUT to a foreign organization {id}"));
        assert_eq!(
            r.body.as_ref(),
            Some(&expected_profile(i)),
            "PUT for organization {id} (index {i}) carries another profile"
        );
        assert_eq!(r.status, 204, "{r:?}");
        *puts.entry(id.to_string()).or_default() += 1;
    }
    assert_eq!(puts.len(), ORGS, "a profile PUT for every organization");
    assert!(puts.values().all(|n| *n == 1), "one PUT each: {puts:?}");
    for (id, i) in &index_of {
        assert_eq!(
            emu.emulator.organization(id).expect("org")["profile"],
            expected_profile(*i)
        );
    }

    // State: 60 resources, each profile on its own organization; the plan is empty.
    let state = ws.show_json();
    let addresses = resource_addresses(&state["values"]);
    assert_eq!(addresses.len(), 2 * ORGS, "{addresses:?}");
    for i in 0..ORGS {
        let org = find_resource(&state["values"], &format!("cloudflare_organization.o[{i}]"))
            .expect("org in state");
        let profile = find_resource(
            &state["values"],
            &format!("cloudflare_organization_profile.p[{i}]"),
        )
        .expect("profile in state");
        assert_eq!(
            profile["values"]["organization_id"], org["values"]["id"],
            "p[{i}]"
        );
        assert_eq!(
            profile["values"]["business_name"],
            expected_profile(i)["business_name"]
        );
    }
    ws.assert_empty_plan();

    let log = std::fs::read_to_string(&log_path).expect("provider debug log written");
    assert!(
        log.contains("[DEBUG] provider.terraform-provider-cloudflare:"),
        "the provider's own debug lines are in {log_path:?}"
    );
    assert!(
        !log.contains("panicked"),
        "the provider panicked: see {log_path:?}"
    );

    // Destroy deletes exactly the 30 organizations, once each; the bystanders stay.
    emu.emulator.clear_requests();
    ws.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-parallelism=30",
    ])
    .assert_success();
    let mut deleted: Vec<String> = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| {
            r.path
                .strip_prefix("/client/v4/organizations/")
                .expect("organization path")
                .to_string()
        })
        .collect();
    deleted.sort();
    assert_eq!(deleted, index_of.keys().cloned().collect::<Vec<_>>());
    let mut left = emu.emulator.organization_ids();
    left.sort();
    let mut want = bystanders;
    want.sort();
    assert_eq!(left, want, "only the bystanders remain");
    assert!(ws.state_list().is_empty());
}
