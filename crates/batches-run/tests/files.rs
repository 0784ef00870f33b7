//! Which local files a run takes, and the ones it refuses before anything is sent:
//! special files (without opening them), names a multipart header cannot carry, files
//! over the size limit, the same file reached twice, links out of the folder; and a file
//! that changes while it is sent.

mod common;

use std::time::Duration;

use batches_run::{Event, FileStatus, Outcome, Plan, PlanError, SkipReason};
use batches_server::ServerConfig;
use common::{Env, options, quick, write};

/// The plan of `options`, made on another thread so that a plan that blocks (opening a
/// FIFO) fails the test instead of hanging it.
fn plan_soon(options: batches_run::Options) -> Result<Plan, PlanError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(Plan::new(options));
    });
    receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("planning blocked")
}

fn path_problems(error: PlanError) -> Vec<(String, String)> {
    let PlanError::Paths(problems) = error else {
        panic!("not a path problem: {error}");
    };
    problems.into_iter().map(|p| (p.path, p.reason)).collect()
}

#[cfg(unix)]
#[test]
fn fifos_and_sockets_are_refused_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md"]);
    let fifo = dir.path().join("pipe.txt");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock.txt")).unwrap();
    let problems = path_problems(plan_soon(options([dir.path()]).dry_run(true)).unwrap_err());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].0.ends_with("/pipe.txt"));
    assert!(
        problems[0].1.starts_with("not a regular file (a FIFO)"),
        "{problems:?}"
    );
    assert!(
        problems[1].1.starts_with("not a regular file (a socket)"),
        "{problems:?}"
    );
    // Named directly too.
    let direct = path_problems(plan_soon(options([&fifo])).unwrap_err());
    assert!(direct[0].1.contains("FIFO"), "{direct:?}");
}

#[test]
fn names_with_control_characters_and_files_over_the_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["ok.md", "line\nbreak.md", "bell\u{7}.md"]);
    std::fs::write(dir.path().join("big.md"), vec![b'x'; 2048]).unwrap();
    let mut options = options([dir.path()]);
    options.max_file_bytes = 1024;
    let problems = path_problems(Plan::new(options).unwrap_err());
    let reasons: Vec<&str> = problems.iter().map(|(_, reason)| reason.as_str()).collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("2048 bytes, over the 1024 bytes"))
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("control character (U+000A)"))
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("control character (U+0007)"))
    );
    assert!(
        PlanError::Paths(Vec::new())
            .to_string()
            .contains("nothing was sent"),
        "the message says nothing was sent"
    );
}

#[test]
fn one_folder_named_three_ways_gives_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["t3/a.md", "t3/sub/b.md"]);
    let t3 = dir.path().join("t3");
    let twisted = t3.join("..").join("t3");
    let dotted = dir.path().join(".").join("t3");
    let plan = Plan::new(options([&t3, &dotted, &twisted])).unwrap();
    let files: Vec<&str> = plan.files().iter().map(|f| f.shown.as_str()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.starts_with(t3.to_str().unwrap())));
    assert_eq!(plan.skipped().len(), 4);
    assert!(
        plan.skipped()
            .iter()
            .all(|s| matches!(s.reason, SkipReason::SameFileAs { .. }))
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_left_out_unless_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &["docs/a.md", "outside/secret.md", "outside/more/x.md"],
    );
    let docs = dir.path().join("docs");
    std::os::unix::fs::symlink(dir.path().join("outside/secret.md"), docs.join("s.md")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside/more"), docs.join("more")).unwrap();
    std::os::unix::fs::symlink(docs.join("a.md"), docs.join("alias.md")).unwrap();

    let plan = Plan::new(options([&docs])).unwrap();
    let files: Vec<&str> = plan.files().iter().map(|f| f.shown.as_str()).collect();
    assert_eq!(files, [docs.join("a.md").to_str().unwrap()]);
    let reasons: Vec<_> = plan.skipped().iter().map(|s| &s.reason).collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| matches!(r, SkipReason::LinkOutOfFolder { .. }))
            .count(),
        2,
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| matches!(r, SkipReason::SameFileAs { .. }))
    );

    let plan = Plan::new(options([&docs]).follow_links(true)).unwrap();
    assert_eq!(plan.files().len(), 3, "{:?}", plan.files());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_grows_while_it_is_sent_fails_and_a_rerun_says_so() {
    // Each request waits, so the append below lands while the upload is in flight.
    let env = Env::start(ServerConfig {
        latency_ms: 400,
        ..quick()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["log.txt"]);
    let log = dir.path().join("log.txt");
    let plan = Plan::new(options([&log])).unwrap();
    let mut run = batches_run::Run::start(env.client.clone(), plan);
    while let Some(event) = run.next_event().await {
        if let Event::UploadStarted { .. } = event {
            tokio::time::sleep(Duration::from_millis(100)).await;
            std::fs::write(&log, "# log.txt\nmore lines\n").unwrap();
        }
    }
    let report = run.finish().await.unwrap();
    let file = &report.files[0];
    assert_eq!(file.status, FileStatus::Error);
    let error = file.error.as_deref().unwrap();
    assert!(
        error.starts_with("the file changed while it was uploaded (9 bytes when it started, 21"),
        "{error}"
    );
    assert_eq!(
        report.batches[0].batch_id, None,
        "no batch over a file sent cut"
    );
    let resume = report.resume().expect("the run can be resumed");

    let mut rerun = options([&log]);
    rerun.directory_ids = resume.directory_ids;
    let report = env.run(rerun).await.1.unwrap();
    let error = report.files[0].error.as_deref().unwrap();
    assert!(
        error.starts_with("the directory holds another version of this file (9 bytes, 21"),
        "{error}"
    );
    assert!(matches!(
        report.outcome,
        Outcome::FilesFailed {
            failed: 1,
            total: 1
        }
    ));
}
