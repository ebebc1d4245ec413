//! examples/ is documentation: every file is `terraform fmt`-clean and the quickstart validates.

mod common;

use common::*;

/// Every `.tf` and `.tfquery.hcl` file under examples/ is formatted as `terraform fmt` writes it.
#[test]
fn examples_are_terraform_fmt_clean() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = std::process::Command::new(terraform_path())
        .args(["fmt", "-check", "-recursive", "-list=true"])
        .arg(&examples)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform runs");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && listed.trim().is_empty(),
        "not fmt-clean: {listed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The quickstart configuration is valid against the provider's schema.
#[test]
fn quickstart_validates() {
    let main = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf"),
    )
    .expect("quickstart exists");
    let ws = Workspace::new().file("main.tf", &main);
    ws.run(&["validate", "-no-color"])
        .assert_success()
        .stdout_contains("The configuration is valid");
}

/// `terraform providers schema -json` shows a Markdown description on every attribute of every type.
#[test]
fn every_attribute_has_a_description_in_terraform() {
    let main = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf"),
    )
    .expect("quickstart exists");
    let ws = Workspace::new().file("main.tf", &main);
    let schema = ws
        .run(&["providers", "schema", "-json"])
        .assert_success()
        .json();
    let provider = &schema["provider_schemas"]["registry.terraform.io/cloudflare-orgs/cloudflare"];
    assert!(provider.is_object(), "{schema}");

    fn walk(owner: &str, attrs: &serde_json::Value, missing: &mut Vec<String>, seen: &mut usize) {
        let Some(attrs) = attrs.as_object() else {
            return;
        };
        for (name, a) in attrs {
            *seen += 1;
            let d = a["description"].as_str().unwrap_or_default();
            if d.trim().is_empty() || a["description_kind"] != "markdown" {
                missing.push(format!("{owner}.{name}"));
            }
            walk(
                &format!("{owner}.{name}"),
                &a["nested_type"]["attributes"],
                missing,
                seen,
            );
        }
    }
    let mut missing = Vec::new();
    let mut seen = 0;
    walk(
        "provider",
        &provider["provider"]["block"]["attributes"],
        &mut missing,
        &mut seen,
    );
    for kind in ["resource_schemas", "data_source_schemas"] {
        let Some(types) = provider[kind].as_object() else {
            panic!("no {kind}: {provider}");
        };
        for (name, s) in types {
            walk(name, &s["block"]["attributes"], &mut missing, &mut seen);
        }
    }
    assert!(seen > 100, "only {seen} attributes seen");
    assert!(
        missing.is_empty(),
        "attributes without a Markdown description: {missing:?}"
    );
}
