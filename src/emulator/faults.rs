//! Fault knobs: the settings ([`Faults`]) and the counters that make them deterministic.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Faults the emulator injects into API requests (never into the admin surface). All are off by
/// default; set them at start ([`super::Config::faults`], `--faults '<json>'`) or at runtime
/// ([`super::Emulator::set_faults`], `PUT /__emulator/faults`). Setting faults replaces all of
/// them and resets their counters. Missing JSON keys mean "off"; unknown keys are rejected.
///
/// JSON example: `{"rate_limit": 3, "retry_after_secs": 2, "error_5xx_every": 4}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Milliseconds added to every API request before it is processed.
    pub latency_ms: u64,
    /// Answer the first N requests per (method, path) with 429, code 971 and `Retry-After`.
    pub rate_limit: u32,
    /// Answer every API request with 429 ("429 forever"); takes precedence over `rate_limit`.
    pub rate_limit_forever: bool,
    /// Seconds sent in `Retry-After` on 429s; `None` sends `1`.
    pub retry_after_secs: Option<u64>,
    /// Every Nth API request (counted after authentication and rate limiting) fails with a
    /// 5xx, cycling 500 (JSON, code 10001), 502 (Cloudflare's HTML page), 503 (JSON, code 10013).
    pub error_5xx_every: u32,
    /// After an organization is created through the API, the first N requests touching it
    /// (`GET /organizations/{id}`, `GET`/`PUT …/profile`) answer 403, code 10000.
    pub propagation_403: u32,
    /// `POST /organizations` stores the organization, then drops the connection without any
    /// HTTP response (a TCP reset).
    pub drop_after_post_commit: bool,
    /// `POST /organizations` waits this many seconds before it is processed. The wait ends
    /// early, storing nothing, when the client disconnects or the emulator shuts down.
    pub hold_post_secs: u64,
    /// `POST /organizations` stores the organization, then answers 200 with `result: {}`.
    pub empty_result_on_create: bool,
    /// Every other list read (`GET /organizations`, `…/accounts`) returns its items in reverse
    /// order; the pages of one read stay consistent.
    pub reorder_lists: bool,
}

impl Faults {
    /// The `Retry-After` value sent on 429s.
    pub fn retry_after(&self) -> u64 {
        self.retry_after_secs.unwrap_or(1)
    }
}

/// Verdict of the request-level fault checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    RateLimited { retry_after: u64 },
    ServerError(u16),
}

/// Faults plus their counters.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pub faults: Faults,
    per_route: HashMap<(String, String), u32>,
    counted: u64,
    list_reads: u64,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        FaultState {
            faults,
            ..Default::default()
        }
    }

    /// Replaces the knobs and resets every counter.
    pub fn set(&mut self, faults: Faults) {
        *self = FaultState::new(faults);
    }

    /// Rate limit, then 5xx cadence, for one authenticated API request.
    pub fn check(&mut self, method: &str, path: &str) -> Option<Injected> {
        let retry_after = self.faults.retry_after();
        if self.faults.rate_limit_forever {
            return Some(Injected::RateLimited { retry_after });
        }
        if self.faults.rate_limit > 0 {
            let seen = self
                .per_route
                .entry((method.to_string(), path.to_string()))
                .or_insert(0);
            if *seen < self.faults.rate_limit {
                *seen += 1;
                return Some(Injected::RateLimited { retry_after });
            }
        }
        if self.faults.error_5xx_every > 0 {
            self.counted += 1;
            let every = u64::from(self.faults.error_5xx_every);
            if self.counted % every == 0 {
                let status = match (self.counted / every - 1) % 3 {
                    0 => 500,
                    1 => 502,
                    _ => 503,
                };
                return Some(Injected::ServerError(status));
            }
        }
        None
    }

    /// Whether a new list read (one without a page token) comes out reversed.
    pub fn next_list_reversed(&mut self) -> bool {
        if !self.faults.reorder_lists {
            return false;
        }
        self.list_reads += 1;
        self.list_reads % 2 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_counts_per_method_and_path() {
        let mut s = FaultState::new(Faults {
            rate_limit: 2,
            retry_after_secs: Some(3),
            ..Faults::default()
        });
        let limited = Some(Injected::RateLimited { retry_after: 3 });
        assert_eq!(s.check("GET", "/a"), limited);
        assert_eq!(s.check("GET", "/a"), limited);
        assert_eq!(s.check("GET", "/a"), None);
        assert_eq!(s.check("PUT", "/a"), limited);
        assert_eq!(s.check("GET", "/b"), limited);
    }

    #[test]
    fn server_errors_follow_a_fixed_cadence_and_cycle() {
        let mut s = FaultState::new(Faults {
            error_5xx_every: 2,
            ..Faults::default()
        });
        let seen: Vec<_> = (0..8).map(|_| s.check("GET", "/x")).collect();
        use Injected::ServerError as E;
        assert_eq!(
            seen,
            vec![
                None,
                Some(E(500)),
                None,
                Some(E(502)),
                None,
                Some(E(503)),
                None,
                Some(E(500))
            ]
        );
    }

    #[test]
    fn faults_json_defaults_missing_keys_and_rejects_unknown_ones() {
        let f: Faults = serde_json::from_str(r#"{"rate_limit": 3}"#).unwrap();
        assert_eq!(f.rate_limit, 3);
        assert_eq!(f.retry_after(), 1);
        assert!(serde_json::from_str::<Faults>(r#"{"rate_limt": 3}"#).is_err());
    }
}
