//! Retry policy (api.md §8): which responses are retried, and how long to wait.
//!
//! Retried: connection failures, 408, 409, 429 and ≥ 500; an `x-should-retry: true|false`
//! header overrides the status rule. The wait is the server's `Retry-After-Ms` /
//! `Retry-After` (seconds or HTTP date) when present, else `min_backoff × 2ⁿ` capped at
//! `max_backoff`, minus up to 25 % jitter.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// The longest server-requested wait we ever honour, whatever `max_backoff` says.
pub(crate) const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// Whether a response status is retryable, before `x-should-retry` is considered.
pub(crate) fn status_is_retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// `x-should-retry: true|false`, if present and well-formed.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    let v = headers.get("x-should-retry")?.to_str().ok()?.trim();
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The server-requested delay: `Retry-After-Ms` (milliseconds), else `Retry-After`
/// (delta-seconds, possibly fractional, or an HTTP date; a past date → zero).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        // Clamp absurd values so Duration construction can't panic (1e300 ms overflows it).
        return Some(Duration::from_secs_f64((ms / 1000.0).min(1.0e9)));
    }
    let raw = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            // Clamp absurd values so Duration construction can't panic.
            return Some(Duration::from_secs_f64(secs.min(1.0e9)));
        }
        return None;
    }
    let at = httpdate::parse_http_date(raw).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential back-off for retry number `attempt` (0-based): `min × 2ⁿ` capped at `max`,
/// minus a jitter fraction in `[0, 0.25)` supplied by the caller (so tests are deterministic).
pub(crate) fn backoff(min: Duration, max: Duration, attempt: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(30));
    let base = min.saturating_mul(factor).min(max.max(min));
    let jitter = jitter.clamp(0.0, 0.25);
    base.mul_f64(1.0 - jitter)
}

/// A random jitter fraction in `[0, 0.25)`.
pub(crate) fn random_jitter() -> f64 {
    rand::random::<f64>() * 0.25
}

/// Delay before propagation poll number `attempt + 1`: `min × 2ⁿ` (no jitter); the caller caps it
/// by the remaining budget.
pub(crate) fn propagation_delay(min: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(30));
    min.saturating_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.insert(*k, v);
            }
        }
        h
    }

    #[test]
    fn absurd_retry_after_values_are_clamped_not_panics() {
        let now = SystemTime::UNIX_EPOCH;
        let ms = retry_after(&headers(&[("retry-after-ms", "1e300")]), now);
        assert_eq!(ms, Some(Duration::from_secs(1_000_000_000)));
        let secs = retry_after(&headers(&[("retry-after", "1e300")]), now);
        assert_eq!(secs, Some(Duration::from_secs(1_000_000_000)));
    }

    #[test]
    fn parses_retry_after_seconds_date_and_ms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2")]), now),
            Some(Duration::from_secs(2))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &date)]), now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after-ms", "250"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_millis(250))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-1")]), now), None);
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_down() {
        let (min, max) = (Duration::from_secs(1), Duration::from_secs(30));
        let plain: Vec<u64> = (0..7)
            .map(|n| backoff(min, max, n, 0.0).as_secs())
            .collect();
        assert_eq!(plain, vec![1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(backoff(min, max, 2, 0.25), Duration::from_secs(3));
        assert_eq!(backoff(min, max, 100, 0.0), max);
    }

    #[test]
    fn classifies_statuses_and_override() {
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(status_is_retryable(s), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!status_is_retryable(s), "{s}");
        }
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "False")])),
            Some(false)
        );
        assert_eq!(should_retry_header(&headers(&[])), None);
    }
}
