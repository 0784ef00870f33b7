//! Runs with `out` against the emulator: outputs on disk, the manifest, reruns that skip
//! what is done, identical files sent once, and batches exported by id.

mod common;

use std::path::{Path, PathBuf};

use batches_run::{
    Error, Event, ExportOptions, FileStatus, JobType, Options, Outcome, OutputForm, Plan, Report,
    export_results,
};
use common::{Env, options, quick};
use serde_json::Value;

fn documents() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/documents")
}

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn line<'a>(lines: &'a [Value], suffix: &str) -> &'a Value {
    lines
        .iter()
        .rev()
        .find(|line| line["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no line for {suffix}: {lines:?}"))
}

async fn run_out(env: &Env, options: Options) -> (Vec<Event>, Report) {
    let (events, ended) = env.run(options).await;
    (events, ended.expect("the run ends"))
}

async fn batch_count(env: &Env) -> usize {
    use futures_util::TryStreamExt;
    let batches: Vec<_> = env
        .client
        .batches()
        .stream(Default::default())
        .try_collect()
        .await
        .unwrap();
    batches.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_documents_land_on_disk_with_their_text_pages_and_a_manifest() {
    let env = Env::start(quick()).await;
    let out = tempfile::tempdir().unwrap();
    let (events, report) = run_out(&env, options([documents()]).out(out.path())).await;

    let notes = std::fs::read_to_string(out.path().join("meeting-notes.md.md")).unwrap();
    let source = std::fs::read_to_string(documents().join("meeting-notes.md")).unwrap();
    assert_eq!(notes.trim(), source.trim());
    let invoice = std::fs::read_to_string(out.path().join("invoice-2026-001.pdf.md")).unwrap();
    assert!(
        invoice.contains("INV-2026-001") || invoice.to_lowercase().contains("invoice"),
        "{invoice}"
    );
    let table = std::fs::read_to_string(out.path().join("q3-figures.csv.md")).unwrap();
    assert!(table.contains('|'), "{table}");

    let lines = manifest(out.path());
    assert_eq!(lines.len(), 6, "{lines:#?}");
    let keys = [
        "path",
        "sha256",
        "bytes",
        "directory_file_id",
        "batch_id",
        "job_id",
        "job_status",
        "error",
        "pages",
        "credits",
        "output",
        "finished_at",
    ];
    for line in &lines {
        for key in keys {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
    }
    let pdf = line(&lines, "quarterly-report.pdf");
    assert_eq!(pdf["job_status"], "COMPLETED");
    assert!(pdf["pages"].as_u64().unwrap() >= 1, "{pdf}");
    assert_eq!(
        pdf["credits"].as_f64().unwrap(),
        10.0 * pdf["pages"].as_f64().unwrap()
    );
    assert_eq!(pdf["output"], "quarterly-report.pdf.md");
    let sha = pdf["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(
        sha.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(pdf["bytes"], 650);

    // The zip is not a document the emulator reads: its job fails, its error is kept,
    // it has no output, and the run says a file failed.
    let zip = line(&lines, "archive.zip");
    assert!(zip["output"].is_null(), "{zip}");
    assert!(
        zip["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{zip}"
    );
    assert!(!out.path().join("archive.zip.md").exists());
    assert!(
        matches!(
            report.outcome,
            Outcome::FilesFailed {
                failed: 1,
                total: 6
            }
        ),
        "{:?}",
        report.outcome
    );
    let failed = report.files.last().unwrap();
    assert!(failed.path.ends_with("archive.zip") && failed.status == FileStatus::Error);

    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["done"], 5);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["skipped"], 0);
    let credits: f64 = lines.iter().filter_map(|l| l["credits"].as_f64()).sum();
    assert_eq!(summary["credits"].as_f64().unwrap(), credits);
    assert!(summary["finished_at"].is_string());
    // The report page is written from the manifest and the summary as the run ends.
    let page = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    for line in &lines {
        assert!(page.contains(line["path"].as_str().unwrap()), "{line}");
    }
    assert!(page.contains("archive.zip"));
    let written = events
        .iter()
        .filter(|e| matches!(e, Event::OutputWritten { .. }))
        .count();
    assert_eq!(written, 5);
    // Nothing else in the folder: no temporary file left.
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_skips_what_is_done_and_fetches_only_missing_outputs() {
    let env = Env::start(quick()).await;
    let folder = tempfile::tempdir().unwrap();
    common::write(folder.path(), &["a.md", "b/c.md"]);
    let out = tempfile::tempdir().unwrap();
    let docs = folder.path().to_owned();
    run_out(&env, options([&docs]).out(out.path())).await;
    let (uploads, batches) = (env.server.counts().uploads, batch_count(&env).await);
    assert_eq!(uploads, 2);
    assert_eq!(
        std::fs::read_to_string(out.path().join("b/c.md.md")).unwrap(),
        "# b/c.md"
    );

    let (events, report) = run_out(&env, options([&docs]).out(out.path())).await;
    assert_eq!(
        env.server.counts().uploads,
        uploads,
        "nothing uploaded again"
    );
    assert_eq!(
        batch_count(&env).await,
        batches,
        "no batch (no job) made again"
    );
    let skipped = events
        .iter()
        .filter(|e| matches!(e, Event::AlreadyDone { .. }))
        .count();
    assert_eq!(skipped, 2);
    assert!(matches!(report.outcome, Outcome::Completed));
    assert_eq!(report.summary.as_ref().unwrap().skipped, 2);
    assert_eq!(manifest(out.path()).len(), 2);

    // A missing output is fetched again from its job: no upload, no batch.
    std::fs::remove_file(out.path().join("a.md.md")).unwrap();
    let (events, _) = run_out(&env, options([&docs]).out(out.path())).await;
    assert_eq!(env.server.counts().uploads, uploads);
    assert_eq!(batch_count(&env).await, batches);
    assert_eq!(
        std::fs::read_to_string(out.path().join("a.md.md")).unwrap(),
        "# a.md"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::OutputWritten { path, .. } if path.ends_with("a.md")))
    );

    // A changed file is processed again; the other is still skipped.
    std::fs::write(folder.path().join("a.md"), "# changed").unwrap();
    run_out(&env, options([&docs]).out(out.path())).await;
    assert_eq!(env.server.counts().uploads, uploads + 1);
    assert_eq!(
        std::fs::read_to_string(out.path().join("a.md.md")).unwrap(),
        "# changed"
    );

    // --reprocess sends everything again.
    run_out(&env, options([&docs]).out(out.path()).reprocess(true)).await;
    assert_eq!(env.server.counts().uploads, uploads + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_files_are_sent_once_and_both_paths_get_the_output() {
    let env = Env::start(quick()).await;
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("one.md"), "# same").unwrap();
    std::fs::create_dir(folder.path().join("copy")).unwrap();
    std::fs::write(folder.path().join("copy/two.md"), "# same").unwrap();
    let out = tempfile::tempdir().unwrap();
    let (events, report) = run_out(&env, options([folder.path()]).out(out.path())).await;
    assert_eq!(env.server.counts().uploads, 1);
    assert!(events.iter().any(|e| matches!(e, Event::SameBytes { .. })));
    assert_eq!(
        std::fs::read_to_string(out.path().join("one.md.md")).unwrap(),
        "# same"
    );
    assert_eq!(
        std::fs::read_to_string(out.path().join("copy/two.md.md")).unwrap(),
        "# same"
    );
    let lines = manifest(out.path());
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["job_id"], lines[1]["job_id"]);
    assert_eq!(report.summary.unwrap().credits, 10.0, "billed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_file_stays_failed_on_a_rerun_and_retry_failed_runs_it_again() {
    let env = Env::start(quick()).await;
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("good.md"), "# good").unwrap();
    std::fs::write(folder.path().join("bad.pdf"), "not a pdf").unwrap();
    let out = tempfile::tempdir().unwrap();
    let docs = folder.path().to_owned();
    let (_, report) = run_out(&env, options([&docs]).out(out.path())).await;
    assert!(matches!(
        report.outcome,
        Outcome::FilesFailed { failed: 1, .. }
    ));
    let bad = line(&manifest(out.path()), "bad.pdf").clone();
    assert_eq!(bad["job_status"], "FAILED");
    assert!(
        bad["error"].as_str().unwrap().contains("not a PDF"),
        "{bad}"
    );
    assert!(!out.path().join("bad.pdf.md").exists());

    let (_, report) = run_out(&env, options([&docs]).out(out.path())).await;
    assert_eq!(env.server.counts().uploads, 2, "nothing sent again");
    assert!(
        matches!(report.outcome, Outcome::FilesFailed { failed: 1, .. }),
        "{:?}",
        report.outcome
    );
    let failed = report.files.last().unwrap();
    assert!(failed.error.as_deref().unwrap().contains("not a PDF"));

    let (_, report) = run_out(&env, options([&docs]).out(out.path()).retry_failed(true)).await;
    assert_eq!(
        env.server.counts().uploads,
        3,
        "only the failed file is sent again"
    );
    assert!(matches!(
        report.outcome,
        Outcome::FilesFailed { failed: 1, .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_presets_give_their_json_and_other_forms_are_refused() {
    let env = Env::start(quick()).await;
    let out = tempfile::tempdir().unwrap();
    let invoice = documents().join("invoice-2026-001.pdf");
    let options = Options::new([&invoice], JobType::ExtractV2, "cfg-EXTRACT_INVOICE")
        .poll_intervals(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(50),
        )
        .out(out.path());
    let (_, report) = run_out(&env, options.clone()).await;
    assert!(
        matches!(report.outcome, Outcome::Completed),
        "{:?}",
        report.outcome
    );
    let result: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("invoice-2026-001.pdf.json")).unwrap(),
    )
    .unwrap();
    assert!(result.get("invoice_number").is_some(), "{result}");
    assert!(result.get("total_amount").is_some(), "{result}");
    let error = Plan::new(options.output_form(OutputForm::Text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("accepted for extract_v2: json"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parse_forms_have_their_suffixes() {
    let env = Env::start(quick()).await;
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("n.md"), "# Title\n\nbody").unwrap();
    for (form, suffix) in [
        (OutputForm::Text, ".txt"),
        (OutputForm::Json, ".json"),
        (OutputForm::Items, ".items.json"),
    ] {
        let out = tempfile::tempdir().unwrap();
        run_out(
            &env,
            options([folder.path()]).out(out.path()).output_form(form),
        )
        .await;
        let written = std::fs::read_to_string(out.path().join(format!("n.md{suffix}"))).unwrap();
        match form {
            OutputForm::Text => assert!(written.contains("body")),
            OutputForm::Json => {
                let json: Value = serde_json::from_str(&written).unwrap();
                assert_eq!(json["job"]["status"], "COMPLETED");
                assert!(json["markdown_full"].as_str().unwrap().contains("# Title"));
            }
            _ => assert!(
                serde_json::from_str::<Value>(&written).unwrap()["pages"].is_array(),
                "{written}"
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_cannot_be_written_stops_the_run_with_nothing_half_written() {
    let env = Env::start(quick()).await;
    let folder = tempfile::tempdir().unwrap();
    common::write(folder.path(), &["a.md"]);
    let out = tempfile::tempdir().unwrap();
    // A file where the output folder should be.
    let blocked = out.path().join("blocked");
    std::fs::write(&blocked, "a file").unwrap();
    let (_, ended) = env.run(options([folder.path()]).out(&blocked)).await;
    assert!(matches!(ended, Err(Error::Output { .. })), "{ended:?}");
    assert_eq!(
        env.server.counts().uploads,
        0,
        "nothing sent when the folder cannot be made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_hostile_names_is_exported_inside_the_folder() {
    let env = Env::start(quick()).await;
    let directory = env
        .client
        .directories()
        .create(
            &batches_client::CreateDirectoryRequest::new("hostile"),
            &Default::default(),
        )
        .await
        .unwrap();
    let long = "é".repeat(150);
    let names = [
        "../x",
        "/etc/passwd",
        "a\\b",
        "CON",
        "A.md",
        "a.md",
        long.as_str(),
        "nul\u{1}ctl",
    ];
    let sources = tempfile::tempdir().unwrap();
    for (index, name) in names.iter().enumerate() {
        let mut options = batches_client::UploadOptions::default();
        options.fields.display_name = Some((*name).to_owned());
        let path = sources.path().join(format!("f{index}.md"));
        std::fs::write(&path, format!("# file {index}")).unwrap();
        env.client
            .directories()
            .files(&directory.id)
            .upload(&path, &options)
            .await
            .unwrap();
    }
    let request = batches_client::CreateBatchRequest::new(
        &directory.id,
        batches_client::BatchConfig::new(batches_client::JobConfig::new(
            "cfg-PARSE_FAST",
            JobType::ParseV2,
        )),
    );
    let batch = env
        .client
        .batches()
        .create(&request, &Default::default())
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let root = out.path().join("out");
    let mut options = ExportOptions::new(batch.id.clone(), &root);
    options.poll_interval = std::time::Duration::from_millis(20);
    let report = export_results(env.client.clone(), options.clone())
        .finish()
        .await
        .unwrap();
    assert!(
        matches!(report.outcome, Outcome::Completed),
        "{:?}",
        report.outcome
    );
    let mut written = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                written.push(
                    path.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    written.sort();
    assert!(
        out.path().read_dir().unwrap().count() == 1,
        "nothing beside the folder"
    );
    for name in &written {
        assert!(name.split('/').all(|part| part.len() <= 255), "{name}");
        assert!(!name.chars().any(char::is_control), "{name:?}");
    }
    let lower: std::collections::HashSet<String> =
        written.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(
        lower.len(),
        written.len(),
        "distinct ignoring case: {written:?}"
    );
    for expected in [
        "x.md",
        "etc/passwd.md",
        "a/b.md",
        "_CON.md",
        "A.md.md",
        "a.md~2.md",
        "nul_ctl.md",
    ] {
        assert!(
            written.iter().any(|n| n == expected),
            "{expected} in {written:?}"
        );
    }
    // Every output holds its file's text.
    let lines = manifest(&root);
    assert_eq!(lines.len(), names.len());
    for line in &lines {
        let output = line["output"].as_str().unwrap();
        let text = std::fs::read_to_string(root.join(output)).unwrap();
        assert!(text.starts_with("# file "), "{output}: {text}");
    }
    // A second export writes nothing again.
    let again = export_results(env.client.clone(), options)
        .finish()
        .await
        .unwrap();
    assert_eq!(again.summary.unwrap().skipped, names.len());
    assert_eq!(manifest(&root).len(), names.len());
}
