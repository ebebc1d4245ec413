//! REST client (`tfcf::cloudflare`) against a scripted local HTTP server that records every request.

mod common;

use common::OnMessage;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Value};
use tfcf::cloudflare::{
    Account, AccountFilter, Auth, Client, ClientConfig, ErrorKind, Organization,
    OrganizationCreate, OrganizationFilter, OrganizationUpdate, ParentRef, Profile,
};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "TOKEN-MARKER-5ecr3t-0123456789abcdef0123456789";
const KEY: &str = "KEY-MARKER-5ecr3t-0123456789abcdef012345";
const EMAIL: &str = "ops@example.com";

// ---- scripted server -------------------------------------------------------------------

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
    at: Instant,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Decoded query pairs, in order.
    fn pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }

    fn param(&self, key: &str) -> Option<String> {
        self.pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    fn ok(result: Value) -> Reply {
        Reply::json(
            200,
            json!({"success": true, "errors": [], "messages": [], "result": result}),
        )
    }

    fn page(items: Vec<Value>, next: Option<&str>) -> Reply {
        Reply::json(
            200,
            json!({"success": true, "errors": [], "messages": [], "result": items,
                   "result_info": {"next_page_token": next}}),
        )
    }

    fn cf_error(status: u16, code: i64, message: &str) -> Reply {
        Reply::json(
            status,
            json!({"success": false, "errors": [{"code": code, "message": message}],
                   "messages": [], "result": null}),
        )
    }

    fn bare(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    fn no_content() -> Reply {
        Reply::bare(204, "")
    }

    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

type Script = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

#[derive(Clone)]
struct ServerState {
    log: Arc<Mutex<Vec<Recorded>>>,
    script: Script,
    seen: mpsc::UnboundedSender<usize>,
}

/// A local HTTP server on 127.0.0.1:0 that answers each request with `script(request, index)`.
struct Server {
    base: String,
    log: Arc<Mutex<Vec<Recorded>>>,
    seen: mpsc::UnboundedReceiver<usize>,
}

impl Server {
    async fn start(
        script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::unbounded_channel();
        let state = ServerState {
            log: log.clone(),
            script: Arc::new(script),
            seen: tx,
        };
        let app = axum::Router::new().fallback(handle).with_state(state);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Server {
            base: format!("http://{addr}/client/v4"),
            log,
            seen: rx,
        })
    }

    fn requests(&self) -> Vec<Recorded> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

async fn handle(
    State(state): State<ServerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rec = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers,
        body: body.to_vec(),
        at: Instant::now(),
    };
    let index = {
        let mut log = state.log.lock().unwrap_or_else(|p| p.into_inner());
        log.push(rec.clone());
        log.len() - 1
    };
    let _ = state.seen.send(index);
    let reply = (state.script)(&rec, index);
    if !reply.delay.is_zero() {
        // Scripted slowness (a slow server), not a test synchronisation sleep.
        tokio::time::sleep(reply.delay).await;
    }
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder
        .body(Body::from(reply.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// A raw TCP server that reads one request per connection and then closes it without
/// answering (a reset / dropped connection). Returns its base URL and the count of requests read.
async fn dropping_server() -> io::Result<(String, Arc<Mutex<usize>>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let count = Arc::new(Mutex::new(0usize));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read headers and the Content-Length body, then drop the socket.
            loop {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                if let Some(end) = find(&buf, b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        if let Ok(mut c) = counter.lock() {
                            *c += 1;
                        }
                        break;
                    }
                }
            }
            drop(sock);
        }
    });
    Ok((format!("http://{addr}"), count))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---- client helpers ---------------------------------------------------------------------

/// Fast settings for tests: tiny back-off, a limiter that never bites.
fn config(base: &str) -> ClientConfig {
    ClientConfig {
        base_url: base.to_string(),
        auth: Auth::Token(TOKEN.to_string()),
        user_agent: "terraform-provider-cloudflare/test (cloudflare-orgs)".into(),
        max_retries: 3,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        requests_per_second: 1000.0,
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        propagation_timeout: Duration::from_secs(5),
    }
}

fn client(base: &str) -> Result<Client, tfcf::cloudflare::Error> {
    Client::new(config(base), CancellationToken::new())
}

fn org_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Org {id}"),
        "create_time": "2026-04-01T12:00:00Z",
        "meta": {"flags": {"account_creation": "enabled"}, "managed_by": "self"}
    })
}

// ---- auth and headers -------------------------------------------------------------------

/// A token is sent as `Authorization: Bearer` and no key/email headers, with our User-Agent.
#[tokio::test]
async fn token_auth_sends_bearer_only() -> TestResult {
    let server = Server::start(|_, _| Reply::ok(org_json("o1"))).await?;
    client(&server.base)?.get_organization("o1").await?;
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.path, "/client/v4/organizations/o1");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header("x-auth-key"), None);
    assert_eq!(r.header("x-auth-email"), None);
    assert_eq!(
        r.header("user-agent"),
        Some("terraform-provider-cloudflare/test (cloudflare-orgs)")
    );
    Ok(())
}

/// Key + email are sent as `X-Auth-Key` and `X-Auth-Email` and no Authorization; bodies are JSON.
#[tokio::test]
async fn key_email_auth_sends_both_headers_only() -> TestResult {
    let server = Server::start(|_, _| Reply::ok(org_json("o1"))).await?;
    let cfg = ClientConfig {
        auth: Auth::KeyEmail {
            key: KEY.into(),
            email: EMAIL.into(),
        },
        ..config(&format!("{}/", server.base))
    };
    let c = Client::new(cfg, CancellationToken::new())?;
    c.update_organization(
        "o1",
        &OrganizationUpdate {
            name: "renamed".into(),
            parent: None,
        },
    )
    .await?;
    let reqs = server.requests();
    let r = &reqs[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(
        r.path, "/client/v4/organizations/o1",
        "trailing slash in base_url joined cleanly"
    );
    assert_eq!(r.header("x-auth-key"), Some(KEY));
    assert_eq!(r.header("x-auth-email"), Some(EMAIL));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), json!({"name": "renamed"}));
    Ok(())
}

// ---- envelope and DTOs ------------------------------------------------------------------

/// Organizations decode with `meta.flags: null`, `tenant_flags` only, unknown keys and no profile.
#[tokio::test]
async fn envelope_decodes_tolerantly() -> TestResult {
    let server = Server::start(|r, _| match r.path.as_str() {
        "/client/v4/organizations/nullflags" => Reply::ok(json!({
            "id": "nullflags", "name": "A", "create_time": "2026-04-01T12:00:00Z",
            "meta": {"flags": null, "managed_by": "x"}, "profile": null
        })),
        "/client/v4/organizations/tenant" => Reply::json(200, json!({
            "success": true,
            "result": {
                "id": "tenant", "name": "B", "brand_new_field": {"x": 1},
                "parent": {"id": "root", "name": "Root"},
                "meta": {"tenant_flags": {"account_creation": "enabled", "sub_org_creation": "disabled",
                         "member_management": "x", "enterprise_capability": "y"},
                         "hierarchy_tags": ["t-root", "t-self"], "unknown_meta": true}
            }
        })),
        _ => Reply::cf_error(404, 1003, "not found"),
    })
    .await?;
    let c = client(&server.base)?;
    let a = c.get_organization("nullflags").await?;
    assert_eq!(a.meta.as_ref().and_then(|m| m.flags.clone()), None);
    assert_eq!(
        a.meta.as_ref().and_then(|m| m.managed_by.as_deref()),
        Some("x")
    );
    assert_eq!(a.profile, None);
    assert_eq!(a.parent, None);
    let b = c.get_organization("tenant").await?;
    let meta = b.meta.unwrap_or_default();
    let flags = meta.flags.unwrap_or_default();
    assert_eq!(flags.account_creation.as_deref(), Some("enabled"));
    assert_eq!(flags.sub_org_creation.as_deref(), Some("disabled"));
    assert_eq!(
        meta.hierarchy_tags,
        Some(vec!["t-root".to_string(), "t-self".to_string()])
    );
    assert_eq!(b.parent.map(|p| p.id), Some("root".to_string()));
    assert_eq!(b.create_time, None);
    Ok(())
}

/// `success: false` under HTTP 200 is an error carrying every code and message.
#[tokio::test]
async fn success_false_under_200_is_an_error() -> TestResult {
    let server = Server::start(|_, _| {
        Reply::json(
            200,
            json!({"success": false, "errors": [{"code": 1001, "message": "first"},
                   {"code": 1002, "message": "second"}]}),
        )
        .header("cf-ray", "abc123-LHR")
    })
    .await?;
    let err = client(&server.base)?
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.api_errors().len(), 2);
    assert_eq!(err.ray_id(), Some("abc123-LHR"));
    assert_eq!(
        err.to_string(),
        "GET /organizations/o1: HTTP 200: 1001: first; 1002: second (cf-ray abc123-LHR)"
    );
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

/// A 403 while using a token keeps code and message and hints at api_key + email.
#[tokio::test]
async fn token_403_hints_key_and_email() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(403, 10000, "Authentication error")).await?;
    let err = client(&server.base)?
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.api_errors()[0].code, 10000);
    assert!(err.hint().unwrap_or_default().contains("api_key"));
    assert!(!err.to_string().contains(TOKEN));
    assert_eq!(server.requests().len(), 1, "403 is never retried");
    Ok(())
}

// ---- retries ----------------------------------------------------------------------------

/// A 429 with `Retry-After: 1` is retried after at least ~1 s (server timestamps), then succeeds.
#[tokio::test]
async fn retry_after_one_second_is_honoured() -> TestResult {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::cf_error(
                429,
                971,
                "Please wait and consider throttling your request speed",
            )
            .header("retry-after", "1")
        } else {
            Reply::ok(org_json("o1"))
        }
    })
    .await?;
    let cfg = ClientConfig {
        max_backoff: Duration::from_secs(5),
        ..config(&server.base)
    };
    let started = Instant::now();
    let org = Client::new(cfg, CancellationToken::new())?
        .get_organization("o1")
        .await?;
    let wall = started.elapsed();
    assert_eq!(org.id, "o1");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(950), "gap {gap:?}");
    assert!(gap < Duration::from_secs(3), "gap {gap:?}");
    println!("429 + Retry-After: 1 then 200: wall {wall:?}, server-side gap {gap:?}");
    Ok(())
}

/// A 500 followed by a 200 costs exactly two attempts.
#[tokio::test]
async fn server_error_then_success_is_retried_once() -> TestResult {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::cf_error(500, 10001, "Internal error")
        } else {
            Reply::ok(org_json("o1"))
        }
    })
    .await?;
    client(&server.base)?.get_organization("o1").await?;
    assert_eq!(server.requests().len(), 2);
    Ok(())
}

/// A 400 is sent exactly once and surfaces its API error.
#[tokio::test]
async fn bad_request_is_never_retried() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(400, 1004, "Invalid name")).await?;
    let err = client(&server.base)?
        .update_organization(
            "o1",
            &OrganizationUpdate {
                name: String::new(),
                parent: None,
            },
        )
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

/// Persistent 503s stop after 1 + max_retries attempts with the last status.
#[tokio::test]
async fn retries_are_bounded_by_max_retries() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(503, 10002, "unavailable")).await?;
    let err = client(&server.base)?
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 4, "1 attempt + max_retries 3");
    Ok(())
}

/// `x-should-retry: false` overrides a retryable 500, and `true` makes a 400 retryable.
#[tokio::test]
async fn x_should_retry_overrides_the_status_rule() -> TestResult {
    let server = Server::start(|r, i| match (r.path.ends_with("/a"), i) {
        (true, _) => Reply::cf_error(500, 1, "no").header("x-should-retry", "false"),
        (false, 1) => Reply::cf_error(400, 2, "try again").header("x-should-retry", "true"),
        (false, _) => Reply::ok(org_json("b")),
    })
    .await?;
    let c = client(&server.base)?;
    assert!(c.get_organization("a").await.is_err());
    assert_eq!(server.requests().len(), 1);
    c.get_organization("b").await?;
    assert_eq!(server.requests().len(), 3);
    Ok(())
}

/// A `Retry-After` beyond our cap fails fast with RateLimited, its duration, and a hint.
#[tokio::test]
async fn long_retry_after_fails_fast() -> TestResult {
    let server = Server::start(|_, _| {
        Reply::cf_error(429, 971, "rate limited").header("retry-after", "300")
    })
    .await?;
    let started = Instant::now();
    let err = client(&server.base)?
        .list_organizations(&OrganizationFilter::default(), None)
        .await
        .err()
        .ok_or("expected an error")?;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.kind(), &ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(300)));
    assert!(err.hint().unwrap_or_default().contains("300 seconds"));
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

// ---- POST /organizations is never replayed ----------------------------------------------

/// A 500 on create is not retried: exactly one POST and OutcomeUnknown telling how to check.
#[tokio::test]
async fn create_is_not_replayed_after_server_error() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(500, 10001, "Internal error")).await?;
    let body = OrganizationCreate {
        name: "Acme Corp".into(),
        parent: Some(ParentRef { id: "p1".into() }),
        profile: None,
    };
    let err = client(&server.base)?
        .create_organization(&body)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::OutcomeUnknown);
    assert_eq!(err.status(), Some(500));
    let msg = err.to_string();
    assert!(msg.contains("may have been created"), "{msg}");
    assert!(msg.contains("GET /organizations?name=Acme+Corp"), "{msg}");
    assert!(err.hint().is_some());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(
        reqs[0].json(),
        json!({"name": "Acme Corp", "parent": {"id": "p1"}})
    );
    Ok(())
}

/// A connection dropped after the POST was sent gives OutcomeUnknown after exactly one POST.
#[tokio::test]
async fn create_is_not_replayed_after_connection_reset() -> TestResult {
    let (base, count) = dropping_server().await?;
    let err = client(&base)?
        .create_organization(&OrganizationCreate {
            name: "Acme".into(),
            ..Default::default()
        })
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(*count.lock().map_err(|_| "poisoned")?, 1);
    Ok(())
}

/// A 429 on create means the server refused it, so it is retried and succeeds.
#[tokio::test]
async fn create_is_retried_after_429() -> TestResult {
    let server = Server::start(|_, i| {
        if i == 0 {
            Reply::cf_error(429, 971, "slow down").header("retry-after", "0")
        } else {
            Reply::ok(org_json("new"))
        }
    })
    .await?;
    let org = client(&server.base)?
        .create_organization(&OrganizationCreate {
            name: "Acme".into(),
            profile: Some(Profile {
                business_email: "a@example.com".into(),
                ..Profile::default()
            }),
            ..Default::default()
        })
        .await?;
    assert_eq!(org.id, "new");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].json()["profile"]["business_email"],
        json!("a@example.com")
    );
    assert_eq!(reqs[1].json()["profile"]["external_metadata"], json!(""));
    Ok(())
}

/// A refused connection never reached the server, so create reports Transport, not OutcomeUnknown.
#[tokio::test]
async fn create_connect_refused_is_transport() -> TestResult {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    drop(listener);
    let err = client(&format!("http://{addr}"))?
        .create_organization(&OrganizationCreate {
            name: "Acme".into(),
            ..Default::default()
        })
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Transport, "{err}");
    Ok(())
}

// ---- pagination -------------------------------------------------------------------------

/// A server-side cursor paginator over `total` organizations (token = offset).
fn paginated(total: usize) -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    move |r, _| {
        let size: usize = r
            .param("page_size")
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        let start: usize = r
            .param("page_token")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let end = (start + size).min(total);
        let items = (start..end)
            .map(|i| org_json(&format!("org-{i:05}")))
            .collect();
        let next = (end < total).then(|| end.to_string());
        Reply::page(items, next.as_deref())
    }
}

/// 1, 1,000 and 2,345 items come back complete, without duplicates, in 1, 1 and 3 requests.
#[tokio::test]
async fn pagination_fetches_everything_with_minimal_requests() -> TestResult {
    for (total, want_requests) in [(1usize, 1usize), (1000, 1), (2345, 3)] {
        let server = Server::start(paginated(total)).await?;
        let filter = OrganizationFilter {
            name_contains: Some("org".into()),
            ..Default::default()
        };
        let orgs = client(&server.base)?
            .list_organizations(&filter, None)
            .await?;
        assert_eq!(orgs.len(), total);
        let ids: std::collections::HashSet<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids.len(), total, "no duplicates");
        let reqs = server.requests();
        assert_eq!(reqs.len(), want_requests, "requests for {total} items");
        for r in &reqs {
            assert_eq!(r.param("page_size").as_deref(), Some("1000"));
            assert_eq!(
                r.param("name.contains").as_deref(),
                Some("org"),
                "filters on every page"
            );
        }
        if total == 2345 {
            println!("2,345 items fetched in {} requests", reqs.len());
        }
    }
    Ok(())
}

/// `max_items` shrinks the last page_size and stops without reading further pages.
#[tokio::test]
async fn max_items_stops_early() -> TestResult {
    let server = Server::start(paginated(2345)).await?;
    let orgs = client(&server.base)?
        .list_organizations(&OrganizationFilter::default(), Some(1500))
        .await?;
    assert_eq!(orgs.len(), 1500);
    let sizes: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.param("page_size"))
        .collect();
    assert_eq!(sizes, vec![Some("1000".into()), Some("500".into())]);
    let few = client(&server.base)?
        .list_organizations(&OrganizationFilter::default(), Some(3))
        .await?;
    assert_eq!(few.len(), 3);
    assert_eq!(
        server
            .requests()
            .last()
            .and_then(|r| r.param("page_size"))
            .as_deref(),
        Some("3")
    );
    Ok(())
}

/// A server that repeats its page token ends in PaginationLoop rather than looping forever.
#[tokio::test]
async fn repeated_page_token_is_a_pagination_loop() -> TestResult {
    let server =
        Server::start(|_, i| Reply::page(vec![org_json(&format!("o{i}"))], Some("same"))).await?;
    let err = client(&server.base)?
        .list_organizations(&OrganizationFilter::default(), None)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::PaginationLoop);
    assert_eq!(server.requests().len(), 2);
    Ok(())
}

/// Filters are encoded per api.md §3: repeated ids, dotted keys, camelCase operators, literal null.
#[tokio::test]
async fn filters_are_encoded_on_the_wire() -> TestResult {
    let server = Server::start(|r, _| {
        if r.path.ends_with("/accounts") {
            Reply::page(
                vec![json!({"id": "a1", "name": null, "type": "enterprise", "created_on": "2026-01-01T00:00:00Z",
                            "settings": {"abuse_contact_email": null, "enforce_twofactor": true}})],
                None,
            )
        } else {
            Reply::page(vec![], None)
        }
    })
    .await?;
    let c = client(&server.base)?;
    let filter = OrganizationFilter {
        ids: vec!["a".into(), "b".into()],
        name_starts_with: Some("Acme Co".into()),
        parent_id: Some("null".into()),
        containing_user: Some("u1".into()),
        page_size: Some(50),
        page_token: Some("start".into()),
        ..Default::default()
    };
    c.list_organizations(&filter, None).await?;
    let accounts: Vec<Account> = c
        .list_accounts(
            "org1",
            &AccountFilter {
                account_pubname_ends_with: Some("x".into()),
                order_by: Some("account_name".into()),
                direction: Some("desc".into()),
                ..Default::default()
            },
            Some(5),
        )
        .await?;
    let reqs = server.requests();
    assert_eq!(
        reqs[0].query,
        "id=a&id=b&name.startsWith=Acme+Co&parent.id=null&containing.user=u1&page_size=50&page_token=start"
    );
    assert_eq!(reqs[1].path, "/client/v4/organizations/org1/accounts");
    assert_eq!(
        reqs[1].query,
        "account_pubname.endsWith=x&order_by=account_name&direction=desc&page_size=5"
    );
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].r#type, "enterprise");
    assert_eq!(
        accounts[0]
            .settings
            .as_ref()
            .and_then(|s| s.enforce_twofactor),
        Some(true)
    );
    Ok(())
}

// ---- 404 handling -----------------------------------------------------------------------

/// DELETE answering an authoritative 404 counts as already deleted.
#[tokio::test]
async fn delete_of_missing_org_is_ok() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(404, 1003, "Organization not found")).await?;
    client(&server.base)?.delete_organization("gone").await?;
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "DELETE");
    Ok(())
}

/// A refused DELETE (org not empty) is sent once and hints to empty the organization first.
#[tokio::test]
async fn delete_of_non_empty_org_hints_and_is_not_retried() -> TestResult {
    let server = Server::start(|_, _| {
        Reply::cf_error(409, 1010, "Organization must be empty before deletion")
    })
    .await?;
    let err = client(&server.base)?
        .delete_organization("full")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert!(err.hint().unwrap_or_default().contains("sub-organizations"));
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

/// A bare 404 without a Cloudflare envelope (e.g. a wrong base_url) is not NotFound.
#[tokio::test]
async fn bare_404_is_not_not_found() -> TestResult {
    let server = Server::start(|_, _| Reply::bare(404, "<html>Not Found</html>")).await?;
    let c = client(&server.base)?;
    let err = c
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert!(!err.is_not_found());
    assert!(!err.to_string().contains("<html>"));
    assert!(
        c.delete_organization("o1").await.is_err(),
        "a bare 404 is not proof of deletion"
    );
    assert!(c.get_profile("o1").await.is_err());
    let enveloped = Server::start(|_, _| Reply::cf_error(404, 1003, "not found")).await?;
    let err = client(&enveloped.base)?
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert!(err.is_not_found());
    Ok(())
}

// ---- propagation and profile ------------------------------------------------------------

/// After create, 403 twice then 200 reads back, with growing gaps between polls.
#[tokio::test]
async fn wait_for_organization_polls_through_403s() -> TestResult {
    let server = Server::start(|_, i| {
        if i < 2 {
            Reply::cf_error(403, 10000, "Authentication error")
        } else {
            Reply::ok(org_json("o1"))
        }
    })
    .await?;
    let org = client(&server.base)?.wait_for_organization("o1").await?;
    assert_eq!(org.id, "o1");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let gap1 = reqs[1].at.duration_since(reqs[0].at);
    let gap2 = reqs[2].at.duration_since(reqs[1].at);
    assert!(gap1 >= Duration::from_millis(9), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(19), "{gap2:?}");
    Ok(())
}

/// Propagation polling gives up at propagation_timeout with Timeout, keeping the last status.
#[tokio::test]
async fn wait_for_organization_times_out() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(404, 1003, "not found")).await?;
    let cfg = ClientConfig {
        propagation_timeout: Duration::from_millis(300),
        ..config(&server.base)
    };
    let started = Instant::now();
    let err = Client::new(cfg, CancellationToken::new())?
        .wait_for_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.kind(), &ErrorKind::Timeout);
    assert_eq!(err.status(), Some(404));
    assert!(err.hint().unwrap_or_default().contains("retry later"));
    assert!(server.requests().len() >= 3);
    Ok(())
}

/// Other errors (here a 400) end propagation polling at once.
#[tokio::test]
async fn wait_for_organization_stops_on_other_errors() -> TestResult {
    let server = Server::start(|_, _| Reply::cf_error(400, 1, "bad id")).await?;
    let err = client(&server.base)?
        .wait_for_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.status(), Some(400));
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

/// Profile GET: 404 or all-empty → None; a filled profile comes back verbatim.
#[tokio::test]
async fn get_profile_maps_missing_and_empty_to_none() -> TestResult {
    let server = Server::start(|r, _| match r.path.as_str() {
        "/client/v4/organizations/none/profile" => Reply::cf_error(404, 1003, "no profile"),
        "/client/v4/organizations/empty/profile" => Reply::ok(json!({
            "business_address": "", "business_email": null, "business_name": "",
            "business_phone": "", "external_metadata": ""
        })),
        _ => Reply::ok(json!({
            "business_address": "{\"line1\":\"1 Main\",\"country\":\"US\"}", "business_email": "a@example.com",
            "business_name": "Acme", "business_phone": "+1 555 0100", "external_metadata": "{\"department\":\"IT\"}"
        })),
    })
    .await?;
    let c = client(&server.base)?;
    assert_eq!(c.get_profile("none").await?, None);
    assert_eq!(c.get_profile("empty").await?, None);
    let p = c.get_profile("full").await?.ok_or("expected a profile")?;
    assert_eq!(
        p.business_address,
        "{\"line1\":\"1 Main\",\"country\":\"US\"}"
    );
    assert_eq!(p.external_metadata, "{\"department\":\"IT\"}");
    Ok(())
}

/// Profile PUT accepts 204, 200 with an envelope and 200 with no body, and sends all five keys.
#[tokio::test]
async fn put_profile_accepts_204_and_200() -> TestResult {
    let server = Server::start(|_, i| match i {
        0 => Reply::no_content(),
        1 => Reply::ok(json!({})),
        _ => Reply::bare(200, ""),
    })
    .await?;
    let c = client(&server.base)?;
    let profile = Profile {
        business_name: "Acme".into(),
        ..Profile::default()
    };
    for _ in 0..3 {
        c.put_profile("o1", &profile, false).await?;
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].method, "PUT");
    assert_eq!(reqs[0].path, "/client/v4/organizations/o1/profile");
    let body = reqs[0].json();
    let keys: Vec<&str> = body
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        vec![
            "business_address",
            "business_email",
            "business_name",
            "business_phone",
            "external_metadata"
        ]
    );
    Ok(())
}

/// The first profile PUT after create tolerates 404/403 when asked to, and only then.
#[tokio::test]
async fn put_profile_tolerates_propagation_when_asked() -> TestResult {
    let server = Server::start(|_, i| match i {
        0 => Reply::cf_error(404, 1003, "not found"),
        1 => Reply::cf_error(403, 10000, "Authentication error"),
        2 => Reply::no_content(),
        _ => Reply::cf_error(403, 10000, "Authentication error"),
    })
    .await?;
    let c = client(&server.base)?;
    c.put_profile("o1", &Profile::default(), true).await?;
    assert_eq!(server.requests().len(), 3);
    let err = c
        .put_profile("o1", &Profile::default(), false)
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.status(), Some(403));
    assert_eq!(server.requests().len(), 4);
    Ok(())
}

// ---- cancellation -----------------------------------------------------------------------

/// Cancelling while a slow response is awaited returns Cancelled within 1 s.
#[tokio::test]
async fn cancel_during_slow_response() -> TestResult {
    let mut server =
        Server::start(|_, _| Reply::ok(org_json("o1")).delayed(Duration::from_secs(30))).await?;
    let cancel = CancellationToken::new();
    let c = Client::new(config(&server.base), cancel.clone())?;
    let mut seen = std::mem::replace(&mut server.seen, mpsc::unbounded_channel().1);
    let canceller = tokio::spawn(async move {
        seen.recv().await;
        let at = Instant::now();
        cancel.cancel();
        at
    });
    let err = c
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    let returned = Instant::now();
    let cancelled_at = canceller.await?;
    assert_eq!(err.kind(), &ErrorKind::Cancelled);
    assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1));
    assert_eq!(err.hint(), None);
    Ok(())
}

/// Cancelling during a back-off wait returns Cancelled within 1 s, without another attempt.
#[tokio::test]
async fn cancel_during_backoff() -> TestResult {
    use tracing_subscriber::layer::SubscriberExt;

    let server = Server::start(|_, _| Reply::cf_error(503, 1, "unavailable")).await?;
    let cancel = CancellationToken::new();
    let cfg = ClientConfig {
        min_backoff: Duration::from_secs(30),
        max_backoff: Duration::from_secs(30),
        ..config(&server.base)
    };
    let c = Client::new(cfg, cancel.clone())?;
    // Cancel when the client announces its back-off: it is then inside the wait.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let subscriber = tracing_subscriber::registry().with(OnMessage {
        message: "retrying",
        tx,
    });
    let _guard = tracing::subscriber::set_default(subscriber);
    let canceller = tokio::spawn(async move {
        rx.recv().await;
        let at = Instant::now();
        cancel.cancel();
        at
    });
    let err = c
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    let returned = Instant::now();
    let cancelled_at = canceller.await?;
    assert_eq!(err.kind(), &ErrorKind::Cancelled);
    assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1));
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

/// Cancelling while the rate limiter holds a request back returns Cancelled at once.
#[tokio::test]
async fn cancel_during_rate_limiter_wait() -> TestResult {
    let server = Server::start(|_, _| Reply::ok(org_json("o1"))).await?;
    let cancel = CancellationToken::new();
    let cfg = ClientConfig {
        requests_per_second: 0.1, // burst 1, then one request per 10 s
        ..config(&server.base)
    };
    let c = Client::new(cfg, cancel.clone())?;
    c.get_organization("o1").await?;
    // Runs only once the next call yields, i.e. once it waits on the limiter.
    let canceller = tokio::spawn(async move {
        cancel.cancel();
        Instant::now()
    });
    let err = c
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    let returned = Instant::now();
    assert_eq!(err.kind(), &ErrorKind::Cancelled);
    assert!(returned.duration_since(canceller.await?) < Duration::from_secs(1));
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

// ---- rate limiting and timeouts ---------------------------------------------------------

/// Clones share one limiter: 15 concurrent requests at 10/s (burst 10) span at least ~0.5 s.
#[tokio::test]
async fn clones_share_one_rate_limiter() -> TestResult {
    let server = Server::start(|_, _| Reply::ok(org_json("o1"))).await?;
    let cfg = ClientConfig {
        requests_per_second: 10.0,
        ..config(&server.base)
    };
    let c = Client::new(cfg, CancellationToken::new())?;
    let calls = (0..15).map(|_| {
        let clone = c.clone();
        async move { clone.get_organization("o1").await }
    });
    for r in futures::future::join_all(calls).await {
        r?;
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 15);
    let first = reqs.iter().map(|r| r.at).min().ok_or("no requests")?;
    let last = reqs.iter().map(|r| r.at).max().ok_or("no requests")?;
    let span = last.duration_since(first);
    assert!(span >= Duration::from_millis(400), "span {span:?}");
    assert!(span < Duration::from_secs(3), "span {span:?}");
    Ok(())
}

/// A GET slower than request_timeout ends in Timeout after 1 + max_retries attempts.
#[tokio::test]
async fn slow_get_times_out_after_retries() -> TestResult {
    let server =
        Server::start(|_, _| Reply::ok(org_json("o1")).delayed(Duration::from_secs(30))).await?;
    let cfg = ClientConfig {
        request_timeout: Duration::from_millis(100),
        max_retries: 1,
        ..config(&server.base)
    };
    let err = Client::new(cfg, CancellationToken::new())?
        .get_organization("o1")
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert_eq!(server.requests().len(), 2);
    Ok(())
}

/// A create that times out after sending is OutcomeUnknown after exactly one POST.
#[tokio::test]
async fn create_timeout_is_outcome_unknown() -> TestResult {
    let server =
        Server::start(|_, _| Reply::ok(org_json("o1")).delayed(Duration::from_secs(30))).await?;
    let cfg = ClientConfig {
        request_timeout: Duration::from_millis(100),
        ..config(&server.base)
    };
    let err = Client::new(cfg, CancellationToken::new())?
        .create_organization(&OrganizationCreate {
            name: "Acme".into(),
            ..Default::default()
        })
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(err.kind(), &ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(server.requests().len(), 1);
    Ok(())
}

// ---- logging ----------------------------------------------------------------------------

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

/// TRACE output has per-attempt lines and bodies, but never the credential or profile personal data.
#[tokio::test]
async fn trace_logs_redact_secrets_and_personal_data() -> TestResult {
    let email = "jane.doe.marker@example.com";
    let server = Server::start(move |r, _| {
        if r.method == "PUT" {
            Reply::no_content()
        } else {
            let mut org = org_json("o1");
            org["profile"] = json!({"business_email": email, "business_phone": "+1 555 0199",
                                    "business_address": "1 Secret Lane", "business_name": "Jane Doe LLC",
                                    "external_metadata": ""});
            Reply::ok(org)
        }
    })
    .await?;
    let buf = Captured::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let cfg = ClientConfig {
        auth: Auth::KeyEmail {
            key: KEY.into(),
            email: EMAIL.into(),
        },
        ..config(&server.base)
    };
    let keyed = Client::new(cfg, CancellationToken::new())?;
    let org: Organization = keyed.get_organization("o1").await?;
    assert_eq!(
        org.profile.as_ref().map(|p| p.business_email.as_str()),
        Some(email)
    );
    keyed
        .put_profile(
            "o1",
            &Profile {
                business_email: email.into(),
                business_phone: "+1 555 0199".into(),
                ..Profile::default()
            },
            false,
        )
        .await?;
    client(&server.base)?.get_organization("o1").await?;
    tracing::debug!(profile = ?org.profile, "debug of a profile");
    let out = String::from_utf8(buf.0.lock().map_err(|_| "poisoned")?.clone())?;
    assert!(
        out.contains("cloudflare api request"),
        "per-attempt line missing:\n{out}"
    );
    assert!(out.contains("response body"), "TRACE body missing:\n{out}");
    assert!(
        out.contains("status=200") && out.contains("attempt=1"),
        "{out}"
    );
    for secret in [
        TOKEN,
        KEY,
        EMAIL,
        email,
        "555 0199",
        "Secret Lane",
        "Jane Doe",
    ] {
        assert!(!out.contains(secret), "{secret} leaked into logs:\n{out}");
    }
    Ok(())
}
