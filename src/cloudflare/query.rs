//! Query-string encoding of list filters (api.md §3).
//!
//! Arrays repeat the key (`id=a&id=b`), nested keys are joined with dots
//! (`containing.account=…`), and operator suffixes are camelCase (`name.startsWith`), mapped
//! explicitly from our snake_case fields. `parent.id=null` is sent as the literal string.
//! `page_size` and `page_token` are added by the pagination loop, not here.

use super::dto::{AccountFilter, OrganizationFilter};

/// Ordered `(key, value)` pairs; the URL layer percent-encodes them.
pub(crate) type Query = Vec<(&'static str, String)>;

fn push(q: &mut Query, key: &'static str, value: &Option<String>) {
    if let Some(v) = value {
        q.push((key, v.clone()));
    }
}

/// Filters of `GET /organizations`, in a stable order.
pub(crate) fn organization_query(f: &OrganizationFilter) -> Query {
    let mut q = Query::new();
    for id in &f.ids {
        q.push(("id", id.clone()));
    }
    push(&mut q, "name", &f.name);
    push(&mut q, "name.contains", &f.name_contains);
    push(&mut q, "name.startsWith", &f.name_starts_with);
    push(&mut q, "name.endsWith", &f.name_ends_with);
    push(&mut q, "parent.id", &f.parent_id);
    push(&mut q, "containing.account", &f.containing_account);
    push(
        &mut q,
        "containing.organization",
        &f.containing_organization,
    );
    push(&mut q, "containing.user", &f.containing_user);
    q
}

/// Filters of `GET /organizations/{id}/accounts`, in a stable order.
pub(crate) fn account_query(f: &AccountFilter) -> Query {
    let mut q = Query::new();
    push(&mut q, "name", &f.name);
    push(&mut q, "name.contains", &f.name_contains);
    push(&mut q, "name.startsWith", &f.name_starts_with);
    push(&mut q, "name.endsWith", &f.name_ends_with);
    push(&mut q, "account_pubname", &f.account_pubname);
    push(
        &mut q,
        "account_pubname.contains",
        &f.account_pubname_contains,
    );
    push(
        &mut q,
        "account_pubname.startsWith",
        &f.account_pubname_starts_with,
    );
    push(
        &mut q,
        "account_pubname.endsWith",
        &f.account_pubname_ends_with,
    );
    push(&mut q, "order_by", &f.order_by);
    push(&mut q, "direction", &f.direction);
    q
}

/// Page size for the next request: `min(remaining, hint or 1000)`, always within 1..=1000.
pub(crate) fn page_size(hint: Option<u32>, remaining: Option<usize>) -> u32 {
    let cap = hint
        .unwrap_or(super::MAX_PAGE_SIZE)
        .clamp(1, super::MAX_PAGE_SIZE);
    match remaining {
        Some(r) => u32::try_from(r).unwrap_or(u32::MAX).clamp(1, cap),
        None => cap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_filters_use_dots_camel_case_and_repeats() {
        let f = OrganizationFilter {
            ids: vec!["a".into(), "b".into()],
            name_starts_with: Some("acme".into()),
            name_ends_with: Some("inc".into()),
            parent_id: Some("null".into()),
            containing_account: Some("acc".into()),
            ..Default::default()
        };
        let q = organization_query(&f);
        let got: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("id", "a"),
                ("id", "b"),
                ("name.startsWith", "acme"),
                ("name.endsWith", "inc"),
                ("parent.id", "null"),
                ("containing.account", "acc"),
            ]
        );
    }

    #[test]
    fn account_filters_map_pubname_operators() {
        let f = AccountFilter {
            account_pubname_starts_with: Some("x".into()),
            order_by: Some("account_name".into()),
            direction: Some("desc".into()),
            ..Default::default()
        };
        let keys: Vec<&str> = account_query(&f).iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            vec!["account_pubname.startsWith", "order_by", "direction"]
        );
    }

    #[test]
    fn page_size_never_zero_nor_above_1000() {
        assert_eq!(page_size(None, None), 1000);
        assert_eq!(page_size(None, Some(2345)), 1000);
        assert_eq!(page_size(None, Some(345)), 345);
        assert_eq!(page_size(Some(0), None), 1);
        assert_eq!(page_size(Some(5000), None), 1000);
        assert_eq!(page_size(Some(20), Some(7)), 7);
        assert_eq!(page_size(None, Some(0)), 1);
    }
}
