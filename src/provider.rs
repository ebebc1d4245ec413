//! The provider: configuration schema, environment fallbacks, credential checks, and Configure →
//! [`cloudflare::Client`].
//!
//! Precedence: an attribute set (and known) in the provider block beats its environment variable.
//! Exactly one credential scheme is used per request: `api_token`, or `api_key` + `email`. Two schemes in
//! the provider block is an error at validate time; when both come only from the environment, the token
//! wins and a warning says so.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::cloudflare::{self, Auth, ClientConfig};
use crate::framework::{
    Attribute, AttributePath, DataSource, Diagnostics, ListResource, Provider, ProviderData,
    Resource, Schema, Value,
};
use crate::resources::{organization, organization_profile};

/// This provider's version (from Cargo.toml), used in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Environment variables read for provider attributes, by attribute name.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("api_token", "CLOUDFLARE_API_TOKEN"),
    ("api_key", "CLOUDFLARE_API_KEY"),
    ("email", "CLOUDFLARE_EMAIL"),
    ("base_url", "CLOUDFLARE_BASE_URL"),
    (
        "user_agent_operator_suffix",
        "CLOUDFLARE_USER_AGENT_OPERATOR_SUFFIX",
    ),
    ("max_retries", "CLOUDFLARE_MAX_RETRIES"),
    ("min_backoff", "CLOUDFLARE_MIN_BACKOFF"),
    ("max_backoff", "CLOUDFLARE_MAX_BACKOFF"),
    ("requests_per_second", "CLOUDFLARE_REQUESTS_PER_SECOND"),
];

/// Where provider settings come from; injected so tests need not touch the process environment.
pub trait Env: Send + Sync {
    /// The variable's value, when set and non-empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// The cloudflare-orgs provider.
pub struct CloudflareOrgsProvider {
    env: Box<dyn Env>,
}

/// The provider, reading the process environment.
pub fn new() -> Arc<dyn Provider> {
    Arc::new(CloudflareOrgsProvider {
        env: Box::new(ProcessEnv),
    })
}

/// The provider with an injected environment (for tests).
pub fn with_env(env: Box<dyn Env>) -> CloudflareOrgsProvider {
    CloudflareOrgsProvider { env }
}

/// The provider configuration schema.
pub fn schema() -> Schema {
    Schema::new(
        0,
        "The cloudflare-orgs provider manages Cloudflare Organizations. Credentials come from the provider block or from environment variables; the block wins.",
        vec![
            Attribute::string("api_token").optional().sensitive().description(
                "Cloudflare API token, sent as `Authorization: Bearer`. Falls back to `CLOUDFLARE_API_TOKEN`. Note: the Organizations API does not accept user API tokens for every operation; if reads fail with HTTP 403, use `api_key` and `email`. Conflicts with `api_key`.",
            ),
            Attribute::string("api_key").optional().sensitive().description(
                "Cloudflare global API key, sent as `X-Auth-Key` together with `email`. Falls back to `CLOUDFLARE_API_KEY`. Conflicts with `api_token`.",
            ),
            Attribute::string("email").optional().description(
                "Email address of the account that owns `api_key`, sent as `X-Auth-Email`. Required with `api_key`. Falls back to `CLOUDFLARE_EMAIL`.",
            ),
            Attribute::string("api_user_service_key").optional().sensitive().description(
                "Accepted for compatibility with the official provider; the Organizations API does not use it (it is for Origin CA only).",
            ),
            Attribute::string("base_url").optional().description(
                "Base URL of the Cloudflare API. Falls back to `CLOUDFLARE_BASE_URL`, then `https://api.cloudflare.com/client/v4`. Point it at `cloudflare-orgs-emulator` to work offline.",
            ),
            Attribute::string("user_agent_operator_suffix").optional().description(
                "Text appended to the User-Agent header, to tell your automation's traffic apart. Falls back to `CLOUDFLARE_USER_AGENT_OPERATOR_SUFFIX`.",
            ),
            Attribute::number("max_retries").optional().description(
                "How many times a failed request (HTTP 408, 409, 429, 5xx or a connection failure) is retried. Default 4. Falls back to `CLOUDFLARE_MAX_RETRIES`. Organization creation is never replayed once it may have reached the API.",
            ),
            Attribute::number("min_backoff").optional().description(
                "Shortest wait before a retry, in seconds. Default 1. Falls back to `CLOUDFLARE_MIN_BACKOFF`.",
            ),
            Attribute::number("max_backoff").optional().description(
                "Longest wait before a retry, in seconds; a `Retry-After` longer than this fails at once with a message saying when to retry. Default 30. Falls back to `CLOUDFLARE_MAX_BACKOFF`.",
            ),
            Attribute::number("requests_per_second").optional().description(
                "Client-side rate limit shared by every operation of one provider process. Default 3, under Cloudflare's 1,200 requests per 5 minutes. Falls back to `CLOUDFLARE_REQUESTS_PER_SECOND`.",
            ),
        ],
    )
}

/// Numeric provider settings: (attribute, lowest, highest, whole numbers only).
const NUMERIC_SETTINGS: [(&str, f64, f64, bool); 4] = [
    ("max_retries", 0.0, 20.0, true),
    ("min_backoff", 0.0, 300.0, false),
    ("max_backoff", 0.0, 600.0, false),
    ("requests_per_second", 0.1, 1000.0, false),
];

/// Checks a numeric setting against [`NUMERIC_SETTINGS`]; `Err` says the rule it breaks.
fn check_number(name: &str, value: Option<f64>) -> Result<f64, String> {
    let Some((_, lo, hi, whole)) = NUMERIC_SETTINGS.iter().find(|(n, ..)| *n == name) else {
        return value.ok_or_else(|| "it must be a number".to_string());
    };
    let rule = if *whole {
        format!("it must be a whole number from {lo} to {hi}")
    } else {
        format!("it must be a number from {lo} to {hi}")
    };
    match value {
        Some(v) if v.is_finite() && v >= *lo && v <= *hi && (!whole || v.fract() == 0.0) => Ok(v),
        _ => Err(rule),
    }
}

/// A setting's resolved source.
enum Setting {
    /// Not set anywhere.
    Unset,
    /// Set in config or env, known.
    Known(String),
    /// Set in config but unknown until apply.
    Unknown,
}

impl CloudflareOrgsProvider {
    fn setting(&self, config: &Value, name: &str) -> Setting {
        let v = config.get(name);
        if v.is_unknown() {
            return Setting::Unknown;
        }
        if let Some(s) = v.as_str() {
            return Setting::Known(s.to_string());
        }
        if let Some(n) = v.as_i64() {
            return Setting::Known(n.to_string());
        }
        if let crate::framework::Value::Number(n) = v {
            return Setting::Known(n.to_string());
        }
        let env = ENV_VARS.iter().find(|(a, _)| *a == name).map(|(_, e)| *e);
        match env.and_then(|e| self.env.var(e)) {
            Some(s) => Setting::Known(s),
            None => Setting::Unset,
        }
    }

    /// A numeric setting from the provider block or its environment variable, checked against its
    /// range in [`NUMERIC_SETTINGS`]; an error names the attribute, where the value came from, and the
    /// allowed range.
    fn number_setting(
        &self,
        config: &Value,
        name: &str,
        default: f64,
        diags: &mut Diagnostics,
    ) -> f64 {
        let Setting::Known(text) = self.setting(config, name) else {
            return default;
        };
        let source = if config.get(name).is_null() {
            ENV_VARS
                .iter()
                .find(|(a, _)| *a == name)
                .map_or(name, |(_, e)| *e)
        } else {
            name
        };
        match check_number(name, text.trim().parse::<f64>().ok()) {
            Ok(n) => n,
            Err(rule) => {
                diags.error_at(
                    AttributePath::attr(name),
                    "Invalid Provider Setting",
                    format!("{source} is {:?}, but {rule}.", text.trim()),
                );
                default
            }
        }
    }

    fn auth(&self, config: &Value, diags: &mut Diagnostics) -> Option<Auth> {
        let known = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let (cfg_token, cfg_key, cfg_email) = (
            known(config.get("api_token")),
            known(config.get("api_key")),
            known(config.get("email")),
        );
        if let Some(token) = cfg_token {
            return Some(Auth::Token(token));
        }
        if let Some(key) = cfg_key {
            let email = cfg_email.or_else(|| self.env.var("CLOUDFLARE_EMAIL"));
            return match email {
                Some(email) => Some(Auth::KeyEmail { key, email }),
                None => {
                    diags.error_at(
                        AttributePath::attr("email"),
                        "Missing Email for API Key",
                        "`api_key` is set, so `email` (or CLOUDFLARE_EMAIL) must name the account that owns the key.",
                    );
                    None
                }
            };
        }
        let env_token = self.env.var("CLOUDFLARE_API_TOKEN");
        let env_key = self.env.var("CLOUDFLARE_API_KEY");
        let env_email = cfg_email.or_else(|| self.env.var("CLOUDFLARE_EMAIL"));
        match (env_token, env_key, env_email) {
            (Some(token), Some(_), _) => {
                diags.warning(
                    "Several Cloudflare Credentials in the Environment",
                    "Both CLOUDFLARE_API_TOKEN and CLOUDFLARE_API_KEY are set; the provider uses CLOUDFLARE_API_TOKEN. Unset one, or set the credential in the provider block, to make the choice explicit.",
                );
                Some(Auth::Token(token))
            }
            (Some(token), None, _) => Some(Auth::Token(token)),
            (None, Some(key), Some(email)) => Some(Auth::KeyEmail { key, email }),
            (None, Some(_), None) => {
                diags.error_at(
                    AttributePath::attr("email"),
                    "Missing Email for API Key",
                    "CLOUDFLARE_API_KEY is set, so `email` (or CLOUDFLARE_EMAIL) must name the account that owns the key.",
                );
                None
            }
            (None, None, _) => {
                diags.error(
                    "Missing Cloudflare Credentials",
                    "Set `api_token` (or CLOUDFLARE_API_TOKEN), or `api_key` and `email` (or CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL). The Organizations API needs a global API key with email for most operations.",
                );
                None
            }
        }
    }
}

#[async_trait]
impl Provider for CloudflareOrgsProvider {
    fn schema(&self) -> Schema {
        schema()
    }

    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        // Only known, non-empty values count as set: during validation, variables are still unknown,
        // and a module that offers both credential variables passes null for the unused one.
        let set = |n: &str| config.get(n).as_str().is_some_and(|v| !v.is_empty());
        if set("api_token") && set("api_key") {
            diags.error_at(
                AttributePath::attr("api_key"),
                "Conflicting Cloudflare Credentials",
                "Set either `api_token`, or `api_key` with `email`, not both: the provider sends exactly one credential scheme.",
            );
        }
        if config.get("api_key").as_str().is_some()
            && config.get("email").is_null()
            && self.env.var("CLOUDFLARE_EMAIL").is_none()
        {
            diags.error_at(
                AttributePath::attr("email"),
                "Missing Email for API Key",
                "`api_key` is set, so `email` (or CLOUDFLARE_EMAIL) must name the account that owns the key.",
            );
        }
        if let Some(url) = config.get("base_url").as_str() {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                diags.error_at(
                    AttributePath::attr("base_url"),
                    "Invalid Base URL",
                    format!("base_url must be an http:// or https:// URL, such as https://api.cloudflare.com/client/v4; got {url:?}."),
                );
            }
        }
        for (name, _, _, _) in NUMERIC_SETTINGS {
            if let Value::Number(n) = config.get(name) {
                if let Err(rule) = check_number(name, n.to_decimal_string().parse::<f64>().ok()) {
                    diags.error_at(
                        AttributePath::attr(name),
                        "Invalid Provider Setting",
                        format!("{name} is {n}, but {rule}."),
                    );
                }
            }
        }
        let seconds = |name: &str| match config.get(name) {
            Value::Number(n) => n.approx_f64(),
            _ => None,
        };
        if let (Some(lo), Some(hi)) = (seconds("min_backoff"), seconds("max_backoff")) {
            if lo > hi {
                diags.error_at(
                    AttributePath::attr("min_backoff"),
                    "Invalid Provider Setting",
                    format!("min_backoff ({lo} s) is longer than max_backoff ({hi} s); the shortest wait cannot exceed the longest."),
                );
            }
        }
    }

    async fn configure(
        &self,
        terraform_version: &str,
        config: &Value,
        cancel: CancellationToken,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        // Provider arguments that come from not-yet-created resources are unknown during plan: plan
        // without a client (no API call, no default endpoint contacted).
        let unknown = ["api_token", "api_key", "email", "base_url"]
            .iter()
            .any(|n| matches!(self.setting(config, n), Setting::Unknown));
        if unknown {
            tracing::debug!("provider configuration has unknown values; deferring client setup");
            return None;
        }
        let auth = self.auth(config, diags)?;
        let base_url = match self.setting(config, "base_url") {
            Setting::Known(u) => u,
            _ => cloudflare::DEFAULT_BASE_URL.to_string(),
        };
        let mut user_agent =
            format!("terraform-provider-cloudflare/{VERSION} (cloudflare-orgs) terraform/{terraform_version}");
        if let Setting::Known(suffix) = self.setting(config, "user_agent_operator_suffix") {
            user_agent.push(' ');
            user_agent.push_str(&suffix);
        }
        let defaults = ClientConfig::default();
        let secs = |d: Duration| d.as_secs_f64();
        let client_config = ClientConfig {
            base_url,
            auth,
            user_agent,
            max_retries: self.number_setting(
                config,
                "max_retries",
                f64::from(defaults.max_retries),
                diags,
            ) as u32,
            min_backoff: Duration::from_secs_f64(self.number_setting(
                config,
                "min_backoff",
                secs(defaults.min_backoff),
                diags,
            )),
            max_backoff: Duration::from_secs_f64(self.number_setting(
                config,
                "max_backoff",
                secs(defaults.max_backoff),
                diags,
            )),
            requests_per_second: self.number_setting(
                config,
                "requests_per_second",
                defaults.requests_per_second,
                diags,
            ),
            ..defaults
        };
        if client_config.min_backoff > client_config.max_backoff {
            diags.error_at(
                AttributePath::attr("min_backoff"),
                "Invalid Provider Setting",
                format!(
                    "min_backoff ({} s) is longer than max_backoff ({} s), counting CLOUDFLARE_MIN_BACKOFF and CLOUDFLARE_MAX_BACKOFF; the shortest wait cannot exceed the longest.",
                    secs(client_config.min_backoff),
                    secs(client_config.max_backoff)
                ),
            );
        }
        if diags.has_errors() {
            return None;
        }
        match cloudflare::Client::new(client_config, cancel) {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                diags.error(
                    "Unable to Configure the Cloudflare Client",
                    format!("{e}. Check base_url and the retry settings."),
                );
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(organization::OrganizationResource),
            Arc::new(organization_profile::OrganizationProfileResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        crate::data_sources::all()
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(
            crate::resources::organization_list::OrganizationListResource,
        )]
    }
}
