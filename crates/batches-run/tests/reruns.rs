//! Runs against the emulator: events and report, reruns into the same directory (new
//! files processed, nothing processed twice, another configuration in a batch of its
//! own), directories that hold other files, and two runs at once into one directory.

mod common;

use batches_run::{Error, Event, FileStatus, Outcome, Selection, Upload};
use common::{Env, kinds, options, paths, quick, write};

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
    write(dir.path(), &["c.md", "d.md"]);
    let found = Selection::new([dir.path()]).find().unwrap();
    let upload = Upload::start(
        env.client.clone(),
        &directory,
        found.files,
        2,
        batches_run::UploadRate::default(),
    );
    assert_eq!(upload.finish().await.unwrap().failed(), 0);
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
