//! Every output format, snapshotted, and the promise that json, jsonl, yaml and raw print
//! every field the server sent without re-encoding loss.

use crate::common::{Env, code, fixture, fixture_page, ids, mock_server, stderr, stdout};

#[test]
fn list_in_every_format() {
    let url = mock_server(200, fixture_page());
    let env = Env::seeded(0);
    for format in ["json", "jsonl", "yaml", "table", "raw"] {
        let output = env
            .cmd()
            .env("LLAMA_CLOUD_BASE_URL", &url)
            .args(["batches", "list", "--format", format])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{format}: {}", stderr(&output));
        insta::assert_snapshot!(format!("list-{format}"), stdout(&output));
    }
}

#[test]
fn raw_prints_one_page() {
    let env = Env::seeded(3);
    let output = env
        .cmd()
        .args(["batches", "list", "--format", "raw", "--page-size", "2"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let page: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        2,
        "raw prints one page"
    );
    assert!(page["next_page_token"].is_string());
}

#[test]
fn auto_is_json_when_not_on_a_terminal() {
    let env = Env::seeded(3);
    let auto = env.cmd().args(["batches", "list"]).output().unwrap();
    let json = env
        .cmd()
        .args(["batches", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&auto), stdout(&json));
}

#[test]
fn get_in_every_format() {
    let url = mock_server(200, fixture("batch-expanded-results"));
    let env = Env::seeded(0);
    for format in ["json", "jsonl", "yaml", "table", "raw"] {
        let output = env
            .cmd()
            .env("LLAMA_CLOUD_BASE_URL", &url)
            .args([
                "batches", "get", "bat-1", "--expand", "results", "--format", format,
            ])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{format}: {}", stderr(&output));
        insta::assert_snapshot!(format!("get-{format}"), stdout(&output));
    }
}

#[test]
fn get_from_the_emulator() {
    let env = Env::seeded(3);
    let list = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    for id in ids(&stdout(&list)) {
        let output = env
            .cmd()
            .args(["batches", "get", &id, "--expand", "results"])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0);
        let batch: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(batch["id"], id.as_str());
        if batch["status"] == "COMPLETED" {
            assert!(batch["results"].is_array(), "{batch}");
        }
    }
}

const ODD_BATCH: &str = r#"{"id":"bat-odd","config":{"job":{"configuration_id":"cfg-1","type":"classify_v3","mode":"x"},"priority":1},"project_id":"prj-1","source_directory_id":"dir-1","status":"PAUSED","created_at":"2026-11-01T09:30:00.123456789+02:00","updated_at":null,"results":[{"source_directory_file_id":"dfl-1","error_message":null,"job_reference":{"id":"cjb-1","type":"classify_v3"},"pages":7}],"big":123456789012345678901234567890,"ratio":1.50e+3,"text":"tab\tquote\" \u00e9 \ud83d\ude00"}"#;

#[test]
fn single_results_lose_nothing() {
    let url = mock_server(200, ODD_BATCH);
    let env = Env::seeded(0);
    let run = |format: &str| {
        let output = env
            .cmd()
            .env("LLAMA_CLOUD_BASE_URL", &url)
            .args(["batches", "get", "bat-odd", "--format", format])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{format}: {}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(run("raw"), ODD_BATCH, "raw is byte for byte");
    assert_eq!(
        run("jsonl"),
        format!("{ODD_BATCH}\n"),
        "the body was already compact"
    );
    let json = run("json");
    let reparsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let original: serde_json::Value = serde_json::from_str(ODD_BATCH).unwrap();
    assert_eq!(reparsed, original);
    for token in [
        "123456789012345678901234567890",
        "1.50e+3",
        r#"\u00e9 \ud83d\ude00""#,
        "+02:00",
    ] {
        assert!(json.contains(token), "{token} in {json}");
    }
    let yaml = run("yaml");
    insta::assert_snapshot!("get-yaml-unknown-fields", yaml);
    let table = run("table");
    assert!(
        table.contains("PAUSED") && table.contains("classify_v3"),
        "{table}"
    );
}

#[test]
fn list_items_lose_nothing() {
    let body = format!(
        r#"{{"items":[{ODD_BATCH}, {ODD_BATCH}],"next_page_token":null,"total_size":2,"extra":true}}"#
    );
    let url = mock_server(200, body.clone());
    let env = Env::seeded(0);
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", &url)
        .args(["batches", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), format!("{ODD_BATCH}\n{ODD_BATCH}\n"));
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", &url)
        .args(["batches", "list", "--format", "raw"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), body);
}

#[test]
fn transform_each_batch_or_the_result() {
    let env = Env::seeded(5);
    let all = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    let expected: String = ids(&stdout(&all))
        .iter()
        .map(|id| format!("{id}\n"))
        .collect();

    let output = env
        .cmd()
        .args(["batches", "list", "--transform", ".id", "-r"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), expected);

    let output = env
        .cmd()
        .args(["batches", "list", "--transform", ".id"])
        .output()
        .unwrap();
    let array: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(array.len(), 5);

    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--transform",
            r#"select(.status == "NO SUCH")"#,
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        "[]\n",
        "a filter yielding nothing prints nothing"
    );

    let first = ids(&stdout(&all)).remove(0);
    let output = env
        .cmd()
        .args([
            "batches",
            "get",
            &first,
            "--format",
            "jsonl",
            "--transform",
            "{id, s: .status}",
        ])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["id"], first.as_str());
}

#[test]
fn transform_errors_exit_2() {
    let env = Env::seeded(2);
    let output = env
        .cmd()
        .args(["batches", "list", "--transform", ".id |"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--transform: expected"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());

    let output = env
        .cmd()
        .args(["batches", "list", "--transform", ".id", "--format", "table"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("use json, jsonl or yaml"));

    let output = env
        .cmd()
        .args(["batches", "list", "--transform", ".id | .x"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--transform failed"),
        "{}",
        stderr(&output)
    );

    let output = env.cmd().args(["batches", "list", "-r"]).output().unwrap();
    assert_eq!(code(&output), 2, "-r needs --transform");
}
