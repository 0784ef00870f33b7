//! Parsing of the values people type: instants (`--created-at-on-or-after`) and durations
//! (`--timeout`, `--interval`). Messages name the accepted forms.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// What the date flags accept, for messages and help.
pub const DATE_FORMS: &str = "an RFC 3339 instant (2026-11-01T09:30:00Z; without an offset \
                              it is UTC), a date (2026-11-01, midnight UTC) or an age (7d, 36h, \
                              90m, 2w)";

/// What the duration flags accept, for messages and help.
pub const DURATION_FORMS: &str = "a number with a unit: 250ms, 30s, 5m, 2h, 1d, or \
                                  combinations such as 1h30m (a bare number is seconds)";

/// An instant as typed: an absolute one, or an age resolved against the current time.
pub use batches_client::resume::Instant;

/// Parses an instant flag: RFC 3339, a plain date (midnight UTC) or an age before now.
pub fn parse_instant(text: &str) -> Result<Instant, String> {
    parse_instant_at(text, Utc::now())
}

fn parse_instant_at(text: &str, now: DateTime<Utc>) -> Result<Instant, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Instant {
            at: at.with_timezone(&Utc),
            relative: false,
        });
    }
    // Without an offset the time is UTC, as the server reads it.
    for form in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, form) {
            return Ok(Instant {
                at: at.and_utc(),
                relative: false,
            });
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Instant {
            at: date.and_time(chrono::NaiveTime::MIN).and_utc(),
            relative: false,
        });
    }
    let age = parse_units(text)
        .ok()
        .and_then(|age| chrono::Duration::from_std(age).ok())
        .and_then(|age| now.checked_sub_signed(age));
    match age {
        Some(at) => Ok(Instant { at, relative: true }),
        None => Err(format!("`{text}` is not a date; accepted: {DATE_FORMS}")),
    }
}

/// Parses `--max-items`: a count of at least 1.
pub fn parse_max_items(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("must be at least 1; leave --max-items out to list every batch".to_owned()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!(
            "`{text}` is not a whole number of batches (1 or more)"
        )),
    }
}

/// Parses a duration flag.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse_units(text)
        .map_err(|()| format!("`{text}` is not a duration; accepted: {DURATION_FORMS}"))
}

/// `1h30m`, `250ms`, `7d`: one or more number-unit pairs.
fn parse_units(text: &str) -> Result<Duration, ()> {
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err(());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or(())?;
        if digits == 0 {
            return Err(());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| ())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            "d" => Duration::from_secs(86_400),
            "w" => Duration::from_secs(7 * 86_400),
            _ => return Err(()),
        };
        rest = &rest[unit_len..];
        let part = unit
            .checked_mul(u32::try_from(number).map_err(|_| ())?)
            .ok_or(())?;
        total = total.checked_add(part).ok_or(())?;
    }
    Ok(total)
}

/// A duration the way people read it: `850ms`, `42s`, `3m07s`, `1h05m`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 => format!("{}ms", duration.as_millis()),
        1..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_back() {
        assert_eq!(format_duration(Duration::from_millis(850)), "850ms");
        assert_eq!(format_duration(Duration::from_secs(42)), "42s");
        assert_eq!(format_duration(Duration::from_secs(187)), "3m07s");
        assert_eq!(format_duration(Duration::from_secs(3900)), "1h05m");
    }

    fn now() -> DateTime<Utc> {
        "2026-11-29T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn instants_in_every_form() {
        let at = |text| parse_instant_at(text, now()).unwrap();
        assert_eq!(
            at("2026-11-01T09:30:00+01:00").at.to_rfc3339(),
            "2026-11-01T08:30:00+00:00"
        );
        assert!(!at("2026-11-01T09:30:00Z").relative);
        assert_eq!(
            at("2026-11-01").at.to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(
            at("2026-11-01T09:30:00").at.to_rfc3339(),
            "2026-11-01T09:30:00+00:00",
            "without an offset: UTC, as the server reads it"
        );
        assert_eq!(
            at("2026-11-01 09:30:00.5").at.to_rfc3339(),
            "2026-11-01T09:30:00.500+00:00"
        );
        assert_eq!(at("7d").at.to_rfc3339(), "2026-11-22T12:00:00+00:00");
        assert_eq!(at("36h").at.to_rfc3339(), "2026-11-28T00:00:00+00:00");
        assert!(at("36h").relative);
    }

    #[test]
    fn bad_instants_name_the_accepted_forms() {
        for bad in ["yesterday", "2026-13-01", "7", "d7", "", "7x"] {
            let message = parse_instant_at(bad, now()).unwrap_err();
            assert!(
                message.contains("RFC 3339") && message.contains("7d"),
                "{message}"
            );
        }
    }

    #[test]
    fn max_items_says_what_is_accepted() {
        assert_eq!(parse_max_items("3"), Ok(3));
        assert_eq!(
            parse_max_items("0").unwrap_err(),
            "must be at least 1; leave --max-items out to list every batch"
        );
        assert!(parse_max_items("-1").unwrap_err().contains("1 or more"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("1.5s").unwrap_err().contains("250ms"));
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    mod properties {
        use chrono::{FixedOffset, TimeZone};
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_text_is_parsed_or_refused_without_panic(text in ".*") {
                let _ = parse_duration(&text);
                let _ = parse_instant_at(&text, now());
                let _ = parse_max_items(&text);
            }

            #[test]
            fn durations_add_up_their_parts(
                h in 0u64..1000, m in 0u64..1000, s in 0u64..100_000, ms in 0u64..100_000
            ) {
                let expected = Duration::from_secs(h * 3600 + m * 60 + s)
                    + Duration::from_millis(ms);
                prop_assert_eq!(parse_duration(&format!("{h}h{m}m{s}s{ms}ms")), Ok(expected));
                prop_assert_eq!(parse_duration(&s.to_string()), Ok(Duration::from_secs(s)));
            }

            #[test]
            fn instants_in_any_offset_are_the_same_instant(
                seconds in 0i64..253_402_300_799, micros in 0u32..1_000_000,
                offset_minutes in -1439i32..1439
            ) {
                let at = Utc.timestamp_opt(seconds, micros * 1000).unwrap();
                let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap();
                let text = at.with_timezone(&offset).to_rfc3339();
                let parsed = parse_instant_at(&text, now()).unwrap();
                prop_assert_eq!(parsed.at, at);
                prop_assert!(!parsed.relative);
                // Without an offset: the same wall time in UTC.
                let naive = at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string();
                prop_assert_eq!(parse_instant_at(&naive, now()).unwrap().at, at);
            }

            #[test]
            fn ages_count_back_from_now(days in 0u32..3650, hours in 0u32..1000) {
                let parsed = parse_instant_at(&format!("{days}d{hours}h"), now()).unwrap();
                let age = chrono::Duration::days(days.into()) + chrono::Duration::hours(hours.into());
                prop_assert_eq!(parsed.at, now() - age);
                prop_assert!(parsed.relative);
            }
        }
    }
}
