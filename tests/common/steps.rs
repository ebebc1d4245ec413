//! terraform-plugin-testing semantics on top of [`Workspace`]: apply → empty plans → import-verify → destroy.
//!
//! The script every resource test follows (style rule 9): [`apply_and_verify`] after each config
//! (create, then each update), [`import_verify`] (and/or [`import_block_verify`]) once, then
//! [`destroy_and_check`]. Any import-verify ignore carries a reason, and there is deliberately no
//! helper that tolerates a non-empty plan after apply.

use std::collections::BTreeMap;

use serde_json::Value;

use super::terraform::{find_resource, hcl_string, Workspace};

/// Applies the current config, then asserts an empty plan with `-refresh=false` and with refresh
/// (the "plan after apply is empty" rule). Returns `show -json` of the resulting state.
pub fn apply_and_verify(ws: &Workspace) -> Value {
    ws.apply();
    ws.assert_empty_plan();
    ws.show_json()
}

/// Destroys everything, then asserts `state list` is empty.
pub fn destroy_and_check(ws: &Workspace) {
    ws.destroy();
    let left = ws.state_list();
    assert!(
        left.is_empty(),
        "resources left in state after destroy: {left:?}\nin {}",
        ws.dir().display()
    );
}

/// Import verification through the CLI, like plugin-testing's `ImportState + ImportStateVerify`.
///
/// Copies `ws`'s config into a fresh workspace (no state), runs `terraform import ADDRESS ID`, and
/// compares every attribute of the imported resource with `ws`'s state for `address`.
/// `ignore` lists `(attribute path, reason)` pairs; a path ignores itself and everything below it
/// (`"profile"` covers `"profile.business_name"`), and each reason must be a non-empty sentence
/// saying why that attribute cannot be recovered by import. Returns the fresh workspace, whose
/// state now holds the imported resource (the same remote object as in `ws`).
pub fn import_verify(
    ws: &Workspace,
    address: &str,
    import_id: &str,
    ignore: &[(&str, &str)],
) -> Workspace {
    check_ignores(ignore);
    let original = ws.state_resource(address);
    let fresh = ws.fork_config();
    fresh
        .run(&["import", "-input=false", address, import_id])
        .assert_success();
    let imported = fresh.state_resource(address);
    compare_imported(address, &original, &imported, ignore);
    fresh
}

/// Import verification through an `import { to = ADDRESS, id = ID }` block, like plugin-testing's
/// `ImportBlockWithID` kind: the plan (targeted at `address`) must import the resource with no
/// other change ("no-op"), then apply, then attributes are compared as in [`import_verify`].
pub fn import_block_verify(
    ws: &Workspace,
    address: &str,
    import_id: &str,
    ignore: &[(&str, &str)],
) -> Workspace {
    import_block(
        ws,
        address,
        &format!("id = {}", hcl_string(import_id)),
        ignore,
    )
}

/// Like [`import_block_verify`] but importing by resource identity (Terraform ≥ 1.12):
/// `identity_hcl` is the object expression, e.g. `{ id = "0123abcd" }`.
pub fn import_identity_verify(
    ws: &Workspace,
    address: &str,
    identity_hcl: &str,
    ignore: &[(&str, &str)],
) -> Workspace {
    import_block(ws, address, &format!("identity = {identity_hcl}"), ignore)
}

fn import_block(ws: &Workspace, address: &str, how: &str, ignore: &[(&str, &str)]) -> Workspace {
    const FILE: &str = "zz_import_verify.tf";
    check_ignores(ignore);
    let original = ws.state_resource(address);
    let fresh = ws.fork_config();
    fresh.write_file(FILE, &format!("import {{\n  to = {address}\n  {how}\n}}\n"));
    // Target the imported address: other resources of the config are not in the fresh state and
    // must not be created a second time.
    let target = format!("-target={address}");
    let plan = fresh.plan_json(&[&target]);
    let change = plan["resource_changes"]
        .as_array()
        .and_then(|rcs| rcs.iter().find(|rc| rc["address"] == address))
        .map(|rc| rc["change"].clone());
    let ok = change
        .as_ref()
        .is_some_and(|c| !c["importing"].is_null() && c["actions"] == serde_json::json!(["no-op"]));
    if !ok {
        let text = fresh.run(&["plan", "-input=false", &target]);
        panic!(
            "expected the plan to import {address} with no changes; got change: {}\n{text}",
            change
                .map(|c| c.to_string())
                .unwrap_or_else(|| "none".into())
        );
    }
    fresh.apply_with(&[&target]);
    let imported = fresh.state_resource(address);
    compare_imported(address, &original, &imported, ignore);
    fresh.remove_file(FILE);
    fresh
}

fn check_ignores(ignore: &[(&str, &str)]) {
    for (attr, reason) in ignore {
        assert!(
            !attr.trim().is_empty(),
            "import-verify ignore with an empty attribute path"
        );
        assert!(
            reason.trim().len() >= 10,
            "import-verify ignore of {attr:?} needs a reason saying why import cannot recover it"
        );
    }
}

fn compare_imported(address: &str, original: &Value, imported: &Value, ignore: &[(&str, &str)]) {
    let is_ignored = |k: &str| {
        ignore
            .iter()
            .any(|(a, _)| k == *a || k.starts_with(&format!("{a}.")))
    };
    let a = flatten(original);
    let b = flatten(imported);
    let mut diffs = Vec::new();
    for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
        if is_ignored(key) {
            continue;
        }
        match (a.get(key), b.get(key)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => diffs.push(format!(
                "  {key}: state={} imported={}",
                x.map_or("<absent>".into(), Value::to_string),
                y.map_or("<absent>".into(), Value::to_string)
            )),
        }
    }
    if !diffs.is_empty() {
        panic!(
            "import-verify of {address}: {} attribute(s) differ between state and import \
             (ignored: {:?})\n{}\nstate:    {original}\nimported: {imported}",
            diffs.len(),
            ignore.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
            diffs.join("\n")
        );
    }
}

/// Flattens a JSON value into dotted paths → leaf values (`profile.business_name`,
/// `meta.flags.0`). Nulls, scalars and empty lists/objects are leaves.
pub fn flatten(v: &Value) -> BTreeMap<String, Value> {
    fn go(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_owned()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            Value::Object(m) if !m.is_empty() => m.iter().for_each(|(k, v)| go(&join(k), v, out)),
            Value::Array(a) if !a.is_empty() => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| go(&join(&i.to_string()), v, out)),
            _ => {
                out.insert(prefix.to_owned(), v.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    go("", v, &mut out);
    out
}

/// The value at a dotted path (`"profile.business_name"`, `"meta.flags.0"`); panics, showing the
/// whole value, if the path does not exist.
pub fn attr<'a>(values: &'a Value, path: &str) -> &'a Value {
    let mut cur = values;
    for seg in path.split('.') {
        let next = match cur {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        cur = next.unwrap_or_else(|| panic!("no attribute {path:?} (at {seg:?}) in {values}"));
    }
    cur
}

/// Asserts each `(dotted path, expected)` pair against `values` (e.g. from
/// [`Workspace::state_resource`]), reporting every mismatch at once.
pub fn assert_attrs(values: &Value, expected: &[(&str, Value)]) {
    let flat = flatten(values);
    let mut bad = Vec::new();
    for (path, want) in expected {
        let got = match flat.get(*path) {
            Some(v) => Some(v.clone()),
            // A path naming a non-empty object/list compares the whole subtree.
            None => values
                .pointer(&format!("/{}", path.replace('.', "/")))
                .cloned(),
        };
        if got.as_ref() != Some(want) {
            bad.push(format!(
                "  {path}: expected {want}, got {}",
                got.map_or("<absent>".into(), |v| v.to_string())
            ));
        }
    }
    if !bad.is_empty() {
        panic!(
            "attribute check failed:\n{}\nvalues: {values}",
            bad.join("\n")
        );
    }
}

/// Asserts the resource at `address` is in the state of `ws` and returns its values.
pub fn assert_in_state(ws: &Workspace, address: &str) -> Value {
    ws.state_resource(address)
}

/// Asserts the resource at `address` is not in the state of `ws`.
pub fn assert_not_in_state(ws: &Workspace, address: &str) {
    let state = ws.show_json();
    if find_resource(&state["values"], address).is_some() {
        panic!("{address} is still in state\n{state:#}");
    }
}
