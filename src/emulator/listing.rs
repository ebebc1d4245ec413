//! Query strings, list filters and server-side cursor pagination (api.md §3 and §4).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::envelope::{code, ApiError};
use super::store::{Account, Org, Store};

/// Default and maximum `page_size`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;
pub(crate) const MAX_PAGE_SIZE: usize = 1000;

/// Decoded query pairs, in order (repeated keys kept).
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Query { pairs }
    }

    /// Every value given for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value given for `key`.
    pub fn last(&self, key: &str) -> Option<&str> {
        self.all(key).pop()
    }

    /// FNV-1a over the path and the sorted filter pairs (everything but the page parameters),
    /// so a page token can be tied to the filters it was issued for.
    fn filter_hash(&self, path: &str) -> u64 {
        let mut pairs: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page_token" && k != "page_size")
            .collect();
        pairs.sort();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            hash ^= 0xff;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        };
        feed(path.as_bytes());
        for (k, v) in pairs {
            feed(k.as_bytes());
            feed(v.as_bytes());
        }
        hash
    }
}

/// A name test from `name`, `name.contains`, `name.startsWith`, `name.endsWith` (all
/// case-insensitive).
#[derive(Debug, Clone, PartialEq)]
enum NameTest {
    Exact(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
}

impl NameTest {
    fn matches(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        match self {
            NameTest::Exact(s) => name == *s,
            NameTest::Contains(s) => name.contains(s.as_str()),
            NameTest::StartsWith(s) => name.starts_with(s.as_str()),
            NameTest::EndsWith(s) => name.ends_with(s.as_str()),
        }
    }
}

fn name_tests(query: &Query, bases: &[&str]) -> Vec<NameTest> {
    let mut tests = Vec::new();
    for base in bases {
        for (suffix, make) in [
            ("", NameTest::Exact as fn(String) -> NameTest),
            (".contains", NameTest::Contains),
            (".startsWith", NameTest::StartsWith),
            (".endsWith", NameTest::EndsWith),
        ] {
            for v in query.all(&format!("{base}{suffix}")) {
                tests.push(make(v.to_lowercase()));
            }
        }
    }
    tests
}

/// Filters for `GET /organizations`. All given filters must hold; repeated `id`s are
/// alternatives.
pub(crate) fn filter_orgs<'a>(store: &'a Store, query: &Query) -> Vec<&'a Org> {
    let ids = query.all("id");
    let names = name_tests(query, &["name"]);
    let parents = query.all("parent.id");
    // containing.account: the owner of the account and the owner's ancestors.
    let account_holders: Vec<Vec<String>> = query
        .all("containing.account")
        .into_iter()
        .map(|acct| match store.account_owner(acct) {
            Some(owner) => {
                let mut v = store.ancestors(&owner.id);
                v.push(owner.id.clone());
                v
            }
            None => Vec::new(),
        })
        .collect();
    // containing.organization: every ancestor of the given organization.
    let org_holders: Vec<Vec<String>> = query
        .all("containing.organization")
        .into_iter()
        .map(|org| store.ancestors(org))
        .collect();
    let users: Vec<String> = query
        .all("containing.user")
        .into_iter()
        .map(str::to_lowercase)
        .collect();

    store
        .orgs()
        .filter(|o| ids.is_empty() || ids.contains(&o.id.as_str()))
        .filter(|o| names.iter().all(|t| t.matches(&o.name)))
        .filter(|o| {
            parents.iter().all(|p| match *p {
                "null" => o.parent_id().is_none(),
                p => o.parent_id() == Some(p),
            })
        })
        .filter(|o| account_holders.iter().all(|h| h.contains(&o.id)))
        .filter(|o| org_holders.iter().all(|h| h.contains(&o.id)))
        .filter(|o| {
            users
                .iter()
                .all(|u| o.members.iter().any(|m| m.to_lowercase() == *u))
        })
        .collect()
}

/// Filters and orders `GET /organizations/{id}/accounts`.
pub(crate) fn filter_accounts<'a>(
    org: &'a Org,
    query: &Query,
) -> Result<Vec<&'a Account>, ApiError> {
    let names = name_tests(query, &["name", "account_pubname"]);
    let by_name = match query.last("order_by") {
        None => false,
        Some("account_name") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                code::INVALID_QUERY,
                format!("order_by must be account_name, not {other:?}"),
            ))
        }
    };
    let descending = match query.last("direction") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                code::INVALID_QUERY,
                format!("direction must be asc or desc, not {other:?}"),
            ))
        }
    };
    let mut accounts: Vec<&Account> = org
        .accounts()
        .filter(|a| match &a.name {
            Some(name) => names.iter().all(|t| t.matches(name)),
            None => names.is_empty(),
        })
        .collect();
    if by_name {
        accounts.sort_by(|a, b| {
            let key = |x: &Account| x.name.as_ref().map(|n| n.to_lowercase());
            key(a).cmp(&key(b)).then(a.seq().cmp(&b.seq()))
        });
    }
    if descending {
        accounts.reverse();
    }
    Ok(accounts)
}

/// A decoded page token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    offset: usize,
    hash: u64,
    reversed: bool,
}

fn encode_token(c: Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "v1:{}:{:016x}:{}",
        c.offset,
        c.hash,
        u8::from(c.reversed)
    ))
}

fn decode_token(token: &str) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.split(':');
    if parts.next()? != "v1" {
        return None;
    }
    let offset = parts.next()?.parse().ok()?;
    let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
    let reversed = match parts.next()? {
        "0" => false,
        "1" => true,
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Cursor {
        offset,
        hash,
        reversed,
    })
}

/// Page parameters of one list request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    size: usize,
    offset: usize,
    hash: u64,
    /// Whether the list is read reversed (the `reorder_lists` knob).
    pub reversed: bool,
    /// True for the first page of a read (no token); only then may `reversed` be chosen anew.
    pub first: bool,
}

/// Parses `page_size` and `page_token` for a list at `path`.
pub(crate) fn page_params(query: &Query, path: &str) -> Result<Page, ApiError> {
    let size = match query.last("page_size") {
        None | Some("") => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(n) if n <= MAX_PAGE_SIZE => n,
            _ => {
                return Err(ApiError::bad_request(
                    code::INVALID_QUERY,
                    format!(
                        "page_size must be an integer between 0 and {MAX_PAGE_SIZE}, not {raw:?}"
                    ),
                ))
            }
        },
    };
    let hash = query.filter_hash(path);
    match query.last("page_token") {
        None | Some("") => Ok(Page {
            size,
            offset: 0,
            hash,
            reversed: false,
            first: true,
        }),
        Some(token) => {
            let cursor = decode_token(token).ok_or_else(|| {
                ApiError::bad_request(code::INVALID_PAGE_TOKEN, "Invalid page_token")
            })?;
            if cursor.hash != hash {
                return Err(ApiError::bad_request(
                    code::INVALID_PAGE_TOKEN,
                    "page_token does not match the filters of this request; send the same \
                     filters with every page_token",
                ));
            }
            Ok(Page {
                size,
                offset: cursor.offset,
                hash,
                reversed: cursor.reversed,
                first: false,
            })
        }
    }
}

/// Cuts one page out of the full, filtered, ordered list and builds `result_info`.
pub(crate) fn paginate(mut items: Vec<Value>, page: Page) -> (Value, Value) {
    if page.reversed {
        items.reverse();
    }
    let total = items.len();
    let start = page.offset.min(total);
    let end = start.saturating_add(page.size).min(total);
    let result: Vec<Value> = items.drain(start..end).collect();
    let mut info = json!({"total_size": total});
    if end < total {
        info["next_page_token"] = json!(encode_token(Cursor {
            offset: end,
            hash: page.hash,
            reversed: page.reversed,
        }));
    }
    (Value::Array(result), info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let c = Cursor {
            offset: 1234,
            hash: 0xdead_beef,
            reversed: true,
        };
        assert_eq!(decode_token(&encode_token(c)), Some(c));
        assert_eq!(decode_token("not a token"), None);
        assert_eq!(decode_token(&URL_SAFE_NO_PAD.encode("v1:1:zz:0")), None);
    }

    #[test]
    fn filter_hash_ignores_page_parameters_and_pair_order() {
        let a = Query::parse(Some("name.contains=x&id=1&page_size=5"));
        let b = Query::parse(Some("id=1&page_token=abc&name.contains=x"));
        let c = Query::parse(Some("id=1&name.contains=y"));
        assert_eq!(a.filter_hash("/p"), b.filter_hash("/p"));
        assert_ne!(a.filter_hash("/p"), c.filter_hash("/p"));
        assert_ne!(a.filter_hash("/p"), a.filter_hash("/q"));
    }

    #[test]
    fn page_size_bounds() {
        let size = |q: &str| page_params(&Query::parse(Some(q)), "/p").map(|p| p.size);
        assert_eq!(size("").unwrap(), 10);
        assert_eq!(size("page_size=0").unwrap(), 10);
        assert_eq!(size("page_size=1000").unwrap(), 1000);
        assert_eq!(
            size("page_size=1001").unwrap_err().code,
            code::INVALID_QUERY
        );
        assert_eq!(size("page_size=-1").unwrap_err().code, code::INVALID_QUERY);
    }

    #[test]
    fn last_page_has_no_next_token() {
        let items: Vec<Value> = (0..25).map(|i| json!(i)).collect();
        let mut page = page_params(&Query::parse(Some("page_size=10")), "/p").unwrap();
        let mut seen = Vec::new();
        loop {
            let (result, info) = paginate(items.clone(), page);
            assert_eq!(info["total_size"], 25);
            seen.extend(result.as_array().unwrap().iter().cloned());
            match info.get("next_page_token").and_then(Value::as_str) {
                Some(t) => {
                    let q = Query::parse(Some(&format!("page_size=10&page_token={t}")));
                    page = page_params(&q, "/p").unwrap();
                }
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn name_tests_are_case_insensitive() {
        let q = Query::parse(Some("name.startsWith=AB&name.endsWith=yz&name.contains=M"));
        let tests = name_tests(&q, &["name"]);
        assert!(tests.iter().all(|t| t.matches("abmxYZ")));
        assert!(!tests.iter().all(|t| t.matches("abxyz")));
        let exact = name_tests(&Query::parse(Some("name=Foo")), &["name"]);
        assert!(exact[0].matches("fOO"));
        assert!(!exact[0].matches("foo2"));
    }
}
