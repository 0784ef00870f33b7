//! The time axis of a listing: instants as seconds for estimates, and the boundary
//! instants between windows, chosen as round as the estimate allows.

use batches_types::{DateTime, Utc};

const NANOS: i128 = 1_000_000_000;

/// Seconds since the epoch, for estimates (to about a microsecond).
pub(super) fn seconds(at: DateTime<Utc>) -> f64 {
    at.timestamp() as f64 + f64::from(at.timestamp_subsec_nanos()) * 1e-9
}

/// The instant `seconds` after the epoch, to the microsecond; `None` out of range.
pub(super) fn instant(seconds: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros((seconds * 1e6).round() as i64)
}

fn nanos(at: DateTime<Utc>) -> i128 {
    i128::from(at.timestamp()) * NANOS + i128::from(at.timestamp_subsec_nanos())
}

fn from_nanos(nanos: i128) -> Option<DateTime<Utc>> {
    let seconds = i64::try_from(nanos.div_euclid(NANOS)).ok()?;
    let subsec = u32::try_from(nanos.rem_euclid(NANOS)).ok()?;
    DateTime::from_timestamp(seconds, subsec)
}

/// A boundary near `target` (seconds), at most `slack` seconds away, strictly after `low`
/// (when given) and strictly before `high`: the latest whole second in that span, else
/// the latest whole millisecond, microsecond, or nanosecond. `None` when the span holds
/// no instant.
///
/// Round boundaries keep the windows disjoint on a server that keeps its filters to a
/// coarser precision than it was sent: a whole second means the same at every precision.
pub(super) fn boundary(
    target: f64,
    slack: f64,
    low: Option<DateTime<Utc>>,
    high: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut earliest = ((target - slack) * 1e9).ceil() as i128;
    if let Some(low) = low {
        earliest = earliest.max(nanos(low) + 1);
    }
    let latest = (((target + slack) * 1e9).floor() as i128).min(nanos(high) - 1);
    if earliest > latest {
        return None;
    }
    [NANOS, 1_000_000, 1_000, 1]
        .into_iter()
        .map(|unit| latest.div_euclid(unit) * unit)
        .find(|&candidate| candidate >= earliest)
        .and_then(from_nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn seconds_and_instants_convert_both_ways() {
        let t = at("2026-11-29T10:00:00.25Z");
        assert_eq!(seconds(t), 1_795_946_400.25);
        assert_eq!(instant(seconds(t)), Some(t));
    }

    #[test]
    fn a_boundary_is_as_round_as_its_span_allows() {
        let high = at("2026-11-29T12:00:00Z");
        let target = seconds(at("2026-11-29T10:00:00.4Z"));
        // A whole second within half a second of the target.
        assert_eq!(
            boundary(target, 0.5, None, high),
            Some(at("2026-11-29T10:00:00Z"))
        );
        // None within a tenth: the latest whole millisecond.
        assert_eq!(
            boundary(target, 0.1004, None, high),
            Some(at("2026-11-29T10:00:00.5Z"))
        );
        // Near the epoch, where seconds as a float are exact to the nanosecond.
        assert_eq!(
            boundary(1.000_004_5, 0.000_001, None, high),
            Some(at("1970-01-01T00:00:01.000005Z"))
        );
        assert_eq!(
            boundary(1.000_000_5, 0.000_000_2, None, high),
            Some(at("1970-01-01T00:00:01.0000007Z"))
        );
        // Never on or outside the bounds.
        let low = at("2026-11-29T10:00:00Z");
        assert_eq!(
            boundary(target, 0.5004, Some(low), high),
            Some(at("2026-11-29T10:00:00.9Z"))
        );
        let near = at("2026-11-29T10:00:00.000000002Z");
        assert_eq!(
            boundary(seconds(low), 1.0, Some(low), near),
            Some(at("2026-11-29T10:00:00.000000001Z"))
        );
        let next = at("2026-11-29T10:00:00.000000001Z");
        assert_eq!(boundary(seconds(low), 1.0, Some(low), next), None);
        assert_eq!(boundary(seconds(high) + 10.0, 1.0, None, high), None);
    }
}
