//! In-memory state: organizations (in creation order), their profiles, accounts and members.
//!
//! The store is plain data behind one mutex in [`super::Emulator`]; nothing here awaits, so the
//! lock is never held across an `.await`. Every operation that can fail returns an
//! [`ApiError`] carrying the status and code the HTTP layer answers with.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::envelope::{code, ApiError};

/// The five profile keys, in the order the emulator stores and answers them.
pub(crate) const PROFILE_KEYS: [&str; 5] = [
    "business_address",
    "business_email",
    "business_name",
    "business_phone",
    "external_metadata",
];

/// Deepest allowed hierarchy (MSSP/Distributor orgs allow up to 5 levels, api.md §9).
pub(crate) const MAX_DEPTH: usize = 5;

/// How an organization object treats its profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProfileMode {
    /// Leave the `profile` key out (the live API's apparent behaviour, field-failures F1).
    Omit,
    /// Include `profile` when one exists.
    IfPresent,
    /// Always include `profile`, `null` when none exists (library and admin views).
    Always,
}

#[derive(Debug, Clone)]
struct ParentRef {
    id: String,
    /// The parent's name when the child was created; used only once the parent is gone.
    name_snapshot: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    seq: u64,
    pub id: String,
    pub name: Option<String>,
    kind: String,
    created_on: String,
}

impl Account {
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "type": self.kind,
            "created_on": self.created_on,
            "settings": {
                "abuse_contact_email": null,
                "access_approval_expiry": null,
                "api_access_enabled": null,
                "default_nameservers": "cloudflare.standard",
                "enforce_twofactor": false,
                "use_account_custom_ns_by_default": false
            }
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub id: String,
    pub name: String,
    create_time: String,
    parent: Option<ParentRef>,
    hierarchy_tags: Vec<String>,
    /// Replaces the computed `meta` when set out of band (to emulate odd answers).
    meta_override: Option<Value>,
    profile: Option<Value>,
    /// Credential identities that belong to the org (the API creator), for `containing.user`.
    pub members: Vec<String>,
    /// Identity that created it through the API (for the one-org-per-user rule).
    created_by: Option<String>,
    accounts: BTreeMap<u64, Account>,
    /// Requests still to answer with 403 (the `propagation_403` knob).
    propagation_remaining: u32,
}

impl Org {
    pub fn parent_id(&self) -> Option<&str> {
        self.parent.as_ref().map(|p| p.id.as_str())
    }

    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }
}

/// Everything the emulator knows.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Creation sequence → org; iteration order is the stable list order.
    orgs: BTreeMap<u64, Org>,
    by_id: HashMap<String, u64>,
    next_seq: u64,
}

/// Validated body of `POST /organizations`.
pub(crate) struct NewOrg {
    pub name: String,
    pub parent_id: Option<String>,
    pub profile: Option<Value>,
}

fn random_hex32() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Current UTC time as RFC 3339 with whole seconds, e.g. `2026-11-29T21:00:00Z`.
pub(crate) fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// `"N things"` with the right plural.
fn count_of(n: usize, singular: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {singular}s")
    }
}

/// Checks a JSON object is a complete profile: all five keys present and strings. Extra keys
/// are dropped; the result keeps the canonical key order.
pub(crate) fn validate_profile(value: &Value, what: &str) -> Result<Value, ApiError> {
    let obj = value.as_object().ok_or_else(|| {
        ApiError::bad_request(
            code::INVALID_FIELD,
            format!("{what} must be an object with {}", PROFILE_KEYS.join(", ")),
        )
    })?;
    let mut out = Map::new();
    let mut missing = Vec::new();
    for key in PROFILE_KEYS {
        match obj.get(key) {
            Some(Value::String(s)) => {
                out.insert(key.to_string(), Value::String(s.clone()));
            }
            Some(Value::Null) | None => missing.push(key),
            Some(_) => {
                return Err(ApiError::bad_request(
                    code::INVALID_FIELD,
                    format!("{what}.{key} must be a string"),
                ))
            }
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::bad_request(
            code::INVALID_FIELD,
            format!(
                "{what} is missing required field(s): {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(Value::Object(out))
}

/// Extracts a required, non-blank `name` string.
fn required_name(body: &Map<String, Value>) -> Result<String, ApiError> {
    match body.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(ApiError::bad_request(
            code::INVALID_FIELD,
            "name must not be empty",
        )),
        Some(Value::Null) | None => Err(ApiError::bad_request(
            code::INVALID_FIELD,
            "name is required",
        )),
        Some(_) => Err(ApiError::bad_request(
            code::INVALID_FIELD,
            "name must be a string",
        )),
    }
}

/// Extracts `parent.id` when `parent` is present and not null.
fn parent_id_of(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body.get("parent") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(p)) => match p.get("id") {
            Some(Value::String(id)) if !id.is_empty() => Ok(Some(id.clone())),
            _ => Err(ApiError::bad_request(
                code::INVALID_FIELD,
                "parent.id is required and must be a non-empty string when parent is set",
            )),
        },
        Some(_) => Err(ApiError::bad_request(
            code::INVALID_FIELD,
            "parent must be an object like {\"id\": \"…\"}",
        )),
    }
}

/// Requires the body to be a JSON object.
pub(crate) fn body_object(body: Option<&Value>) -> Result<&Map<String, Value>, ApiError> {
    match body {
        Some(Value::Object(map)) => Ok(map),
        None => Err(ApiError::bad_request(
            code::MALFORMED_BODY,
            "Request body is required and must be a JSON object",
        )),
        Some(_) => Err(ApiError::bad_request(
            code::MALFORMED_BODY,
            "Request body must be a JSON object",
        )),
    }
}

/// Validates a `POST /organizations` body. Unknown and read-only keys are ignored.
pub(crate) fn parse_new_org(body: Option<&Value>) -> Result<NewOrg, ApiError> {
    let body = body_object(body)?;
    let name = required_name(body)?;
    let parent_id = parent_id_of(body)?;
    let profile = match body.get("profile") {
        None | Some(Value::Null) => None,
        Some(p) => Some(validate_profile(p, "profile")?),
    };
    Ok(NewOrg {
        name,
        parent_id,
        profile,
    })
}

impl Store {
    pub fn get(&self, id: &str) -> Option<&Org> {
        self.by_id.get(id).and_then(|seq| self.orgs.get(seq))
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Org> {
        match self.by_id.get(id) {
            Some(seq) => self.orgs.get_mut(seq),
            None => None,
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// All organizations in creation order.
    pub fn orgs(&self) -> impl Iterator<Item = &Org> {
        self.orgs.values()
    }

    pub fn ids(&self) -> Vec<String> {
        self.orgs.values().map(|o| o.id.clone()).collect()
    }

    fn children_count(&self, id: &str) -> usize {
        self.orgs
            .values()
            .filter(|o| o.parent_id() == Some(id))
            .count()
    }

    /// Ids of `id`'s ancestors, nearest first (stops at a missing parent).
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = self.get(id).and_then(|o| o.parent_id());
        while let Some(pid) = current {
            if out.iter().any(|seen| seen == pid) {
                break; // defensive: never loop
            }
            out.push(pid.to_string());
            current = self.get(pid).and_then(|o| o.parent_id());
        }
        out
    }

    /// The org that owns account `account_id`.
    pub fn account_owner(&self, account_id: &str) -> Option<&Org> {
        self.orgs
            .values()
            .find(|o| o.accounts.values().any(|a| a.id == account_id))
    }

    /// Organizations the identity created through the API and that still exist.
    fn created_by_count(&self, identity: &str) -> usize {
        self.orgs
            .values()
            .filter(|o| o.created_by.as_deref() == Some(identity))
            .count()
    }

    /// The link a child of `pid` gets: the parent reference and the child's tag prefix.
    fn parent_link(&self, pid: &str) -> Option<(ParentRef, Vec<String>)> {
        self.get(pid).map(|p| {
            (
                ParentRef {
                    id: p.id.clone(),
                    name_snapshot: p.name.clone(),
                },
                p.hierarchy_tags.clone(),
            )
        })
    }

    /// Inserts an organization under an already resolved parent link.
    fn insert(
        &mut self,
        name: &str,
        link: Option<(ParentRef, Vec<String>)>,
        profile: Option<Value>,
        creator: Option<&str>,
    ) -> String {
        let (parent, mut hierarchy_tags) = match link {
            Some((parent, tags)) => (Some(parent), tags),
            None => (None, Vec::new()),
        };
        hierarchy_tags.push(format!("{:016x}", rand::random::<u64>()));
        let mut id = random_hex32();
        while self.by_id.contains_key(&id) {
            id = random_hex32();
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        let org = Org {
            id: id.clone(),
            name: name.to_string(),
            create_time: now_rfc3339(),
            parent,
            hierarchy_tags,
            meta_override: None,
            profile,
            members: creator.map(|c| vec![c.to_string()]).unwrap_or_default(),
            created_by: creator.map(str::to_string),
            accounts: BTreeMap::new(),
            propagation_remaining: 0,
        };
        self.orgs.insert(seq, org);
        self.by_id.insert(id.clone(), seq);
        id
    }

    /// `POST /organizations`: enforces the parent, depth and (optionally) one-org-per-user rules.
    pub fn create(
        &mut self,
        new: NewOrg,
        creator: &str,
        one_org_per_user: bool,
        propagation_403: u32,
    ) -> Result<String, ApiError> {
        if one_org_per_user && self.created_by_count(creator) > 0 {
            return Err(ApiError::bad_request(
                code::ONE_ORG_PER_USER,
                "You may only create a single organization.",
            ));
        }
        let link = match new.parent_id.as_deref() {
            None => None,
            Some(pid) => {
                let link = self.parent_link(pid).ok_or_else(|| {
                    ApiError::bad_request(
                        code::PARENT_NOT_FOUND,
                        format!("Parent organization {pid} does not exist"),
                    )
                })?;
                if link.1.len() >= MAX_DEPTH {
                    return Err(ApiError::bad_request(
                        code::TOO_DEEP,
                        format!(
                            "Organizations can be nested at most {MAX_DEPTH} levels deep; \
                             {pid} is already at level {}",
                            link.1.len()
                        ),
                    ));
                }
                Some(link)
            }
        };
        let id = self.insert(&new.name, link, new.profile, Some(creator));
        if let Some(org) = self.get_mut(&id) {
            org.propagation_remaining = propagation_403;
        }
        Ok(id)
    }

    /// Seeds an organization without the API's rules: no depth limit, no creator, and a missing
    /// parent is kept as a dangling reference (like an orphan after an out-of-band delete).
    pub fn seed(&mut self, name: &str, parent_id: Option<&str>) -> String {
        let link = parent_id.map(|pid| {
            self.parent_link(pid).unwrap_or_else(|| {
                (
                    ParentRef {
                        id: pid.to_string(),
                        name_snapshot: String::new(),
                    },
                    Vec::new(),
                )
            })
        });
        self.insert(name, link, None, None)
    }

    /// `PUT /organizations/{id}`: full object, but only `name` changes.
    pub fn update(&mut self, id: &str, body: Option<&Value>) -> Result<(), ApiError> {
        let current_parent = match self.get(id) {
            Some(org) => org.parent_id().map(str::to_string),
            None => return Err(ApiError::not_found(&format!("/organizations/{id}"))),
        };
        let body = body_object(body)?;
        let mut read_only: Vec<&str> = ["id", "create_time", "meta"]
            .into_iter()
            .filter(|k| body.contains_key(*k))
            .collect();
        if body
            .get("parent")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key("name"))
        {
            read_only.push("parent.name");
        }
        if !read_only.is_empty() {
            return Err(ApiError::bad_request(
                code::READ_ONLY_FIELD,
                format!(
                    "Read-only field(s) cannot be set: {}. Only name can be updated",
                    read_only.join(", ")
                ),
            ));
        }
        let name = required_name(body)?;
        if let Some(requested) = parent_id_of(body)? {
            if current_parent.as_deref() != Some(requested.as_str()) {
                return Err(ApiError::bad_request(
                    code::PARENT_CHANGE,
                    format!(
                        "The parent of an organization cannot be changed (current parent: {}, \
                         requested: {requested}). Only name can be updated",
                        current_parent.as_deref().unwrap_or("none")
                    ),
                ));
            }
        }
        if let Some(org) = self.get_mut(id) {
            org.name = name;
        }
        Ok(())
    }

    /// `DELETE /organizations/{id}`: the organization must hold no sub-organizations or accounts.
    pub fn delete(&mut self, id: &str) -> Result<(), ApiError> {
        let Some(org) = self.get(id) else {
            return Err(ApiError::not_found(&format!("/organizations/{id}")));
        };
        let accounts = org.accounts.len();
        let children = self.children_count(id);
        if accounts > 0 || children > 0 {
            let mut parts = Vec::new();
            if accounts > 0 {
                parts.push(count_of(accounts, "account"));
            }
            if children > 0 {
                parts.push(count_of(children, "sub-organization"));
            }
            return Err(ApiError::bad_request(
                code::NOT_EMPTY,
                format!(
                    "Organization must be empty before deletion: it still contains {}",
                    parts.join(" and ")
                ),
            ));
        }
        self.remove(id);
        Ok(())
    }

    /// Removes an organization with its profile and accounts, ignoring every rule. Its
    /// sub-organizations stay, keeping a reference to the missing parent.
    pub fn remove(&mut self, id: &str) -> bool {
        match self.by_id.remove(id) {
            Some(seq) => self.orgs.remove(&seq).is_some(),
            None => false,
        }
    }

    pub fn rename(&mut self, id: &str, name: &str) -> bool {
        match self.get_mut(id) {
            Some(org) => {
                org.name = name.to_string();
                true
            }
            None => false,
        }
    }

    pub fn profile(&self, id: &str) -> Result<Value, ApiError> {
        match self.get(id) {
            None => Err(ApiError::not_found(&format!("/organizations/{id}/profile"))),
            Some(org) => org
                .profile
                .clone()
                .ok_or_else(|| ApiError::profile_not_found(id)),
        }
    }

    /// Stores `profile` as given (`null` removes it). No validation: out-of-band changes may
    /// hold anything, to emulate odd answers.
    pub fn set_profile_raw(&mut self, id: &str, profile: Value) -> bool {
        match self.get_mut(id) {
            Some(org) => {
                org.profile = if profile.is_null() {
                    None
                } else {
                    Some(profile)
                };
                true
            }
            None => false,
        }
    }

    /// Replaces the computed `meta` object (`null` restores the computed one).
    pub fn set_meta_raw(&mut self, id: &str, meta: Value) -> bool {
        match self.get_mut(id) {
            Some(org) => {
                org.meta_override = if meta.is_null() { None } else { Some(meta) };
                true
            }
            None => false,
        }
    }

    /// Consumes one propagation 403 for `id`; true when this request must be refused.
    pub fn take_propagation(&mut self, id: &str) -> bool {
        match self.get_mut(id) {
            Some(org) if org.propagation_remaining > 0 => {
                org.propagation_remaining -= 1;
                true
            }
            _ => false,
        }
    }

    /// Adds accounts to an org; `None` when the org does not exist.
    pub fn add_accounts(
        &mut self,
        org_id: &str,
        names: Vec<Option<String>>,
        kind: &str,
    ) -> Option<Vec<String>> {
        let seq_base = self.next_seq;
        let org = self.get_mut(org_id)?;
        let created_on = now_rfc3339();
        let mut ids = Vec::with_capacity(names.len());
        let mut seq = seq_base;
        for name in names {
            seq += 1;
            let id = random_hex32();
            org.accounts.insert(
                seq,
                Account {
                    seq,
                    id: id.clone(),
                    name,
                    kind: kind.to_string(),
                    created_on: created_on.clone(),
                },
            );
            ids.push(id);
        }
        self.next_seq = seq;
        Some(ids)
    }

    /// Removes every account of an org; the number removed, `None` when the org does not exist.
    pub fn clear_accounts(&mut self, org_id: &str) -> Option<usize> {
        let org = self.get_mut(org_id)?;
        let n = org.accounts.len();
        org.accounts.clear();
        Some(n)
    }

    /// The organization object as the API shows it.
    pub fn org_json(&self, org: &Org, profile: ProfileMode) -> Value {
        let mut obj = Map::new();
        obj.insert("id".into(), json!(org.id));
        obj.insert("name".into(), json!(org.name));
        obj.insert("create_time".into(), json!(org.create_time));
        if let Some(parent) = &org.parent {
            let name = self
                .get(&parent.id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| parent.name_snapshot.clone());
            obj.insert("parent".into(), json!({"id": parent.id, "name": name}));
        }
        let meta = org.meta_override.clone().unwrap_or_else(|| {
            json!({
                "flags": {
                    "account_creation": "enabled",
                    "account_deletion": "enabled",
                    "account_migration": "disabled",
                    "account_mobility": "disabled",
                    "sub_org_creation": "enabled"
                },
                "managed_by": "",
                "hierarchy_tags": org.hierarchy_tags
            })
        });
        obj.insert("meta".into(), meta);
        match (profile, &org.profile) {
            (ProfileMode::Omit, _) | (ProfileMode::IfPresent, None) => {}
            (_, Some(p)) => {
                obj.insert("profile".into(), p.clone());
            }
            (ProfileMode::Always, None) => {
                obj.insert("profile".into(), Value::Null);
            }
        }
        Value::Object(obj)
    }

    /// The whole state for `GET /__emulator/state`.
    pub fn state_json(&self) -> Value {
        let orgs: Vec<Value> = self
            .orgs
            .values()
            .map(|org| {
                let mut v = self.org_json(org, ProfileMode::Always);
                v["members"] = json!(org.members);
                v["accounts"] = org.accounts.values().map(Account::to_json).collect();
                v
            })
            .collect();
        json!({"organizations": orgs})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_org(name: &str, parent: Option<&str>) -> NewOrg {
        NewOrg {
            name: name.into(),
            parent_id: parent.map(str::to_string),
            profile: None,
        }
    }

    #[test]
    fn child_inherits_hierarchy_tags_and_parent_name() {
        let mut s = Store::default();
        let root = s.create(new_org("root", None), "u", false, 0).unwrap();
        let child = s
            .create(new_org("child", Some(&root)), "u", false, 0)
            .unwrap();
        let root_json = s.org_json(s.get(&root).unwrap(), ProfileMode::Omit);
        let child_json = s.org_json(s.get(&child).unwrap(), ProfileMode::Omit);
        assert_eq!(child_json["parent"], json!({"id": root, "name": "root"}));
        let root_tags = root_json["meta"]["hierarchy_tags"].as_array().unwrap();
        let child_tags = child_json["meta"]["hierarchy_tags"].as_array().unwrap();
        assert_eq!(root_tags.len(), 1);
        assert_eq!(child_tags.len(), 2);
        assert_eq!(child_tags[0], root_tags[0]);
        assert!(root_json.get("parent").is_none());
        assert!(root_json.get("profile").is_none());
        s.rename(&root, "renamed");
        let child_json = s.org_json(s.get(&child).unwrap(), ProfileMode::Omit);
        assert_eq!(child_json["parent"]["name"], "renamed");
    }

    #[test]
    fn delete_message_counts_accounts_and_children() {
        let mut s = Store::default();
        let root = s.create(new_org("root", None), "u", false, 0).unwrap();
        s.create(new_org("child", Some(&root)), "u", false, 0)
            .unwrap();
        s.add_accounts(&root, vec![Some("a".into()), None], "standard");
        let err = s.delete(&root).unwrap_err();
        assert_eq!(err.code, code::NOT_EMPTY);
        assert_eq!(
            err.message,
            "Organization must be empty before deletion: it still contains 2 accounts and 1 sub-organization"
        );
        assert!(s.contains(&root));
    }

    #[test]
    fn nesting_is_limited_to_five_levels() {
        let mut s = Store::default();
        let mut parent = s.create(new_org("l1", None), "u", false, 0).unwrap();
        for level in 2..=MAX_DEPTH {
            parent = s
                .create(new_org(&format!("l{level}"), Some(&parent)), "u", false, 0)
                .unwrap();
        }
        let err = s
            .create(new_org("too deep", Some(&parent)), "u", false, 0)
            .unwrap_err();
        assert_eq!(err.code, code::TOO_DEEP);
    }

    #[test]
    fn profile_validation_requires_all_five_strings() {
        let full = json!({"business_address": "a", "business_email": "e", "business_name": "n",
            "business_phone": "p", "external_metadata": "{}", "extra": 1});
        let ok = validate_profile(&full, "profile").unwrap();
        assert_eq!(ok.as_object().unwrap().len(), 5);
        let mut partial = full.clone();
        partial.as_object_mut().unwrap().remove("business_phone");
        let err = validate_profile(&partial, "profile").unwrap_err();
        assert!(err.message.contains("business_phone"), "{}", err.message);
        let mut wrong = full;
        wrong["business_name"] = json!(3);
        assert_eq!(
            validate_profile(&wrong, "profile").unwrap_err().code,
            code::INVALID_FIELD
        );
    }

    #[test]
    fn one_org_per_user_counts_only_live_orgs_of_that_identity() {
        let mut s = Store::default();
        let first = s.create(new_org("a", None), "alice", true, 0).unwrap();
        assert_eq!(
            s.create(new_org("b", None), "alice", true, 0)
                .unwrap_err()
                .message,
            "You may only create a single organization."
        );
        s.create(new_org("c", None), "bob", true, 0).unwrap();
        s.delete(&first).unwrap();
        s.create(new_org("d", None), "alice", true, 0).unwrap();
    }
}
