//! Acceptance tests for the data sources: `cloudflare_organizations`, `cloudflare_organization_accounts`,
//! `cloudflare_organization` and `cloudflare_organization_profile`, against a seeded emulator.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::{BackgroundEmulator, RecordedRequest};

fn workspace(emu: &BackgroundEmulator, fixture: &str, vars: &[(&str, &str)]) -> Workspace {
    Workspace::for_emulator(emu).file("main.tf", &testdata(fixture, vars))
}

/// The `result` list of data source `address` in state.
fn result(ws: &Workspace, address: &str) -> Vec<Value> {
    ws.state_resource(address)["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{address}.result is not a list"))
        .clone()
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("result id is a string").to_string())
        .collect()
}

/// GET requests to exactly `path` (after `/client/v4`).
fn gets(emu: &BackgroundEmulator, path: &str) -> Vec<RecordedRequest> {
    let full = format!("/client/v4{path}");
    emu.emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == full)
        .collect()
}

/// The decoded query parameters of a request, in order.
fn query(r: &RecordedRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(r.query.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(r: &RecordedRequest, key: &str) -> Option<String> {
    query(r).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// stderr with Terraform's diagnostic box folded, so wrapped sentences can be searched whole.
fn folded_stderr(out: &Output) -> String {
    out.stderr.replace("\n│ ", " ")
}

// ---------------------------------------------------------------------------------------------
// cloudflare_organizations
// ---------------------------------------------------------------------------------------------

const ORGS: &str = "data.cloudflare_organizations.matching";

/// F2: 130 matching organizations over 3 pages of 50 all arrive, once each, with `name.contains` on
/// every page request; `max_items = 7` returns exactly the first 7.
#[test]
fn organizations_follow_every_page_with_the_filter() {
    let emu = start_emulator();
    let mut matching = Vec::new();
    let mut i = 0;
    while matching.len() < 130 {
        i += 1;
        // Every 6th organization does not match, so the matches are spread over the server's pages.
        if i % 6 == 0 {
            emu.emulator
                .seed_organization(&format!("Other {i:03}"), None);
        } else {
            matching.push(
                emu.emulator
                    .seed_organization(&format!("Fleet Node {i:03}"), None),
            );
        }
    }

    let vars = |max: &str| {
        testdata(
            "data_sources/organizations_by_name.tf",
            &[
                ("contains", "fleet"),
                ("page_size", "50"),
                ("max_items", max),
            ],
        )
    };
    let ws = Workspace::for_emulator(&emu).file("main.tf", &vars("null"));
    ws.apply();
    let items = result(&ws, ORGS);
    let got = ids(&items);
    assert_eq!(got.len(), 130, "every match, no more");
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>().len(),
        130,
        "no duplicate ids"
    );
    assert_eq!(got, matching, "the matches, in the API's order");
    assert!(items
        .iter()
        .all(|o| o["name"].as_str().is_some_and(|n| n.starts_with("Fleet"))));

    // One apply reads the data source once: 3 pages, each carrying the filter.
    let pages = gets(&emu, "/organizations");
    assert_eq!(pages.len(), 3, "3 list requests: {pages:?}");
    for (n, page) in pages.iter().enumerate() {
        assert_eq!(
            param(page, "name.contains").as_deref(),
            Some("fleet"),
            "page {n}: {:?}",
            page.query
        );
        assert_eq!(param(page, "page_size").as_deref(), Some("50"));
        assert_eq!(
            param(page, "page_token").is_some(),
            n > 0,
            "page {n} follows the cursor: {:?}",
            page.query
        );
    }
    ws.assert_empty_plan();

    ws.write_file("main.tf", &vars("7"));
    emu.emulator.clear_requests();
    ws.apply();
    assert_eq!(ids(&result(&ws, ORGS)), matching[..7].to_vec());
    assert_eq!(
        gets(&emu, "/organizations").len(),
        1,
        "7 items fit in one page"
    );
    ws.assert_empty_plan();
}

/// `parent = { id = "null" }` returns only root organizations.
#[test]
fn organizations_parent_null_selects_roots() {
    let emu = start_emulator();
    let a = emu.emulator.seed_organization("Root A", None);
    let child = emu.emulator.seed_organization("Child of A", Some(&a));
    emu.emulator
        .seed_organization("Grandchild of A", Some(&child));
    let b = emu.emulator.seed_organization("Root B", None);
    let ws = workspace(&emu, "data_sources/organizations_roots.tf", &[]);
    apply_and_verify(&ws);
    let roots = result(&ws, "data.cloudflare_organizations.roots");
    assert_eq!(ids(&roots), vec![a, b]);
    assert!(roots.iter().all(|o| o["parent"].is_null()), "{roots:?}");
    let lists = gets(&emu, "/organizations");
    assert!(!lists.is_empty());
    assert!(lists
        .iter()
        .all(|r| param(r, "parent.id").as_deref() == Some("null")));
}

// ---------------------------------------------------------------------------------------------
// cloudflare_organization_accounts
// ---------------------------------------------------------------------------------------------

const ACCOUNTS: &str = "data.cloudflare_organization_accounts.all";

fn accounts_config(org: &str, order_by: &str, direction: &str, max_items: &str) -> String {
    testdata(
        "data_sources/organization_accounts.tf",
        &[
            ("organization_id", org),
            ("page_size", "20"),
            ("order_by", order_by),
            ("direction", direction),
            ("max_items", max_items),
        ],
    )
}

fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|a| a["name"].as_str().expect("account name").to_string())
        .collect()
}

/// 45 accounts arrive in 3 requests of 20; `order_by`/`direction` sort them descending; `max_items`
/// caps the count exactly.
#[test]
fn organization_accounts_follow_every_page_sorted_and_capped() {
    let emu = start_emulator();
    let org = emu.emulator.seed_organization("Account Holder", None);
    let seeded = emu.emulator.seed_accounts(&org, 45, "acct-");
    let ws = Workspace::for_emulator(&emu)
        .file("main.tf", &accounts_config(&org, "null", "null", "null"));
    ws.apply();
    let items = result(&ws, ACCOUNTS);
    assert_eq!(ids(&items), seeded, "all 45, in the API's default order");
    let pages = gets(&emu, &format!("/organizations/{org}/accounts"));
    assert_eq!(pages.len(), 3, "3 requests of 20: {pages:?}");
    assert!(pages
        .iter()
        .all(|p| param(p, "page_size").as_deref() == Some("20")));
    assert_eq!(items[0]["type"], "standard");
    ws.assert_empty_plan();

    // Sorted by name, descending.
    ws.write_file(
        "main.tf",
        &accounts_config(&org, "\"account_name\"", "\"desc\"", "null"),
    );
    emu.emulator.clear_requests();
    ws.apply();
    let mut want: Vec<String> = (1..=45).map(|i| format!("acct-{i}")).collect();
    want.sort_by(|a, b| b.cmp(a));
    let sorted = names(&result(&ws, ACCOUNTS));
    assert_eq!(sorted, want);
    assert!(gets(&emu, &format!("/organizations/{org}/accounts"))
        .iter()
        .all(|p| param(p, "order_by").as_deref() == Some("account_name")
            && param(p, "direction").as_deref() == Some("desc")));
    ws.assert_empty_plan();

    // Capped: exactly the first 25 of that order (more than one page).
    ws.write_file(
        "main.tf",
        &accounts_config(&org, "\"account_name\"", "\"desc\"", "25"),
    );
    apply_and_verify(&ws);
    assert_eq!(names(&result(&ws, ACCOUNTS)), want[..25].to_vec());
}

/// An invalid `direction` fails at plan with the attribute at fault, before any API call.
#[test]
fn organization_accounts_invalid_direction_fails_at_plan() {
    let emu = start_emulator();
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        &accounts_config(
            "023e105f4ecef8ad9ca31a8372d0c353",
            "null",
            "\"sideways\"",
            "null",
        ),
    );
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Invalid direction Value")
        .stderr_contains("main.tf line")
        .stderr_contains("direction       = \"sideways\"");
    assert!(folded_stderr(&out).contains("`asc`, `desc`"), "{out}");
    assert!(emu.emulator.requests().is_empty(), "no API call");
}

// ---------------------------------------------------------------------------------------------
// cloudflare_organization
// ---------------------------------------------------------------------------------------------

const ORG: &str = "data.cloudflare_organization.one";

fn sample_profile() -> Value {
    json!({
        "business_name": "Acme Corporation",
        "business_email": "it-admin@acme.example",
        "business_phone": "+1 415 555 0100",
        "business_address": "101 Market St, San Francisco, CA 94105, US",
        "external_metadata": "{\"department\":\"IT\"}",
    })
}

/// By ID: the organization's fields, and the profile from the profile endpoint (the organization
/// GET does not carry it).
#[test]
fn organization_by_id_fills_profile_from_profile_endpoint() {
    let emu = start_emulator();
    let parent = emu.emulator.seed_organization("Holding", None);
    let id = emu.emulator.seed_organization("Subsidiary", Some(&parent));
    assert!(emu.emulator.set_profile_out_of_band(&id, sample_profile()));
    let ws = workspace(
        &emu,
        "data_sources/organization_by_id.tf",
        &[("organization_id", &id)],
    );
    let state = apply_and_verify(&ws);
    let org = find_resource(&state["values"], ORG).expect("data source in state")["values"].clone();
    let api = emu.emulator.organization(&id).expect("org");
    assert_attrs(
        &org,
        &[
            ("id", json!(id)),
            ("organization_id", json!(id)),
            ("name", json!("Subsidiary")),
            ("create_time", api["create_time"].clone()),
            ("parent.id", json!(parent)),
            ("parent.name", json!("Holding")),
            ("meta.hierarchy_tags", api["meta"]["hierarchy_tags"].clone()),
            ("profile", sample_profile()),
        ],
    );
    assert!(
        !gets(&emu, &format!("/organizations/{id}/profile")).is_empty(),
        "the profile comes from the profile endpoint"
    );
}

/// By a filter that matches exactly one organization: that organization, profile null when it has none.
#[test]
fn organization_by_filter_matching_one() {
    let emu = start_emulator();
    emu.emulator.seed_organization("Acme Retail", None);
    let id = emu.emulator.seed_organization("Globex Logistics", None);
    let ws = workspace(
        &emu,
        "data_sources/organization_by_filter.tf",
        &[("contains", "globex")],
    );
    let state = apply_and_verify(&ws);
    let org = &find_resource(&state["values"], ORG).expect("data source in state")["values"];
    assert_attrs(
        org,
        &[
            ("id", json!(id)),
            ("name", json!("Globex Logistics")),
            ("parent", Value::Null),
            ("profile", Value::Null),
        ],
    );
}

/// A filter matching several organizations fails, saying how many and which filter to narrow; one
/// matching none fails too.
#[test]
fn organization_by_filter_not_exactly_one_fails() {
    let emu = start_emulator();
    for name in ["Acme East", "Acme West", "Acme North", "Globex"] {
        emu.emulator.seed_organization(name, None);
    }
    let several = workspace(
        &emu,
        "data_sources/organization_by_filter.tf",
        &[("contains", "acme")],
    );
    let out = several.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("3 Organizations Match the Filter");
    let text = folded_stderr(&out);
    for needle in [
        "matches 3 organizations",
        "`filter.name.contains = \"acme\"`",
        "Narrow the filter",
        "\"Acme West\"",
    ] {
        assert!(text.contains(needle), "missing {needle:?}\n{out}");
    }

    let none = workspace(
        &emu,
        "data_sources/organization_by_filter.tf",
        &[("contains", "initech")],
    );
    let out = none.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("No Organization Matches the Filter");
    assert!(
        folded_stderr(&out).contains("`filter.name.contains = \"initech\"`"),
        "{out}"
    );
}

/// An unknown ID is "Organization Not Found", naming the ID.
#[test]
fn organization_unknown_id_is_not_found() {
    let emu = start_emulator();
    let missing = "0123456789abcdef0123456789abcdef";
    let ws = workspace(
        &emu,
        "data_sources/organization_by_id.tf",
        &[("organization_id", missing)],
    );
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Organization Not Found")
        .stderr_contains(missing);
}

// ---------------------------------------------------------------------------------------------
// cloudflare_organization_profile
// ---------------------------------------------------------------------------------------------

/// By organization ID: the five strings verbatim; an organization without a profile is a clear error.
#[test]
fn organization_profile_data_source_reads_or_explains() {
    let emu = start_emulator();
    let with = emu.emulator.seed_organization("Profiled", None);
    assert!(emu
        .emulator
        .set_profile_out_of_band(&with, sample_profile()));
    let without = emu.emulator.seed_organization("Bare", None);

    let ws = workspace(
        &emu,
        "data_sources/organization_profile.tf",
        &[("organization_id", &with)],
    );
    apply_and_verify(&ws);
    let mut want = sample_profile();
    want["organization_id"] = json!(with);
    assert_eq!(
        ws.state_resource("data.cloudflare_organization_profile.p"),
        want
    );

    let ws = workspace(
        &emu,
        "data_sources/organization_profile.tf",
        &[("organization_id", &without)],
    );
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Organization Profile Not Found")
        .stderr_contains(&without);
    assert!(folded_stderr(&out).contains("no profile yet"), "{out}");
}

/// `parent = { id = var.x }` with x null would list every organization; it fails at plan instead,
/// pointing at `parent.id`, with no API call.
#[test]
fn organizations_parent_with_null_id_fails_at_plan() {
    let emu = start_emulator();
    emu.emulator.seed_organization("Any Org", None);
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        r#"terraform {
  required_providers {
    cloudflare = {
      source = "cloudflare-orgs/cloudflare"
    }
  }
}

variable "parent_id" {
  type    = string
  default = null
}

data "cloudflare_organizations" "children" {
  parent = { id = var.parent_id }
}
"#,
    );
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Missing Parent Organization ID")
        .stderr_contains("main.tf line");
    assert!(emu.emulator.requests().is_empty(), "no API call");
}
