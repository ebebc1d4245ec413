//! Data source `cloudflare_organization_accounts`: the accounts inside one organization.
//!
//! REST: `GET /organizations/{organization_id}/accounts`, following every page (the client handles the
//! cursor). Not in the official provider v5.22.0; the input names follow Cloudflare's generated Terraform
//! docs, plus `max_items` and `name.equals` (the API's exact-match `name` parameter, which the SDKs drop),
//! and the `result` attributes are named after the API fields. The API's order is kept.

use async_trait::async_trait;

use crate::cloudflare::{Account, AccountFilter, AccountSettings};
use crate::framework::{Attribute, AttributePath, Ctx, DataSource, Diagnostics, Schema, Value};
use crate::mapping::{
    api_error_diag, client, filter_string, max_items_attribute, max_items_limit,
    name_filter_attributes, organization_not_found, page_size_attribute, page_size_hint,
    page_token_attribute, validate_id, validate_max_items, validate_page_size,
};

/// Terraform type name.
pub const TYPE_NAME: &str = "cloudflare_organization_accounts";

/// Accepted `order_by` values.
const ORDER_BY: [&str; 1] = ["account_name"];

/// Accepted `direction` values.
const DIRECTIONS: [&str; 2] = ["asc", "desc"];

/// The data source schema.
pub fn schema() -> Schema {
    Schema::new(
        0,
        "Lists the accounts of a Cloudflare organization, optionally filtered and ordered. Every page is read.",
        vec![
            Attribute::string("organization_id")
                .required()
                .description("ID of the organization whose accounts to list."),
            Attribute::object("name", name_filter_attributes("account", true))
                .optional()
                .description("Case-insensitive filters on the account name (every set field must match)."),
            Attribute::object(
                "account_pubname",
                vec![
                    Attribute::string("contains")
                        .optional()
                        .description("Only accounts whose public name contains this string (case-insensitive)."),
                    Attribute::string("ends_with")
                        .optional()
                        .description("Only accounts whose public name ends with this string (case-insensitive)."),
                    Attribute::string("starts_with")
                        .optional()
                        .description("Only accounts whose public name starts with this string (case-insensitive)."),
                ],
            )
            .optional()
            .deprecated("The API deprecates the `account_pubname` filters; use `name` instead.")
            .description("Case-insensitive filters on the account's public name, deprecated by the API in favour of `name`."),
            Attribute::string("order_by")
                .optional()
                .description("Sort the accounts by this field; the only accepted value is `account_name` (unset: the API's internal account order)."),
            Attribute::string("direction")
                .optional()
                .description("Sort direction, `asc` or `desc` (the API defaults to `asc`)."),
            page_size_attribute("accounts"),
            page_token_attribute(),
            max_items_attribute("accounts"),
            Attribute::list_of_objects("result", result_attributes())
                .computed()
                .description("The matching accounts, in the order the API returns them."),
        ],
    )
}

/// Attributes of one `result` item.
fn result_attributes() -> Vec<Attribute> {
    let computed = |a: Attribute, d: &str| a.computed().description(d);
    vec![
        computed(Attribute::string("id"), "Account ID."),
        computed(Attribute::string("name"), "Account name; null when the API has none."),
        computed(Attribute::string("type"), "Account type as the API reports it, such as `standard` or `enterprise`."),
        computed(Attribute::string("created_on"), "When the account was created (RFC 3339)."),
        Attribute::object(
            "settings",
            vec![
                computed(Attribute::string("abuse_contact_email"), "Abuse contact email address; null when unset."),
                computed(Attribute::string("access_approval_expiry"), "Time (RFC 3339) until which access approval lasts; null when unset."),
                computed(Attribute::bool("api_access_enabled"), "Whether API access is enabled; null when the API does not say."),
                computed(Attribute::string("default_nameservers"), "Default nameservers of the account (deprecated by the API); null when unset."),
                computed(Attribute::bool("enforce_twofactor"), "Whether two-factor authentication is required for members; null when the API does not say."),
                computed(Attribute::bool("use_account_custom_ns_by_default"), "Whether zones use the account's custom nameservers by default (deprecated by the API); null when the API does not say."),
            ],
        )
        .computed()
        .description("Account settings; each is null when the API sends null."),
    ]
}

/// The client filter from the configuration.
fn account_filter(config: &Value) -> AccountFilter {
    let name = config.get("name");
    let pubname = config.get("account_pubname");
    AccountFilter {
        name: filter_string(name, "equals"),
        name_contains: filter_string(name, "contains"),
        name_starts_with: filter_string(name, "starts_with"),
        name_ends_with: filter_string(name, "ends_with"),
        account_pubname: None,
        account_pubname_contains: filter_string(pubname, "contains"),
        account_pubname_starts_with: filter_string(pubname, "starts_with"),
        account_pubname_ends_with: filter_string(pubname, "ends_with"),
        order_by: filter_string(config, "order_by"),
        direction: filter_string(config, "direction"),
        page_size: page_size_hint(config.get("page_size")),
        page_token: filter_string(config, "page_token"),
    }
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

fn settings_value(s: Option<&AccountSettings>) -> Value {
    let Some(s) = s else {
        return Value::Null;
    };
    Value::object([
        (
            "abuse_contact_email",
            Value::opt_string(s.abuse_contact_email.clone()),
        ),
        (
            "access_approval_expiry",
            Value::opt_string(s.access_approval_expiry.clone()),
        ),
        ("api_access_enabled", opt_bool(s.api_access_enabled)),
        (
            "default_nameservers",
            Value::opt_string(s.default_nameservers.clone()),
        ),
        ("enforce_twofactor", opt_bool(s.enforce_twofactor)),
        (
            "use_account_custom_ns_by_default",
            opt_bool(s.use_account_custom_ns_by_default),
        ),
    ])
}

/// An account as a `result` item.
fn account_value(a: &Account) -> Value {
    Value::object([
        ("id", Value::string(&a.id)),
        ("name", Value::opt_string(a.name.clone())),
        (
            "type",
            Value::opt_string(Some(&a.r#type).filter(|t| !t.is_empty())),
        ),
        ("created_on", Value::opt_string(a.created_on.clone())),
        ("settings", settings_value(a.settings.as_ref())),
    ])
}

/// Checks a known string attribute is one of `allowed`.
fn validate_one_of(config: &Value, name: &str, allowed: &[&str], diags: &mut Diagnostics) {
    if let Some(v) = config.get(name).as_str() {
        if !allowed.contains(&v) {
            let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            diags.error_at(
                AttributePath::attr(name),
                format!("Invalid {name} Value"),
                format!("{name} must be one of {}, got {v:?}.", list.join(", ")),
            );
        }
    }
}

/// The cloudflare_organization_accounts data source.
pub struct OrganizationAccountsDataSource;

#[async_trait]
impl DataSource for OrganizationAccountsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_id(
            config.get("organization_id"),
            AttributePath::attr("organization_id"),
            "Organization ID",
            diags,
        );
        validate_one_of(config, "order_by", &ORDER_BY, diags);
        validate_one_of(config, "direction", &DIRECTIONS, diags);
        validate_page_size(
            config.get("page_size"),
            AttributePath::attr("page_size"),
            diags,
        );
        validate_max_items(
            config.get("max_items"),
            AttributePath::attr("max_items"),
            diags,
        );
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = client(ctx, diags) else {
            return Value::Null;
        };
        let Some(org_id) = config.get("organization_id").as_str() else {
            diags.error_at(
                AttributePath::attr("organization_id"),
                "Missing Organization ID",
                "Set `organization_id` to the ID of the organization whose accounts to list.",
            );
            return Value::Null;
        };
        let filter = account_filter(config);
        let limit = max_items_limit(config.get("max_items"));
        match client.list_accounts(org_id, &filter, limit).await {
            Ok(accounts) => {
                let mut state = config.clone();
                state.set(
                    "result",
                    Value::List(accounts.iter().map(account_value).collect()),
                );
                state
            }
            Err(e) if e.is_not_found() => {
                organization_not_found(diags, Some(AttributePath::attr("organization_id")), org_id);
                Value::Null
            }
            Err(e) => {
                api_error_diag(diags, "Unable to List Organization Accounts", &e);
                Value::Null
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Mode::{Computed as C, Optional as O, Required as R};
    use crate::mapping::testing::{
        assert_conforms, assert_read_only_vocabulary, assert_snapshot, fake_api, not_found,
        null_config, ok,
    };
    use serde_json::json;

    /// Cloudflare's documented inputs (plus `name.equals` and `max_items`) and our `result` tree.
    #[test]
    fn schema_has_the_documented_inputs_and_result_tree() {
        let s = schema();
        assert_eq!(s.version, 0);
        assert_snapshot(
            &s,
            &[
                ("organization_id", R, "string"),
                ("name", O, "object"),
                ("name.contains", O, "string"),
                ("name.ends_with", O, "string"),
                ("name.equals", O, "string"),
                ("name.starts_with", O, "string"),
                ("account_pubname", O, "object"),
                ("account_pubname.contains", O, "string"),
                ("account_pubname.ends_with", O, "string"),
                ("account_pubname.starts_with", O, "string"),
                ("order_by", O, "string"),
                ("direction", O, "string"),
                ("page_size", O, "number"),
                ("page_token", O, "string"),
                ("max_items", O, "number"),
                ("result", C, "list(object)"),
                ("result.id", C, "string"),
                ("result.name", C, "string"),
                ("result.type", C, "string"),
                ("result.created_on", C, "string"),
                ("result.settings", C, "object"),
                ("result.settings.abuse_contact_email", C, "string"),
                ("result.settings.access_approval_expiry", C, "string"),
                ("result.settings.api_access_enabled", C, "bool"),
                ("result.settings.default_nameservers", C, "string"),
                ("result.settings.enforce_twofactor", C, "bool"),
                (
                    "result.settings.use_account_custom_ns_by_default",
                    C,
                    "bool",
                ),
            ],
        );
        assert_read_only_vocabulary(&s);
    }

    /// `order_by` and `direction` accept only the API's values, reported at their paths.
    #[test]
    fn validate_checks_order_values() {
        let mut config = null_config(&schema());
        config.set("organization_id", Value::string("o1"));
        config.set("order_by", Value::string("created_on"));
        config.set("direction", Value::string("up"));
        let mut diags = Diagnostics::new();
        OrganizationAccountsDataSource.validate(&config, &mut diags);
        let paths: Vec<String> = diags
            .iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(paths, ["order_by", "direction"]);
        config.set("order_by", Value::string("account_name"));
        config.set("direction", Value::unknown());
        let mut diags = Diagnostics::new();
        OrganizationAccountsDataSource.validate(&config, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
    }

    /// Nullable API fields stay null: `name`, the whole `settings`, and single settings.
    #[test]
    fn account_dto_converts_with_nulls() {
        let full: Account = serde_json::from_value(json!({
            "id": "a1", "name": "Prod", "type": "enterprise", "created_on": "2026-01-02T03:04:05Z",
            "settings": {"abuse_contact_email": null, "access_approval_expiry": null,
                "api_access_enabled": true, "default_nameservers": "cloudflare.standard",
                "enforce_twofactor": false, "use_account_custom_ns_by_default": null}
        }))
        .unwrap();
        let bare: Account =
            serde_json::from_value(json!({"id": "a2", "name": null, "settings": null})).unwrap();
        let item_type = match schema().attribute("result").unwrap().value_type() {
            crate::framework::Type::List(t) => *t,
            other => panic!("{other:?}"),
        };
        let v = account_value(&full);
        assert_conforms(&v, &item_type);
        assert_eq!(
            v.get("settings").get("api_access_enabled"),
            &Value::Bool(true)
        );
        assert_eq!(
            v.get("settings").get("enforce_twofactor"),
            &Value::Bool(false)
        );
        assert_eq!(v.get("settings").get("abuse_contact_email"), &Value::Null);
        assert_eq!(v.get("type"), &Value::string("enterprise"));
        let v = account_value(&bare);
        assert_conforms(&v, &item_type);
        assert_eq!(v.get("name"), &Value::Null);
        assert_eq!(v.get("type"), &Value::Null);
        assert_eq!(v.get("settings"), &Value::Null);
    }

    /// Filters map onto the API's query names, on every page; the pages are concatenated in order.
    #[tokio::test]
    async fn lists_every_page_with_the_filters() {
        let api = fake_api(|path, query| match path {
            "/client/v4/organizations/o1/accounts" if query.contains("page_token=n") => ok(
                json!([{"id": "a2", "name": "B", "type": "standard", "settings": null}]),
                None,
            ),
            "/client/v4/organizations/o1/accounts" => ok(
                json!([{"id": "a1", "name": "A", "type": "standard", "settings": null}]),
                Some("n"),
            ),
            _ => not_found(),
        })
        .await;
        let mut config = null_config(&schema());
        config.set("organization_id", Value::string("o1"));
        config.set(
            "name",
            Value::object([
                ("contains", Value::Null),
                ("ends_with", Value::Null),
                ("equals", Value::string("Prod")),
                ("starts_with", Value::string("Pr")),
            ]),
        );
        config.set("order_by", Value::string("account_name"));
        config.set("direction", Value::string("desc"));
        let mut diags = Diagnostics::new();
        let state = OrganizationAccountsDataSource
            .read(&api.ctx, &config, &mut diags)
            .await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_conforms(&state, schema().value_type());
        let ids: Vec<&str> = state
            .get("result")
            .as_elements()
            .unwrap()
            .iter()
            .filter_map(|a| a.get("id").as_str())
            .collect();
        assert_eq!(ids, ["a1", "a2"]);
        let requests = api.requests.lock().unwrap().clone();
        assert_eq!(requests.len(), 2);
        for r in &requests {
            for part in [
                "name=Prod",
                "name.startsWith=Pr",
                "order_by=account_name",
                "direction=desc",
            ] {
                assert!(r.contains(part), "{part} missing from {r}");
            }
        }
    }

    /// A 404 for the organization is "Organization Not Found" naming the ID.
    #[tokio::test]
    async fn unknown_organization_is_not_found() {
        let api = fake_api(|_, _| not_found()).await;
        let mut config = null_config(&schema());
        config.set("organization_id", Value::string("nope"));
        let mut diags = Diagnostics::new();
        let state = OrganizationAccountsDataSource
            .read(&api.ctx, &config, &mut diags)
            .await;
        assert_eq!(state, Value::Null);
        let d = diags.iter().next().unwrap();
        assert_eq!(d.summary, "Organization Not Found");
        assert!(d.detail.contains("\"nope\""));
    }
}
