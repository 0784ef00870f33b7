//! Runs against the emulator: events and report, reruns into the same directory (new
//! files processed, nothing processed twice, another configuration in a batch of its
//! own, a batch still running followed only if it holds every file), directories that
//! hold other files, and two runs at once into one directory. One rerun runs against a
//! mock server, whose clock gives a batch and a file the same creation time.

mod common;

use batches_client::{BatchStatus, Client};
use batches_run::{Error, Event, FileStatus, Outcome, Selection, Upload};
use batches_server::ServerConfig;
use common::{Env, kinds, options, paths, quick, write};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_tells_each_step_and_reports_every_file_under_its_path() {
    let env = Env::start(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b/c.txt", ".hidden.md"]);
    let (events, ended) = env.run(options([dir.path()])).await;
    let report = ended.unwrap();
    assert!(matches!(report.outcome, Outcome::Completed));
    let root = dir.path().to_str().unwrap();
    assert_eq!(
        paths(&report),
        [format!("{root}/a.md"), format!("{root}/b/c.txt")]
    );
    assert!(report.files.iter().all(|file| file.status == FileStatus::Ok
        && file.job_reference.is_some()
        && file.batch_id == report.batches[0].batch_id));
    let kinds = kinds(&events);
    let at = |kind: &str| kinds.iter().position(|k| k == kind).unwrap();
    assert!(at("file_found") < at("directory_created"));
    assert!(at("uploads_planned") < at("upload_started"));
    assert!(at("directory_created") < at("upload_started"));
    assert!(at("upload_finished") < at("batch_created"));
    assert!(at("batch_created") < at("batch_status_changed"));
    assert!(at("batch_status_changed") < at("file_result"));
    assert_eq!(kinds.last().unwrap(), "run_finished");
    assert_eq!(kinds.iter().filter(|k| *k == "file_result").count(), 2);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcome"]["kind"], "completed");
    assert_eq!(json["files"][0]["status"], "ok");
    assert!(json["resume"].is_null());
}

/// Writes `c.md` and `d.md` into `dir` and uploads the folder into `directory` outside any
/// run (by hand, or as a run that stopped before its batch would have).
async fn upload_two_more(env: &Env, dir: &std::path::Path, directory: &str) {
    write(dir, &["c.md", "d.md"]);
    let found = Selection::new([dir]).find().unwrap();
    let upload = Upload::start(
        env.client.clone(),
        directory,
        found.files,
        2,
        batches_run::UploadRate::default(),
    );
    assert_eq!(upload.finish().await.unwrap().failed(), 0);
}

/// The directory a run made, from its report.
fn directory(report: &batches_run::Report) -> String {
    report.batches[0].directory_id.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_with_new_files_processes_them_in_a_new_batch() {
    let env = Env::start(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b.md"]);
    let first = env.run(options([dir.path()])).await.1.unwrap();
    let directory = directory(&first);
    let first_batch = first.batches[0].batch_id.clone().unwrap();

    // Two files more, uploaded into the directory by hand (or by a run that stopped
    // before its batch): the rerun uploads nothing, and must not follow the old batch.
    upload_two_more(&env, dir.path(), &directory).await;
    let uploads = env.server.counts().uploads;

    let (events, ended) = env
        .run(options([dir.path()]).directory_id(&directory))
        .await;
    let report = ended.unwrap();
    assert_eq!(env.server.counts().uploads, uploads, "nothing sent again");
    assert!(
        matches!(report.outcome, Outcome::Completed),
        "{:?}",
        report.outcome
    );
    assert_eq!(report.files.len(), 4);
    assert!(
        report
            .files
            .iter()
            .all(|file| file.status == FileStatus::Ok)
    );
    let second_batch = report.batches[0].batch_id.clone().unwrap();
    assert_ne!(
        second_batch, first_batch,
        "a new batch covers the new files"
    );
    assert!(!report.batches[0].found);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::BatchCreated { files: 4, .. }))
    );

    // Once more: the same four files, so the batch that covers them is followed.
    let (events, ended) = env
        .run(options([dir.path()]).directory_id(&directory))
        .await;
    let report = ended.unwrap();
    assert_eq!(
        report.batches[0].batch_id.as_deref(),
        Some(second_batch.as_str())
    );
    assert!(report.batches[0].found);
    assert!(events.iter().any(|e| matches!(e, Event::BatchFound { .. })));
    assert_eq!(env.batches_over(&directory).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_with_other_files_is_refused_unless_allowed() {
    let env = Env::start(quick()).await;
    let other = tempfile::tempdir().unwrap();
    write(other.path(), &["x.md", "y.md", "z.md", "w.md"]);
    let first = env.run(options([other.path()])).await.1.unwrap();
    let directory = directory(&first);
    let uploads = env.server.counts().uploads;

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md"]);
    let ended = env
        .run(options([dir.path()]).directory_id(&directory))
        .await
        .1;
    let Err(Error::OtherFiles {
        directory_id,
        count,
        examples,
        resume,
    }) = ended
    else {
        panic!("not refused: {ended:?}");
    };
    assert_eq!((directory_id.as_str(), count), (directory.as_str(), 4));
    assert_eq!(examples.len(), 3);
    assert!(examples[0].ends_with("/w.md"), "{examples:?}");
    assert_eq!(resume.directory_ids, Vec::<String>::new());
    assert_eq!(env.server.counts().uploads, uploads, "nothing was uploaded");

    let (events, ended) = env
        .run(
            options([dir.path()])
                .directory_id(&directory)
                .allow_other_files(true),
        )
        .await;
    let report = ended.unwrap();
    assert_eq!(report.batches[0].other_files, 4);
    assert_eq!(report.files.len(), 1);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::DirectoryReused {
            other_files: 4,
            present: 0,
            ..
        }
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_into_one_directory_share_its_files_and_batch() {
    let env = Env::start(quick()).await;
    let directory = env
        .client
        .directories()
        .create(
            &batches_client::CreateDirectoryRequest::new("shared"),
            &Default::default(),
        )
        .await
        .unwrap()
        .value
        .id;
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..24).map(|k| format!("doc-{k:02}.md")).collect();
    write(
        dir.path(),
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let run = || {
        env.run(
            options([dir.path()])
                .directory_id(&directory)
                .upload_concurrency(4),
        )
    };
    let (one, two) = tokio::join!(run(), run());
    let (one, two) = (one.1.unwrap(), two.1.unwrap());
    for report in [&one, &two] {
        assert!(
            matches!(report.outcome, Outcome::Completed),
            "{:?}",
            report.files
        );
        assert_eq!(report.files.len(), 24);
    }
    assert_eq!(
        one.batches[0].batch_id, two.batches[0].batch_id,
        "one batch"
    );
    assert_eq!(env.files_of(&directory).await.len(), 24, "each file once");
    assert_eq!(env.batches_over(&directory).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_with_another_configuration_gets_a_batch_of_its_own() {
    let env = Env::start(quick()).await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b.md"]);
    let first = env.run(options([dir.path()])).await.1.unwrap();
    let directory = directory(&first);
    let first_batch = first.batches[0].batch_id.clone().unwrap();

    // Nothing to upload, the same job type, another configuration: the earlier batch
    // covers the files but ran another configuration, so it is not this run's.
    let mut other = options([dir.path()]).directory_id(&directory);
    other.configuration_id = "cfg-PARSE_FAST".to_owned();
    let report = env.run(other).await.1.unwrap();
    assert!(matches!(report.outcome, Outcome::Completed));
    assert!(!report.batches[0].found, "the earlier batch was followed");
    assert_ne!(
        report.batches[0].batch_id.as_deref(),
        Some(first_batch.as_str())
    );
    assert_eq!(env.batches_over(&directory).await.len(), 2);
}

/// The emulator taking ten minutes over each step of a batch: a batch made in a test is
/// still live (PENDING or RUNNING) when the test ends, however loaded the machine.
fn slow() -> ServerConfig {
    ServerConfig {
        processing_ms: 600_000,
        ..quick()
    }
}

/// The status of `batch_id` now.
async fn status(env: &Env, batch_id: &str) -> BatchStatus {
    let params = Default::default();
    let batch = env.client.batches().get(batch_id, &params).await.unwrap();
    batch.value.status
}

/// A run of `dir` that does not wait: its directory and batch, checked to be still live.
async fn started(env: &Env, dir: &std::path::Path) -> (String, String) {
    let report = env.run(options([dir]).wait(false)).await.1.unwrap();
    let batch_id = report.batches[0].batch_id.clone().unwrap();
    let status = status(env, &batch_id).await;
    assert!(!status.is_terminal(), "the batch ended already: {status}");
    (directory(&report), batch_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_while_the_batch_still_runs_follows_it() {
    let env = Env::start(slow()).await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b.md"]);
    let (directory, first_batch) = started(&env, dir.path()).await;
    let uploads = env.server.counts().uploads;

    // Nothing new: the batch made after the last upload holds every file, so it is
    // followed rather than a second one made, though it has no results yet.
    let (events, ended) = env
        .run(options([dir.path()]).directory_id(&directory).wait(false))
        .await;
    let report = ended.unwrap();
    assert_eq!(env.server.counts().uploads, uploads, "nothing sent again");
    assert_eq!(
        report.batches[0].batch_id.as_deref(),
        Some(first_batch.as_str())
    );
    assert!(
        report.batches[0].found,
        "the running batch was not followed"
    );
    assert!(events.iter().any(|e| matches!(e, Event::BatchFound { .. })));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::BatchCreated { .. }))
    );
    assert_eq!(env.batches_over(&directory).await, [first_batch.as_str()]);
    // Live after the rerun, so live while it looked: the rule for a live batch decided.
    assert!(!status(&env, &first_batch).await.is_terminal());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_follows_its_own_directorys_batch_not_a_newer_one_elsewhere() {
    let env = Env::start(slow()).await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b.md"]);
    let (directory, first_batch) = started(&env, dir.path()).await;
    // Another folder's run, same job: its batch is newer than every file of the first
    // directory and live too, but runs over another directory.
    let other = tempfile::tempdir().unwrap();
    write(other.path(), &["x.md"]);
    let (_, other_batch) = started(&env, other.path()).await;

    let report = env
        .run(options([dir.path()]).directory_id(&directory).wait(false))
        .await
        .1
        .unwrap();
    assert_eq!(
        report.batches[0].batch_id.as_deref(),
        Some(first_batch.as_str()),
        "not the other directory's {other_batch}"
    );
    assert!(report.batches[0].found);
    assert!(!status(&env, &first_batch).await.is_terminal());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_uploaded_after_a_running_batch_was_made_get_a_new_batch_over_all() {
    let env = Env::start(slow()).await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b.md"]);
    let (directory, first_batch) = started(&env, dir.path()).await;

    // Two files more, uploaded after the batch was made (by hand, or by a run that
    // stopped before its batch): the live batch does not hold them.
    upload_two_more(&env, dir.path(), &directory).await;
    assert_eq!(env.files_of(&directory).await.len(), 4);
    let uploads = env.server.counts().uploads;

    let (events, ended) = env
        .run(options([dir.path()]).directory_id(&directory).wait(false))
        .await;
    let report = ended.unwrap();
    assert_eq!(env.server.counts().uploads, uploads, "nothing sent again");
    let batch = &report.batches[0];
    assert!(
        !batch.found,
        "the running batch without c.md and d.md was followed"
    );
    assert_ne!(batch.batch_id.as_deref(), Some(first_batch.as_str()));
    assert_eq!(batch.files, 4);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::BatchCreated { files: 4, .. }))
    );
    assert!(
        report
            .files
            .iter()
            .all(|file| file.batch_id == batch.batch_id)
    );
    assert_eq!(env.batches_over(&directory).await.len(), 2);
    assert!(!status(&env, &first_batch).await.is_terminal());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_batch_made_in_the_same_instant_as_the_last_upload_is_not_followed() {
    // Creation times in milliseconds, as the API gives them: a batch and a file can share
    // one, and then nothing tells whether the batch was made before the file arrived.
    const AT: &str = "2026-11-29T10:00:00.117Z";
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md", "b.md"]);
    let root = dir.path().to_str().unwrap();
    let file = |id: &str, name: &str| {
        json!({
            "id": id, "directory_id": "dir-1", "display_name": name, "project_id": "prj-1",
            "unique_id": format!("{root}/{name}"), "created_at": AT,
        })
    };
    let batch = |id: &str, status: &str| {
        json!({
            "id": id, "project_id": "prj-1", "source_directory_id": "dir-1",
            "status": status, "created_at": AT,
            "config": {"job": {"configuration_id": "cfg-PARSE_AGENTIC", "type": "parse_v2"}},
        })
    };
    let ok = |body| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("GET"))
        .and(path("/api/v1/beta/directories/dir-1/files"))
        .respond_with(ok(json!({
            "items": [file("dfl-a", "a.md"), file("dfl-b", "b.md")],
            "next_page_token": null,
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .and(query_param("source_directory_id", "dir-1"))
        .respond_with(ok(json!({
            "items": [batch("bat-1", "RUNNING")],
            "next_page_token": null,
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches/bat-1"))
        .respond_with(ok(batch("bat-1", "RUNNING")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/batches"))
        .respond_with(ok(batch("bat-2", "PENDING")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key("llx-test")
        .build()
        .unwrap();

    let report = common::run(
        &client,
        options([dir.path()]).directory_id("dir-1").wait(false),
    )
    .await
    .1
    .unwrap();
    assert_eq!(report.batches[0].batch_id.as_deref(), Some("bat-2"));
    assert!(!report.batches[0].found, "bat-1 may not hold the last file");
}
