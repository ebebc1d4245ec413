//! F8: state written by the official provider (`cloudflare/cloudflare`, schema version 500 or 0, or
//! with attributes our schema lacks) moves to this provider with `terraform state replace-provider`
//! and plans no change; state from a newer schema version fails clearly.
//!
//! The golden files in `tests/testdata/migration/` are Terraform state v4 exactly as the official
//! provider writes it (its attribute sets: the organization's `id, name, parent, profile,
//! create_time, meta`, and the profile resource's `organization_id` plus five strings, with no `id`).
//! Only the server-assigned values (`id`, `create_time`, `hierarchy_tags`) are placeholders, filled
//! from organizations seeded in the emulator. `state replace-provider` works without `terraform
//! init` under `dev_overrides`: it only rewrites the state file.

mod common;

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::{BackgroundEmulator, Config};

const OFFICIAL: &str = "registry.terraform.io/cloudflare/cloudflare";
const OURS: &str = "registry.terraform.io/cloudflare-orgs/cloudflare";
const PROFILE_B: &str = "cloudflare_organization_profile.b";
const ORIGINAL_EMAIL: &str = "office@globex.example";

/// Two organizations as the official provider left them: `a` with its profile set through the
/// organization's `profile` attribute, `b` with a separate profile resource.
struct Seeded {
    emu: BackgroundEmulator,
    a: Value,
    b: Value,
}

fn seed() -> Seeded {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator starts");
    let a = emu.emulator.seed_organization("Acme Holdings", None);
    let b = emu.emulator.seed_organization("Globex Europe", None);
    assert!(emu.emulator.set_profile_out_of_band(
        &a,
        json!({
            "business_name": "Acme Holdings Inc.",
            "business_email": "legal@acme.example",
            "business_phone": "+1 415 555 0100",
            "business_address": "101 Market St, San Francisco, CA 94105, US",
            "external_metadata": "{\"department\":\"Legal\"}",
        })
    ));
    assert!(emu.emulator.set_profile_out_of_band(
        &b,
        json!({
            "business_name": "Globex Europe GmbH",
            "business_email": ORIGINAL_EMAIL,
            "business_phone": "+49 30 901820",
            "business_address": "Unter den Linden 1, 10117 Berlin, DE",
            "external_metadata": "{}",
        })
    ));
    let a = emu.emulator.organization(&a).expect("a");
    let b = emu.emulator.organization(&b).expect("b");
    Seeded { emu, a, b }
}

impl Seeded {
    fn id(org: &Value) -> String {
        org["id"].as_str().expect("id").to_string()
    }

    /// The golden state `file` with the seeded organizations' server-assigned values.
    fn state(&self, file: &str, orgs: &[&str]) -> String {
        let mut vars = Vec::new();
        for key in orgs {
            let org = if *key == "a" { &self.a } else { &self.b };
            vars.push((format!("{key}_id"), Self::id(org)));
            vars.push((
                format!("{key}_create_time"),
                org["create_time"]
                    .as_str()
                    .expect("create_time")
                    .to_string(),
            ));
            vars.push((
                format!("{key}_hierarchy_tags"),
                org["meta"]["hierarchy_tags"].to_string(),
            ));
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        testdata(&format!("migration/{file}"), &vars)
    }

    /// A workspace holding the matching configuration and the official provider's state `file`.
    fn workspace(&self, file: &str, orgs: &[&str]) -> Workspace {
        Workspace::for_emulator(&self.emu)
            .file("main.tf", &config(ORIGINAL_EMAIL))
            .file("terraform.tfstate", &self.state(file, orgs))
    }
}

fn config(b_email: &str) -> String {
    testdata("migration/main.tf", &[("b_email", b_email)])
}

/// `terraform state replace-provider` from the official provider to ours, asserting success.
fn replace_provider(ws: &Workspace, count: usize) {
    ws.run(&["state", "replace-provider", "-auto-approve", OFFICIAL, OURS])
        .assert_success()
        .stdout_contains(&format!(
            "Successfully replaced provider for {count} resources"
        ));
    let raw = std::fs::read_to_string(ws.path("terraform.tfstate")).expect("state file");
    let state: Value = serde_json::from_str(&raw).expect("state is JSON");
    for r in state["resources"].as_array().expect("resources") {
        assert_eq!(r["provider"], format!("provider[\"{OURS}\"]"), "{raw}");
    }
}

/// The shared script: replace the provider, then `plan -refresh=false` (no API call at all) and
/// `plan` both exit 0, and the saved plan shows the profile's `id` filled in with no change.
fn migrates_cleanly(s: &Seeded, file: &str) -> Workspace {
    let ws = s.workspace(file, &["a", "b"]);
    replace_provider(&ws, 3);

    s.emu.emulator.clear_requests();
    assert_eq!(ws.plan_exitcode(&["-refresh=false"]), 0);
    assert!(
        s.emu.emulator.requests().is_empty(),
        "a plan without refresh makes no API call: {:?}",
        s.emu.emulator.requests()
    );
    assert_eq!(ws.plan_exitcode(&[]), 0);
    assert!(
        s.emu.emulator.requests().iter().all(|r| r.method == "GET"),
        "planning reads only"
    );

    let plan = ws.plan_json(&["-refresh=false"]);
    for rc in plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
    {
        assert_eq!(rc["change"]["actions"], json!(["no-op"]), "{rc}");
    }
    let b_id = Seeded::id(&s.b);
    let profile = find_resource(&plan["planned_values"], PROFILE_B).expect("profile planned");
    assert_eq!(
        profile["values"]["id"],
        json!(b_id),
        "the official state's missing `id` is filled from `organization_id` on upgrade"
    );
    ws
}

/// Schema version 500 (what the official provider writes) migrates with no change, and an update
/// applied without refresh afterwards stays consistent.
#[test]
fn migration_from_official_v500_state() {
    let s = seed();
    let ws = migrates_cleanly(&s, "official_v500.tfstate");

    // A change right after migration, applied with -refresh=false: the profile `id` was planned from
    // the upgraded state, so the applied state must agree with it.
    ws.write_file("main.tf", &config("office@globex.example.de"));
    s.emu.emulator.clear_requests();
    ws.apply_with(&["-refresh=false"]);
    let b_id = Seeded::id(&s.b);
    let writes: Vec<(String, String)> = s
        .emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        writes,
        vec![(
            "PUT".to_string(),
            format!("/client/v4/organizations/{b_id}/profile")
        )]
    );
    assert_attrs(
        &ws.state_resource(PROFILE_B),
        &[
            ("id", json!(b_id)),
            ("organization_id", json!(b_id)),
            ("business_email", json!("office@globex.example.de")),
        ],
    );
    ws.assert_empty_plan();
}

/// Schema version 0 (the same shape; the official upgrader maps it unchanged) migrates with no change.
#[test]
fn migration_from_official_v0_state() {
    let s = seed();
    let ws = migrates_cleanly(&s, "official_v0.tfstate");
    // After a refresh-and-apply with no changes, the state is stored at our schema version.
    ws.apply();
    let raw = std::fs::read_to_string(ws.path("terraform.tfstate")).expect("state file");
    let state: Value = serde_json::from_str(&raw).expect("state is JSON");
    for r in state["resources"].as_array().expect("resources") {
        assert_eq!(r["instances"][0]["schema_version"], 500, "{raw}");
    }
}

/// State carrying attributes our schema lacks (top level, nested, and on the profile) migrates with
/// no change; the extra keys are dropped.
#[test]
fn migration_ignores_attributes_the_schema_lacks() {
    let s = seed();
    let raw = s.state("official_extra_attributes.tfstate", &["a", "b"]);
    assert!(
        raw.contains("\"status\"") && raw.contains("\"tax_id\"") && raw.contains("tenant_flags")
    );
    let ws = migrates_cleanly(&s, "official_extra_attributes.tfstate");
    ws.apply();
    let state = ws.show_json();
    let a =
        find_resource(&state["values"], "cloudflare_organization.a").expect("a")["values"].clone();
    assert!(a.get("status").is_none(), "{a}");
    assert!(a["meta"].get("tenant_flags").is_none(), "{a}");
    let p = find_resource(&state["values"], PROFILE_B).expect("profile")["values"].clone();
    assert!(p.get("tax_id").is_none(), "{p}");
}

/// State from a newer schema version (501) is refused with Terraform's "newer provider version"
/// error, before any API call, and the state file is left as it was.
#[test]
fn migration_from_newer_schema_version_fails_clearly() {
    let s = seed();
    let ws = s.workspace("official_v501.tfstate", &["a"]);
    replace_provider(&ws, 1);
    let before = std::fs::read_to_string(ws.path("terraform.tfstate")).expect("state file");
    s.emu.emulator.clear_requests();
    for extra in [&["-refresh=false"][..], &[][..]] {
        let mut args = vec!["plan", "-input=false"];
        args.extend_from_slice(extra);
        let out = ws.run(&args);
        out.assert_failure()
            .stderr_contains("Resource instance managed by newer provider version");
        assert!(
            out.stderr
                .replace("\n│ ", " ")
                .contains("cloudflare_organization.a"),
            "{out}"
        );
    }
    assert!(s.emu.emulator.requests().is_empty(), "no API call");
    let after = std::fs::read_to_string(ws.path("terraform.tfstate")).expect("state file");
    assert_eq!(before, after, "the state is untouched");
}
