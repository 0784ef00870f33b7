//! `batches run --out` and `batches results --out`: documents on disk, the manifest, exit
//! codes (4 for a failed file, 6 for a folder that cannot be written), a run killed with
//! SIGKILL and run again, reruns that skip what is done, the pages of an extract run.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Env, code, stderr};
use crate::folders::{records, run_cmd, unlimited, write};

fn documents() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/documents")
}

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn the_sample_documents_end_as_markdown_files_and_a_failed_file_is_exit_4() {
    let env = Env::with(unlimited());
    let work = tempfile::tempdir().unwrap();
    let docs = documents();
    let output = run_cmd(&env, work.path(), &[docs.to_str().unwrap(), "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let out = work.path().join("out");
    let notes = std::fs::read_to_string(out.join("meeting-notes.md.md")).unwrap();
    assert!(notes.contains('#'), "{notes}");
    for pdf in [
        "invoice-2026-001.pdf",
        "quarterly-report.pdf",
        "service-agreement.pdf",
    ] {
        let text = std::fs::read_to_string(out.join(format!("{pdf}.md"))).unwrap();
        assert!(!text.trim().is_empty(), "{pdf}");
    }
    assert!(!out.join("archive.zip.md").exists());
    let printed = records(&output);
    assert_eq!(printed.len(), 6);
    let notes = printed
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("meeting-notes.md"))
        .unwrap();
    assert_eq!(notes["output"], "meeting-notes.md.md");
    let zip = printed.last().unwrap();
    assert_eq!(zip["status"], "error");
    let lines = manifest(&out);
    let zip = lines
        .iter()
        .find(|l| l["path"].as_str().unwrap().ends_with("archive.zip"))
        .unwrap();
    assert!(zip["error"].as_str().unwrap().contains("zip"), "{zip}");
    let said = stderr(&output);
    assert!(
        said.contains("6 files: 5 done, 1 failed, 0 skipped"),
        "{said}"
    );
    assert!(said.contains("credits"), "{said}");
    assert!(out.join("summary.json").is_file());

    // Again: the five finished files skipped; the zip, which the batch gave no job (so
    // nothing ran and nothing was billed), is tried again from the directory it is in:
    // nothing is uploaded, and its failure is reported again. The dry run says so first.
    let uploads = env.server.counts().uploads;
    let dry = run_cmd(
        &env,
        work.path(),
        &[docs.to_str().unwrap(), "--out", "out", "--dry-run"],
    )
    .output()
    .unwrap();
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert!(
        stderr(&dry).contains("1 files would be sent, 5 skipped as done before"),
        "{}",
        stderr(&dry)
    );
    let again = run_cmd(&env, work.path(), &[docs.to_str().unwrap(), "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(code(&again), 4, "{}", stderr(&again));
    assert!(stderr(&again).contains("5 skipped"), "{}", stderr(&again));
    assert_eq!(env.server.counts().uploads, uploads);
}

#[test]
fn a_run_killed_mid_export_and_run_again_leaves_every_output_whole_and_uploads_once() {
    let env = Env::with(batches_server::ServerConfig {
        processing_ms: 150,
        ..unlimited()
    });
    let work = tempfile::tempdir().unwrap();
    let count = 40;
    for n in 0..count {
        write(
            work.path(),
            &format!("docs/n{n:02}.md"),
            &format!("# note {n}\n\n{}", "text ".repeat(200)),
        );
    }
    let out = work.path().join("out");
    let mut child = run_cmd(&env, work.path(), &["docs", "--out", "out", "--quiet"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it as soon as the first output is there.
    let first = loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended before it was killed: {status}");
        }
        let written = std::fs::read_dir(&out)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".md.md"))
            })
            .unwrap_or(false);
        if written {
            break true;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(first);
    child.kill().unwrap();
    child.wait().unwrap();
    let done_before = manifest(&out).len();
    assert!(
        done_before < count,
        "killed before the end ({done_before} done)"
    );

    let again = run_cmd(&env, work.path(), &["docs", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(
        env.server.counts().uploads,
        count as u64,
        "nothing uploaded twice"
    );
    for n in 0..count {
        let text = std::fs::read_to_string(out.join(format!("n{n:02}.md.md"))).unwrap();
        let source = std::fs::read_to_string(work.path().join(format!("docs/n{n:02}.md"))).unwrap();
        assert_eq!(text, source, "n{n:02} whole");
    }
    let lines = manifest(&out);
    let paths: std::collections::BTreeSet<_> = lines
        .iter()
        .map(|l| l["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths.len(), count);
    let stray: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_folder_that_cannot_be_made_is_exit_6_before_anything_is_sent() {
    let env = Env::with(unlimited());
    let work = tempfile::tempdir().unwrap();
    write(work.path(), "docs/a.md", "# a");
    write(work.path(), "blocked", "a file where the folder should be");
    let output = run_cmd(&env, work.path(), &["docs", "--out", "blocked/out"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    assert!(stderr(&output).contains("blocked"), "{}", stderr(&output));
    assert_eq!(env.server.counts().uploads, 0);
}

/// A full disk: a 64 KiB tmpfs (mounting needs root; elsewhere the test says so and
/// checks nothing).
#[test]
fn a_full_disk_is_exit_6_with_nothing_half_written() {
    let env = Env::with(unlimited());
    let work = tempfile::tempdir().unwrap();
    let small = work.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&small)
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): the full-disk case is not checked");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(small.clone());
    // Outputs of 30 KiB each: the third does not fit.
    for n in 0..6 {
        write(
            work.path(),
            &format!("docs/big{n}.md"),
            &"x".repeat(30 * 1024),
        );
    }
    let output = run_cmd(
        &env,
        work.path(),
        &["docs", "--out", small.join("out").to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    let out = small.join("out");
    for entry in std::fs::read_dir(&out).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md.md") {
            assert_eq!(
                std::fs::metadata(entry.path()).unwrap().len(),
                30 * 1024,
                "{name} whole"
            );
        }
    }
}

#[test]
fn a_batch_made_by_create_is_exported_by_its_id() {
    let env = Env::with(unlimited());
    let directory = env.directory(3);
    let created = env
        .cmd()
        .args(["batches", "create", "--source-directory-id", &directory])
        .args([
            "--job-type",
            "parse_v2",
            "--configuration-id",
            "cfg-PARSE_FAST",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let batch: Value = serde_json::from_slice(&created.stdout).unwrap();
    let id = batch["id"].as_str().unwrap();
    let work = tempfile::tempdir().unwrap();
    let output = env
        .cmd()
        .current_dir(work.path())
        .args([
            "batches", "results", id, "--out", "out", "--format", "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = work.path().join("out");
    for n in 1..=3 {
        let text = std::fs::read_to_string(out.join(format!("file-{n:04}.txt.md"))).unwrap();
        assert!(text.len() >= 1000, "file-{n:04}: {} bytes", text.len());
    }
    assert_eq!(manifest(&out).len(), 3);
    assert_eq!(records(&output).len(), 3);
    let again = env
        .cmd()
        .current_dir(work.path())
        .args(["batches", "results", id, "--out", "out", "--as", "text"])
        .output()
        .unwrap();
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(out.join("file-0001.txt.txt").is_file());
}

#[test]
fn an_extract_run_has_the_pages_its_parse_jobs_read() {
    let env = Env::with(unlimited());
    let work = tempfile::tempdir().unwrap();
    let docs = work.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    // A real PDF of nine pages, a one-page sample PDF and a text file (one page).
    let pdfs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../batches-server/tests/pdfs");
    std::fs::copy(pdfs.join("zlib_how.pdf"), docs.join("zlib_how.pdf")).unwrap();
    std::fs::copy(
        documents().join("invoice-2026-001.pdf"),
        docs.join("invoice-2026-001.pdf"),
    )
    .unwrap();
    write(
        work.path(),
        "docs/notes.txt",
        "Invoice INV-7\nTotal: 12.00 EUR\n",
    );
    let output = env
        .std_cmd()
        .current_dir(work.path())
        .args([
            "batches", "run", "docs", "--out", "out", "--format", "jsonl",
        ])
        .args([
            "--job-type",
            "extract_v2",
            "--configuration-id",
            "cfg-EXTRACT_INVOICE",
        ])
        .args(["--upload-rate", "100000/s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = work.path().join("out");
    let mut pages: Vec<(String, Value)> = manifest(&out)
        .into_iter()
        .map(|line| {
            (
                line["path"].as_str().unwrap().to_owned(),
                line["pages"].clone(),
            )
        })
        .collect();
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        pages,
        [
            ("docs/invoice-2026-001.pdf".to_owned(), Value::from(1)),
            ("docs/notes.txt".to_owned(), Value::from(1)),
            ("docs/zlib_how.pdf".to_owned(), Value::from(9)),
        ]
    );
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["pages"], 11, "{summary}");
    // 18 credits a page for an extract preset: 15 to extract, 3 to parse.
    assert_eq!(summary["credits"], 198.0, "{summary}");
    assert!(stderr(&output).contains("11 pages"), "{}", stderr(&output));
}
