//! `parse get` and `extract get` against the emulator: the documents of real jobs in every
//! format, documents too large to be inline fetched from their presigned URLs.

use std::path::Path;
use std::time::Duration;

use batches_server::ServerConfig;
use serde_json::Value;

use crate::common::{Env, code, fast, json, stderr, stdout};

/// The sample documents the repository ships.
fn samples() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/documents"
    ))
}

/// Uploads `files` into a new directory, runs a batch of `job_type` over them and returns
/// the job id of each file, by display name.
fn jobs(
    env: &Env,
    files: &[&Path],
    job_type: &str,
    configuration_id: &str,
) -> Vec<(String, String)> {
    let created = env
        .cmd()
        .args(["directories", "create", "docs", "--format", "json"])
        .output()
        .unwrap();
    let directory = json(&created)["id"].as_str().unwrap().to_owned();
    let uploaded = env
        .cmd()
        .args(["directories", "files", "upload", &directory])
        .args(files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&uploaded), 0, "{}", stderr(&uploaded));
    let batch = env
        .cmd()
        .args(["batches", "create", "--source-directory-id", &directory])
        .args([
            "--job-type",
            job_type,
            "--configuration-id",
            configuration_id,
        ])
        .args(["--wait", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&batch), 0, "{}", stderr(&batch));
    let files = env
        .cmd()
        .args([
            "directories",
            "files",
            "list",
            &directory,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let names: Vec<(String, String)> = json(&files)
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["id"].as_str().unwrap().to_owned(),
                file["display_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    json(&batch)["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|result| {
            let job = result["job_reference"]["id"].as_str()?.to_owned();
            let file = result["source_directory_file_id"].as_str().unwrap();
            let name = names.iter().find(|(id, _)| id == file).unwrap().1.clone();
            Some((name, job))
        })
        .collect()
}

/// Runs `parse get` or `extract get` until the job is terminal; its last output as JSON.
fn finished(env: &Env, command: &str, job: &str, args: &[&str]) -> Value {
    for _ in 0..500 {
        let output = env
            .cmd()
            .args([command, "get", job, "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let body = json(&output);
        let status = body["job"]["status"]
            .as_str()
            .or(body["status"].as_str())
            .unwrap();
        if !["PENDING", "RUNNING"].contains(&status) {
            return body;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{job} never finished");
}

fn job_of<'a>(jobs: &'a [(String, String)], name: &str) -> &'a str {
    &jobs.iter().find(|(file, _)| file == name).unwrap().1
}

#[test]
fn parse_get_shows_a_sample_documents_markdown_in_every_format() {
    let env = Env::with(fast());
    let invoice = samples().join("invoice-2026-001.pdf");
    let notes = samples().join("meeting-notes.md");
    let jobs = jobs(&env, &[&invoice, &notes], "parse_v2", "cfg-PARSE_AGENTIC");
    let pdf = job_of(&jobs, "invoice-2026-001.pdf");
    let body = finished(&env, "parse", pdf, &["--expand", "markdown_full,usage"]);
    assert_eq!(body["job"]["status"], "COMPLETED");
    assert_eq!(
        body["markdown_full"],
        "Invoice 2026-001\nAcme Corp, 3 widgets\nTotal: 1,250.00 EUR"
    );
    assert_eq!(body["job"]["usage"]["credits"], 10.0);

    let raw = env
        .cmd()
        .args(["parse", "get", pdf, "--expand", "markdown_full"])
        .args(["--transform", ".markdown_full", "-r"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&raw),
        "Invoice 2026-001\nAcme Corp, 3 widgets\nTotal: 1,250.00 EUR\n"
    );

    let table = env
        .cmd()
        .args([
            "parse",
            "get",
            pdf,
            "--expand",
            "markdown_full",
            "--expand",
            "usage",
        ])
        .args(["--expand", "job_metadata", "--format", "table"])
        .output()
        .unwrap();
    let table = stdout(&table);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("CREDITS"),
        "{table}"
    );
    assert!(
        lines[1].starts_with(pdf) && lines[1].contains("COMPLETED"),
        "{table}"
    );
    assert!(
        lines[1].contains("invoice-2026-001.pdf") && lines[1].contains("agentic"),
        "{table}"
    );
    assert!(
        table.ends_with("\nInvoice 2026-001\nAcme Corp, 3 widgets\nTotal: 1,250.00 EUR\n"),
        "{table}"
    );

    let yaml = env
        .cmd()
        .args([
            "parse",
            "get",
            job_of(&jobs, "meeting-notes.md"),
            "--expand",
            "markdown",
        ])
        .args(["--format", "yaml"])
        .output()
        .unwrap();
    let yaml = stdout(&yaml);
    assert!(yaml.contains("\n      success: true\n"), "{yaml}");
    assert!(
        yaml.contains("markdown: \"# Planning meeting, 2026-11-27\\n"),
        "{yaml}"
    );
}

#[test]
fn parse_get_follows_the_presigned_url_of_a_document_too_large_to_be_inline() {
    let env = Env::with(ServerConfig {
        presign_above: 64,
        ..fast()
    });
    let dir = tempfile::tempdir().unwrap();
    let large = dir.path().join("large.md");
    let text = "# Large\n\n".to_owned() + &"A line of the large document.\n".repeat(20);
    std::fs::write(&large, &text).unwrap();
    let jobs = jobs(&env, &[&large], "parse_v2", "cfg-PARSE_FAST");
    let job = &jobs[0].1;
    let body = finished(&env, "parse", job, &["--expand", "markdown_full"]);
    assert_eq!(body["markdown_full"], text.as_str());
    let content = &body["result_content_metadata"]["markdown"];
    assert_eq!(content["size_bytes"], text.len());
    assert!(
        content["presigned_url"]
            .as_str()
            .unwrap()
            .contains("/results/")
    );

    // The pages of a large result are not served: the whole document stands for them.
    let pages = finished(
        &env,
        "parse",
        job,
        &["--expand", "markdown", "--expand", "items"],
    );
    assert!(pages.get("markdown").is_none(), "{pages}");
    assert_eq!(pages["markdown_full"], text.as_str());
    assert_eq!(pages["items"]["pages"][0]["items"][0]["value"], "Large");
}

#[test]
fn extract_get_shows_the_fields_of_the_preset() {
    let env = Env::with(fast());
    let jobs = jobs(
        &env,
        &[&samples().join("invoice-2026-001.pdf")],
        "extract_v2",
        "cfg-EXTRACT_INVOICE",
    );
    let job = &jobs[0].1;
    let body = finished(&env, "extract", job, &["--expand", "usage"]);
    assert_eq!(body["status"], "COMPLETED");
    assert_eq!(body["extract_result"]["invoice_number"], "2026-001");
    assert_eq!(body["extract_result"]["total_amount"], 1250.0);
    assert_eq!(body["usage"]["credits"], 18.0);
    let table = env
        .cmd()
        .args([
            "extract", "get", job, "--expand", "usage", "--format", "table",
        ])
        .output()
        .unwrap();
    let table = stdout(&table);
    assert!(
        table.contains("cfg-EXTRACT_INVOICE") && table.contains("18.0"),
        "{table}"
    );
    assert!(table.contains("\ninvoice_number: 2026-001\n"), "{table}");
    assert!(table.contains("\nvendor: -\n"), "{table}");
}

#[test]
fn a_job_get_refuses_an_unknown_expand_and_reports_a_missing_job() {
    let env = Env::with(fast());
    let output = env
        .cmd()
        .args(["parse", "get", "pjb-1", "--expand", "pages"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("[possible values: text, markdown, items, metadata"),
        "{}",
        stderr(&output)
    );
    let output = env
        .cmd()
        .args(["extract", "get", "ejb-missing"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Job ejb-missing not found"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("--expand results` names the jobs"),
        "{}",
        stderr(&output)
    );
}
