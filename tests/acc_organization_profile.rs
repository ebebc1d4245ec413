//! Acceptance tests for `cloudflare_organization_profile` on an organization made in the same config.

mod common;

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::BackgroundEmulator;

const ORG: &str = "cloudflare_organization.o";
const PROFILE: &str = "cloudflare_organization_profile.p";
const DESTROY_WARNING: &str = "Resource Destruction Considerations";

fn config(name: &str, email: &str) -> String {
    testdata(
        "organization_profile/with_org.tf",
        &[("name", name), ("email", email)],
    )
}

fn workspace(emu: &BackgroundEmulator, name: &str, email: &str) -> Workspace {
    Workspace::for_emulator(emu).file("main.tf", &config(name, email))
}

/// The profile the fixture configures, with `email`, as the API stores it.
fn expected_profile(email: &str) -> Value {
    json!({
        "business_name": "Acme Corporation",
        "business_email": email,
        "business_phone": "+1 415 555 0100",
        "business_address": "101 Market St, San Francisco, CA 94105, US",
        "external_metadata": "{\"department\":\"IT\"}",
    })
}

fn org_id(ws: &Workspace) -> String {
    ws.state_resource(ORG)["id"]
        .as_str()
        .expect("organization id is a string")
        .to_string()
}

/// `(method, path)` of every request that is not a GET, in arrival order.
fn writes(emu: &BackgroundEmulator) -> Vec<(String, String)> {
    emu.emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect()
}

fn profile_path(id: &str) -> String {
    format!("/client/v4/organizations/{id}/profile")
}

/// The `change` of `address` in `show -json` of a saved plan.
fn change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    plan["resource_changes"]
        .as_array()
        .and_then(|rcs| rcs.iter().find(|rc| rc["address"] == address))
        .map(|rc| &rc["change"])
        .unwrap_or_else(|| panic!("no change for {address} in the plan: {plan}"))
}

/// Full lifecycle: create with exact state, empty plans, a one-field update is one profile PUT with
/// the whole profile, import by organization ID reproduces the state, and destroy only forgets the
/// profile (with the plan-time warning) while the API keeps it.
#[test]
fn organization_profile_lifecycle() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Profile Org", "it-admin@acme.example");

    let created = ws.run(&["apply", "-auto-approve", "-input=false"]);
    created.assert_success().stdout_contains(DESTROY_WARNING);
    ws.assert_empty_plan();
    let id = org_id(&ws);
    let mut want = expected_profile("it-admin@acme.example");
    assert_eq!(
        emu.emulator.organization(&id).expect("org exists")["profile"],
        want
    );
    let mut want_state = want.clone();
    want_state["id"] = json!(id);
    want_state["organization_id"] = json!(id);
    assert_eq!(ws.state_resource(PROFILE), want_state);

    // Update one field: exactly one write, a PUT of the whole profile to the profile endpoint.
    ws.write_file("main.tf", &config("Profile Org", "billing@acme.example"));
    emu.emulator.clear_requests();
    apply_and_verify(&ws);
    let puts: Vec<_> = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert_eq!(puts.len(), 1, "one write for a one-field change: {puts:?}");
    assert_eq!(
        (puts[0].method.as_str(), puts[0].path.as_str()),
        ("PUT", profile_path(&id).as_str())
    );
    want["business_email"] = json!("billing@acme.example");
    assert_eq!(puts[0].body.as_ref(), Some(&want), "PUT body");
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"],
        want
    );

    // Import by organization ID reproduces every attribute: no ignores. With the organization
    // imported next to it, the fresh workspace plans no change.
    let imported = import_verify(&ws, PROFILE, &id, &[]);
    imported
        .run(&["import", "-input=false", ORG, &id])
        .assert_success();
    imported.assert_empty_plan();

    // Destroying the profile alone warns at plan time, sends nothing and leaves the profile in the API.
    emu.emulator.clear_requests();
    let target = format!("-target={PROFILE}");
    let out = ws.run(&["destroy", "-auto-approve", "-input=false", &target]);
    out.assert_success().stdout_contains(DESTROY_WARNING);
    assert!(
        out.stdout
            .replace("\n│ ", " ")
            .contains("only removes it from Terraform state"),
        "{out}"
    );
    assert!(writes(&emu).is_empty(), "profile destroy sends no write");
    assert_eq!(ws.state_list(), vec![ORG.to_string()]);
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"],
        want,
        "the profile stays in the API"
    );

    destroy_and_check(&ws);
    assert!(emu.emulator.organization_ids().is_empty());
}

/// F3: renaming the organization keeps its `id` and `create_time` known in the plan, so the profile
/// that depends on `id` is a no-op, and only the organization PUT is sent.
#[test]
fn organization_profile_is_noop_when_only_org_name_changes() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Before Rename", "it-admin@acme.example");
    apply_and_verify(&ws);
    let org = ws.state_resource(ORG);
    let id = org_id(&ws);

    ws.write_file("main.tf", &config("After Rename", "it-admin@acme.example"));
    let plan = ws.plan_json(&[]);
    let o = change(&plan, ORG);
    assert_eq!(o["actions"], json!(["update"]), "{plan}");
    assert_eq!(o["after"]["id"], json!(id));
    assert_eq!(o["after"]["create_time"], org["create_time"]);
    assert_eq!(
        o["after_unknown"],
        json!({}),
        "nothing unknown in a rename: {plan}"
    );
    let p = change(&plan, PROFILE);
    assert_eq!(p["actions"], json!(["no-op"]), "{plan}");
    assert_eq!(p["after"]["organization_id"], json!(id));

    emu.emulator.clear_requests();
    apply_and_verify(&ws);
    let renames: Vec<_> = writes(&emu);
    assert_eq!(
        renames,
        vec![("PUT".to_string(), format!("/client/v4/organizations/{id}"))],
        "a rename is one organization PUT and no profile write"
    );
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["name"],
        "After Rename"
    );
    destroy_and_check(&ws);
}

/// F5: the organization deleted outside Terraform plans a create for both resources (no error), and
/// the apply creates the organization before putting the profile to the *new* ID.
#[test]
fn organization_profile_recreated_after_org_deleted_out_of_band() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Doomed Org", "it-admin@acme.example");
    apply_and_verify(&ws);
    let old = org_id(&ws);
    assert!(emu.emulator.delete_out_of_band(&old));

    let out = ws.run(&["plan", "-detailed-exitcode", "-input=false"]);
    out.assert_exit(2);
    assert!(!out.stderr.contains("Error"), "no error in the plan\n{out}");
    let plan = ws.plan_json(&[]);
    assert_eq!(change(&plan, ORG)["actions"], json!(["create"]), "{plan}");
    assert_eq!(
        change(&plan, PROFILE)["actions"],
        json!(["create"]),
        "{plan}"
    );

    emu.emulator.clear_requests();
    ws.apply();
    let new = org_id(&ws);
    assert_ne!(new, old);
    let log = writes(&emu);
    let post = log
        .iter()
        .position(|w| w == &("POST".to_string(), "/client/v4/organizations".to_string()))
        .unwrap_or_else(|| panic!("no organization POST: {log:?}"));
    let put = log
        .iter()
        .position(|w| w == &("PUT".to_string(), profile_path(&new)))
        .unwrap_or_else(|| panic!("no profile PUT to the new id {new}: {log:?}"));
    assert!(post < put, "organization POST before profile PUT: {log:?}");
    assert_eq!(log.len(), 2, "nothing but the POST and the PUT: {log:?}");
    assert_eq!(
        emu.emulator.organization(&new).expect("new org")["profile"],
        expected_profile("it-admin@acme.example")
    );
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}

/// A profile changed outside Terraform shows as an update of the profile resource, and the apply
/// puts the configured values back.
#[test]
fn organization_profile_drift_is_detected_and_repaired() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Drifting Org", "it-admin@acme.example");
    apply_and_verify(&ws);
    let id = org_id(&ws);
    let mut changed = expected_profile("it-admin@acme.example");
    changed["business_phone"] = json!("+44 20 7946 0000");
    assert!(emu.emulator.set_profile_out_of_band(&id, changed));

    let plan = ws.plan_json(&[]);
    let p = change(&plan, PROFILE);
    assert_eq!(p["actions"], json!(["update"]), "{plan}");
    assert_eq!(p["before"]["business_phone"], "+44 20 7946 0000");
    assert_eq!(p["after"]["business_phone"], "+1 415 555 0100");
    assert_eq!(change(&plan, ORG)["actions"], json!(["no-op"]), "{plan}");

    apply_and_verify(&ws);
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"],
        expected_profile("it-admin@acme.example")
    );
    destroy_and_check(&ws);
}

/// An organization ID that cannot be one fails at plan, naming `organization_id`, before any API call.
#[test]
fn organization_profile_invalid_org_id_fails_at_plan() {
    let emu = start_emulator();
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        &testdata(
            "organization_profile/literal_org_id.tf",
            &[("organization_id", "a/b")],
        ),
    );
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Invalid Organization ID")
        .stderr_contains("main.tf line")
        // The source snippet under the diagnostic is the attribute at fault.
        .stderr_contains("organization_id   = \"a/b\"");
    assert!(
        emu.emulator.requests().is_empty(),
        "no API call for an invalid config: {:?}",
        emu.emulator.requests()
    );
}

/// `-target` on the profile of a fresh config plans (and applies) its organization too.
#[test]
fn organization_profile_target_pulls_in_its_organization() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Targeted Org", "it-admin@acme.example");
    let target = format!("-target={PROFILE}");
    let plan = ws.plan_json(&[&target]);
    assert_eq!(change(&plan, ORG)["actions"], json!(["create"]), "{plan}");
    assert_eq!(
        change(&plan, PROFILE)["actions"],
        json!(["create"]),
        "{plan}"
    );
    ws.apply_with(&[&target]);
    assert_eq!(ws.state_list(), vec![ORG.to_string(), PROFILE.to_string()]);
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}
