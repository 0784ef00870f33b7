//! `batches stats`: counts by status, job type and day.

use crate::common::{Env, code, fixture_page, json, mock_server, stdout};

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
