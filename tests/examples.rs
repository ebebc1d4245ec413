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
