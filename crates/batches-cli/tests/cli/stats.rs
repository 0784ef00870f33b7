//! `batches stats`: counts by status, job type and period (day, week or month).

use batches_server::ServerConfig;
use chrono::{Datelike, NaiveDate, Weekday};

use crate::common::{Env, code, fast, fixture_page, json, mock_server, stderr, stdout};

#[test]
fn stats_count_by_status_job_type_and_day() {
    let env = Env::seeded(40);
    let output = env
        .cmd()
        .args(["batches", "stats", "--page-size", "7"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let stats = json(&output);
    assert_eq!(stats["total"], 40);
    let sum = |field: &str| {
        stats[field]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        (sum("by_status"), sum("by_job_type"), sum("by_day")),
        (40, 40, 40)
    );

    let all = stdout(
        &env.cmd()
            .args(["batches", "list", "--format", "jsonl"])
            .output()
            .unwrap(),
    );
    let cancelled = all
        .lines()
        .filter(|line| line.contains(r#""status":"CANCELLED""#))
        .count();
    assert!(cancelled > 0);
    assert_eq!(stats["by_status"]["CANCELLED"], cancelled);

    let filtered = env
        .cmd()
        .args(["batches", "stats", "--status", "CANCELLED"])
        .output()
        .unwrap();
    assert_eq!(json(&filtered)["total"], cancelled);

    let chart = env
        .cmd()
        .args(["batches", "stats", "--format", "table"])
        .output()
        .unwrap();
    assert!(stdout(&chart).contains("by day (UTC, by creation)"));
    // Fixed batches, for a chart that does not depend on the time of the run.
    let url = mock_server(200, fixture_page());
    let chart = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", url)
        .args(["batches", "stats", "--format", "table"])
        .output()
        .unwrap();
    insta::assert_snapshot!("stats-chart", stdout(&chart));

    let output = env
        .cmd()
        .args(["batches", "stats", "--format", "yaml"])
        .output()
        .unwrap();
    assert!(stdout(&output).starts_with("total: 40\nby_status:\n  PENDING: "));
    let output = env
        .cmd()
        .args(["batches", "stats", "--format", "raw"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
}

/// An emulator holding `batches` batches created over the last `days` days.
fn history(batches: u64, days: u64) -> Env {
    Env::with(ServerConfig {
        seed: batches,
        seed_days: days,
        ..fast()
    })
}

/// `batches stats` with `args`, exit 0, stdout.
fn stats(env: &Env, args: &[&str]) -> String {
    let output = env
        .cmd()
        .args(["batches", "stats", "--page-size", "1000"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout(&output)
}

/// The periods of the JSON counts: the entries of `by_{period}`, the only period key.
fn periods(stats: &serde_json::Value, period: &str) -> Vec<(String, u64)> {
    for other in ["by_day", "by_week", "by_month"] {
        let keys: Vec<&String> = stats.as_object().unwrap().keys().collect();
        assert_eq!(
            stats.get(other).is_some(),
            other == format!("by_{period}"),
            "{keys:?}"
        );
    }
    stats[format!("by_{period}")]
        .as_object()
        .unwrap()
        .iter()
        .map(|(label, count)| (label.clone(), count.as_u64().unwrap()))
        .collect()
}

/// The rows of the chart's section whose title starts with `title`.
fn chart_rows(chart: &str, title: &str) -> Vec<(String, u64)> {
    chart
        .lines()
        .skip_while(|line| !line.starts_with(title))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .map(|line| {
            let mut cells = line.split_whitespace();
            let label = cells.next().unwrap().to_owned();
            (label, cells.next().unwrap().parse().unwrap())
        })
        .collect()
}

/// The entries of a top-level YAML mapping `key` of scalar counts.
fn yaml_rows(yaml: &str, key: &str) -> Vec<(String, u64)> {
    yaml.lines()
        .skip_while(|line| *line != format!("{key}:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(|line| {
            let (label, count) = line.trim().rsplit_once(": ").unwrap();
            (label.trim_matches('"').to_owned(), count.parse().unwrap())
        })
        .collect()
}

fn day(label: &str) -> NaiveDate {
    NaiveDate::parse_from_str(label, "%Y-%m-%d").unwrap()
}

#[test]
fn a_long_history_is_counted_by_month_the_same_in_every_format() {
    let env = history(3000, 400);
    let counts: serde_json::Value = serde_json::from_str(&stats(&env, &[])).unwrap();
    assert_eq!(counts["total"], 3000);
    let months = periods(&counts, "month");
    assert!((13..=15).contains(&months.len()), "{months:?}");
    assert_eq!(months.iter().map(|(_, count)| count).sum::<u64>(), 3000);
    // Every month from the first to the last, in order, empty ones included.
    let starts: Vec<NaiveDate> = months
        .iter()
        .map(|(label, _)| day(&format!("{label}-01")))
        .collect();
    for pair in starts.windows(2) {
        assert_eq!(
            pair[0].checked_add_months(chrono::Months::new(1)),
            Some(pair[1])
        );
    }

    let chart = stats(&env, &["--format", "table"]);
    assert_eq!(chart_rows(&chart, "by month (UTC, by creation)"), months);
    // No sparkline when stdout is not a terminal: the title is followed by the bars.
    assert!(!chart.contains('▁') && !chart.contains("by day"), "{chart}");
    let yaml = stats(&env, &["--format", "yaml"]);
    assert_eq!(yaml_rows(&yaml, "by_month"), months);
    let jsonl = stats(&env, &["--format", "jsonl"]);
    assert_eq!(jsonl.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&jsonl).unwrap(),
        counts
    );
}

#[test]
fn by_day_and_by_week_choose_the_period() {
    let env = history(3000, 400);
    let counts: serde_json::Value = serde_json::from_str(&stats(&env, &["--by", "day"])).unwrap();
    let days = periods(&counts, "day");
    assert_eq!(days.iter().map(|(_, count)| count).sum::<u64>(), 3000);
    // One row per day from the first to the last, those without batches included.
    let (first, last) = (day(&days[0].0), day(&days[days.len() - 1].0));
    assert_eq!(days.len() as i64, (last - first).num_days() + 1);
    assert!(days.len() > 390, "{}", days.len());
    let chart = stats(&env, &["--by", "day", "--format", "table"]);
    assert_eq!(chart_rows(&chart, "by day (UTC, by creation)"), days);

    let counts: serde_json::Value =
        serde_json::from_str(&stats(&env, &["--by", "week", "--format", "json"])).unwrap();
    let weeks = periods(&counts, "week");
    assert_eq!(weeks.iter().map(|(_, count)| count).sum::<u64>(), 3000);
    for pair in weeks.windows(2) {
        assert_eq!(day(&pair[0].0).weekday(), Weekday::Mon);
        assert_eq!((day(&pair[1].0) - day(&pair[0].0)).num_days(), 7);
    }
    // The week of each day holds that day's batches.
    for (label, count) in &weeks {
        let monday = day(label);
        let of_days: u64 = days
            .iter()
            .filter(|(day_label, _)| (0..7).contains(&(day(day_label) - monday).num_days()))
            .map(|(_, count)| count)
            .sum();
        assert_eq!(of_days, *count, "week of {label}");
    }
}

#[test]
fn the_period_fits_the_span_in_at_most_31_rows() {
    for (days, period, rows) in [(20, "day", 19..=21), (100, "week", 14..=16)] {
        let env = history(500, days);
        let counts: serde_json::Value = serde_json::from_str(&stats(&env, &[])).unwrap();
        let found = periods(&counts, period);
        assert!(rows.contains(&found.len()), "{days} days: {found:?}");
        assert_eq!(found.iter().map(|(_, count)| count).sum::<u64>(), 500);
    }
}

#[test]
fn a_period_other_than_day_week_or_month_is_a_usage_error() {
    let env = Env::seeded(0);
    let output = env
        .cmd()
        .args(["batches", "stats", "--by", "hour"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert!(
        text.contains("invalid value 'hour' for '--by <PERIOD>'")
            && text.contains("[possible values: day, week, month]"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn a_terminal_gets_a_sparkline_of_the_periods_and_json_does_not() {
    let env = history(3000, 400);
    let counts: serde_json::Value = serde_json::from_str(&stats(&env, &[])).unwrap();
    let months = periods(&counts, "month");

    let mut cmd = env.std_cmd();
    cmd.args(["batches", "stats", "--quiet"]);
    let (code, chart) = crate::common::on_terminal(cmd);
    assert_eq!(code, 0, "{chart}");
    let mut lines = chart.lines().skip_while(|line| !line.contains("by month"));
    lines.next();
    let sparkline = lines.next().unwrap().strip_prefix("  ").unwrap();
    assert_eq!(sparkline.chars().count(), months.len(), "{chart}");
    let largest = months.iter().map(|(_, count)| *count).max().unwrap();
    for (c, (_, count)) in sparkline.chars().zip(&months) {
        assert!("▁▂▃▄▅▆▇█".contains(c), "{chart}");
        assert_eq!(
            c == '█',
            *count * 8 > largest * 7,
            "{count} of {largest}: {chart}"
        );
    }

    let mut cmd = env.std_cmd();
    cmd.args(["batches", "stats", "--quiet", "--format", "json"]);
    let (code, text) = crate::common::on_terminal(cmd);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        counts
    );
}
