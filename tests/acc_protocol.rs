//! Protocol scenarios through a real Terraform: query, profile import, 5 MB messages, Ctrl-C, debug mode, read-only config, `moved`, logs.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use tfcf::emulator::{BackgroundEmulator, Config, Faults, RecordedRequest};

const TOKEN: &str = "emulator-token";
const PROFILE: &str = "cloudflare_organization_profile.p";
const API_PREFIX: &str = "/client/v4";

fn emulator_with(config: Config) -> BackgroundEmulator {
    BackgroundEmulator::start(config).expect("emulator starts on 127.0.0.1:0")
}

fn emulator() -> BackgroundEmulator {
    emulator_with(Config::default())
}

fn emulator_with_faults(faults: Faults) -> BackgroundEmulator {
    emulator_with(Config {
        faults,
        ..Config::default()
    })
}

fn workspace(emu: &BackgroundEmulator) -> Workspace {
    Workspace::new().provider_env(&emu.base_url, Auth::token(TOKEN))
}

fn named_org(label: &str, name: &str) -> String {
    testdata("protocol/named_org.tf", &[("label", label), ("name", name)])
}

/// Polls `probe` every 20 ms until it returns `Some`, or panics naming `what` after `within`.
fn wait_until<T>(what: &str, within: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {within:?} waiting until {what}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// (method, path) of every request that changes something.
fn writes(emu: &BackgroundEmulator) -> Vec<(String, String)> {
    emu.emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method, r.path))
        .collect()
}

fn id_of(values: &Value) -> String {
    values["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no string id in {values}"))
        .to_string()
}

/// Terraform folds long diagnostics onto `│ `-prefixed lines; join them back.
fn unfolded(text: &str) -> String {
    text.replace("\n│ ", " ").replace("\n│", " ")
}

/// `key=value` tokens of one hclog line as Terraform prints it.
fn log_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|t| t.strip_prefix(key)?.strip_prefix('='))
}

/// Provider log lines (as Terraform prints them) at `level` whose message is `message`.
fn provider_lines<'a>(stderr: &'a str, level: &str, message: &str) -> Vec<&'a str> {
    let prefix = format!("[{level}] provider.terraform-provider-cloudflare: {message}:");
    stderr.lines().filter(|l| l.contains(&prefix)).collect()
}

/// Largest `field` (e.g. `request_bytes`) logged for `rpc` in a "Received request" / "Served request" line.
/// go-plugin re-prints JSON numbers as Go floats, so 10000468 shows as `"1.0000468e+07"`.
fn logged_size(stderr: &str, message: &str, rpc: &str, field: &str) -> u64 {
    provider_lines(stderr, "DEBUG", message)
        .into_iter()
        .filter(|l| log_field(l, "tf_rpc") == Some(rpc))
        .filter_map(|l| log_field(l, field)?.trim_matches('"').parse::<f64>().ok())
        .map(|n| n as u64)
        .max()
        .unwrap_or_else(|| panic!("no {message:?} line with {field} for {rpc} in the provider log"))
}

/// Live (not zombie) processes running our provider binary in process group `pgid`. The harness starts
/// each Terraform in its own group and providers inherit it, so this finds exactly the providers of one
/// command, even after Terraform exited and they were re-parented.
fn provider_processes_in_group(pgid: u32) -> Vec<u32> {
    let exe = fs::canonicalize(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"))
        .expect("provider binary exists");
    let deleted = PathBuf::from(format!("{} (deleted)", exe.display()));
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").expect("read /proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // Unreadable for zombies and for processes that are gone by now.
        let Ok(link) = fs::read_link(format!("/proc/{pid}/exe")) else {
            continue;
        };
        if link != exe && link != deleted {
            continue;
        }
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp …`; comm may hold spaces, so split after the last ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.first() != Some(&"Z") && fields.get(2) == Some(&pgid.to_string().as_str()) {
            found.push(pid);
        }
    }
    found
}

// ----- terraform query -------------------------------------------------------------------------------

/// Events of one type from `terraform query -json`.
fn query_events(out: &Output, kind: &str) -> Vec<Value> {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == kind)
        .map(|v| v[kind].clone())
        .collect()
}

/// `terraform query` finds exactly the organizations whose name matches (text, JSON, with and without the
/// resource object), and `-generate-config-out` writes config that imports them with no change.
#[test]
fn query_lists_matching_organizations_and_generates_importable_config() {
    let emu = emulator();
    let east = emu.emulator.seed_organization("acme-east", None);
    let west = emu.emulator.seed_organization("acme-west", None);
    let other = emu.emulator.seed_organization("globex", None);
    let query = |include: &str| {
        testdata(
            "protocol/query.tfquery.hcl",
            &[("include_resource", include), ("contains", "acme")],
        )
    };
    let ws = workspace(&emu)
        .file("main.tf", &testdata("protocol/provider.tf", &[]))
        .file("found.tfquery.hcl", &query("false"));
    let expected: BTreeSet<String> = [east.clone(), west.clone()].into();

    // Human output: one line per match, with its identity and display name.
    let out = ws.run(&["query"]);
    out.assert_success();
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("list.cloudflare_organization.found"))
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    for (id, name) in [(&east, "acme-east"), (&west, "acme-west")] {
        let want = format!("{name} ({id})");
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("id={id}")) && l.contains(&want)),
            "no line for {want}\n{out}"
        );
    }
    assert!(!out.stdout.contains(&other), "{out}");

    // JSON output without the resource object.
    let out = ws.run(&["query", "-json"]);
    out.assert_success();
    let found = query_events(&out, "list_resource_found");
    let ids: BTreeSet<String> = found
        .iter()
        .map(|f| f["identity"]["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, expected, "{out}");
    for f in &found {
        assert_eq!(f["address"], "list.cloudflare_organization.found");
        assert_eq!(f["resource_type"], "cloudflare_organization");
        assert!(
            f["resource_object"].is_null(),
            "no resource object unless include_resource: {f}"
        );
    }
    let complete = query_events(&out, "list_complete");
    assert_eq!(complete.len(), 1, "{out}");
    assert_eq!(complete[0]["total"], 2);

    // With include_resource, each result carries the full resource state.
    ws.write_file("found.tfquery.hcl", &query("true"));
    let out = ws.run(&["query", "-json"]);
    out.assert_success();
    let found = query_events(&out, "list_resource_found");
    assert_eq!(found.len(), 2, "{out}");
    for f in &found {
        let id = f["identity"]["id"].as_str().unwrap_or_default();
        let org = emu.emulator.organization(id).expect("listed org exists");
        let object = &f["resource_object"];
        assert_eq!(object["id"], json!(id));
        assert_eq!(object["name"], org["name"]);
        assert_eq!(object["create_time"], org["create_time"]);
        assert_eq!(
            object["meta"]["hierarchy_tags"],
            org["meta"]["hierarchy_tags"]
        );
        assert_eq!(object["parent"], Value::Null);
        assert_eq!(
            f["display_name"],
            json!(format!(
                "{} ({id})",
                org["name"].as_str().unwrap_or_default()
            ))
        );
    }
    // The filter reached the API: every list call asked for name.contains=acme.
    let lists: Vec<RecordedRequest> = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path == format!("{API_PREFIX}/organizations"))
        .collect();
    assert_eq!(lists.len(), 3, "one list call per query run");
    for r in &lists {
        let q = r.query.as_deref().unwrap_or_default();
        assert!(q.contains("name.contains=acme"), "{q}");
    }

    // Generated config: a resource and an identity import block per result, which plan as imports with
    // no change.
    ws.run(&["query", "-generate-config-out=generated.tf"])
        .assert_success();
    let generated = fs::read_to_string(ws.path("generated.tf")).expect("generated.tf written");
    assert_eq!(
        generated
            .matches("resource \"cloudflare_organization\"")
            .count(),
        2,
        "{generated}"
    );
    assert_eq!(generated.matches("identity = {").count(), 2, "{generated}");
    for (id, name) in [(&east, "acme-east"), (&west, "acme-west")] {
        assert!(generated.contains(&format!("id = \"{id}\"")), "{generated}");
        let line = format!("name=\"{name}\"");
        assert!(
            generated
                .lines()
                .any(|l| l.split_whitespace().collect::<String>() == line),
            "{generated}"
        );
    }
    assert!(!generated.contains("create_time"), "{generated}");

    let plan = ws.plan_json(&[]);
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes");
    assert_eq!(changes.len(), 2, "{plan}");
    let mut imported = BTreeSet::new();
    for rc in changes {
        assert_eq!(rc["change"]["actions"], json!(["no-op"]), "{rc}");
        let id = rc["change"]["importing"]["identity"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("imported by identity: {rc}"));
        assert_eq!(rc["change"]["after"]["id"], json!(id));
        imported.insert(id.to_string());
    }
    assert_eq!(imported, expected);
    ws.apply();
    ws.assert_empty_plan();
    assert_eq!(ws.state_list().len(), 2);
    assert!(
        writes(&emu).is_empty(),
        "query and import never write: {:?}",
        writes(&emu)
    );
}

// ----- import of the profile ---------------------------------------------------------------------------

/// `terraform import` by ID and an `import` block by identity both reproduce a profile's state exactly,
/// without writing anything.
#[test]
fn profile_import_by_id_and_by_identity_reproduce_state() {
    let emu = emulator();
    let org = emu.emulator.seed_organization("Profiled Org", None);
    let ws = workspace(&emu).file(
        "main.tf",
        &testdata(
            "protocol/profile.tf",
            &[
                ("organization_id", &org),
                ("business_name", "Acme Corporation"),
                ("business_email", "it-admin@acme.example"),
            ],
        ),
    );
    apply_and_verify(&ws);
    let state = ws.state_resource(PROFILE);
    assert_attrs(
        &state,
        &[
            ("id", json!(org)),
            ("organization_id", json!(org)),
            ("business_name", json!("Acme Corporation")),
            ("business_email", json!("it-admin@acme.example")),
            ("external_metadata", json!("{\"department\":\"IT\"}")),
        ],
    );
    assert_eq!(
        emu.emulator.organization(&org).expect("org")["profile"]["business_email"],
        "it-admin@acme.example"
    );

    emu.emulator.clear_requests();
    let by_id = import_verify(&ws, PROFILE, &org, &[]);
    by_id.assert_empty_plan();
    let by_identity = import_identity_verify(
        &ws,
        PROFILE,
        &format!("{{ organization_id = {} }}", hcl_string(&org)),
        &[],
    );
    by_identity.assert_empty_plan();
    assert!(
        writes(&emu).is_empty(),
        "imports only read: {:?}",
        writes(&emu)
    );

    // Destroy forgets the profile; the API cannot delete one.
    destroy_and_check(&ws);
    assert_eq!(
        emu.emulator.organization(&org).expect("org")["profile"]["business_name"],
        "Acme Corporation"
    );
}

// ----- 5 MB messages -----------------------------------------------------------------------------------

/// A 5 MB attribute goes through every RPC of plan, apply and refresh (each message over 5 MB) and
/// round-trips to the API unchanged.
#[test]
fn a_5_mb_attribute_plans_applies_and_refreshes() {
    const SIZE: usize = 5 * 1024 * 1024 + 4096;
    let metadata: String = "0123456789abcdef".repeat(SIZE / 16);
    assert_eq!(metadata.len(), SIZE);
    let emu = emulator();
    let ws = workspace(&emu).env("TF_LOG_PROVIDER", "DEBUG").file(
        "main.tf",
        &testdata(
            "protocol/big_metadata.tf",
            &[("external_metadata", &metadata)],
        ),
    );
    let size = SIZE as u64;

    let plan_file = ws.scratch("big.tfplan").to_string_lossy().into_owned();
    let out = ws.run(&["plan", "-input=false", &format!("-out={plan_file}")]);
    out.assert_success();
    for rpc in ["ValidateResourceConfig", "PlanResourceChange"] {
        let got = logged_size(&out.stderr, "Received request", rpc, "request_bytes");
        assert!(got > size, "{rpc} request was {got} bytes");
    }
    let planned = logged_size(
        &out.stderr,
        "Served request",
        "PlanResourceChange",
        "response_bytes",
    );
    assert!(
        planned > size,
        "PlanResourceChange response was {planned} bytes"
    );
    let plan = ws
        .run(&["show", "-json", &plan_file])
        .assert_success()
        .json();
    let after = &plan["resource_changes"][0]["change"]["after"];
    assert_eq!(
        after["profile"]["external_metadata"].as_str().map(str::len),
        Some(SIZE)
    );

    let out = ws.run(&["apply", "-input=false", &plan_file]);
    out.assert_success();
    let sent = logged_size(
        &out.stderr,
        "Received request",
        "ApplyResourceChange",
        "request_bytes",
    );
    assert!(sent > 2 * size, "config and planned state: {sent} bytes");
    let applied = logged_size(
        &out.stderr,
        "Served request",
        "ApplyResourceChange",
        "response_bytes",
    );
    assert!(applied > size, "new state: {applied} bytes");
    let id = id_of(&ws.state_resource("cloudflare_organization.big"));
    let stored = emu.emulator.organization(&id).expect("org created");
    assert!(
        stored["profile"]["external_metadata"].as_str() == Some(metadata.as_str()),
        "the API received the metadata unchanged"
    );

    // Refresh reads the 5 MB profile back; nothing changes.
    ws.assert_empty_plan();
    destroy_and_check(&ws);
    assert!(emu.emulator.organization_ids().is_empty());
}

// ----- Ctrl-C (F12) ------------------------------------------------------------------------------------

/// Starts `apply` for one organization, waits until `ready` holds for the emulator's request log,
/// presses Ctrl-C (SIGINT to Terraform's process group), and checks what must hold after any
/// interrupt: Terraform exits non-zero within 10 s saying the provider stopped, no provider process of
/// that command is left, and no request reached the emulator after the interrupt. Returns Terraform's
/// output and the requests seen by the time of the interrupt.
fn interrupt_apply(
    emu: &BackgroundEmulator,
    ready: impl Fn(&[RecordedRequest]) -> bool,
) -> (Output, Vec<RecordedRequest>) {
    let ws = workspace(emu).file("main.tf", &named_org("slow", "Slow Org"));
    let run = ws.spawn(&["apply", "-auto-approve", "-input=false"]);
    let group = run.pid();
    wait_until(
        "the create reaches the emulator",
        Duration::from_secs(60),
        || ready(&emu.emulator.requests()).then_some(()),
    );
    let providers = provider_processes_in_group(group);
    assert!(
        !providers.is_empty(),
        "a provider process of this apply is running while its request is held"
    );

    let before = emu.emulator.requests();
    let pressed = Instant::now();
    run.interrupt_group();
    let out = run.wait_within(Duration::from_secs(10));
    let took = pressed.elapsed();
    assert_ne!(out.status, 0, "an interrupted apply fails\n{out}");
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains("Interrupt received"),
        "{out}"
    );
    // The provider itself gave up (StopProvider cancelled its work); it did not just die.
    assert!(
        unfolded(&out.stderr).contains("cancelled because Terraform is stopping"),
        "after {took:?}\n{out}"
    );

    let left = wait_until(
        "the providers of the interrupted apply have exited",
        Duration::from_secs(5),
        || {
            let left = provider_processes_in_group(group);
            left.is_empty().then_some(left)
        },
    );
    assert!(left.is_empty());
    // With every provider of that apply gone, nothing more can arrive: compare the whole log.
    let after = emu.emulator.requests();
    let last = before.last().map_or(0, |r| r.seq);
    let late: Vec<_> = after.iter().filter(|r| r.seq > last).collect();
    assert!(late.is_empty(), "requests after the interrupt: {late:?}");
    assert!(ws.state_list().is_empty(), "nothing was created");
    (out, before)
}

/// Ctrl-C while the API holds the create: Terraform exits in seconds, the held request is abandoned,
/// nothing is created, and no provider process is left.
#[test]
fn ctrl_c_during_a_held_create_cancels_it() {
    let emu = emulator_with_faults(Faults {
        hold_post_secs: 120,
        ..Faults::default()
    });
    let (_, before) = interrupt_apply(&emu, |log| log.iter().any(|r| r.method == "POST"));
    let posts: Vec<_> = before.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1);
    // The provider dropped the connection instead of waiting out the 120 s hold.
    let seq = posts[0].seq;
    let held = wait_until(
        "the emulator notices the abandoned POST",
        Duration::from_secs(5),
        || {
            emu.emulator
                .requests()
                .into_iter()
                .find(|r| r.seq == seq && r.status != 0)
        },
    );
    assert_eq!(held.status, 499, "{held:?}");
    assert_eq!(held.fault.as_deref(), Some("client_disconnected"));
    assert!(emu.emulator.organization_ids().is_empty());
}

/// Ctrl-C during a rate-limit back-off: the wait ends at once and the create is not retried.
#[test]
fn ctrl_c_during_a_rate_limit_backoff_stops_retrying() {
    let emu = emulator_with_faults(Faults {
        rate_limit_forever: true,
        // Long enough that a retry could only come from a provider that ignored the interrupt.
        retry_after_secs: Some(20),
        ..Faults::default()
    });
    let (_, before) = interrupt_apply(&emu, |log| {
        log.iter().any(|r| r.method == "POST" && r.status == 429)
    });
    let posts = emu
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "no retry after the interrupt: {before:?}");
    assert!(emu.emulator.organization_ids().is_empty());
}

// ----- debug mode --------------------------------------------------------------------------------------

/// `terraform-provider-cloudflare --debug`, started the way a developer would, killed when dropped.
struct DebugProvider {
    child: Child,
    /// The `TF_REATTACH_PROVIDERS` value it printed.
    reattach: String,
    socket: PathBuf,
}

impl DebugProvider {
    /// Starts it with credentials for `emu` in its own environment (Terraform passes none to a
    /// reattached provider) and reads the reattach line from its stdout.
    fn start(emu: &BackgroundEmulator) -> DebugProvider {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"));
        cmd.arg("--debug");
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("TF_") || k.starts_with("CLOUDFLARE_") || k.starts_with("PLUGIN_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env("CLOUDFLARE_BASE_URL", &emu.base_url)
            .env("CLOUDFLARE_API_TOKEN", TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, like a process in another terminal: Ctrl-C for Terraform never reaches it.
            .process_group(0);
        let mut child = cmd.spawn().expect("start the provider in debug mode");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        let (tx, rx) = mpsc::channel::<String>();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut provider = DebugProvider {
            child,
            reattach: String::new(),
            socket: PathBuf::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut printed = Vec::new();
        while provider.reattach.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(v) = line
                        .split("TF_REATTACH_PROVIDERS='")
                        .nth(1)
                        .and_then(|s| s.split('\'').next())
                    {
                        provider.reattach = v.to_string();
                    }
                    printed.push(line);
                }
                Err(_) => panic!("no TF_REATTACH_PROVIDERS line within 30 s; printed: {printed:?}"),
            }
        }
        let config: Value = serde_json::from_str(&provider.reattach).expect("reattach JSON");
        let entry = &config["registry.terraform.io/cloudflare-orgs/cloudflare"];
        assert_eq!(entry["Pid"], json!(provider.child.id()), "{config}");
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        provider.socket = PathBuf::from(entry["Addr"]["String"].as_str().expect("socket path"));
        assert!(provider.socket.exists(), "{config}");
        provider
    }

    fn assert_running(&mut self, after: &str) {
        assert!(
            matches!(self.child.try_wait(), Ok(None)),
            "the debug provider exited during {after}"
        );
    }

    /// Sends `signal` and waits (up to 5 s) for a clean exit that removes the socket.
    fn stop_with(mut self, signal: i32) {
        // SAFETY: kill(2) has no memory-safety preconditions.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
        let status = wait_until("the debug provider exits", Duration::from_secs(5), || {
            self.child.try_wait().ok().flatten()
        });
        assert!(status.success(), "exit status {status:?}");
        assert!(
            !self.socket.exists(),
            "socket {} left behind",
            self.socket.display()
        );
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A workspace whose Terraform has no credentials and attaches to `provider`, so every API call it
/// makes proves the reattached process served it.
fn attached_workspace(provider: &DebugProvider) -> Workspace {
    Workspace::new()
        .env("TF_REATTACH_PROVIDERS", &provider.reattach)
        .file("main.tf", &named_org("debugged", "Debugged Org"))
}

/// Apply, plan and destroy all run against one provider started with `--debug`, which stays up across
/// the commands and exits cleanly on Ctrl-C.
#[test]
fn debug_mode_serves_several_commands_and_stops_on_ctrl_c() {
    let emu = emulator();
    let mut provider = DebugProvider::start(&emu);
    let ws = attached_workspace(&provider);

    apply_and_verify(&ws);
    provider.assert_running("apply and plan");
    let id = id_of(&ws.state_resource("cloudflare_organization.debugged"));
    assert_eq!(
        emu.emulator.organization(&id).expect("created")["name"],
        "Debugged Org"
    );
    destroy_and_check(&ws);
    provider.assert_running("destroy");
    assert!(emu.emulator.organization_ids().is_empty());
    provider.stop_with(libc::SIGINT);
}

/// After a Ctrl-C'd apply, the same debug-mode provider serves the next apply: StopProvider cancels the
/// work in flight, not every later command.
#[test]
fn debug_mode_serves_the_next_command_after_an_interrupted_one() {
    let emu = emulator_with_faults(Faults {
        hold_post_secs: 120,
        ..Faults::default()
    });
    let mut provider = DebugProvider::start(&emu);
    let ws = attached_workspace(&provider);

    let run = ws.spawn(&["apply", "-auto-approve", "-input=false"]);
    wait_until(
        "the create reaches the emulator",
        Duration::from_secs(60),
        || {
            emu.emulator
                .requests()
                .iter()
                .any(|r| r.method == "POST")
                .then_some(())
        },
    );
    run.interrupt_group();
    let out = run.wait_within(Duration::from_secs(10));
    assert_ne!(out.status, 0, "{out}");
    assert!(
        unfolded(&out.stderr).contains("cancelled because Terraform is stopping"),
        "{out}"
    );
    provider.assert_running("the interrupted apply");

    emu.emulator.set_faults(Faults::default());
    apply_and_verify(&ws);
    provider.assert_running("the second apply");
    assert_eq!(emu.emulator.organization_ids().len(), 1);
    destroy_and_check(&ws);
    provider.stop_with(libc::SIGTERM);
}

// ----- read-only attributes ----------------------------------------------------------------------------

/// Values for read-only attributes (top level, nested, and in a data source) fail `terraform validate`
/// at their lines, before any API call.
#[test]
fn read_only_attributes_in_config_fail_validation_at_their_lines() {
    let emu = emulator();
    let parent = emu.emulator.seed_organization("Parent Org", None);
    let ws = workspace(&emu).file(
        "main.tf",
        &testdata("protocol/read_only.tf", &[("organization_id", &parent)]),
    );
    let out = ws.run(&["validate"]);
    out.assert_failure();
    let text = unfolded(&out.stderr);
    assert_eq!(
        text.matches("Error: Invalid Configuration for Read-Only Attribute")
            .count(),
        3,
        "{out}"
    );
    for (line, attr) in [(13, "create_time"), (17, "name"), (23, "id")] {
        assert!(
            text.contains(&format!("on main.tf line {line}"))
                && text.contains(&format!("`{attr}` is read-only")),
            "no error at line {line} for {attr}\n{out}"
        );
    }
    assert!(emu.emulator.requests().is_empty(), "validate calls no API");
}

// ----- moved blocks ------------------------------------------------------------------------------------

/// A same-type `moved` rename plans as a move with no change, applies without any API write, and leaves an
/// empty plan.
#[test]
fn moved_rename_within_a_type_makes_no_api_write() {
    let emu = emulator();
    let ws = workspace(&emu).file("main.tf", &named_org("a", "Moving Org"));
    apply_and_verify(&ws);
    let id = id_of(&ws.state_resource("cloudflare_organization.a"));

    ws.write_file("main.tf", &named_org("b", "Moving Org"));
    ws.write_file("moved.tf", &testdata("protocol/moved_same_type.tf", &[]));
    emu.emulator.clear_requests();
    let plan = ws.plan_json(&[]);
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes");
    assert_eq!(changes.len(), 1, "{plan}");
    assert_eq!(changes[0]["address"], "cloudflare_organization.b");
    assert_eq!(changes[0]["previous_address"], "cloudflare_organization.a");
    assert_eq!(changes[0]["change"]["actions"], json!(["no-op"]));
    assert_eq!(changes[0]["change"]["after"]["id"], json!(id));
    // Terraform counts a pending move as a change (plans.Changes.Empty), so -detailed-exitcode is 2
    // until the move is applied; the plan itself adds, changes and destroys nothing.
    let out = ws.run(&["plan", "-input=false", "-detailed-exitcode"]);
    out.assert_exit(2)
        .stdout_contains("0 to add, 0 to change, 0 to destroy");

    ws.apply();
    assert_eq!(ws.plan_exitcode(&[]), 0, "empty once the move is applied");
    ws.assert_empty_plan();
    assert_eq!(
        ws.state_list(),
        vec!["cloudflare_organization.b".to_string()]
    );
    assert!(
        writes(&emu).is_empty(),
        "a move never writes: {:?}",
        writes(&emu)
    );
    destroy_and_check(&ws);
}

/// A `moved` block from an organization to a profile fails with our "Move Not Supported" diagnostic,
/// not a plugin error, and changes nothing.
#[test]
fn moved_across_types_is_refused_with_a_diagnostic() {
    let emu = emulator();
    let ws = workspace(&emu).file("main.tf", &named_org("b", "Fixed Type Org"));
    apply_and_verify(&ws);
    let id = id_of(&ws.state_resource("cloudflare_organization.b"));

    ws.write_file("main.tf", &testdata("protocol/provider.tf", &[]));
    ws.write_file(
        "moved.tf",
        &testdata("protocol/moved_cross_type.tf", &[("organization_id", &id)]),
    );
    emu.emulator.clear_requests();
    let out = ws.run(&["plan", "-input=false"]);
    out.assert_failure().stderr_contains("Move Not Supported");
    let text = unfolded(&out.stderr);
    assert!(
        text.contains("cannot move state from cloudflare_organization")
            && text.contains("to cloudflare_organization_profile"),
        "{out}"
    );
    for crash in [
        "Plugin error",
        "Unsupported plugin method",
        "panicked",
        "Plugin did not respond",
    ] {
        assert!(!out.stderr.contains(crash), "{crash}\n{out}");
    }
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    assert_eq!(
        ws.state_list(),
        vec!["cloudflare_organization.b".to_string()]
    );

    ws.remove_file("moved.tf");
    ws.write_file("main.tf", &named_org("b", "Fixed Type Org"));
    destroy_and_check(&ws);
}

// ----- logging -----------------------------------------------------------------------------------------

/// `TF_LOG_PROVIDER=DEBUG` shows one provider line per API request (method, path, status) and nothing at
/// TRACE; `TF_LOG=TRACE` adds redacted bodies, and neither level ever prints the token or the email.
#[test]
fn provider_logs_reach_terraform_at_the_requested_level_without_secrets() {
    const SECRET: &str = "SECRET-MARKER-123";
    const EMAIL: &str = "MARKER-EMAIL@example.com";
    let emu = emulator_with(Config {
        api_tokens: vec![SECRET.to_string()],
        ..Config::default()
    });
    let config = |business_name: &str| {
        testdata(
            "protocol/logged_org.tf",
            &[("business_name", business_name), ("business_email", EMAIL)],
        )
    };
    let mut ws = Workspace::new()
        .provider_env(&emu.base_url, Auth::token(SECRET))
        .file("main.tf", &config("Acme Corporation"));

    ws.set_env("TF_LOG_PROVIDER", "DEBUG");
    let out = ws.apply_with(&[]);
    let mut logged: Vec<(String, String, u16)> =
        provider_lines(&out.stderr, "DEBUG", "cloudflare api request")
            .into_iter()
            .map(|l| {
                let field = |k| log_field(l, k).unwrap_or_else(|| panic!("no {k} in {l}"));
                (
                    field("method").to_string(),
                    field("path").to_string(),
                    field("status")
                        .parse()
                        .unwrap_or_else(|_| panic!("status in {l}")),
                )
            })
            .collect();
    let mut served: Vec<(String, String, u16)> = emu
        .emulator
        .requests()
        .into_iter()
        .map(|r| {
            let path = r
                .path
                .strip_prefix(API_PREFIX)
                .unwrap_or(&r.path)
                .to_string();
            (r.method, path, r.status)
        })
        .collect();
    logged.sort();
    served.sort();
    assert!(
        served.contains(&("POST".to_string(), "/organizations".to_string(), 200)),
        "{served:?}"
    );
    assert_eq!(
        logged, served,
        "one DEBUG line per API request\n{}",
        out.stderr
    );
    assert!(
        !out.stderr
            .contains("[TRACE] provider.terraform-provider-cloudflare"),
        "TRACE lines at DEBUG\n{}",
        out.stderr
    );
    for marker in [SECRET, EMAIL] {
        assert!(!out.stderr.contains(marker), "{marker} in the DEBUG log");
    }
    assert!(!out.stdout.contains(SECRET));

    // A profile update at TRACE: the request and response bodies are logged, redacted.
    ws.set_env("TF_LOG", "TRACE");
    ws.set_env("TF_LOG_PROVIDER", "TRACE");
    ws.write_file("main.tf", &config("Acme Corporation Holdings"));
    let out = ws.apply_with(&[]);
    let bodies = provider_lines(&out.stderr, "TRACE", "request body");
    let put = bodies
        .iter()
        .find(|l| log_field(l, "method") == Some("PUT"))
        .unwrap_or_else(|| panic!("no TRACE request body for the profile PUT\n{}", out.stderr));
    assert!(
        put.contains("<redacted>") && put.contains("external_metadata"),
        "{put}"
    );
    let responses = provider_lines(&out.stderr, "TRACE", "response body");
    assert!(
        responses.iter().any(|l| l.contains("<redacted>")),
        "a profile read is logged, redacted\n{}",
        out.stderr
    );
    for marker in [SECRET, EMAIL] {
        assert!(!out.stderr.contains(marker), "{marker} in the TRACE log");
    }
    assert!(!out.stdout.contains(SECRET));
    destroy_and_check(&ws);
}

/// Ctrl-C while `apply` refreshes: Terraform sends no StopProvider in that phase, so the provider's own
/// SIGINT handling cancels the slow read, and the apply ends in seconds instead of waiting out the API.
#[test]
fn ctrl_c_during_refresh_in_apply_cancels_the_read() {
    let emu = emulator_with_faults(Faults::default());
    let ws = workspace(&emu).file("main.tf", &named_org("slow", "Slow Refresh"));
    ws.apply();
    emu.emulator.set_faults(Faults {
        latency_ms: 30_000,
        ..Faults::default()
    });
    emu.emulator.clear_requests();
    let run = ws.spawn(&["apply", "-auto-approve", "-input=false"]);
    wait_until(
        "the refresh reaches the emulator",
        Duration::from_secs(60),
        || {
            emu.emulator
                .requests()
                .iter()
                .any(|r| r.method == "GET")
                .then_some(())
        },
    );
    let pressed = Instant::now();
    run.interrupt_group();
    let out = run.wait_within(Duration::from_secs(15));
    assert_ne!(out.status, 0, "an interrupted apply fails\n{out}");
    assert!(
        pressed.elapsed() < Duration::from_secs(15),
        "apply took {:?} after Ctrl-C",
        pressed.elapsed()
    );
    assert!(
        unfolded(&out.stderr).contains("cancelled because Terraform is stopping"),
        "{out}"
    );
    emu.emulator.set_faults(Faults::default());
    ws.destroy();
}
