//! Terraform CLI driver: locates Terraform ≥ 1.15 and runs it in throw-away workspaces wired to our provider.
//!
//! A [`Workspace`] is a temp dir holding a CLI config file whose `dev_overrides` point
//! `cloudflare-orgs/cloudflare` at the directory of the provider binary cargo built for this test
//! run, plus a `work/` directory holding the Terraform configuration. With `dev_overrides`,
//! Terraform 1.15 needs no `terraform init`.
//!
//! Commands run with a scrubbed environment: every inherited `TF_*` and `CLOUDFLARE_*` variable is
//! removed (so a developer's real API token or `TF_CLI_ARGS` never leaks into a test), then
//! `TF_IN_AUTOMATION=1`, `CHECKPOINT_DISABLE=1`, `TF_INPUT=0` and `TF_CLI_CONFIG_FILE` are set, then
//! whatever the test set with [`Workspace::env`] / [`Workspace::provider_env`] / [`Workspace::pass_env`].
//! stdin is `/dev/null`, ANSI colour codes are stripped from captured output, and every command is
//! killed (with its whole process group, providers included) and fails after a timeout, so a hang
//! never stalls CI.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The oldest Terraform the acceptance tests accept (identity, list resources, generated config).
pub const MIN_TERRAFORM: (u64, u64) = (1, 15);

/// How long one Terraform command may run before it is killed and the test fails.
/// Override per workspace with [`Workspace::timeout`], or globally with `TF_ACC_COMMAND_TIMEOUT_SECS`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Provider source address that the CLI config overrides.
pub const PROVIDER_SOURCE: &str = "cloudflare-orgs/cloudflare";

const INSTALL_HINT: &str =
    "run `make test`, or scripts/install-terraform.sh, or set TF_ACC_TERRAFORM_PATH";

// ---------------------------------------------------------------------------------------------
// Locating Terraform
// ---------------------------------------------------------------------------------------------

/// Path of a Terraform ≥ 1.15, found once per test binary and cached.
///
/// Order: `TF_ACC_TERRAFORM_PATH` (must be ≥ 1.15 if set), then `<repo>/.tools/bin/terraform`
/// (written by `scripts/install-terraform.sh`), then every `terraform` on `PATH`.
/// Panics with instructions when none qualifies; tests never skip for lack of Terraform.
pub fn terraform_path() -> PathBuf {
    static FOUND: OnceLock<Result<(PathBuf, String), String>> = OnceLock::new();
    match FOUND.get_or_init(locate_terraform) {
        Ok((path, _)) => path.clone(),
        Err(why) => panic!("Terraform ≥ 1.15 not found: {INSTALL_HINT}.\n{why}"),
    }
}

/// Version string (e.g. `1.15.5`) of the Terraform returned by [`terraform_path`].
pub fn terraform_version_string() -> String {
    terraform_version(&terraform_path()).expect("terraform_path() already ran `version -json`")
}

/// An older Terraform (< 1.15) for compatibility tests, if one is available.
///
/// `TF_ACC_LEGACY_TERRAFORM_PATH` if set, else the first `terraform` on `PATH` older than 1.15
/// (this machine has 1.11 at /usr/local/bin/terraform). A test that needs one and gets `None`
/// must fail, not pass.
pub fn legacy_terraform_path() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(p) =
                std::env::var_os("TF_ACC_LEGACY_TERRAFORM_PATH").filter(|v| !v.is_empty())
            {
                let p = PathBuf::from(p);
                return terraform_version(&p).map(|_| p);
            }
            which_all("terraform").into_iter().find(|p| {
                terraform_version(p).is_some_and(|v| !version_at_least(&v, MIN_TERRAFORM))
            })
        })
        .clone()
}

/// The version a Terraform executable reports (`version -json`, falling back to the text form),
/// or `None` if it does not run.
pub fn terraform_version(path: &Path) -> Option<String> {
    let out = Command::new(path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_CLI_ARGS_version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    if let Ok(v) = serde_json::from_str::<Value>(&stdout) {
        return v["terraform_version"].as_str().map(str::to_owned);
    }
    // Terraform < 0.13 has no `version -json`: "Terraform v0.12.31".
    stdout
        .lines()
        .next()?
        .strip_prefix("Terraform v")
        .map(|v| v.trim().to_owned())
}

/// Parses `1.15.5` / `1.15.0-beta1` into `(major, minor, patch)`.
pub fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>());
    let major = parts.next()?.ok()?;
    let minor = parts.next()?.ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

/// Whether version string `v` is at least `(major, minor)`.
pub fn version_at_least(v: &str, min: (u64, u64)) -> bool {
    parse_version(v).is_some_and(|(major, minor, _)| (major, minor) >= min)
}

fn locate_terraform() -> Result<(PathBuf, String), String> {
    if let Some(p) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        return match terraform_version(&p) {
            Some(v) if version_at_least(&v, MIN_TERRAFORM) => Ok((p, v)),
            Some(v) => Err(format!(
                "TF_ACC_TERRAFORM_PATH={} is Terraform {v}, older than 1.15",
                p.display()
            )),
            None => Err(format!(
                "TF_ACC_TERRAFORM_PATH={} does not run `terraform version -json`",
                p.display()
            )),
        };
    }
    let mut candidates = Vec::new();
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/terraform");
    if local.exists() {
        candidates.push(local);
    }
    candidates.extend(which_all("terraform"));
    let mut tried = Vec::new();
    for c in candidates {
        match terraform_version(&c) {
            Some(v) if version_at_least(&v, MIN_TERRAFORM) => return Ok((c, v)),
            Some(v) => tried.push(format!("  {}: Terraform {v} (too old)", c.display())),
            None => tried.push(format!("  {}: does not run", c.display())),
        }
    }
    if tried.is_empty() {
        tried.push("  (no .tools/bin/terraform, no terraform on PATH)".into());
    }
    Err(format!("Candidates tried:\n{}", tried.join("\n")))
}

/// Every executable file named `name` on `PATH`, in `PATH` order.
fn which_all(name: &str) -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for dir in std::env::split_paths(&path) {
        let p = dir.join(name);
        let executable = fs::metadata(&p)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false);
        if executable && !found.contains(&p) {
            found.push(p);
        }
    }
    found
}

/// Directory holding the `terraform-provider-cloudflare` binary cargo built for this test run.
pub fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"))
        .parent()
        .expect("provider binary has a parent directory")
        .to_path_buf()
}

/// Reads `tests/testdata/<rel>` and replaces each `{{key}}` with its value.
///
/// Panics if the file is missing, if a `{{placeholder}}` is left unreplaced, or if a key is unused,
/// so fixtures and tests cannot drift apart silently.
pub fn testdata(rel: &str, vars: &[(&str, &str)]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata")
        .join(rel);
    let mut text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read test fixture {}: {e}", path.display()));
    for (key, value) in vars {
        let placeholder = format!("{{{{{key}}}}}");
        assert!(
            text.contains(&placeholder),
            "test fixture {} has no placeholder {placeholder}",
            path.display()
        );
        text = text.replace(&placeholder, value);
    }
    if let Some(start) = text.find("{{") {
        let rest: String = text[start..].chars().take(40).collect();
        panic!(
            "test fixture {} has an unreplaced placeholder: {rest}",
            path.display()
        );
    }
    text
}

/// Quotes `s` as an HCL string literal (escapes `\`, `"`, newlines, and `${` / `%{` templates).
pub fn hcl_string(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

// ---------------------------------------------------------------------------------------------
// Workspace
// ---------------------------------------------------------------------------------------------

/// Credentials handed to the provider through its environment variables.
#[derive(Clone, Debug)]
pub enum Auth {
    /// No credentials at all (to test the "missing credentials" diagnostic).
    None,
    /// `CLOUDFLARE_API_TOKEN`.
    Token(String),
    /// `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`.
    Key { email: String, key: String },
}

impl Auth {
    /// An API token.
    pub fn token(token: &str) -> Self {
        Auth::Token(token.to_owned())
    }
    /// A global API key with its account email.
    pub fn key(email: &str, key: &str) -> Self {
        Auth::Key {
            email: email.to_owned(),
            key: key.to_owned(),
        }
    }
}

/// A throw-away Terraform working directory wired to our provider (builder style).
pub struct Workspace {
    root: tempfile::TempDir,
    work: PathBuf,
    cli_config: PathBuf,
    terraform: PathBuf,
    env: BTreeMap<String, Option<String>>,
    timeout: Duration,
    plans: AtomicUsize,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl Workspace {
    /// A workspace driven by the Terraform ≥ 1.15 from [`terraform_path`] (panics if none).
    pub fn new() -> Self {
        Self::with_terraform(terraform_path())
    }

    /// A workspace driven by a specific Terraform executable, e.g. [`legacy_terraform_path`].
    pub fn with_terraform(terraform: impl Into<PathBuf>) -> Self {
        let root = tempfile::Builder::new()
            .prefix("tfcf-ws-")
            .tempdir()
            .expect("create workspace temp dir");
        let work = root.path().join("work");
        fs::create_dir(&work).expect("create workspace work dir");
        let cli_config = root.path().join("cli.tfrc");
        let cfg = format!(
            "# Written by tests/common/terraform.rs\n\
             disable_checkpoint = true\n\
             provider_installation {{\n  \
               dev_overrides {{\n    {} = {}\n  }}\n  \
               direct {{}}\n\
             }}\n",
            hcl_string(PROVIDER_SOURCE),
            hcl_string(&provider_dir().to_string_lossy()),
        );
        fs::write(&cli_config, cfg).expect("write CLI config");
        let timeout = std::env::var("TF_ACC_COMMAND_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT);
        Workspace {
            root,
            work,
            cli_config,
            terraform: terraform.into(),
            env: BTreeMap::new(),
            timeout,
            plans: AtomicUsize::new(0),
        }
    }

    // ----- builder -----

    /// Writes `contents` to `name` (relative to [`Self::dir`]; parent dirs are created).
    pub fn file(self, name: &str, contents: &str) -> Self {
        self.write_file(name, contents);
        self
    }

    /// Sets an environment variable for every command run in this workspace.
    pub fn env(mut self, key: &str, value: impl AsRef<str>) -> Self {
        self.set_env(key, value);
        self
    }

    /// Removes an environment variable for every command run in this workspace.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.env.insert(key.to_owned(), None);
        self
    }

    /// Copies `key` from the test process's environment, if set (the environment is otherwise
    /// scrubbed of `TF_*` and `CLOUDFLARE_*`). For opt-in live runs with real credentials.
    pub fn pass_env(mut self, key: &str) -> Self {
        if let Ok(v) = std::env::var(key) {
            self.set_env(key, v);
        }
        self
    }

    /// A workspace whose provider talks to `emu` with the emulator's default API token.
    pub fn for_emulator(emu: &tfcf::emulator::BackgroundEmulator) -> Self {
        Workspace::new().provider_env(
            &emu.base_url,
            Auth::token(tfcf::emulator::DEFAULT_API_TOKEN),
        )
    }

    /// Points the provider at `base_url` (`CLOUDFLARE_BASE_URL`) with the given credentials.
    pub fn provider_env(mut self, base_url: &str, auth: Auth) -> Self {
        self.set_env("CLOUDFLARE_BASE_URL", base_url);
        match auth {
            Auth::None => {}
            Auth::Token(t) => {
                self.set_env("CLOUDFLARE_API_TOKEN", t);
            }
            Auth::Key { email, key } => {
                self.set_env("CLOUDFLARE_EMAIL", email);
                self.set_env("CLOUDFLARE_API_KEY", key);
            }
        }
        self
    }

    /// Per-command timeout for this workspace (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    // ----- mutation between steps -----

    /// Writes (or overwrites) a file between steps, e.g. the updated `main.tf` of an update step.
    pub fn write_file(&self, name: &str, contents: &str) -> &Self {
        let path = self.work.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent dirs in workspace");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Deletes a file between steps.
    pub fn remove_file(&self, name: &str) -> &Self {
        let path = self.work.join(name);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        self
    }

    /// Sets an environment variable between steps.
    pub fn set_env(&mut self, key: &str, value: impl AsRef<str>) -> &mut Self {
        self.env
            .insert(key.to_owned(), Some(value.as_ref().to_owned()));
        self
    }

    /// A fresh workspace (no state) with a copy of this one's configuration files, env, timeout and
    /// Terraform. Used by import verification.
    pub fn fork_config(&self) -> Workspace {
        let mut ws = Workspace::with_terraform(self.terraform.clone());
        ws.env = self.env.clone();
        ws.timeout = self.timeout;
        copy_config(&self.work, &ws.work);
        ws
    }

    // ----- accessors -----

    /// The Terraform working directory (where `.tf` files live and commands run).
    pub fn dir(&self) -> &Path {
        &self.work
    }

    /// `dir().join(name)`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// A scratch path outside the working directory (for logs, plan files), removed with the workspace.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// The CLI config file passed as `TF_CLI_CONFIG_FILE`.
    pub fn cli_config(&self) -> &Path {
        &self.cli_config
    }

    /// The Terraform executable this workspace runs.
    pub fn terraform(&self) -> &Path {
        &self.terraform
    }

    // ----- running -----

    /// The fully configured `Command` for `terraform <args>` (env scrubbed and set, cwd, stdin null,
    /// own process group). Prefer [`Self::run`] / [`Self::spawn`], which add the timeout.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args).current_dir(&self.work).stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("TF_") || k.starts_with("CLOUDFLARE_") || k.starts_with("CHECKPOINT_")
            {
                cmd.env_remove(&key);
            }
        }
        cmd.env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env("TF_CLI_CONFIG_FILE", &self.cli_config);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        // Own process group: a timeout kills Terraform *and* the provider processes it started,
        // and a test can choose between signalling Terraform alone or the group (like Ctrl-C).
        cmd.process_group(0);
        cmd
    }

    /// Starts `terraform <args>` in the background (for interrupt tests).
    pub fn spawn(&self, args: &[&str]) -> Running {
        Running::start(
            self.command(args),
            self.describe(args),
            self.work.clone(),
            self.timeout,
        )
    }

    /// Runs `terraform <args>` to completion and returns its output, whatever the exit status.
    /// Panics (after killing it) if it outlives the workspace timeout.
    pub fn run(&self, args: &[&str]) -> Output {
        self.spawn(args).wait()
    }

    /// `apply -auto-approve -input=false`, asserting success.
    pub fn apply(&self) -> &Self {
        self.run(&["apply", "-auto-approve", "-input=false"])
            .assert_success();
        self
    }

    /// `apply -auto-approve -input=false <extra>`, asserting success; returns the output.
    pub fn apply_with(&self, extra: &[&str]) -> Output {
        let mut args = vec!["apply", "-auto-approve", "-input=false"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        out.assert_success();
        out
    }

    /// `destroy -auto-approve -input=false`, asserting success.
    pub fn destroy(&self) -> &Self {
        self.run(&["destroy", "-auto-approve", "-input=false"])
            .assert_success();
        self
    }

    /// Exit code of `plan -detailed-exitcode -input=false <extra>`: 0 = no changes, 2 = changes.
    /// Panics on any other code (an error); use [`Self::run`] to expect a failing plan.
    pub fn plan_exitcode(&self, extra: &[&str]) -> i32 {
        let mut args = vec!["plan", "-detailed-exitcode", "-input=false"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        if out.status != 0 && out.status != 2 {
            panic!("plan failed (expected exit 0 or 2)\n{out}");
        }
        out.status
    }

    /// Asserts that both `plan -refresh=false` and `plan` (with refresh) propose no changes, as
    /// terraform-plugin-testing does after every apply. Prints the plan on failure.
    pub fn assert_empty_plan(&self) -> &Self {
        for refresh in [&["-refresh=false"][..], &[][..]] {
            let mut args = vec!["plan", "-detailed-exitcode", "-input=false"];
            args.extend_from_slice(refresh);
            let out = self.run(&args);
            match out.status {
                0 => {}
                2 => panic!("expected an empty plan, but Terraform proposes changes\n{out}"),
                _ => panic!("plan failed while checking for an empty plan\n{out}"),
            }
        }
        self
    }

    /// Asserts that `plan -detailed-exitcode` proposes changes (exit 2), e.g. after drift.
    pub fn assert_plan_has_changes(&self) -> &Self {
        let out = self.run(&["plan", "-detailed-exitcode", "-input=false"]);
        if out.status != 2 {
            panic!("expected a plan with changes (exit 2)\n{out}");
        }
        self
    }

    /// `show -json` of the current state, parsed.
    pub fn show_json(&self) -> Value {
        self.run(&["show", "-json"]).assert_success().json()
    }

    /// The `values` of one resource (e.g. `cloudflare_organization.test`, or
    /// `module.m.x.y[0]`) from `show -json`. Panics, listing what exists, if it is absent.
    pub fn state_resource(&self, address: &str) -> Value {
        let state = self.show_json();
        match find_resource(&state["values"], address) {
            Some(r) => r["values"].clone(),
            None => panic!(
                "resource {address} not in state; state has: {:?}\n{}",
                resource_addresses(&state["values"]),
                serde_json::to_string_pretty(&state).unwrap_or_default()
            ),
        }
    }

    /// Addresses from `state list`, in Terraform's order (empty when there is no state file yet).
    pub fn state_list(&self) -> Vec<String> {
        let out = self.run(&["state", "list"]);
        if out.status == 1 && out.stderr.contains("No state file was found") {
            return Vec::new();
        }
        out.assert_success();
        out.stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `output -json`, parsed (an object of `{sensitive, type, value}` per output).
    pub fn output_json(&self) -> Value {
        self.run(&["output", "-json"]).assert_success().json()
    }

    /// `plan -input=false -out=<file> <extra>` then `show -json <file>`, parsed.
    pub fn plan_json(&self, extra: &[&str]) -> Value {
        let n = self.plans.fetch_add(1, Ordering::Relaxed);
        let file = self.scratch(&format!("plan-{n}.tfplan"));
        let out_arg = format!("-out={}", file.display());
        let mut args = vec!["plan", "-input=false", out_arg.as_str()];
        args.extend_from_slice(extra);
        self.run(&args).assert_success();
        let file = file.to_string_lossy().into_owned();
        self.run(&["show", "-json", &file]).assert_success().json()
    }

    fn describe(&self, args: &[&str]) -> String {
        let mut s = self.terraform.display().to_string();
        for a in args {
            s.push(' ');
            if a.is_empty() || a.contains([' ', '"', '\'', '$']) {
                s.push_str(&format!("{a:?}"));
            } else {
                s.push_str(a);
            }
        }
        s
    }
}

/// Copies config files (everything except `.terraform/`, state, lock info and plan files).
fn copy_config(from: &Path, to: &Path) {
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("read dir entry");
        let name = entry.file_name();
        let n = name.to_string_lossy();
        if n == ".terraform"
            || n.starts_with("terraform.tfstate")
            || n == ".terraform.tfstate.lock.info"
            || n.ends_with(".tfplan")
        {
            continue;
        }
        let src = entry.path();
        let dst = to.join(&name);
        if src.is_dir() {
            fs::create_dir_all(&dst).expect("create dir");
            copy_config(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        }
    }
}

/// Finds a resource by address in the `values` of `show -json` (state or `planned_values`),
/// searching child modules too.
pub fn find_resource<'a>(values: &'a Value, address: &str) -> Option<&'a Value> {
    fn walk<'a>(module: &'a Value, address: &str) -> Option<&'a Value> {
        if let Some(rs) = module["resources"].as_array() {
            if let Some(r) = rs.iter().find(|r| r["address"] == address) {
                return Some(r);
            }
        }
        module["child_modules"]
            .as_array()?
            .iter()
            .find_map(|m| walk(m, address))
    }
    walk(&values["root_module"], address)
}

/// All resource addresses in the `values` of `show -json`.
pub fn resource_addresses(values: &Value) -> Vec<String> {
    fn walk(module: &Value, out: &mut Vec<String>) {
        for r in module["resources"].as_array().into_iter().flatten() {
            if let Some(a) = r["address"].as_str() {
                out.push(a.to_owned());
            }
        }
        for m in module["child_modules"].as_array().into_iter().flatten() {
            walk(m, out);
        }
    }
    let mut out = Vec::new();
    walk(&values["root_module"], &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Output and Running
// ---------------------------------------------------------------------------------------------

/// What one Terraform command did.
#[derive(Clone, Debug)]
pub struct Output {
    /// The command line, for messages.
    pub command: String,
    /// The working directory it ran in.
    pub dir: PathBuf,
    /// Exit code; `128 + signal` if it was killed by a signal.
    pub status: i32,
    /// stdout, ANSI colour codes stripped.
    pub stdout: String,
    /// stderr, ANSI colour codes stripped.
    pub stderr: String,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl Output {
    /// Panics with the full output unless the exit status is 0.
    pub fn assert_success(&self) -> &Self {
        if self.status != 0 {
            panic!("command failed\n{self}");
        }
        self
    }

    /// Panics with the full output unless the exit status is `code`.
    pub fn assert_exit(&self, code: i32) -> &Self {
        if self.status != code {
            panic!("expected exit status {code}, got {}\n{self}", self.status);
        }
        self
    }

    /// Panics with the full output unless the command failed (non-zero exit).
    pub fn assert_failure(&self) -> &Self {
        if self.status == 0 {
            panic!("expected the command to fail, but it succeeded\n{self}");
        }
        self
    }

    /// Panics with the full output unless stdout contains `needle`.
    pub fn stdout_contains(&self, needle: &str) -> &Self {
        if !self.stdout.contains(needle) {
            panic!("expected stdout to contain {needle:?}\n{self}");
        }
        self
    }

    /// Panics with the full output unless stderr contains `needle`.
    pub fn stderr_contains(&self, needle: &str) -> &Self {
        if !self.stderr.contains(needle) {
            panic!("expected stderr to contain {needle:?}\n{self}");
        }
        self
    }

    /// Panics with the full output if stdout or stderr contains `needle` (e.g. a secret).
    pub fn assert_not_contains(&self, needle: &str) -> &Self {
        if self.stdout.contains(needle) || self.stderr.contains(needle) {
            panic!("expected output not to contain {needle:?}\n{self}");
        }
        self
    }

    /// stdout parsed as JSON; panics with the full output if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "command: {}", self.command)?;
        writeln!(f, "in:      {}", self.dir.display())?;
        writeln!(f, "exit:    {} (after {:.1?})", self.status, self.elapsed)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout.trim_end())?;
        write!(f, "--- stderr ---\n{}\n--- end ---", self.stderr.trim_end())
    }
}

struct Pipe {
    buf: Mutex<Vec<u8>>,
    done: AtomicBool,
}

impl Pipe {
    fn text(&self) -> String {
        strip_ansi(&String::from_utf8_lossy(
            &self.buf.lock().unwrap_or_else(|e| e.into_inner()),
        ))
    }
}

fn drain(mut from: impl Read + Send + 'static) -> Arc<Pipe> {
    let pipe = Arc::new(Pipe {
        buf: Mutex::new(Vec::new()),
        done: AtomicBool::new(false),
    });
    let p = pipe.clone();
    thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match from.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => p
                    .buf
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&chunk[..n]),
            }
        }
        p.done.store(true, Ordering::Release);
    });
    pipe
}

/// A Terraform command running in the background. Dropping it kills its process group.
pub struct Running {
    child: Child,
    command: String,
    dir: PathBuf,
    stdout: Arc<Pipe>,
    stderr: Arc<Pipe>,
    started: Instant,
    timeout: Duration,
}

impl Running {
    fn start(mut cmd: Command, command: String, dir: PathBuf, timeout: Duration) -> Running {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{command}` in {}: {e}", dir.display()));
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        Running {
            child,
            command,
            dir,
            stdout,
            stderr,
            started: Instant::now(),
            timeout,
        }
    }

    /// Terraform's process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT to Terraform only (what `kill -INT <pid>` does).
    pub fn interrupt(&self) {
        self.signal(libc::SIGINT, false);
    }

    /// Sends SIGINT to Terraform's whole process group, providers included (what Ctrl-C in a
    /// terminal does).
    pub fn interrupt_group(&self) {
        self.signal(libc::SIGINT, true);
    }

    /// Sends `sig` to Terraform, or to its process group.
    pub fn signal(&self, sig: i32, group: bool) {
        let pid = self.child.id() as libc::pid_t;
        let target = if group { -pid } else { pid };
        // SAFETY: kill(2) has no memory-safety preconditions.
        let rc = unsafe { libc::kill(target, sig) };
        if rc != 0 {
            panic!(
                "kill({target}, {sig}) failed: {}",
                std::io::Error::last_os_error()
            );
        }
    }

    /// stdout captured so far (ANSI stripped).
    pub fn stdout_so_far(&self) -> String {
        self.stdout.text()
    }

    /// stderr captured so far (ANSI stripped).
    pub fn stderr_so_far(&self) -> String {
        self.stderr.text()
    }

    /// Waits until stdout or stderr contains `needle`; panics (killing the command) if that does
    /// not happen within `within` or the command exits first.
    pub fn wait_for_output(&mut self, needle: &str, within: Duration) -> &mut Self {
        let deadline = Instant::now() + within;
        loop {
            if self.stdout.text().contains(needle) || self.stderr.text().contains(needle) {
                return self;
            }
            let exited = matches!(self.child.try_wait(), Ok(Some(_)));
            if exited || Instant::now() >= deadline {
                let why = if exited { "exited" } else { "timed out" };
                let out = self.finish_now();
                panic!("{why} before printing {needle:?} (waited up to {within:?})\n{out}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for exit within the workspace timeout; see [`Self::wait_within`].
    pub fn wait(self) -> Output {
        let t = self.timeout;
        self.wait_within(t)
    }

    /// Waits for exit within `limit` (measured from now). On timeout kills the process group and
    /// panics with the output so far.
    pub fn wait_within(mut self, limit: Duration) -> Output {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return self.collect(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                Ok(None) => {
                    let out = self.finish_now();
                    panic!("timed out after {limit:?}; killed the process group\n{out}");
                }
                Err(e) => panic!("waiting for `{}` failed: {e}", self.command),
            }
        }
    }

    /// Kills the process group (if still running) and returns what was captured.
    fn finish_now(&mut self) -> Output {
        self.kill_group();
        let status = self.child.wait().expect("wait for killed child");
        self.collect(status)
    }

    fn kill_group(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe {
                libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
            }
        }
    }

    fn collect(&mut self, status: ExitStatus) -> Output {
        // A grandchild may still hold the pipes open; don't wait for it forever.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !(self.stdout.done.load(Ordering::Acquire)
            && self.stderr.done.load(Ordering::Acquire))
            && Instant::now() < deadline
        {
            thread::sleep(Duration::from_millis(10));
        }
        Output {
            command: self.command.clone(),
            dir: self.dir.clone(),
            status: status
                .code()
                .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)),
            stdout: self.stdout.text(),
            stderr: self.stderr.text(),
            elapsed: self.started.elapsed(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill_group();
            let _ = self.child.wait();
        }
    }
}

/// Removes ANSI CSI escape sequences (`ESC [ ... final-byte`), which Terraform emits even when
/// stdout is not a terminal.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
