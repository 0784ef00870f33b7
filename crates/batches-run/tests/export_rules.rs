//! Runs with `out` against the emulator: what a rerun counts as done (the same bytes with
//! the same job settings, nothing less), and the folder's summary while a run goes on.

mod common;

use std::path::Path;

use batches_run::{Event, JobType, Options, OutputForm, Plan, Run};
use batches_server::ServerConfig;
use common::{Env, options, quick};
use serde_json::Value;

fn summary(out: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(out.join("summary.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Runs `options` to its end; returns its summary's `skipped`.
async fn skipped(env: &Env, options: Options) -> u64 {
    let (_, ended) = env.run(options).await;
    ended
        .expect("the run ends")
        .summary
        .expect("a summary")
        .skipped as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_with_other_job_settings_processes_the_files_again() {
    let env = Env::start(quick()).await;
    let folder = tempfile::tempdir().unwrap();
    common::write(folder.path(), &["a.md", "b.md"]);
    let out = tempfile::tempdir().unwrap();
    let docs = folder.path().to_owned();
    let with = |configuration: &str, form: OutputForm| {
        Options::new([&docs], JobType::ParseV2, configuration)
            .upload_rate("1000/s".parse().unwrap())
            .poll_intervals(
                std::time::Duration::from_millis(10),
                std::time::Duration::from_millis(50),
            )
            .out(out.path())
            .output_form(form)
    };
    assert_eq!(
        skipped(&env, with("cfg-PARSE_FAST", OutputForm::Markdown)).await,
        0
    );
    let uploads = env.server.counts().uploads;
    assert_eq!(uploads, 2);

    // Another output form: the files are processed again, into outputs of that form.
    assert_eq!(
        skipped(&env, with("cfg-PARSE_FAST", OutputForm::Text)).await,
        0
    );
    assert_eq!(env.server.counts().uploads, uploads + 2);
    assert!(out.path().join("a.md.txt").is_file());

    // Another configuration: again.
    assert_eq!(
        skipped(&env, with("cfg-PARSE_AGENTIC", OutputForm::Markdown)).await,
        0
    );
    assert_eq!(env.server.counts().uploads, uploads + 4);

    // Each of those settings again: all done, nothing sent.
    for (configuration, form) in [
        ("cfg-PARSE_FAST", OutputForm::Markdown),
        ("cfg-PARSE_FAST", OutputForm::Text),
        ("cfg-PARSE_AGENTIC", OutputForm::Markdown),
    ] {
        assert_eq!(skipped(&env, with(configuration, form)).await, 2);
    }
    assert_eq!(env.server.counts().uploads, uploads + 4);
}

/// The summary on disk, while a run goes on, counts the files done so far: a report can
/// be made from the folder at any moment, not only at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_on_disk_counts_the_files_done_while_the_run_goes_on() {
    // Jobs end one emulator step apart: two seconds between the two files' ends.
    let env = Env::start(ServerConfig {
        processing_ms: 2000,
        ..quick()
    })
    .await;
    let folder = tempfile::tempdir().unwrap();
    common::write(folder.path(), &["a.md", "b.md"]);
    let out = tempfile::tempdir().unwrap();
    let plan = Plan::new(options([folder.path()]).out(out.path())).unwrap();
    let mut run = Run::start(env.client.clone(), plan);
    let mut written = 0;
    let mut seen_mid_run = None;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(20));
    loop {
        tokio::select! {
            event = run.next_event() => match event {
                Some(Event::OutputWritten { .. }) => written += 1,
                Some(_) => {}
                None => break,
            },
            _ = tick.tick(), if written == 1 && seen_mid_run.is_none() => {
                seen_mid_run = summary(out.path())
                    .filter(|summary| summary["done"] == 1 && summary["finished_at"].is_null());
            }
        }
    }
    run.finish().await.unwrap();
    let mid_run = seen_mid_run.expect(
        "summary.json said one file done, the run not finished, between the two files' ends",
    );
    assert_eq!(mid_run["files"], 2, "{mid_run}");
    let last = summary(out.path()).unwrap();
    assert_eq!(last["done"], 2, "{last}");
    assert!(last["finished_at"].is_string(), "{last}");
}
