//! The emulator against api.md, over real HTTP: envelope, auth, CRUD, rules, lists, pagination,
//! fault knobs, admin surface and the shipped binary.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use tfcf::emulator::{AuthScheme, BackgroundEmulator, Config, Emulator, Faults};

/// A running emulator plus an HTTP client.
struct Harness {
    bg: BackgroundEmulator,
    http: reqwest::Client,
}

/// A decoded answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
    body: Value,
}

impl Answer {
    fn code(&self) -> i64 {
        self.body["errors"][0]["code"].as_i64().unwrap_or(-1)
    }

    fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    fn assert_error(&self, status: u16, code: i64) -> &Self {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["success"], json!(false));
        assert_eq!(self.body["result"], Value::Null);
        assert_eq!(self.body["messages"], json!([]));
        self
    }

    #[track_caller]
    fn result(&self) -> &Value {
        assert_eq!(self.status, 200, "body: {}", self.text);
        assert_eq!(self.body["success"], json!(true), "body: {}", self.text);
        &self.body["result"]
    }
}

const PROFILE: &str = r#"{"business_address": "{\"line1\":\"1 Main St\",\"country\":\"US\"}",
    "business_email": "ops@acme.example", "business_name": "Acme", "business_phone": "+1 555 0100",
    "external_metadata": "{\"department\":\"IT\"}"}"#;

fn profile() -> Value {
    serde_json::from_str(PROFILE).unwrap()
}

async fn send(rb: RequestBuilder) -> Answer {
    let response = rb.send().await.expect("transport error");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        body,
    }
}

impl Harness {
    fn new() -> Self {
        Self::with(Config::default())
    }

    fn with(config: Config) -> Self {
        Harness {
            bg: BackgroundEmulator::start(config).unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn emu(&self) -> &Emulator {
        &self.bg.emulator
    }

    fn origin(&self) -> &str {
        self.bg.base_url.trim_end_matches("/client/v4")
    }

    /// An API request without credentials.
    fn bare(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.bg.base_url))
    }

    /// An API request with the default token.
    fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.bare(method, path).bearer_auth("emulator-token")
    }

    /// An admin-surface request.
    fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}/__emulator{path}", self.origin()))
    }

    async fn create(&self, body: Value) -> String {
        let a = send(self.api(Method::POST, "/organizations").json(&body)).await;
        a.result()["id"].as_str().unwrap().to_string()
    }

    /// Follows page tokens; returns every item and every `result_info`.
    async fn walk(
        &self,
        path: &str,
        filters: &[(&str, &str)],
        page_size: Option<usize>,
    ) -> (Vec<Value>, Vec<Value>) {
        let mut items = Vec::new();
        let mut infos = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query: Vec<(String, String)> = filters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            if let Some(n) = page_size {
                query.push(("page_size".into(), n.to_string()));
            }
            if let Some(t) = &token {
                query.push(("page_token".into(), t.clone()));
            }
            let a = send(self.api(Method::GET, path).query(&query)).await;
            items.extend(a.result().as_array().unwrap().iter().cloned());
            let info = a.body["result_info"].clone();
            infos.push(info.clone());
            match info.get("next_page_token") {
                Some(Value::String(t)) => token = Some(t.clone()),
                Some(other) => panic!("next_page_token must be a string or absent, got {other}"),
                None => return (items, infos),
            }
            assert!(infos.len() < 10_000, "pagination does not end");
        }
    }

    async fn names(&self, path: &str, filters: &[(&str, &str)]) -> Vec<String> {
        let (items, _) = self.walk(path, filters, Some(1000)).await;
        items
            .iter()
            .map(|o| o["name"].as_str().unwrap_or("<null>").to_string())
            .collect()
    }
}

/// Query filters and the names they must select, in order.
type FilterCase<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);

/// Waits (bounded) until `cond` holds, re-checking whenever the emulator may have progressed.
async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Success and error answers use Cloudflare's envelope and every answer has its own cf-ray.
#[tokio::test]
async fn envelope_shape_and_unique_cf_ray() {
    let h = Harness::new();
    let created = send(
        h.api(Method::POST, "/organizations")
            .json(&json!({"name": "acme"})),
    )
    .await;
    assert_eq!(created.header("content-type"), Some("application/json"));
    let keys: Vec<&String> = created.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["success", "errors", "messages", "result"]);
    assert_eq!(created.body["errors"], json!([]));
    assert_eq!(created.body["messages"], json!([]));

    let list = send(h.api(Method::GET, "/organizations")).await;
    assert_eq!(list.body["result_info"], json!({"total_size": 1}));

    let missing = send(h.api(
        Method::GET,
        "/organizations/0123456789abcdef0123456789abcdef",
    ))
    .await;
    missing.assert_error(404, 7003);
    assert_eq!(
        missing.message(),
        "Could not route to /organizations/0123456789abcdef0123456789abcdef, perhaps your object identifier is invalid?"
    );

    let admin = send(h.admin(Method::GET, "/state")).await;
    let rays: Vec<&str> = [&created, &list, &missing, &admin]
        .iter()
        .map(|a| a.header("cf-ray").unwrap())
        .collect();
    for ray in &rays {
        let (hex, suffix) = ray.split_once('-').unwrap();
        assert_eq!((hex.len(), suffix), (16, "EMU"), "{ray}");
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_eq!(rays.iter().collect::<HashSet<_>>().len(), 4);
    assert_eq!(h.emu().requests()[0].ray, rays[0]);
}

/// Token and key+email both work; none, both, malformed and wrong credentials are refused.
#[tokio::test]
async fn authentication_schemes() {
    let h = Harness::with(Config {
        api_tokens: vec!["t-one".into(), "t-two".into()],
        api_keys: vec![("Ops@Example.com".into(), "k-secret".into())],
        ..Config::default()
    });
    let path = "/organizations";
    let ok = |rb: RequestBuilder| async { send(rb).await.status };
    assert_eq!(
        ok(h.bare(Method::GET, path).bearer_auth("t-two")).await,
        200
    );
    assert_eq!(
        ok(h.bare(Method::GET, path)
            .header("X-Auth-Email", "ops@example.com")
            .header("X-Auth-Key", "k-secret"))
        .await,
        200
    );

    let none = send(h.bare(Method::GET, path)).await;
    none.assert_error(400, 6003);
    assert_eq!(none.body["errors"][0]["error_chain"][0]["code"], 9106);
    let both = send(
        h.bare(Method::GET, path)
            .bearer_auth("t-one")
            .header("X-Auth-Email", "ops@example.com")
            .header("X-Auth-Key", "k-secret"),
    )
    .await;
    both.assert_error(400, 6003);
    assert_eq!(both.body["errors"][0]["error_chain"][0]["code"], 9109);
    send(
        h.bare(Method::GET, path)
            .header("Authorization", "Basic abc"),
    )
    .await
    .assert_error(400, 6003);
    send(
        h.bare(Method::GET, path)
            .header("X-Auth-Email", "ops@example.com"),
    )
    .await
    .assert_error(400, 6003);
    let wrong_token = send(h.bare(Method::GET, path).bearer_auth("emulator-token")).await;
    wrong_token.assert_error(403, 10000);
    assert_eq!(wrong_token.message(), "Authentication error");
    send(
        h.bare(Method::GET, path)
            .header("X-Auth-Email", "ops@example.com")
            .header("X-Auth-Key", "wrong"),
    )
    .await
    .assert_error(403, 10000);

    let log = h.emu().requests();
    let seen: Vec<(AuthScheme, Option<&str>, u16)> = log
        .iter()
        .map(|r| (r.auth, r.identity.as_deref(), r.status))
        .collect();
    assert_eq!(
        seen,
        vec![
            (AuthScheme::Token, Some("token:2"), 200),
            (AuthScheme::Key, Some("Ops@Example.com"), 200),
            (AuthScheme::None, None, 400),
            (AuthScheme::Both, None, 400),
            (AuthScheme::Token, None, 400),
            (AuthScheme::Key, Some("ops@example.com"), 400),
            (AuthScheme::Token, None, 403),
            (AuthScheme::Key, Some("ops@example.com"), 403),
        ]
    );
    let dump = serde_json::to_string(&log).unwrap();
    for secret in ["t-one", "t-two", "k-secret", "emulator-token", "wrong"] {
        assert!(!dump.contains(secret), "log leaks {secret}");
    }
}

/// Create, read, rename and delete an organization, with the parent link and 404 after delete.
#[tokio::test]
async fn organization_lifecycle() {
    let h = Harness::new();
    let parent = h.create(json!({"name": "parent"})).await;
    let created = send(h.api(Method::POST, "/organizations").json(&json!({
        "name": "child", "parent": {"id": parent}, "profile": profile(), "unknown_key": 1
    })))
    .await;
    let org = created.result().clone();
    let id = org["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(org["name"], "child");
    assert_eq!(org["parent"], json!({"id": parent, "name": "parent"}));
    let create_time = org["create_time"].as_str().unwrap();
    let shape: String = create_time
        .chars()
        .map(|c| if c.is_ascii_digit() { 'D' } else { c })
        .collect();
    assert_eq!(shape, "DDDD-DD-DDTDD:DD:DDZ", "{create_time}");
    let now_year = time::OffsetDateTime::now_utc().year().to_string();
    assert!(create_time.starts_with(&now_year), "{create_time}");
    let flags = org["meta"]["flags"].as_object().unwrap();
    for key in [
        "account_creation",
        "account_deletion",
        "account_migration",
        "account_mobility",
        "sub_org_creation",
    ] {
        assert!(flags[key].is_string(), "{key}");
    }
    assert_eq!(org["meta"]["hierarchy_tags"].as_array().unwrap().len(), 2);
    assert!(
        org.get("profile").is_none(),
        "POST must not echo the profile"
    );

    let got = send(h.api(Method::GET, &format!("/organizations/{id}"))).await;
    assert_eq!(got.result(), &org);
    assert_eq!(h.emu().organization(&id).unwrap()["profile"], profile());
    let root = send(h.api(Method::GET, &format!("/organizations/{parent}"))).await;
    assert!(root.result().get("parent").is_none());

    let renamed = send(h.api(Method::PUT, &format!("/organizations/{id}")).json(&json!({
        "name": "child-renamed", "parent": {"id": parent}, "profile": {"business_name": "ignored"}
    })))
    .await;
    let mut expected = org.clone();
    expected["name"] = json!("child-renamed");
    assert_eq!(renamed.result(), &expected);
    assert_eq!(h.emu().organization(&id).unwrap()["profile"], profile());

    send(h.api(Method::DELETE, &format!("/organizations/{parent}")))
        .await
        .assert_error(400, 1010);
    let deleted = send(h.api(Method::DELETE, &format!("/organizations/{id}"))).await;
    assert_eq!(deleted.result(), &json!({"id": id}));
    assert!(h.emu().organization(&id).is_none());
    send(h.api(Method::GET, &format!("/organizations/{id}")))
        .await
        .assert_error(404, 7003);
    send(h.api(Method::GET, &format!("/organizations/{id}/profile")))
        .await
        .assert_error(404, 7003);
    send(h.api(Method::DELETE, &format!("/organizations/{id}")))
        .await
        .assert_error(404, 7003);
    send(
        h.api(Method::PUT, &format!("/organizations/{id}"))
            .json(&json!({"name": "x"})),
    )
    .await
    .assert_error(404, 7003);
}

/// Bad create bodies get 400s with the documented codes, and nothing is stored.
#[tokio::test]
async fn create_validation() {
    let h = Harness::new();
    let mut partial = profile();
    partial.as_object_mut().unwrap().remove("external_metadata");
    let cases = [
        (json!({"name": ""}), 1002),
        (json!({"name": "   "}), 1002),
        (json!({}), 1002),
        (json!({"name": 7}), 1002),
        (json!({"name": "x", "profile": partial}), 1002),
        (json!({"name": "x", "profile": {}}), 1002),
        (json!({"name": "x", "parent": {}}), 1002),
        (
            json!({"name": "x", "parent": {"id": "ffffffffffffffffffffffffffffffff"}}),
            1005,
        ),
        (json!(["name"]), 1001),
    ];
    for (body, code) in cases {
        let a = send(h.api(Method::POST, "/organizations").json(&body)).await;
        assert_eq!((a.status, a.code()), (400, code), "{body}: {}", a.text);
    }
    let a = send(
        h.api(Method::POST, "/organizations")
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    a.assert_error(400, 1001);
    assert_eq!(
        h.emu().requests().last().unwrap().body,
        Some(json!("{not json"))
    );
    assert!(h.emu().organization_ids().is_empty());

    let a = send(
        h.api(Method::POST, "/organizations")
            .json(&json!({"name": "x", "profile": null, "parent": null})),
    )
    .await;
    assert!(a.result().get("parent").is_none());
}

/// A PUT holding a read-only key or another parent is refused and changes nothing.
#[tokio::test]
async fn put_refuses_read_only_keys_and_parent_change() {
    let h = Harness::new();
    let a = h.create(json!({"name": "a"})).await;
    let b = h.create(json!({"name": "b"})).await;
    let child = h
        .create(json!({"name": "child", "parent": {"id": a}}))
        .await;
    let put = |id: &str, body: Value| {
        h.api(Method::PUT, &format!("/organizations/{id}"))
            .json(&body)
    };
    for body in [
        json!({"name": "n", "id": child}),
        json!({"name": "n", "create_time": "2026-01-01T00:00:00Z"}),
        json!({"name": "n", "meta": {}}),
        json!({"name": "n", "parent": {"id": a, "name": "a"}}),
    ] {
        let r = send(put(&child, body.clone())).await;
        r.assert_error(400, 1003);
        assert!(r.message().contains("Read-only"), "{}", r.message());
    }
    let r = send(put(&child, json!({"name": "n", "parent": {"id": b}}))).await;
    r.assert_error(400, 1004);
    assert!(r.message().contains("parent"), "{}", r.message());
    send(put(&a, json!({"name": "n", "parent": {"id": b}})))
        .await
        .assert_error(400, 1004);
    send(put(&child, json!({"name": ""})))
        .await
        .assert_error(400, 1002);
    assert_eq!(h.emu().organization(&child).unwrap()["name"], "child");
    // Omitting parent means "unchanged".
    let ok = send(put(&child, json!({"name": "renamed"}))).await;
    assert_eq!(ok.result()["parent"]["id"], json!(a));
}

/// The profile endpoint goes 404 → 204 (empty body) → 200 with the stored value.
#[tokio::test]
async fn profile_cycle() {
    let h = Harness::new();
    let id = h.create(json!({"name": "acme"})).await;
    let path = format!("/organizations/{id}/profile");
    send(h.api(Method::GET, &path))
        .await
        .assert_error(404, 7003);

    let put = send(h.api(Method::PUT, &path).json(&profile())).await;
    assert_eq!(put.status, 204);
    assert_eq!(put.text, "");
    assert!(put.header("cf-ray").is_some());
    let got = send(h.api(Method::GET, &path)).await;
    assert_eq!(got.result(), &profile());

    let mut changed = profile();
    changed["business_name"] = json!("Acme 2");
    changed["extra"] = json!("dropped");
    assert_eq!(
        send(h.api(Method::PUT, &path).json(&changed)).await.status,
        204
    );
    changed.as_object_mut().unwrap().remove("extra");
    assert_eq!(send(h.api(Method::GET, &path)).await.result(), &changed);

    let mut partial = profile();
    partial.as_object_mut().unwrap().remove("business_phone");
    let r = send(h.api(Method::PUT, &path).json(&partial)).await;
    r.assert_error(400, 1002);
    assert!(r.message().contains("business_phone"));
    send(h.api(Method::PUT, &path))
        .await
        .assert_error(400, 1001);
    send(
        h.api(Method::PUT, "/organizations/nope/profile")
            .json(&profile()),
    )
    .await
    .assert_error(404, 7003);
    // The org object never carries the profile by default.
    let org = send(h.api(Method::GET, &format!("/organizations/{id}"))).await;
    assert!(org.result().get("profile").is_none());
    let list = send(h.api(Method::GET, "/organizations")).await;
    assert!(list.result()[0].get("profile").is_none());
}

/// With `echo_profile`, organization answers include the profile when one exists.
#[tokio::test]
async fn echo_profile_knob() {
    let h = Harness::with(Config {
        echo_profile: true,
        ..Config::default()
    });
    let created = send(
        h.api(Method::POST, "/organizations")
            .json(&json!({"name": "a", "profile": profile()})),
    )
    .await;
    assert_eq!(created.result()["profile"], profile());
    let id = created.result()["id"].as_str().unwrap().to_string();
    let got = send(h.api(Method::GET, &format!("/organizations/{id}"))).await;
    assert_eq!(got.result()["profile"], profile());
    let bare = h.create(json!({"name": "b"})).await;
    let got = send(h.api(Method::GET, &format!("/organizations/{bare}"))).await;
    assert!(got.result().get("profile").is_none());
}

/// Deleting an organization with accounts or sub-organizations fails and keeps everything.
#[tokio::test]
async fn delete_requires_an_empty_organization() {
    let h = Harness::new();
    let id = h.create(json!({"name": "full"})).await;
    h.emu().seed_accounts(&id, 2, "acct-");
    h.create(json!({"name": "sub", "parent": {"id": id}})).await;
    let r = send(h.api(Method::DELETE, &format!("/organizations/{id}"))).await;
    r.assert_error(400, 1010);
    assert_eq!(
        r.message(),
        "Organization must be empty before deletion: it still contains 2 accounts and 1 sub-organization"
    );
    let state = h.emu().state_json();
    assert_eq!(state["organizations"].as_array().unwrap().len(), 2);
    assert_eq!(
        state["organizations"][0]["accounts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(h.emu().remove_accounts_out_of_band(&id), Some(2));
    let r = send(h.api(Method::DELETE, &format!("/organizations/{id}"))).await;
    assert_eq!(
        r.message(),
        "Organization must be empty before deletion: it still contains 1 sub-organization"
    );
}

/// With `one_org_per_user`, a second create by the same credential is refused.
#[tokio::test]
async fn one_org_per_user_knob() {
    let h = Harness::with(Config {
        one_org_per_user: true,
        ..Config::default()
    });
    h.create(json!({"name": "first"})).await;
    let r = send(
        h.api(Method::POST, "/organizations")
            .json(&json!({"name": "second"})),
    )
    .await;
    r.assert_error(400, 1009);
    assert_eq!(r.message(), "You may only create a single organization.");
    let other = send(
        h.bare(Method::POST, "/organizations")
            .header("X-Auth-Email", "admin@example.com")
            .header("X-Auth-Key", "emulator-key")
            .json(&json!({"name": "by key"})),
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(h.emu().organization_ids().len(), 2);
}

/// Account pages at 1, 1000 and 2,345 accounts hold every account once, in order, and the last
/// page has no next_page_token.
#[tokio::test]
async fn account_pagination_at_scale() {
    let h = Harness::new();
    for (count, page_size, pages) in [
        (1, None, 1),
        (1000, Some(1000), 1),
        (2345, Some(1000), 3),
        (2345, Some(100), 24),
    ] {
        let id = h.emu().seed_organization(&format!("org-{count}"), None);
        let seeded = h.emu().seed_accounts(&id, count, "acct-");
        let (items, infos) = h
            .walk(&format!("/organizations/{id}/accounts"), &[], page_size)
            .await;
        let ids: Vec<&str> = items.iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, seeded, "{count} accounts, page_size {page_size:?}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), count);
        assert_eq!(infos.len(), pages);
        for info in &infos {
            assert_eq!(info["total_size"], count);
        }
        assert!(infos.last().unwrap().get("next_page_token").is_none());
    }
    let id = &h.emu().organization_ids()[0];
    let first = send(h.api(Method::GET, &format!("/organizations/{id}/accounts"))).await;
    let account = &first.result()[0];
    assert_eq!(account["name"], "acct-1");
    assert_eq!(account["type"], "standard");
    assert!(account["created_on"].is_string());
    let settings = account["settings"].as_object().unwrap();
    let keys: Vec<&str> = settings.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "abuse_contact_email",
            "access_approval_expiry",
            "api_access_enabled",
            "default_nameservers",
            "enforce_twofactor",
            "use_account_custom_ns_by_default"
        ]
    );
}

/// page_size is bounded, 0 means the default, and page tokens are tied to their filters.
#[tokio::test]
async fn pagination_parameters_are_checked() {
    let h = Harness::new();
    for i in 0..25 {
        h.emu().seed_organization(&format!("org-{i}"), None);
    }
    let page = |q: Vec<(&str, String)>| send(h.api(Method::GET, "/organizations").query(&q));
    let r = page(vec![("page_size", "1001".into())]).await;
    r.assert_error(400, 1007);
    let r = page(vec![("page_size", "0".into())]).await;
    assert_eq!(r.result().as_array().unwrap().len(), 10);
    let r = page(vec![]).await;
    assert_eq!(r.result().as_array().unwrap().len(), 10);
    let token = r.body["result_info"]["next_page_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = page(vec![
        ("page_token", token.clone()),
        ("page_size", "15".into()),
    ])
    .await;
    assert_eq!(r.result().as_array().unwrap().len(), 15);
    assert!(r.body["result_info"].get("next_page_token").is_none());
    page(vec![
        ("page_token", token.clone()),
        ("name.contains", "org".into()),
    ])
    .await
    .assert_error(400, 1008);
    page(vec![("page_token", "garbage".into())])
        .await
        .assert_error(400, 1008);
    // A token from the org list is not valid on an accounts list.
    let id = &h.emu().organization_ids()[0];
    send(
        h.api(Method::GET, &format!("/organizations/{id}/accounts"))
            .query(&[("page_token", &token)]),
    )
    .await
    .assert_error(400, 1008);
}

/// 130 organizations come back across cursor pages without loss (field-failures F2).
#[tokio::test]
async fn organizations_list_across_pages() {
    let h = Harness::new();
    let seeded = send(
        h.admin(Method::POST, "/organizations")
            .json(&json!({"count": 130, "name_prefix": "org-"})),
    )
    .await;
    assert_eq!(seeded.status, 200);
    let ids: Vec<String> = seeded.body["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 130);
    let (items, infos) = h
        .walk("/organizations", &[("name.contains", "ORG-")], Some(50))
        .await;
    let got: Vec<&str> = items.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids);
    assert_eq!(infos.len(), 3);
    let logged: Vec<_> = h
        .emu()
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(logged.len(), 3);
    for r in logged {
        assert!(r.query.unwrap().contains("name.contains=ORG-"));
    }
}

/// Every organization list filter selects exactly the expected organizations.
#[tokio::test]
async fn organization_list_filters() {
    let h = Harness::new();
    let alpha = h.create(json!({"name": "Alpha Corp"})).await;
    let beta = h.create(json!({"name": "beta-labs"})).await;
    let gamma = h
        .create(json!({"name": "Gamma Corp", "parent": {"id": alpha}}))
        .await;
    let delta = h
        .create(json!({"name": "delta", "parent": {"id": gamma}}))
        .await;
    let by_key = send(
        h.bare(Method::POST, "/organizations")
            .header("X-Auth-Email", "admin@example.com")
            .header("X-Auth-Key", "emulator-key")
            .json(&json!({"name": "keyed"})),
    )
    .await;
    assert_eq!(by_key.status, 200);
    let account = h.emu().seed_accounts(&gamma, 1, "acct-").remove(0);

    let cases: Vec<FilterCase> = vec![
        (
            vec![],
            vec!["Alpha Corp", "beta-labs", "Gamma Corp", "delta", "keyed"],
        ),
        (
            vec![("id", &alpha), ("id", &delta)],
            vec!["Alpha Corp", "delta"],
        ),
        (vec![("name", "ALPHA corp")], vec!["Alpha Corp"]),
        (vec![("name", "alpha")], vec![]),
        (
            vec![("name.contains", "CORP")],
            vec!["Alpha Corp", "Gamma Corp"],
        ),
        (vec![("name.startsWith", "Be")], vec!["beta-labs"]),
        (vec![("name.endsWith", "LABS")], vec!["beta-labs"]),
        (
            vec![("name.contains", "corp"), ("name.startsWith", "g")],
            vec!["Gamma Corp"],
        ),
        (
            vec![("parent.id", "null")],
            vec!["Alpha Corp", "beta-labs", "keyed"],
        ),
        (vec![("parent.id", &alpha)], vec!["Gamma Corp"]),
        (
            vec![("containing.account", &account)],
            vec!["Alpha Corp", "Gamma Corp"],
        ),
        (
            vec![("containing.organization", &delta)],
            vec!["Alpha Corp", "Gamma Corp"],
        ),
        (vec![("containing.organization", &beta)], vec![]),
        (
            vec![("containing.user", "token:1")],
            vec!["Alpha Corp", "beta-labs", "Gamma Corp", "delta"],
        ),
        (
            vec![("containing.user", "ADMIN@example.com")],
            vec!["keyed"],
        ),
    ];
    for (filters, expected) in cases {
        assert_eq!(
            h.names("/organizations", &filters).await,
            expected,
            "{filters:?}"
        );
    }
}

/// Account filters (name, name operators, account_pubname aliases) and ordering work.
#[tokio::test]
async fn account_list_filters_and_order() {
    let h = Harness::new();
    let id = h.emu().seed_organization("org", None);
    for name in ["delta", "Alpha", "charlie-x", "bravo-x"] {
        h.emu().seed_account(&id, Some(name), "enterprise");
    }
    h.emu().seed_account(&id, None, "standard");
    let path = format!("/organizations/{id}/accounts");
    let cases: Vec<FilterCase> = vec![
        (
            vec![],
            vec!["delta", "Alpha", "charlie-x", "bravo-x", "<null>"],
        ),
        (vec![("name", "ALPHA")], vec!["Alpha"]),
        (vec![("name.contains", "-X")], vec!["charlie-x", "bravo-x"]),
        (vec![("name.startsWith", "b")], vec!["bravo-x"]),
        (vec![("name.endsWith", "TA")], vec!["delta"]),
        (vec![("account_pubname", "delta")], vec!["delta"]),
        (
            vec![("account_pubname.contains", "x")],
            vec!["charlie-x", "bravo-x"],
        ),
        (vec![("account_pubname.startsWith", "c")], vec!["charlie-x"]),
        (vec![("account_pubname.endsWith", "pha")], vec!["Alpha"]),
        (
            vec![("order_by", "account_name")],
            vec!["<null>", "Alpha", "bravo-x", "charlie-x", "delta"],
        ),
        (
            vec![("order_by", "account_name"), ("direction", "asc")],
            vec!["<null>", "Alpha", "bravo-x", "charlie-x", "delta"],
        ),
        (
            vec![("order_by", "account_name"), ("direction", "desc")],
            vec!["delta", "charlie-x", "bravo-x", "Alpha", "<null>"],
        ),
        (
            vec![("order_by", "account_name"), ("name.contains", "x")],
            vec!["bravo-x", "charlie-x"],
        ),
    ];
    for (filters, expected) in cases {
        assert_eq!(h.names(&path, &filters).await, expected, "{filters:?}");
    }
    send(
        h.api(Method::GET, &path)
            .query(&[("order_by", "created_on")]),
    )
    .await
    .assert_error(400, 1007);
    send(h.api(Method::GET, &path).query(&[("direction", "up")]))
        .await
        .assert_error(400, 1007);
    send(h.api(Method::GET, "/organizations/nope/accounts"))
        .await
        .assert_error(404, 7003);
    let first = send(h.api(Method::GET, &path)).await;
    assert_eq!(first.result()[0]["type"], "enterprise");
}

/// Unknown paths get 404/7000 and wrong methods 405/7001.
#[tokio::test]
async fn routing_errors() {
    let h = Harness::new();
    send(h.api(Method::GET, "/zones"))
        .await
        .assert_error(404, 7000);
    send(h.api(Method::GET, "/organizations/"))
        .await
        .assert_error(404, 7000);
    send(h.api(Method::PATCH, "/organizations"))
        .await
        .assert_error(405, 7001);
    send(h.api(Method::POST, "/organizations/x/profile"))
        .await
        .assert_error(405, 7001);
    let outside = send(
        h.http
            .get(format!("{}/organizations", h.origin()))
            .bearer_auth("emulator-token"),
    )
    .await;
    outside.assert_error(404, 7000);
    assert_eq!(h.emu().requests().len(), 5);
}

/// The first N requests per method and path get 429 + Retry-After; "forever" never clears.
#[tokio::test]
async fn rate_limit_knob() {
    let h = Harness::with(Config {
        faults: Faults {
            rate_limit: 3,
            retry_after_secs: Some(2),
            ..Faults::default()
        },
        ..Config::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = send(h.api(Method::GET, "/organizations")).await;
        if r.status == 429 {
            r.assert_error(429, 971);
            assert_eq!(
                r.message(),
                "Please wait and consider throttling your request speed"
            );
            assert_eq!(r.header("retry-after"), Some("2"));
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses, [429, 429, 429, 200]);
    // Another method on the same path has its own count.
    let r = send(
        h.api(Method::POST, "/organizations")
            .json(&json!({"name": "x"})),
    )
    .await;
    assert_eq!(r.status, 429);
    assert!(h.emu().organization_ids().is_empty());
    let faults: Vec<Option<String>> = h.emu().requests().iter().map(|r| r.fault.clone()).collect();
    assert_eq!(
        faults
            .iter()
            .filter(|f| f.as_deref() == Some("rate_limit"))
            .count(),
        4
    );

    h.emu().set_faults(Faults {
        rate_limit_forever: true,
        ..Faults::default()
    });
    for _ in 0..5 {
        let r = send(h.api(Method::GET, "/organizations")).await;
        r.assert_error(429, 971);
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    h.emu().set_faults(Faults::default());
    assert_eq!(send(h.api(Method::GET, "/organizations")).await.status, 200);
}

/// Every Nth request fails with 500, 502 (HTML) and 503 in turn.
#[tokio::test]
async fn error_5xx_cadence_knob() {
    let h = Harness::new();
    h.emu().set_faults(Faults {
        error_5xx_every: 3,
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..9 {
        let r = send(h.api(Method::GET, "/organizations")).await;
        match r.status {
            500 => {
                r.assert_error(500, 10001);
            }
            502 => {
                assert!(r.header("content-type").unwrap().starts_with("text/html"));
                assert!(r.text.contains("502 Bad Gateway"));
            }
            503 => {
                r.assert_error(503, 10013);
            }
            _ => {}
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses, [200, 200, 500, 200, 200, 502, 200, 200, 503]);
}

/// After create, the first N requests touching the org get 403/10000, then it reads back.
#[tokio::test]
async fn propagation_403_knob() {
    let h = Harness::new();
    h.emu().set_faults(Faults {
        propagation_403: 3,
        ..Faults::default()
    });
    let id = h.create(json!({"name": "slow"})).await;
    let org_path = format!("/organizations/{id}");
    let profile_path = format!("{org_path}/profile");
    send(h.api(Method::GET, &org_path))
        .await
        .assert_error(403, 10000);
    send(h.api(Method::PUT, &profile_path).json(&profile()))
        .await
        .assert_error(403, 10000);
    // Lists do not count.
    assert_eq!(
        send(h.api(Method::GET, "/organizations"))
            .await
            .result()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    send(h.api(Method::GET, &profile_path))
        .await
        .assert_error(403, 10000);
    assert_eq!(
        send(h.api(Method::GET, &org_path)).await.result()["id"],
        json!(id)
    );
    assert_eq!(
        send(h.api(Method::PUT, &profile_path).json(&profile()))
            .await
            .status,
        204
    );
    let faults = h
        .emu()
        .requests()
        .iter()
        .filter(|r| r.fault.as_deref() == Some("propagation_403"))
        .count();
    assert_eq!(faults, 3);
    // Seeded orgs are unaffected.
    let seeded = h.emu().seed_organization("seeded", None);
    assert_eq!(
        send(h.api(Method::GET, &format!("/organizations/{seeded}")))
            .await
            .status,
        200
    );
}

/// With drop_after_post_commit the client gets a transport error, yet the org is stored.
#[tokio::test]
async fn drop_after_post_commit_knob() {
    let h = Harness::new();
    h.emu().set_faults(Faults {
        drop_after_post_commit: true,
        ..Faults::default()
    });
    let err = h
        .api(Method::POST, "/organizations")
        .json(&json!({"name": "ghost"}))
        .send()
        .await
        .expect_err("the connection must drop without a response");
    assert!(err.status().is_none());
    assert!(!err.is_timeout());
    let ids = h.emu().organization_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(h.emu().organization(&ids[0]).unwrap()["name"], "ghost");
    let log = h.emu().requests();
    assert_eq!(log.len(), 1, "exactly one POST: {log:?}");
    assert_eq!(
        (log[0].status, log[0].fault.as_deref()),
        (0, Some("drop_after_post_commit"))
    );
    // Other requests still answer normally.
    assert_eq!(send(h.api(Method::GET, "/organizations")).await.status, 200);
}

/// With empty_result_on_create the POST answers `result: {}` after storing the org.
#[tokio::test]
async fn empty_result_on_create_knob() {
    let h = Harness::new();
    h.emu().set_faults(Faults {
        empty_result_on_create: true,
        ..Faults::default()
    });
    let r = send(
        h.api(Method::POST, "/organizations")
            .json(&json!({"name": "blank"})),
    )
    .await;
    assert_eq!(r.result(), &json!({}));
    assert_eq!(h.emu().organization_ids().len(), 1);
}

/// A held POST answers only after the hold and stores the org; a client that gives up stores nothing.
#[tokio::test]
async fn hold_post_knob() {
    let h = Harness::new();
    h.emu().set_faults(Faults {
        hold_post_secs: 1,
        ..Faults::default()
    });
    let started = Instant::now();
    let id = h.create(json!({"name": "held"})).await;
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(h.emu().organization(&id).is_some());

    h.emu().set_faults(Faults {
        hold_post_secs: 120,
        ..Faults::default()
    });
    let err = h
        .api(Method::POST, "/organizations")
        .json(&json!({"name": "abandoned"}))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    let emu = h.emu().clone();
    eventually("the held POST to be abandoned", || {
        emu.requests().last().is_some_and(|r| r.status == 499)
    })
    .await;
    assert_eq!(
        h.emu().requests().last().unwrap().fault.as_deref(),
        Some("client_disconnected")
    );
    assert_eq!(h.emu().organization_ids(), vec![id]);
}

/// Shutting the emulator down ends a held POST instead of waiting for it.
#[tokio::test]
async fn shutdown_releases_held_post() {
    let h = Harness::with(Config {
        faults: Faults {
            hold_post_secs: 600,
            ..Faults::default()
        },
        ..Config::default()
    });
    let request = h
        .api(Method::POST, "/organizations")
        .json(&json!({"name": "x"}));
    let pending = tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
    let emu = h.emu().clone();
    eventually("the POST to arrive", || emu.requests().len() == 1).await;
    let started = Instant::now();
    drop(h);
    assert!(started.elapsed() < Duration::from_secs(10));
    let outcome = pending.await.unwrap();
    assert!(matches!(outcome, Ok(503) | Err(_)), "{outcome:?}");
    assert!(emu.organization_ids().is_empty());
}

/// latency_ms delays every API request.
#[tokio::test]
async fn latency_knob() {
    let h = Harness::new();
    h.emu().set_faults(Faults {
        latency_ms: 200,
        ..Faults::default()
    });
    let started = Instant::now();
    assert_eq!(send(h.api(Method::GET, "/organizations")).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

/// reorder_lists reverses every other list read, keeping the pages of one read consistent.
#[tokio::test]
async fn reorder_lists_knob() {
    let h = Harness::new();
    for i in 0..15 {
        h.emu().seed_organization(&format!("org-{i}"), None);
    }
    h.emu().set_faults(Faults {
        reorder_lists: true,
        ..Faults::default()
    });
    let ids = h.emu().organization_ids();
    let (first, _) = h.walk("/organizations", &[], Some(4)).await;
    let (second, _) = h.walk("/organizations", &[], Some(4)).await;
    let first: Vec<&str> = first.iter().map(|o| o["id"].as_str().unwrap()).collect();
    let mut second: Vec<&str> = second.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(first, ids);
    second.reverse();
    assert_eq!(second, ids);
}

/// The admin surface reads state and the log, sets faults and changes things out of band.
#[tokio::test]
async fn admin_surface() {
    let h = Harness::new();
    let id = h.create(json!({"name": "acme"})).await;

    let faults = send(
        h.admin(Method::PUT, "/faults")
            .json(&json!({"rate_limit": 2, "retry_after_secs": 5})),
    )
    .await;
    assert_eq!(faults.status, 200);
    assert_eq!(h.emu().faults().rate_limit, 2);
    let got = send(h.admin(Method::GET, "/faults")).await;
    assert_eq!(got.body["retry_after_secs"], 5);
    assert_eq!(got.body["propagation_403"], 0);
    assert_eq!(
        send(h.admin(Method::PUT, "/faults").json(&json!({"typo": 1})))
            .await
            .status,
        400
    );
    assert_eq!(
        send(h.admin(Method::PUT, "/faults").json(&json!({})))
            .await
            .status,
        200
    );
    assert_eq!(h.emu().faults(), Faults::default());

    let r = send(
        h.admin(Method::PUT, &format!("/organizations/{id}/name"))
            .json(&json!({"name": "renamed"})),
    )
    .await;
    assert_eq!(r.status, 204);
    let r = send(
        h.admin(Method::PUT, &format!("/organizations/{id}/profile"))
            .json(&json!({"business_name": "partial"})),
    )
    .await;
    assert_eq!(r.status, 204);
    let got = send(h.api(Method::GET, &format!("/organizations/{id}/profile"))).await;
    assert_eq!(got.result(), &json!({"business_name": "partial"}));
    let r = send(
        h.admin(Method::POST, &format!("/organizations/{id}/accounts"))
            .json(&json!({"name": "one", "type": "enterprise"})),
    )
    .await;
    assert_eq!(r.body["id"].as_str().unwrap().len(), 32);
    let r = send(
        h.admin(Method::POST, &format!("/organizations/{id}/accounts"))
            .json(&json!({"count": 3, "name_prefix": "bulk-"})),
    )
    .await;
    assert_eq!(r.body["ids"].as_array().unwrap().len(), 3);
    let sub = send(
        h.admin(Method::POST, "/organizations")
            .json(&json!({"name": "sub", "parent_id": id})),
    )
    .await;
    let sub = sub.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        send(
            h.admin(Method::POST, "/organizations")
                .json(&json!({"name": "x", "parent_id": "nope"}))
        )
        .await
        .status,
        404
    );

    let state = send(h.admin(Method::GET, "/state")).await;
    assert_eq!(state.body, h.emu().state_json());
    let org = &state.body["organizations"][0];
    assert_eq!(org["name"], "renamed");
    assert_eq!(org["members"], json!(["token:1"]));
    let names: Vec<&str> = org["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one", "bulk-1", "bulk-2", "bulk-3"]);
    assert_eq!(
        state.body["organizations"][1]["parent"],
        json!({"id": id, "name": "renamed"})
    );

    let log = send(h.admin(Method::GET, "/requests")).await;
    let entries = log.body.as_array().unwrap();
    assert_eq!(entries.len(), 2, "admin calls are not logged");
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["path"], "/client/v4/organizations");
    assert_eq!(entries[0]["auth"], "token");
    assert_eq!(entries[0]["body"], json!({"name": "acme"}));
    assert_eq!(entries[1]["query"], Value::Null);
    assert_eq!(send(h.admin(Method::DELETE, "/requests")).await.status, 204);
    assert!(h.emu().requests().is_empty());

    assert_eq!(
        send(h.admin(Method::DELETE, &format!("/organizations/{id}")))
            .await
            .status,
        204
    );
    assert_eq!(
        send(h.admin(Method::DELETE, &format!("/organizations/{id}")))
            .await
            .status,
        404
    );
    send(h.api(Method::GET, &format!("/organizations/{id}")))
        .await
        .assert_error(404, 7003);
    // The orphan keeps its parent reference.
    let orphan = send(h.api(Method::GET, &format!("/organizations/{sub}"))).await;
    assert_eq!(
        orphan.result()["parent"],
        json!({"id": id, "name": "renamed"})
    );
    assert_eq!(send(h.admin(Method::GET, "/nothing")).await.status, 404);
}

/// 30 parallel creates and profile writes each land on their own organization.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_operations_do_not_cross_talk() {
    let h = Harness::new();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let post = h
            .api(Method::POST, "/organizations")
            .json(&json!({"name": format!("org-{i}")}));
        let base = h.bg.base_url.clone();
        let http = h.http.clone();
        tasks.push(tokio::spawn(async move {
            let id = send(post).await.result()["id"]
                .as_str()
                .unwrap()
                .to_string();
            let mut p = profile();
            p["business_name"] = json!(format!("biz-{i}"));
            let put = http
                .put(format!("{base}/organizations/{id}/profile"))
                .bearer_auth("emulator-token")
                .json(&p);
            assert_eq!(send(put).await.status, 204);
            (i, id)
        }));
    }
    for task in tasks {
        let (i, id) = task.await.unwrap();
        let org = h.emu().organization(&id).unwrap();
        assert_eq!(org["name"], format!("org-{i}"));
        assert_eq!(org["profile"]["business_name"], format!("biz-{i}"));
    }
    assert_eq!(h.emu().organization_ids().len(), 30);
    let seqs: Vec<u64> = h.emu().requests().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=60).collect::<Vec<u64>>());
}

/// The binary prints one CLOUDFLARE_BASE_URL line, serves the API and exits 0 on SIGINT.
#[tokio::test]
async fn binary_prints_base_url_and_exits_on_sigint() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloudflare-orgs-emulator"))
        .args([
            "--api-token",
            "bin-token",
            "--faults",
            r#"{"latency_ms": 1}"#,
            "--seed-orgs",
            "2",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let base = line.strip_prefix("CLOUDFLARE_BASE_URL=").unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/client/v4"),
        "{line}"
    );
    let r = send(
        reqwest::Client::new()
            .get(format!("{base}/organizations"))
            .bearer_auth("bin-token"),
    )
    .await;
    assert_eq!(r.body["result_info"]["total_size"], 2);
    let r = send(
        reqwest::Client::new()
            .get(format!("{base}/organizations"))
            .bearer_auth("emulator-token"),
    )
    .await;
    assert_eq!(r.status, 403);

    let pid = i32::try_from(child.id().unwrap()).unwrap();
    // SAFETY: plain kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(
        lines.next_line().await.unwrap(),
        None,
        "exactly one stdout line"
    );
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(stderr.contains("api request"), "{stderr}");
    assert!(!stderr.contains("bin-token"), "stderr leaks the token");
}

/// --help explains the credentials and the admin surface.
#[test]
fn binary_help() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cloudflare-orgs-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--listen",
        "--api-token",
        "--api-key",
        "--email",
        "--echo-profile",
        "--one-org-per-user",
        "--faults",
        "/__emulator/",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}
