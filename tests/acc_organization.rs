//! Acceptance tests for `cloudflare_organization`: a real Terraform drives our plugin against the emulator.

mod common;

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::{BackgroundEmulator, Config};

const ADDR: &str = "cloudflare_organization.test";

fn emulator() -> BackgroundEmulator {
    BackgroundEmulator::start(Config::default()).expect("emulator starts on 127.0.0.1:0")
}

fn workspace(emu: &BackgroundEmulator, name: &str) -> Workspace {
    Workspace::new()
        .provider_env(&emu.base_url, Auth::token("emulator-token"))
        .file(
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
    let emu = emulator();
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
    let emu = emulator();
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
