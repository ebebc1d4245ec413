//! The real REST client (`tfcf::cloudflare`) against the real emulator (`tfcf::emulator`) over HTTP on 127.0.0.1.

mod common;

use common::OnMessage;

use std::collections::HashSet;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tfcf::cloudflare::{
    AccountFilter, Auth, Client, ClientConfig, Error, ErrorKind, Flags, OrganizationCreate,
    OrganizationFilter, OrganizationUpdate, ParentRef, Profile,
};
use tfcf::emulator::{
    AuthScheme, BackgroundEmulator, Config, Emulator, Faults, RecordedRequest, DEFAULT_API_KEY,
    DEFAULT_API_TOKEN, DEFAULT_EMAIL,
};
use tokio_util::sync::CancellationToken;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The emulator's API prefix, which its request log keeps in every path.
const PREFIX: &str = "/client/v4";

// ---- helpers ----------------------------------------------------------------------------

/// Starts an emulator with the default credentials and these faults.
fn start(faults: Faults) -> io::Result<BackgroundEmulator> {
    BackgroundEmulator::start(Config {
        faults,
        ..Config::default()
    })
}

/// Fast client settings: 50 ms first back-off, a 2 s cap (so `Retry-After: 1` is honoured) and
/// a limiter that never bites.
fn config(base_url: &str, auth: Auth) -> ClientConfig {
    ClientConfig {
        base_url: base_url.to_string(),
        auth,
        max_retries: 4,
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_secs(2),
        requests_per_second: 1000.0,
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        propagation_timeout: Duration::from_secs(10),
        ..ClientConfig::default()
    }
}

fn token() -> Auth {
    Auth::Token(DEFAULT_API_TOKEN.to_string())
}

/// A client of `bg` using the default token.
fn client(bg: &BackgroundEmulator) -> Result<Client, Error> {
    Client::new(config(&bg.base_url, token()), CancellationToken::new())
}

/// Logged requests with this method and API path (relative to `/client/v4`), oldest first.
fn logged(emu: &Emulator, method: &str, path: &str) -> Vec<RecordedRequest> {
    let full = format!("{PREFIX}{path}");
    emu.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == full)
        .collect()
}

/// The statuses of `requests`, in order.
fn statuses(requests: &[RecordedRequest]) -> Vec<u16> {
    requests.iter().map(|r| r.status).collect()
}

/// The decoded value of query parameter `key` of a logged request.
fn param(r: &RecordedRequest, key: &str) -> Option<String> {
    url::form_urlencoded::parse(r.query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn profile(email: &str) -> Profile {
    Profile {
        business_address: r#"{"line1":"1 Main St","country":"US"}"#.into(),
        business_email: email.into(),
        business_name: "Acme Corp".into(),
        business_phone: "+1 555 0100".into(),
        external_metadata: r#"{"department":"IT"}"#.into(),
    }
}

fn create_body(name: &str) -> OrganizationCreate {
    OrganizationCreate {
        name: name.into(),
        ..OrganizationCreate::default()
    }
}

/// Waits (bounded) for a condition on the emulator's state; it re-checks every 10 ms, so it
/// never hides a race: the assertion is the condition itself.
async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Asserts that `err` is of `kind`, showing the error otherwise.
#[track_caller]
fn assert_kind(err: &Error, kind: ErrorKind) {
    assert_eq!(err.kind(), &kind, "{err}");
}

// ---- 1. authentication ------------------------------------------------------------------

/// A token reaches the emulator as the token scheme, identified as the first configured token.
#[tokio::test]
async fn token_auth_is_seen_as_token() -> TestResult {
    let bg = start(Faults::default())?;
    let c = client(&bg)?;
    let org = c.create_organization(&create_body("token-org")).await?;
    assert_eq!(c.get_organization(&org.id).await?.name, "token-org");
    let log = bg.emulator.requests();
    assert_eq!(log.len(), 2);
    for r in &log {
        assert_eq!(r.auth, AuthScheme::Token, "{r:?}");
        assert_eq!(r.identity.as_deref(), Some("token:1"));
        assert_eq!(r.status, 200);
    }
    Ok(())
}

/// An API key + email reaches the emulator as the key scheme, identified by the email.
#[tokio::test]
async fn key_and_email_auth_is_seen_as_key_with_the_email() -> TestResult {
    let bg = start(Faults::default())?;
    let auth = Auth::KeyEmail {
        key: DEFAULT_API_KEY.into(),
        email: DEFAULT_EMAIL.into(),
    };
    let c = Client::new(config(&bg.base_url, auth), CancellationToken::new())?;
    let org = c.create_organization(&create_body("key-org")).await?;
    let listed = c
        .list_organizations(&OrganizationFilter::default(), None)
        .await?;
    assert_eq!(
        listed.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        vec![org.id.as_str()]
    );
    let log = bg.emulator.requests();
    assert_eq!(log.len(), 2);
    for r in &log {
        assert_eq!(r.auth, AuthScheme::Key, "{r:?}");
        assert_eq!(r.identity.as_deref(), Some(DEFAULT_EMAIL));
    }
    // The emulator recorded the creator by that identity.
    let state = bg.emulator.state_json();
    assert_eq!(state["organizations"][0]["members"], json!([DEFAULT_EMAIL]));
    Ok(())
}

/// A wrong token fails once with 403 / 10000 and a hint to use `api_key` + `email`.
#[tokio::test]
async fn wrong_token_is_403_with_a_key_and_email_hint() -> TestResult {
    let bg = start(Faults::default())?;
    let id = bg.emulator.seed_organization("acme", None);
    let auth = Auth::Token("not-a-known-token".into());
    let c = Client::new(config(&bg.base_url, auth), CancellationToken::new())?;
    let err = c
        .get_organization(&id)
        .await
        .err()
        .ok_or("expected a 403")?;
    assert_kind(&err, ErrorKind::Api);
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.api_errors().len(), 1);
    assert_eq!(err.api_errors()[0].code, 10000);
    assert_eq!(err.api_errors()[0].message, "Authentication error");
    let hint = err.hint().ok_or("no hint")?;
    assert!(
        hint.contains("`api_key`") && hint.contains("`email`"),
        "{hint}"
    );
    assert!(err.ray_id().is_some_and(|r| r.ends_with("-EMU")));
    let log = bg.emulator.requests();
    assert_eq!(statuses(&log), vec![403]);
    assert_eq!(log[0].auth, AuthScheme::Token);
    assert_eq!(log[0].identity, None);
    Ok(())
}

// ---- 2. retries -------------------------------------------------------------------------

/// Three 429s with `Retry-After: 1` are retried: exactly 4 attempts, each ≥ 1 s after the last.
#[tokio::test]
async fn rate_limit_retries_honour_retry_after() -> TestResult {
    let bg = start(Faults {
        rate_limit: 3,
        retry_after_secs: Some(1),
        ..Faults::default()
    })?;
    let id = bg.emulator.seed_organization("acme", None);
    let org = client(&bg)?.get_organization(&id).await?;
    assert_eq!(org.id, id);
    let attempts = logged(&bg.emulator, "GET", &format!("/organizations/{id}"));
    assert_eq!(statuses(&attempts), vec![429, 429, 429, 200]);
    for pair in attempts.windows(2) {
        let gap = pair[1].at_ms - pair[0].at_ms;
        assert!(gap >= 1000, "attempts only {gap} ms apart: {attempts:?}");
        // Retry-After, not the (50 ms) back-off nor an exponential one, set the pace.
        assert!(gap < 2000, "attempts {gap} ms apart: {attempts:?}");
    }
    Ok(())
}

/// One 429 with `Retry-After: 1` then a 200 takes just over one second of wall time.
#[tokio::test]
async fn one_429_then_success_takes_about_one_second() -> TestResult {
    let bg = start(Faults {
        rate_limit: 1,
        retry_after_secs: Some(1),
        ..Faults::default()
    })?;
    let id = bg.emulator.seed_organization("acme", None);
    let c = client(&bg)?;
    let started = Instant::now();
    c.get_organization(&id).await?;
    let wall = started.elapsed();
    println!(
        "429-then-success with Retry-After: 1 took {} ms",
        wall.as_millis()
    );
    assert_eq!(
        statuses(&logged(
            &bg.emulator,
            "GET",
            &format!("/organizations/{id}")
        )),
        vec![429, 200]
    );
    assert!(wall >= Duration::from_secs(1), "{wall:?}");
    assert!(wall < Duration::from_millis(1900), "{wall:?}");
    Ok(())
}

/// A 429 that never ends fails as RateLimited naming 429 after exactly max_retries + 1 attempts.
#[tokio::test]
async fn endless_rate_limit_gives_up_after_max_retries() -> TestResult {
    let bg = start(Faults {
        rate_limit_forever: true,
        // The count is the point here, not the wait.
        retry_after_secs: Some(0),
        ..Faults::default()
    })?;
    let id = bg.emulator.seed_organization("acme", None);
    let cfg = config(&bg.base_url, token());
    let max_retries = cfg.max_retries as usize;
    let c = Client::new(cfg, CancellationToken::new())?;
    let err = c.get_organization(&id).await.err().ok_or("expected 429")?;
    assert_kind(&err, ErrorKind::RateLimited);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.api_errors()[0].code, 971);
    assert!(err.to_string().contains("HTTP 429"), "{err}");
    // Retry-After: 0 still reads as a wait of about one second.
    let hint = err.hint().ok_or("no hint")?;
    assert!(
        hint.contains("rate limit") && hint.contains("retry in about 1 second ("),
        "{hint}"
    );
    let attempts = logged(&bg.emulator, "GET", &format!("/organizations/{id}"));
    assert_eq!(attempts.len(), max_retries + 1);
    assert!(attempts.iter().all(|r| r.status == 429));
    Ok(())
}

/// A 429 on create is the server refusing it, so the POST is retried and creates exactly one org.
#[tokio::test]
async fn create_is_retried_after_429_only() -> TestResult {
    let bg = start(Faults {
        rate_limit: 2,
        retry_after_secs: Some(0),
        ..Faults::default()
    })?;
    let org = client(&bg)?
        .create_organization(&create_body("refused-twice"))
        .await?;
    assert_eq!(
        statuses(&logged(&bg.emulator, "POST", "/organizations")),
        vec![429, 429, 200]
    );
    assert_eq!(bg.emulator.organization_ids(), vec![org.id]);
    Ok(())
}

/// With every second request failing (500, 502 HTML, 503), every read succeeds after one retry.
#[tokio::test]
async fn server_errors_on_reads_are_retried() -> TestResult {
    let bg = start(Faults::default())?;
    let id = bg.emulator.seed_organization("acme", None);
    let accounts = bg.emulator.seed_accounts(&id, 3, "acct-");
    bg.emulator.set_faults(Faults {
        error_5xx_every: 2,
        ..Faults::default()
    });
    let c = client(&bg)?;
    for _ in 0..3 {
        assert_eq!(c.get_organization(&id).await?.name, "acme");
    }
    let listed = c
        .list_accounts(&id, &AccountFilter::default(), None)
        .await?;
    assert_eq!(
        listed.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        accounts
    );
    let log = bg.emulator.requests();
    assert_eq!(statuses(&log), vec![200, 500, 200, 502, 200, 503, 200]);
    // Each failure is followed by a retry of the same request.
    for pair in log.windows(2).filter(|p| p[0].status >= 500) {
        assert_eq!(
            (&pair[1].method, &pair[1].path),
            (&pair[0].method, &pair[0].path)
        );
        assert_eq!(pair[0].fault.as_deref(), Some("error_5xx"));
    }
    Ok(())
}

/// A 400 is final: a create with an empty name and a PUT naming another parent are each sent once.
#[tokio::test]
async fn bad_requests_are_sent_exactly_once() -> TestResult {
    let bg = start(Faults::default())?;
    let c = client(&bg)?;
    let err = c
        .create_organization(&create_body(""))
        .await
        .err()
        .ok_or("expected 400")?;
    assert_kind(&err, ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.api_errors()[0].code, 1002);
    assert_eq!(
        statuses(&logged(&bg.emulator, "POST", "/organizations")),
        vec![400]
    );

    let a = bg.emulator.seed_organization("a", None);
    let b = bg.emulator.seed_organization("b", None);
    let err = c
        .update_organization(
            &a,
            &OrganizationUpdate {
                name: "a2".into(),
                parent: Some(ParentRef { id: b }),
            },
        )
        .await
        .err()
        .ok_or("expected 400")?;
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.api_errors()[0].code, 1004);
    assert_eq!(
        statuses(&logged(&bg.emulator, "PUT", &format!("/organizations/{a}"))),
        vec![400]
    );
    assert_eq!(
        bg.emulator.organization(&a).ok_or("a is gone")?["name"],
        "a"
    );
    Ok(())
}

// ---- 3. no POST replay ------------------------------------------------------------------

/// A create whose connection drops after commit is OutcomeUnknown, sent once, and did create the org.
#[tokio::test]
async fn dropped_create_is_outcome_unknown_and_never_replayed() -> TestResult {
    let bg = start(Faults {
        drop_after_post_commit: true,
        ..Faults::default()
    })?;
    let c = client(&bg)?;
    let err = c
        .create_organization(&create_body("dropped-org"))
        .await
        .err()
        .ok_or("expected OutcomeUnknown")?;
    assert_kind(&err, ErrorKind::OutcomeUnknown);
    assert_eq!(err.status(), None);
    let hint = err.hint().ok_or("no hint")?;
    assert!(
        hint.contains("may already exist") && hint.contains("GET /organizations?name="),
        "{hint}"
    );
    assert!(
        err.to_string()
            .contains("GET /organizations?name=dropped-org"),
        "{err}"
    );
    let posts = logged(&bg.emulator, "POST", "/organizations");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].status, 0);
    assert_eq!(posts[0].fault.as_deref(), Some("drop_after_post_commit"));
    let ids = bg.emulator.organization_ids();
    assert_eq!(ids.len(), 1);

    // The check the error recommends finds it.
    bg.emulator.set_faults(Faults::default());
    let found = c
        .list_organizations(
            &OrganizationFilter {
                name: Some("dropped-org".into()),
                ..OrganizationFilter::default()
            },
            None,
        )
        .await?;
    assert_eq!(found.iter().map(|o| o.id.clone()).collect::<Vec<_>>(), ids);
    Ok(())
}

/// A 5xx on create is not retried: exactly one POST, and the error says the outcome is unknown.
#[tokio::test]
async fn server_error_on_create_is_not_retried() -> TestResult {
    let bg = start(Faults {
        error_5xx_every: 1,
        ..Faults::default()
    })?;
    let err = client(&bg)?
        .create_organization(&create_body("five-hundred"))
        .await
        .err()
        .ok_or("expected 500")?;
    assert_kind(&err, ErrorKind::OutcomeUnknown);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.api_errors()[0].code, 10001);
    assert!(err.hint().is_some_and(|h| h.contains("may already exist")));
    assert_eq!(
        statuses(&logged(&bg.emulator, "POST", "/organizations")),
        vec![500]
    );
    Ok(())
}

/// A 200 create with `result: {}` is a Decode error naming the missing key and saying the org was created.
#[tokio::test]
async fn empty_create_result_is_a_decode_error() -> TestResult {
    let bg = start(Faults {
        empty_result_on_create: true,
        ..Faults::default()
    })?;
    let err = client(&bg)?
        .create_organization(&create_body("hollow"))
        .await
        .err()
        .ok_or("expected a decode error")?;
    assert_kind(&err, ErrorKind::Decode);
    assert_eq!((err.method(), err.path()), ("POST", "/organizations"));
    let shown = err.to_string();
    assert!(shown.contains("missing field `id`"), "{shown}");
    assert!(
        shown.contains("\"hollow\" was most likely created")
            && shown.contains("GET /organizations?name=hollow"),
        "{shown}"
    );
    let hint = err.hint().ok_or("no hint")?;
    assert!(
        hint.contains("most likely created") && hint.contains("import it"),
        "{hint}"
    );
    assert_eq!(
        statuses(&logged(&bg.emulator, "POST", "/organizations")),
        vec![200]
    );
    assert_eq!(bg.emulator.organization_ids().len(), 1);
    Ok(())
}

// ---- 4. propagation ---------------------------------------------------------------------

/// After create, wait_for_organization reads the org back after exactly three 403s.
#[tokio::test]
async fn wait_for_organization_outlasts_propagation_403s() -> TestResult {
    let bg = start(Faults {
        propagation_403: 3,
        ..Faults::default()
    })?;
    let c = client(&bg)?;
    let created = c.create_organization(&create_body("fresh")).await?;
    let org = c.wait_for_organization(&created.id).await?;
    assert_eq!(
        (org.id.as_str(), org.name.as_str()),
        (created.id.as_str(), "fresh")
    );
    let gets = logged(
        &bg.emulator,
        "GET",
        &format!("/organizations/{}", created.id),
    );
    assert_eq!(statuses(&gets), vec![403, 403, 403, 200]);
    assert!(gets[..3]
        .iter()
        .all(|r| r.fault.as_deref() == Some("propagation_403")));
    Ok(())
}

/// After create, put_profile(…, true) stores the profile after exactly three 403s.
#[tokio::test]
async fn first_profile_put_outlasts_propagation_403s() -> TestResult {
    let bg = start(Faults {
        propagation_403: 3,
        ..Faults::default()
    })?;
    let c = client(&bg)?;
    let created = c.create_organization(&create_body("fresh")).await?;
    let p = profile("ops@acme.example");
    c.put_profile(&created.id, &p, true).await?;
    let path = format!("/organizations/{}/profile", created.id);
    assert_eq!(
        statuses(&logged(&bg.emulator, "PUT", &path)),
        vec![403, 403, 403, 204]
    );
    assert_eq!(c.get_profile(&created.id).await?, Some(p));
    Ok(())
}

// ---- 5. pagination ----------------------------------------------------------------------

/// 1, 1,000 and 2,345 accounts come back complete and unique in 1, 1 and 3 requests of 1,000.
#[tokio::test]
async fn accounts_paginate_at_1_1000_and_2345() -> TestResult {
    let bg = start(Faults::default())?;
    let c = client(&bg)?;
    let mut counts = Vec::new();
    for n in [1usize, 1000, 2345] {
        let org = bg.emulator.seed_organization(&format!("org-{n}"), None);
        let seeded = bg.emulator.seed_accounts(&org, n, "acct-");
        bg.emulator.clear_requests();
        let listed = c
            .list_accounts(&org, &AccountFilter::default(), None)
            .await?;
        let ids: Vec<String> = listed.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids.len(), n);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), n, "duplicates");
        assert_eq!(ids, seeded, "ids or order differ");
        let reqs = logged(
            &bg.emulator,
            "GET",
            &format!("/organizations/{org}/accounts"),
        );
        assert!(reqs
            .iter()
            .all(|r| param(r, "page_size").as_deref() == Some("1000")));
        assert_eq!(param(&reqs[0], "page_token"), None);
        assert!(reqs[1..].iter().all(|r| param(r, "page_token").is_some()));
        counts.push(reqs.len());
    }
    println!("requests for 1 / 1000 / 2345 accounts: {counts:?}");
    assert_eq!(counts, vec![1, 1, 3]);
    Ok(())
}

/// max_items stops at exactly that many items and asks only for what is still missing.
#[tokio::test]
async fn max_items_stops_at_the_exact_count() -> TestResult {
    let bg = start(Faults::default())?;
    let org = bg.emulator.seed_organization("big", None);
    let seeded = bg.emulator.seed_accounts(&org, 2345, "acct-");
    let c = client(&bg)?;
    let path = format!("/organizations/{org}/accounts");
    for (max, sizes) in [
        (1usize, vec!["1"]),
        (1000, vec!["1000"]),
        (1500, vec!["1000", "500"]),
    ] {
        bg.emulator.clear_requests();
        let listed = c
            .list_accounts(&org, &AccountFilter::default(), Some(max))
            .await?;
        let ids: Vec<String> = listed.into_iter().map(|a| a.id).collect();
        assert_eq!(ids, seeded[..max]);
        let sent: Vec<String> = logged(&bg.emulator, "GET", &path)
            .iter()
            .filter_map(|r| param(r, "page_size"))
            .collect();
        assert_eq!(sent, sizes, "max_items {max}");
    }
    Ok(())
}

/// `order_by=account_name&direction=desc` gives names sorted descending across every page.
#[tokio::test]
async fn accounts_sorted_by_name_descending_across_pages() -> TestResult {
    let bg = start(Faults::default())?;
    let org = bg.emulator.seed_organization("sorted", None);
    bg.emulator.seed_accounts(&org, 250, "acct-");
    let filter = AccountFilter {
        order_by: Some("account_name".into()),
        direction: Some("desc".into()),
        page_size: Some(100),
        ..AccountFilter::default()
    };
    let names: Vec<String> = client(&bg)?
        .list_accounts(&org, &filter, None)
        .await?
        .into_iter()
        .map(|a| a.name.unwrap_or_default())
        .collect();
    let mut expected: Vec<String> = (1..=250).map(|i| format!("acct-{i}")).collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, expected);
    assert_eq!(
        (
            names.first().map(String::as_str),
            names.last().map(String::as_str)
        ),
        (Some("acct-99"), Some("acct-1"))
    );
    let reqs = logged(
        &bg.emulator,
        "GET",
        &format!("/organizations/{org}/accounts"),
    );
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(param(r, "order_by").as_deref(), Some("account_name"));
        assert_eq!(param(r, "direction").as_deref(), Some("desc"));
    }
    Ok(())
}

/// `name.contains` is repeated on every page request and selects exactly the matching accounts.
#[tokio::test]
async fn account_name_filter_is_sent_on_every_page() -> TestResult {
    let bg = start(Faults::default())?;
    let org = bg.emulator.seed_organization("filtered", None);
    bg.emulator.seed_accounts(&org, 2345, "acct-");
    let filter = AccountFilter {
        name_contains: Some("ACCT-1".into()),
        page_size: Some(200),
        ..AccountFilter::default()
    };
    let names: Vec<String> = client(&bg)?
        .list_accounts(&org, &filter, None)
        .await?
        .into_iter()
        .map(|a| a.name.unwrap_or_default())
        .collect();
    // acct-1, acct-10..19, acct-100..199, acct-1000..1999.
    let expected: Vec<String> = (1..=2345)
        .map(|i| format!("acct-{i}"))
        .filter(|n| n.contains("acct-1"))
        .collect();
    assert_eq!(expected.len(), 1111);
    assert_eq!(names, expected);
    let reqs = logged(
        &bg.emulator,
        "GET",
        &format!("/organizations/{org}/accounts"),
    );
    assert_eq!(reqs.len(), 6);
    for r in &reqs {
        assert_eq!(
            param(r, "name.contains").as_deref(),
            Some("ACCT-1"),
            "{r:?}"
        );
    }
    Ok(())
}

/// With `reorder_lists`, each read is still complete and duplicate-free (the second is reversed).
#[tokio::test]
async fn reordered_lists_stay_consistent_across_pages() -> TestResult {
    let bg = start(Faults {
        reorder_lists: true,
        ..Faults::default()
    })?;
    let org = bg.emulator.seed_organization("shuffled", None);
    let seeded = bg.emulator.seed_accounts(&org, 2345, "acct-");
    let c = client(&bg)?;
    let ids = |v: Vec<tfcf::cloudflare::Account>| -> Vec<String> {
        v.into_iter().map(|a| a.id).collect()
    };
    let first = ids(c
        .list_accounts(&org, &AccountFilter::default(), None)
        .await?);
    let second = ids(c
        .list_accounts(&org, &AccountFilter::default(), None)
        .await?);
    assert_eq!(first, seeded);
    let mut reversed = seeded.clone();
    reversed.reverse();
    assert_eq!(second, reversed);
    Ok(())
}

/// Organization lists page through 130+ orgs with the name filter on every page, and `parent_id: "null"` keeps only roots.
#[tokio::test]
async fn organization_lists_filter_and_page() -> TestResult {
    let bg = start(Faults::default())?;
    let roots: Vec<String> = (1..=130)
        .map(|i| bg.emulator.seed_organization(&format!("tenant-{i}"), None))
        .collect();
    let children: Vec<String> = (1..=3)
        .map(|i| {
            bg.emulator
                .seed_organization(&format!("child-{i}"), Some(&roots[0]))
        })
        .collect();
    let c = client(&bg)?;

    // name.contains, ten per page: tenant-1, tenant-10..19, tenant-100..130 = 42 orgs, 5 pages.
    let filter = OrganizationFilter {
        name_contains: Some("tenant-1".into()),
        page_size: Some(10),
        ..OrganizationFilter::default()
    };
    let names: Vec<String> = c
        .list_organizations(&filter, None)
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    let expected: Vec<String> = (1..=130)
        .map(|i| format!("tenant-{i}"))
        .filter(|n| n.contains("tenant-1"))
        .collect();
    assert_eq!(expected.len(), 42);
    assert_eq!(names, expected);
    let reqs = logged(&bg.emulator, "GET", "/organizations");
    assert_eq!(reqs.len(), 5);
    for r in &reqs {
        assert_eq!(param(r, "name.contains").as_deref(), Some("tenant-1"));
        assert_eq!(param(r, "page_size").as_deref(), Some("10"));
    }

    // Everything, 50 per page: 133 unique orgs in 3 requests.
    bg.emulator.clear_requests();
    let all = c
        .list_organizations(
            &OrganizationFilter {
                page_size: Some(50),
                ..OrganizationFilter::default()
            },
            None,
        )
        .await?;
    let ids: HashSet<String> = all.iter().map(|o| o.id.clone()).collect();
    assert_eq!((all.len(), ids.len()), (133, 133));
    assert_eq!(logged(&bg.emulator, "GET", "/organizations").len(), 3);

    // Roots only.
    bg.emulator.clear_requests();
    let only_roots = c
        .list_organizations(
            &OrganizationFilter {
                parent_id: Some("null".into()),
                ..OrganizationFilter::default()
            },
            None,
        )
        .await?;
    assert_eq!(
        only_roots.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        roots
    );
    assert!(only_roots.iter().all(|o| o.parent.is_none()));
    let reqs = logged(&bg.emulator, "GET", "/organizations");
    assert_eq!(reqs.len(), 1);
    assert_eq!(param(&reqs[0], "parent.id").as_deref(), Some("null"));

    // Children of the first root.
    let kids = c
        .list_organizations(
            &OrganizationFilter {
                parent_id: Some(roots[0].clone()),
                ..OrganizationFilter::default()
            },
            None,
        )
        .await?;
    assert_eq!(
        kids.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        children
    );
    assert!(kids
        .iter()
        .all(|o| o.parent.as_ref().and_then(|p| p.name.as_deref()) == Some("tenant-1")));
    Ok(())
}

// ---- 6. looping-server guard --------------------------------------------------------------

/// A server whose every page carries the same `next_page_token` (the emulator never loops), recording each query.
async fn looping_server() -> io::Result<(String, Arc<Mutex<Vec<Option<String>>>>)> {
    use axum::extract::RawQuery;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let queries = Arc::new(Mutex::new(Vec::new()));
    let seen = queries.clone();
    let served = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().fallback(move |RawQuery(q): RawQuery| {
        let seen = seen.clone();
        let n = served.fetch_add(1, Ordering::SeqCst);
        async move {
            if let Ok(mut s) = seen.lock() {
                s.push(q);
            }
            axum::Json(json!({
                "success": true, "errors": [], "messages": [],
                "result": [{"id": format!("item-{n}"), "name": format!("item-{n}"), "type": "standard",
                            "created_on": "2026-04-01T12:00:00Z", "settings": {},
                            "create_time": "2026-04-01T12:00:00Z", "meta": {}}],
                "result_info": {"next_page_token": "same-token", "total_size": 1000000}
            }))
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}{PREFIX}"), queries))
}

/// A server repeating its page token stops both list methods with PaginationLoop after two pages.
#[tokio::test]
async fn repeated_page_token_stops_with_pagination_loop() -> TestResult {
    let (base, queries) = looping_server().await?;
    let c = Client::new(config(&base, token()), CancellationToken::new())?;
    let err = c
        .list_accounts("org", &AccountFilter::default(), None)
        .await
        .err()
        .ok_or("expected PaginationLoop")?;
    assert_kind(&err, ErrorKind::PaginationLoop);
    assert!(err.to_string().contains("same-token"), "{err}");
    assert!(err.hint().is_some());
    let err = c
        .list_organizations(&OrganizationFilter::default(), None)
        .await
        .err()
        .ok_or("expected PaginationLoop")?;
    assert_kind(&err, ErrorKind::PaginationLoop);
    let queries = queries.lock().map_err(|_| "poisoned")?.clone();
    assert_eq!(
        queries,
        vec![
            Some("page_size=1000".to_string()),
            Some("page_size=1000&page_token=same-token".to_string()),
            Some("page_size=1000".to_string()),
            Some("page_size=1000&page_token=same-token".to_string()),
        ]
    );
    Ok(())
}

// ---- 7. redaction -----------------------------------------------------------------------

/// A writer into a shared buffer, for capturing tracing output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// At TRACE, neither the token nor the profile's email reach the logs of the client or the emulator.
#[tokio::test]
async fn trace_logs_never_show_the_token_or_profile_email() -> TestResult {
    const SECRET: &str = "SECRET-MARKER-123";
    const WRONG: &str = "SECRET-MARKER-WRONG-456";
    const EMAIL: &str = "MARKER-EMAIL@example.com";
    let buf = Captured::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // This test runs on a current-thread runtime: the emulator's tasks below log here too.
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = Emulator::new(Config {
        api_tokens: vec![SECRET.into()],
        echo_profile: true,
        faults: Faults {
            propagation_403: 1,
            ..Faults::default()
        },
        ..Config::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}{PREFIX}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(emu.clone().serve(listener, async move {
        let _ = stopped.await;
    }));

    let c = Client::new(
        config(&base, Auth::Token(SECRET.into())),
        CancellationToken::new(),
    )?;
    let created = c
        .create_organization(&OrganizationCreate {
            name: "traced".into(),
            parent: None,
            profile: Some(profile(EMAIL)),
        })
        .await?;
    assert_eq!(
        created.profile.as_ref().map(|p| p.business_email.as_str()),
        Some(EMAIL)
    );
    // A 403 (propagation) under the marker token, then one with a wrong token.
    let denied = c
        .get_organization(&created.id)
        .await
        .err()
        .ok_or("expected 403")?;
    assert_eq!(denied.status(), Some(403));
    let wrong = Client::new(
        config(&base, Auth::Token(WRONG.into())),
        CancellationToken::new(),
    )?;
    let denied = wrong
        .get_profile(&created.id)
        .await
        .err()
        .ok_or("expected 403")?;
    assert_eq!(denied.status(), Some(403));
    assert_eq!(c.get_profile(&created.id).await?, Some(profile(EMAIL)));
    tracing::error!(error = %denied, hint = ?denied.hint(), "as a resource would log it");

    drop((c, wrong));
    let _ = stop.send(());
    server.await??;
    let out = String::from_utf8(buf.0.lock().map_err(|_| "poisoned")?.clone())?;
    // The capture works and holds what a debugging user needs.
    for expected in [
        "cloudflare api request",
        "request body",
        "response body",
        "status=403",
        "<redacted>",
        "\"name\":\"traced\"",
        "identity=\"token:1\"", // the emulator's own request line
    ] {
        assert!(
            out.contains(expected),
            "{expected:?} missing from logs:\n{out}"
        );
    }
    for secret in [SECRET, WRONG, EMAIL, "MARKER-EMAIL"] {
        assert!(!out.contains(secret), "{secret} leaked into logs:\n{out}");
    }
    Ok(())
}

// ---- 8. cancellation --------------------------------------------------------------------

/// Cancelling a create the server holds returns Cancelled within 1 s; nothing is stored or sent after.
#[tokio::test]
async fn cancel_during_held_create() -> TestResult {
    let bg = start(Faults {
        hold_post_secs: 30,
        ..Faults::default()
    })?;
    let cancel = CancellationToken::new();
    let c = Client::new(config(&bg.base_url, token()), cancel.clone())?;
    let emu = bg.emulator.clone();
    let canceller = tokio::spawn(async move {
        // Cancel once the POST is held by the server, then ~200 ms later.
        eventually("the POST to be held", || {
            emu.requests()
                .iter()
                .any(|r| r.fault.as_deref() == Some("hold_post"))
        })
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
        Instant::now()
    });
    let started = Instant::now();
    let err = c
        .create_organization(&create_body("held"))
        .await
        .err()
        .ok_or("expected Cancelled")?;
    let returned = Instant::now();
    let cancelled_at = canceller.await?;
    assert_kind(&err, ErrorKind::Cancelled);
    assert!(err.to_string().contains("may have been created"), "{err}");
    assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1));
    assert!(started.elapsed() < Duration::from_secs(5));

    // The emulator saw the client leave and stored nothing; the cancelled client sends nothing more.
    let emu = bg.emulator.clone();
    eventually("the held POST to be abandoned", || {
        emu.requests().first().is_some_and(|r| r.status == 499)
    })
    .await;
    assert!(bg.emulator.organization_ids().is_empty());
    let again = c
        .list_organizations(&OrganizationFilter::default(), None)
        .await;
    assert_kind(
        &again.err().ok_or("expected Cancelled")?,
        ErrorKind::Cancelled,
    );
    assert_eq!(bg.emulator.requests().len(), 1);
    Ok(())
}

/// Cancelling during a 30 s Retry-After wait returns Cancelled within 1 s, after exactly one attempt.
#[tokio::test]
async fn cancel_during_retry_after_wait() -> TestResult {
    use tracing_subscriber::layer::SubscriberExt;

    let bg = start(Faults {
        rate_limit_forever: true,
        retry_after_secs: Some(30),
        ..Faults::default()
    })?;
    let id = bg.emulator.seed_organization("acme", None);
    let cancel = CancellationToken::new();
    let cfg = ClientConfig {
        // A Retry-After above max_backoff fails fast; allow 30 s so the client really waits.
        max_backoff: Duration::from_secs(30),
        ..config(&bg.base_url, token())
    };
    let c = Client::new(cfg, cancel.clone())?;
    // Cancel when the client announces its wait: it is then inside it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(OnMessage {
        message: "retrying",
        tx,
    }));
    let canceller = tokio::spawn(async move {
        rx.recv().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
        Instant::now()
    });
    let started = Instant::now();
    let err = c
        .get_organization(&id)
        .await
        .err()
        .ok_or("expected Cancelled")?;
    let returned = Instant::now();
    let cancelled_at = canceller.await?;
    assert_kind(&err, ErrorKind::Cancelled);
    assert_eq!(err.hint(), None);
    assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(statuses(&bg.emulator.requests()), vec![429]);
    let again = c.get_organization(&id).await;
    assert_kind(
        &again.err().ok_or("expected Cancelled")?,
        ErrorKind::Cancelled,
    );
    assert_eq!(bg.emulator.requests().len(), 1);
    Ok(())
}

// ---- 9. delete --------------------------------------------------------------------------

/// Deleting an organization that does not exist is Ok (404 means already gone).
#[tokio::test]
async fn delete_of_missing_org_is_ok() -> TestResult {
    let bg = start(Faults::default())?;
    client(&bg)?
        .delete_organization("0123456789abcdef0123456789abcdef")
        .await?;
    let log = bg.emulator.requests();
    assert_eq!(statuses(&log), vec![404]);
    assert_eq!(log[0].method, "DELETE");
    Ok(())
}

/// Deleting a non-empty organization fails once with a hint to empty it first; the org survives.
#[tokio::test]
async fn delete_of_non_empty_org_hints_to_empty_it() -> TestResult {
    let bg = start(Faults::default())?;
    let id = bg.emulator.seed_organization("full", None);
    bg.emulator.seed_accounts(&id, 2, "acct-");
    bg.emulator.seed_organization("sub", Some(&id));
    let c = client(&bg)?;
    let err = c
        .delete_organization(&id)
        .await
        .err()
        .ok_or("expected a refusal")?;
    assert_kind(&err, ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.api_errors()[0].code, 1010);
    assert!(err.api_errors()[0].message.contains("2 accounts"), "{err}");
    let hint = err.hint().ok_or("no hint")?;
    assert!(
        hint.contains("remove its sub-organizations, accounts"),
        "{hint}"
    );
    let path = format!("/organizations/{id}");
    assert_eq!(statuses(&logged(&bg.emulator, "DELETE", &path)), vec![400]);
    assert!(bg.emulator.organization(&id).is_some());
    Ok(())
}

// ---- 10. envelope tolerance -------------------------------------------------------------

/// `meta.flags: null` decodes to no flags, and `meta.tenant_flags` fills the five flags.
#[tokio::test]
async fn null_flags_and_tenant_flags_decode() -> TestResult {
    let bg = start(Faults::default())?;
    let id = bg.emulator.seed_organization("meta", None);
    let c = client(&bg)?;
    let computed = c.get_organization(&id).await?;
    let flags = computed.meta.and_then(|m| m.flags).ok_or("no flags")?;
    assert!(flags.account_creation.is_some());

    assert!(bg
        .emulator
        .set_meta_out_of_band(&id, json!({"flags": null, "managed_by": "partner"})));
    let org = c.get_organization(&id).await?;
    let meta = org.meta.ok_or("no meta")?;
    assert_eq!(meta.flags, None);
    assert_eq!(meta.managed_by.as_deref(), Some("partner"));

    assert!(bg.emulator.set_meta_out_of_band(
        &id,
        json!({"tenant_flags": {
            "account_creation": "enabled", "account_deletion": "disabled",
            "account_migration": "enabled", "account_mobility": "disabled",
            "sub_org_creation": "enabled", "enterprise_capability": "full",
            "member_management": "self", "account_creation_applies_tenant_defaults": true
        }, "hierarchy_tags": ["root-tag"]})
    ));
    let org = c.get_organization(&id).await?;
    let meta = org.meta.ok_or("no meta")?;
    assert_eq!(
        meta.flags,
        Some(Flags {
            account_creation: Some("enabled".into()),
            account_deletion: Some("disabled".into()),
            account_migration: Some("enabled".into()),
            account_mobility: Some("disabled".into()),
            sub_org_creation: Some("enabled".into()),
        })
    );
    assert_eq!(meta.hierarchy_tags, Some(vec!["root-tag".to_string()]));
    Ok(())
}
