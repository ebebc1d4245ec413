//! Acceptance tests for `cloudflare_organization`: a real Terraform drives our plugin against the emulator.

mod common;

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::BackgroundEmulator;

const ADDR: &str = "cloudflare_organization.test";

fn workspace(emu: &BackgroundEmulator, name: &str) -> Workspace {
    Workspace::for_emulator(emu).file(
        "main.tf",
        &testdata(
            "organization/with_profile.tf",
            &[
                ("name", name),
                ("address", "101 Market St, San Francisco, CA 94105, US"),
            ],
        ),
    )
}

/// The whole lifecycle converges: create with a profile, exact state, empty plans, rename in place,
/// import reproduces the state, destroy leaves nothing in the emulator.
#[test]
fn organization_lifecycle() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Acme Corp");

    apply_and_verify(&ws);
    let state = ws.state_resource(ADDR);
    let id = state["id"].as_str().expect("id is a string").to_string();
    assert_eq!(id.len(), 32, "emulator ids are 32 hex characters: {id}");
    assert_attrs(
        &state,
        &[
            ("name", json!("Acme Corp")),
            ("parent", Value::Null),
            ("profile.business_name", json!("Acme Corporation")),
            ("profile.business_email", json!("it-admin@acme.example")),
            (
                "profile.external_metadata",
                json!("{\"department\":\"IT\"}"),
            ),
            (
                "meta.hierarchy_tags",
                json!(
                    emu.emulator.organization(&id).expect("org exists")["meta"]["hierarchy_tags"]
                ),
            ),
        ],
    );
    assert!(state["create_time"]
        .as_str()
        .is_some_and(|t| t.contains('T')));
    let created = emu
        .emulator
        .organization(&id)
        .expect("org exists in the emulator");
    assert_eq!(created["name"], "Acme Corp");
    assert_eq!(created["profile"]["business_phone"], "+1 415 555 0100");

    // Rename: planned in place, with id and create_time known in the plan.
    ws.write_file(
        "main.tf",
        &testdata(
            "organization/with_profile.tf",
            &[
                ("name", "Acme Corporation Holdings"),
                ("address", "101 Market St, San Francisco, CA 94105, US"),
            ],
        ),
    );
    let plan = ws.plan_json(&[]);
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["update"]), "{plan}");
    assert_eq!(change["after"]["id"], json!(id));
    assert_eq!(change["after"]["create_time"], state["create_time"]);
    assert_eq!(
        change["after_unknown"],
        json!({}),
        "nothing unknown in a rename: {plan}"
    );
    apply_and_verify(&ws);
    assert_eq!(
        emu.emulator.organization(&id).expect("still there")["name"],
        "Acme Corporation Holdings"
    );
    assert_eq!(
        emu.emulator.organization_ids(),
        vec![id.clone()],
        "a rename creates nothing"
    );

    // Import into a fresh working directory reproduces the state, profile included, with no ignores.
    let imported = import_verify(&ws, ADDR, &id, &[]);
    imported.assert_empty_plan();

    destroy_and_check(&ws);
    assert!(
        emu.emulator.organization_ids().is_empty(),
        "destroy deletes the organization"
    );
}

/// Changing only the profile sends one profile PUT and no organization PUT, and converges.
#[test]
fn organization_profile_change_uses_profile_endpoint() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Acme Corp");
    apply_and_verify(&ws);
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    emu.emulator.clear_requests();
    ws.write_file(
        "main.tf",
        &testdata(
            "organization/with_profile.tf",
            &[
                ("name", "Acme Corp"),
                ("address", "1 Main St, Austin, TX 78701, US"),
            ],
        ),
    );
    ws.apply();
    let writes: Vec<(String, String)> = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        writes,
        vec![(
            "PUT".to_string(),
            format!("/client/v4/organizations/{id}/profile")
        )]
    );
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"]["business_address"],
        "1 Main St, Austin, TX 78701, US"
    );
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}

fn basic_ws(emu: &BackgroundEmulator, name: &str) -> Workspace {
    Workspace::for_emulator(emu).file(
        "main.tf",
        &testdata("organization/basic.tf", &[("name", name)]),
    )
}

fn writes(emu: &BackgroundEmulator) -> Vec<(String, String)> {
    emu.emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect()
}

/// A create without `profile` or `parent` plans both as exactly null (never an object of nulls), and
/// sends no profile request.
#[test]
fn organization_without_profile_plans_null_objects() {
    let emu = start_emulator();
    let ws = basic_ws(&emu, "Plain Org");
    let plan = ws.plan_json(&[]);
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["after"]["profile"], Value::Null, "{plan}");
    assert_eq!(change["after"]["parent"], Value::Null, "{plan}");
    assert_eq!(change["after_unknown"]["profile"], Value::Null, "{plan}");
    assert_eq!(change["after_unknown"]["id"], json!(true));
    apply_and_verify(&ws);
    assert!(
        emu.emulator
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("/profile") || r.method == "GET"),
        "no profile write while profile is null"
    );
    assert_eq!(ws.state_resource(ADDR)["profile"], Value::Null);
    destroy_and_check(&ws);
}

/// A profile changed outside Terraform shows in the next plan and the apply puts the configured one back.
#[test]
fn organization_profile_drift_is_detected_and_repaired() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Drift Org");
    apply_and_verify(&ws);
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut changed = emu.emulator.organization(&id).expect("org")["profile"].clone();
    changed["business_email"] = json!("someone-else@acme.example");
    assert!(emu.emulator.set_profile_out_of_band(&id, changed));

    let plan = ws.plan_json(&[]);
    let rc = &plan["resource_changes"][0];
    assert_eq!(rc["change"]["actions"], json!(["update"]), "{plan}");
    assert_eq!(
        rc["change"]["before"]["profile"]["business_email"],
        "someone-else@acme.example"
    );
    assert_eq!(
        rc["change"]["after"]["profile"]["business_email"],
        "it-admin@acme.example"
    );
    apply_and_verify(&ws);
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"]["business_email"],
        "it-admin@acme.example"
    );
    destroy_and_check(&ws);
}

/// Removing the `profile` block stops managing it: no change is planned and the profile stays.
#[test]
fn organization_profile_block_removed_leaves_profile_in_place() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Keep Profile");
    apply_and_verify(&ws);
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ws.write_file(
        "main.tf",
        &testdata("organization/basic.tf", &[("name", "Keep Profile")]),
    );
    emu.emulator.clear_requests();
    ws.assert_empty_plan();
    assert!(
        writes(&emu).is_empty(),
        "no write for a removed profile block"
    );
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"]["business_name"],
        "Acme Corporation"
    );
    assert_eq!(
        ws.state_resource(ADDR)["profile"]["business_name"],
        "Acme Corporation"
    );
    destroy_and_check(&ws);
}

/// An organization deleted outside Terraform plans a create with no error, and the apply makes it again.
#[test]
fn organization_deleted_out_of_band_is_planned_for_create() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Gone Org");
    apply_and_verify(&ws);
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(emu.emulator.delete_out_of_band(&id));

    let plan = ws.plan_json(&[]);
    assert_eq!(
        plan["resource_changes"][0]["change"]["actions"],
        json!(["create"]),
        "{plan}"
    );
    apply_and_verify(&ws);
    let new_id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_ne!(new_id, id);
    assert_eq!(emu.emulator.organization_ids(), vec![new_id]);
    destroy_and_check(&ws);
}

/// Destroy of an organization that is already gone succeeds.
#[test]
fn organization_destroy_of_gone_organization_succeeds() {
    let emu = start_emulator();
    let ws = basic_ws(&emu, "Vanishing Org");
    ws.apply();
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(emu.emulator.delete_out_of_band(&id));
    // -refresh=false: the DELETE itself meets the 404.
    ws.run(&["destroy", "-auto-approve", "-input=false", "-refresh=false"])
        .assert_success();
    assert!(ws.state_list().is_empty());
}

/// Changing `parent.id` plans a replace, and the new organization lands under the new parent.
#[test]
fn organization_parent_change_forces_replacement() {
    let emu = start_emulator();
    let p1 = emu.emulator.seed_organization("Parent One", None);
    let p2 = emu.emulator.seed_organization("Parent Two", None);
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        &testdata(
            "organization/with_parent.tf",
            &[("name", "Child"), ("parent_id", &p1)],
        ),
    );
    apply_and_verify(&ws);
    let state = ws.state_resource(ADDR);
    assert_attrs(
        &state,
        &[
            ("parent.id", json!(p1)),
            ("parent.name", json!("Parent One")),
        ],
    );
    let old = state["id"].as_str().unwrap_or_default().to_string();

    ws.write_file(
        "main.tf",
        &testdata(
            "organization/with_parent.tf",
            &[("name", "Child"), ("parent_id", &p2)],
        ),
    );
    let plan = ws.plan_json(&[]);
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["delete", "create"]), "{plan}");
    assert_eq!(change["replace_paths"], json!([["parent", "id"]]));
    apply_and_verify(&ws);
    let new = ws.state_resource(ADDR);
    assert_attrs(
        &new,
        &[
            ("parent.id", json!(p2)),
            ("parent.name", json!("Parent Two")),
        ],
    );
    assert!(
        emu.emulator.organization(&old).is_none(),
        "the old organization is deleted"
    );
    destroy_and_check(&ws);
}

/// Destroying an organization that still holds accounts fails with the reason and keeps it in state.
#[test]
fn organization_destroy_non_empty_fails_and_keeps_state() {
    let emu = start_emulator();
    let ws = basic_ws(&emu, "Busy Org");
    ws.apply();
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    emu.emulator.seed_accounts(&id, 2, "acct-");
    let out = ws.run(&["destroy", "-auto-approve", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Unable to Delete Organization");
    // Terraform wraps diagnostic text; compare with the box-drawing line breaks folded.
    let folded = out.stderr.replace("\n│ ", " ");
    assert!(folded.contains("still contains 2 accounts"), "{out}");
    assert!(
        folded.contains("remove its sub-organizations, accounts"),
        "{out}"
    );
    assert_eq!(ws.state_list(), vec![ADDR.to_string()]);
    assert!(emu.emulator.organization(&id).is_some());
    emu.emulator.remove_accounts_out_of_band(&id);
    destroy_and_check(&ws);
}

/// Values the API would surely reject fail at plan, pointing at the attribute, before any API call.
#[test]
fn organization_invalid_config_fails_before_any_api_call() {
    let emu = start_emulator();
    for (file, vars, expect) in [
        (
            "organization/basic.tf",
            vec![("name", "")],
            "Invalid Organization Name",
        ),
        (
            "organization/with_parent.tf",
            vec![("name", "x"), ("parent_id", "a/b")],
            "Invalid Parent Organization ID",
        ),
    ] {
        let ws = Workspace::for_emulator(&emu).file("main.tf", &testdata(file, &vars));
        let out = ws.run(&["plan", "-input=false"]);
        out.assert_failure()
            .stderr_contains(expect)
            .stderr_contains("main.tf line");
    }
    assert!(
        emu.emulator.requests().is_empty(),
        "no API call for invalid config"
    );
}

/// Import by identity reproduces the state, and `-generate-config-out` writes config that plans no change.
#[test]
fn organization_import_by_identity_and_generated_config() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Identity Org");
    apply_and_verify(&ws);
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    import_identity_verify(&ws, ADDR, &format!("{{ id = {} }}", hcl_string(&id)), &[]);

    // Generated config: only an import block, no resource block.
    let gen = Workspace::for_emulator(&emu)
        .file(
            "main.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    cloudflare = {{\n      source = \"cloudflare-orgs/cloudflare\"\n    }}\n  }}\n}}\n\nimport {{\n  to = {ADDR}\n  id = {}\n}}\n",
                hcl_string(&id)
            ),
        );
    gen.run(&["plan", "-input=false", "-generate-config-out=generated.tf"])
        .assert_success();
    let generated =
        std::fs::read_to_string(gen.path("generated.tf")).expect("generated.tf written");
    assert!(
        generated.contains("name") && generated.contains("Identity Org"),
        "{generated}"
    );
    assert!(
        !generated.contains("create_time"),
        "computed attributes are not generated: {generated}"
    );
    assert!(
        !generated.contains("profile"),
        "generated config leaves the profile unmanaged (it may belong to a profile resource): {generated}"
    );
    let plan = gen.plan_json(&[]);
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["no-op"]), "{plan}");
    assert!(!change["importing"].is_null());
    gen.apply();
    gen.assert_empty_plan();
    destroy_and_check(&ws);
}

/// Null, empty and reordered answers for `external_metadata` (F4): a read-back that differs only by
/// normalisation plans nothing, with and without refresh-only; a real difference shows as drift.
#[test]
fn organization_profile_normalised_read_backs_plan_no_change() {
    let emu = start_emulator();
    // (config expression, what the API answers for external_metadata: None = key omitted, expect empty plan)
    let cases: [(&str, Option<Value>, bool); 7] = [
        ("\"{}\"", None, true),
        ("\"{}\"", Some(Value::Null), true),
        ("\"{}\"", Some(json!("")), true),
        ("\"\"", Some(json!("{}")), true),
        (
            "jsonencode({ a = 1, b = 2 })",
            Some(json!("{ \"b\": 2,  \"a\": 1 }")),
            true,
        ),
        (
            "jsonencode({ a = 1, b = 2 })",
            Some(json!("{\"a\":1}")),
            false,
        ),
        ("jsonencode({ a = 1, b = 2 })", None, false),
    ];
    for (config, answer, converges) in cases {
        let ws = Workspace::for_emulator(&emu).file(
            "main.tf",
            &testdata("organization/metadata.tf", &[("metadata", config)]),
        );
        apply_and_verify(&ws);
        let id = ws.state_resource(ADDR)["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut profile = emu.emulator.organization(&id).expect("org")["profile"].clone();
        match &answer {
            None => {
                profile
                    .as_object_mut()
                    .map(|p| p.remove("external_metadata"));
            }
            Some(v) => profile["external_metadata"] = v.clone(),
        }
        assert!(emu.emulator.set_profile_out_of_band(&id, profile));
        let expected = if converges { 0 } else { 2 };
        assert_eq!(
            ws.plan_exitcode(&[]),
            expected,
            "config {config}, API answer {answer:?}"
        );
        if converges {
            assert_eq!(
                ws.plan_exitcode(&["-refresh-only"]),
                0,
                "refresh-only, config {config}, answer {answer:?}"
            );
        }
        destroy_and_check(&ws);
    }
}

/// Leaving `parent` out for a sub-organization changes nothing (organizations cannot move) and the plan
/// says so with a warning; it is never a silent surprise.
#[test]
fn organization_parent_removed_from_config_warns_and_keeps_it() {
    let emu = start_emulator();
    let parent = emu.emulator.seed_organization("The Parent", None);
    let ws = Workspace::for_emulator(&emu)
        .file("main.tf", &testdata("organization/optional_parent.tf", &[]));
    ws.apply_with(&["-var", &format!("parent_id={parent}")]);
    assert_eq!(ws.state_resource(ADDR)["parent"]["id"], json!(parent));
    let out = ws.run(&["plan", "-input=false", "-detailed-exitcode"]);
    out.assert_exit(0);
    let folded = format!("{}{}", out.stdout, out.stderr).replace("\n│ ", " ");
    assert!(
        folded.contains("Sub-Organization Kept Under Its Parent"),
        "{out}"
    );
    assert!(folded.contains(&parent), "{out}");
    destroy_and_check(&ws);
}

/// A configured profile that is missing in Cloudflare (the profile endpoint says none) shows as drift,
/// and the next apply writes it back.
#[test]
fn organization_profile_missing_in_cloudflare_is_restored() {
    let emu = start_emulator();
    let ws = workspace(&emu, "Lost Profile");
    apply_and_verify(&ws);
    let id = ws.state_resource(ADDR)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(emu.emulator.set_profile_out_of_band(&id, Value::Null));
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"],
        Value::Null
    );
    assert_eq!(ws.plan_exitcode(&[]), 2);
    apply_and_verify(&ws);
    assert_eq!(
        emu.emulator.organization(&id).expect("org")["profile"]["business_name"],
        "Acme Corporation"
    );
    destroy_and_check(&ws);
}
