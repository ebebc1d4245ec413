//! Acceptance tests for provider configuration: credential precedence, unknown config, retries and
//! partial failures, through a real Terraform against the emulator.

mod common;

use common::*;
use serde_json::json;
use tfcf::emulator::{AuthScheme, BackgroundEmulator, Config, Faults};

const ADDR: &str = "cloudflare_organization.test";

fn config_ws(emu: &BackgroundEmulator, provider_body: &str, name: &str) -> Workspace {
    Workspace::new()
        .env("CLOUDFLARE_BASE_URL", &emu.base_url)
        .file(
            "main.tf",
            &testdata(
                "provider/block.tf",
                &[("provider_body", provider_body), ("name", name)],
            ),
        )
}

/// The schemes the emulator saw, deduplicated, with the identity of each.
fn schemes(emu: &BackgroundEmulator) -> Vec<(AuthScheme, Option<String>)> {
    let mut out: Vec<(AuthScheme, Option<String>)> = Vec::new();
    for r in emu.emulator.requests() {
        let k = (r.auth, r.identity);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// (what, provider block body, environment, expected scheme, expected identity).
type CredentialCase = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
    AuthScheme,
    Option<String>,
);

/// Each combination of provider block and environment sends exactly the one expected scheme.
#[test]
fn credential_precedence_sends_exactly_one_scheme() {
    let key_identity = Some("admin@example.com".to_string());
    let token_identity = Some("token:1".to_string());
    let cases: Vec<CredentialCase> = vec![
        (
            "env token",
            "",
            vec![("CLOUDFLARE_API_TOKEN", "emulator-token")],
            AuthScheme::Token,
            token_identity.clone(),
        ),
        (
            "env key + email",
            "",
            vec![
                ("CLOUDFLARE_API_KEY", "emulator-key"),
                ("CLOUDFLARE_EMAIL", "admin@example.com"),
            ],
            AuthScheme::Key,
            key_identity.clone(),
        ),
        (
            "block key beats env token",
            "  api_key = \"emulator-key\"\n  email   = \"admin@example.com\"",
            vec![("CLOUDFLARE_API_TOKEN", "emulator-token")],
            AuthScheme::Key,
            key_identity.clone(),
        ),
        (
            "block token beats env key",
            "  api_token = \"emulator-token\"",
            vec![
                ("CLOUDFLARE_API_KEY", "emulator-key"),
                ("CLOUDFLARE_EMAIL", "admin@example.com"),
            ],
            AuthScheme::Token,
            token_identity.clone(),
        ),
        (
            "block key with env email",
            "  api_key = \"emulator-key\"",
            vec![("CLOUDFLARE_EMAIL", "admin@example.com")],
            AuthScheme::Key,
            key_identity.clone(),
        ),
    ];
    for (what, body, env, scheme, identity) in cases {
        let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
        let mut ws = config_ws(&emu, body, what);
        for (k, v) in env {
            ws.set_env(k, v);
        }
        ws.apply();
        ws.destroy();
        assert_eq!(schemes(&emu), vec![(scheme, identity)], "{what}");
    }
}

/// Both schemes only in the environment: the token is used, with a warning that says so.
#[test]
fn two_schemes_in_env_use_the_token_and_warn() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    let ws = config_ws(&emu, "", "Env Both")
        .env("CLOUDFLARE_API_TOKEN", "emulator-token")
        .env("CLOUDFLARE_API_KEY", "emulator-key")
        .env("CLOUDFLARE_EMAIL", "admin@example.com");
    let out = ws.apply_with(&[]);
    assert!(
        format!("{}{}", out.stdout, out.stderr)
            .contains("Several Cloudflare Credentials in the Environment"),
        "{out}"
    );
    assert_eq!(
        schemes(&emu),
        vec![(AuthScheme::Token, Some("token:1".to_string()))]
    );
    ws.destroy();
}

/// Bad credential configuration fails at validate time, pointing at the attribute, with no API call.
#[test]
fn bad_credential_config_fails_before_any_api_call() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    for (body, expect) in [
        (
            "  api_token = \"t\"\n  api_key   = \"k\"\n  email     = \"a@b.example\"",
            "Conflicting Cloudflare Credentials",
        ),
        ("  api_key = \"emulator-key\"", "Missing Email for API Key"),
        ("  base_url = \"ftp://example.com\"", "Invalid Base URL"),
        ("", "Missing Cloudflare Credentials"),
        (
            "  api_token   = \"emulator-token\"\n  max_retries = 1.5",
            "max_retries is 1.5, but it must be a whole number from 0 to 20",
        ),
        (
            "  api_token           = \"emulator-token\"\n  requests_per_second = 0",
            "requests_per_second is 0, but it must be a number from 0.1",
        ),
        (
            "  api_token   = \"emulator-token\"\n  min_backoff = 40\n  max_backoff = 5",
            "min_backoff (40 s) is longer than max_backoff (5 s)",
        ),
    ] {
        let ws = config_ws(&emu, body, "Bad Config");
        let out = ws.run(&["plan", "-input=false"]);
        out.assert_failure();
        // Terraform wraps diagnostic text; compare with the box-drawing line breaks folded.
        let folded = out.stderr.replace("\n│ ", " ");
        assert!(folded.contains(expect), "want {expect:?}: {out}");
    }
    assert!(
        emu.emulator.requests().is_empty(),
        "no request with a bad provider config"
    );
}

/// A provider argument unknown at plan time plans without error and without any API call; apply then
/// uses the value once it is known.
#[test]
fn provider_config_unknown_at_plan_time() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    let ws = Workspace::new()
        .env("CLOUDFLARE_BASE_URL", &emu.base_url)
        .file("main.tf", &testdata("provider/unknown_token.tf", &[]));
    assert_eq!(ws.plan_exitcode(&[]), 2);
    assert!(emu.emulator.requests().is_empty(), "plan made no API call");
    ws.apply();
    assert_eq!(
        schemes(&emu),
        vec![(AuthScheme::Token, Some("token:1".to_string()))]
    );
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}

/// 429 answers with Retry-After are retried after the announced wait, and the apply succeeds (F9).
#[test]
fn rate_limited_apply_retries_after_retry_after() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    emu.emulator.set_faults(Faults {
        rate_limit: 2,
        retry_after_secs: Some(1),
        ..Faults::default()
    });
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        &testdata("organization/basic.tf", &[("name", "Throttled")]),
    );
    ws.apply();
    let posts: Vec<_> = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 429, 200]
    );
    for pair in posts.windows(2) {
        assert!(
            pair[1].at_ms - pair[0].at_ms >= 1000,
            "attempts {} ms apart, Retry-After said 1 s",
            pair[1].at_ms - pair[0].at_ms
        );
    }
    assert_eq!(
        emu.emulator.organization_ids().len(),
        1,
        "the POST was not duplicated"
    );
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}

/// A create whose connection drops after the server stored it: one POST, a clear error naming the
/// organization to check, and no half-tracked state (F10).
#[test]
fn dropped_create_is_never_replayed_and_says_what_to_check() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    emu.emulator.set_faults(Faults {
        drop_after_post_commit: true,
        ..Faults::default()
    });
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        &testdata("organization/basic.tf", &[("name", "Maybe Created")]),
    );
    let out = ws.run(&["apply", "-auto-approve", "-input=false"]);
    out.assert_failure()
        .stderr_contains("Unable to Create Organization");
    let posts = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "POST /organizations is never replayed");
    let ids = emu.emulator.organization_ids();
    assert_eq!(ids.len(), 1, "the server did store it");
    let folded = format!("{}{}", out.stdout, out.stderr).replace("\n│ ", " ");
    assert!(
        folded.contains("Organization May Have Been Created"),
        "{out}"
    );
    assert!(
        folded.contains(&ids[0]),
        "the warning names the candidate id: {out}"
    );
    assert!(ws.state_list().is_empty(), "nothing half-tracked in state");
    // The id the warning named imports cleanly.
    ws.run(&["import", "-input=false", ADDR, &ids[0]])
        .assert_success();
    assert_eq!(ws.state_resource(ADDR)["name"], json!("Maybe Created"));
    emu.emulator.set_faults(Faults::default());
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}

/// Propagation 403s right after create are absorbed by a bounded poll, not a fixed sleep.
#[test]
fn propagation_403_after_create_is_absorbed() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    emu.emulator.set_faults(Faults {
        propagation_403: 2,
        ..Faults::default()
    });
    let ws = Workspace::for_emulator(&emu).file(
        "main.tf",
        &testdata("organization/basic.tf", &[("name", "Slow Permissions")]),
    );
    ws.apply();
    let statuses: Vec<u16> = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.status)
        .take(3)
        .collect();
    assert_eq!(statuses, vec![403, 403, 200]);
    ws.assert_empty_plan();
    destroy_and_check(&ws);
}

/// The User-Agent names our provider, its version and Terraform's version (not the official provider's
/// string), and appends the operator suffix from the environment.
#[test]
fn user_agent_names_provider_terraform_and_operator_suffix() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    let ws = Workspace::for_emulator(&emu)
        .env("CLOUDFLARE_USER_AGENT_OPERATOR_SUFFIX", "platform-team/ci")
        .file(
            "main.tf",
            &testdata("organization/basic.tf", &[("name", "UA")]),
        );
    ws.apply();
    let version = terraform_version_string();
    let want = format!(
        "terraform-provider-cloudflare/{} (cloudflare-orgs) terraform/{} platform-team/ci",
        env!("CARGO_PKG_VERSION"),
        version.trim_start_matches('v')
    );
    let agents: Vec<Option<String>> = emu
        .emulator
        .requests()
        .into_iter()
        .map(|r| r.user_agent)
        .collect();
    assert!(!agents.is_empty());
    assert!(
        agents.iter().all(|a| a.as_deref() == Some(want.as_str())),
        "{agents:?} != {want}"
    );
    destroy_and_check(&ws);
}

/// A module that offers both credential variables, with the unused one null, validates and applies
/// with whichever scheme is given.
#[test]
fn credential_variables_left_null_do_not_conflict() {
    let emu = BackgroundEmulator::start(Config::default()).expect("emulator");
    let ws = Workspace::new()
        .env("CLOUDFLARE_BASE_URL", &emu.base_url)
        .file("main.tf", &testdata("provider/credential_vars.tf", &[]));
    ws.run(&["validate", "-no-color"]).assert_success();
    ws.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-var",
        "api_key=emulator-key",
        "-var",
        "email=admin@example.com",
    ])
    .assert_success();
    assert_eq!(
        schemes(&emu),
        vec![(AuthScheme::Key, Some("admin@example.com".to_string()))]
    );
    ws.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-var",
        "api_key=emulator-key",
        "-var",
        "email=admin@example.com",
    ])
    .assert_success();
    assert!(emu.emulator.organization_ids().is_empty());
}
