//! get, create and cancel; API, network and usage failures with their exit
//! codes and messages.

use batches_server::{FaultKind, ServerConfig};

use crate::common::{
    Env, KEY, code, create_args, fast, fixture, ids, json, mock_server, stderr, stdout,
};

#[test]
fn create_get_and_cancel() {
    let env = Env::with(ServerConfig {
        processing_ms: 60_000,
        ..fast()
    });
    let directory = env.directory(2);
    let created = env
        .cmd()
        .args(create_args(&directory, "cfg-PARSE_AGENTIC"))
        .args(["--webhook-url", "http://127.0.0.1:9/hook"])
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let batch = json(&created);
    assert_eq!(batch["status"], "PENDING");
    assert_eq!(batch["source_directory_id"], directory.as_str());
    let id = batch["id"].as_str().unwrap();

    let got = env.cmd().args(["batches", "get", id]).output().unwrap();
    assert_eq!(json(&got)["id"], id);

    let cancelled = env
        .cmd()
        .args(["batches", "cancel", id, "--project-id", "prj-local"])
        .output()
        .unwrap();
    assert_eq!(code(&cancelled), 0);
    assert_eq!(json(&cancelled)["status"], "CANCELLED");

    let again = env.cmd().args(["batches", "cancel", id]).output().unwrap();
    assert_eq!(code(&again), 1);
    assert!(
        stderr(&again).contains("HTTP 409") && stderr(&again).contains("cannot be cancelled"),
        "{}",
        stderr(&again)
    );
    assert!(again.stdout.is_empty(), "errors never go to stdout");
}

#[test]
fn create_from_a_body_on_stdin_or_a_config_file() {
    let env = Env::seeded(0);
    let directory = env.directory(1);
    let body = format!(
        r#"{{"source_directory_id":"{directory}","config":{{"job":{{"type":"extract_v2","configuration_id":"cfg-EXTRACT_INVOICE"}}}}}}"#
    );
    let output = env
        .cmd()
        .args(["batches", "create"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json(&output)["config"]["job"]["type"], "extract_v2");

    let file = env.config.path().join("config.json");
    std::fs::write(
        &file,
        r#"{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_FAST"}}"#,
    )
    .unwrap();
    let output = env
        .cmd()
        .args([
            "batches",
            "create",
            "--source-directory-id",
            &directory,
            "--config",
        ])
        .arg(format!("@{}", file.display()))
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        json(&output)["config"]["job"]["configuration_id"],
        "cfg-PARSE_FAST"
    );
}

#[test]
fn idempotency_key_returns_the_first_batch() {
    let env = Env::seeded(0);
    let directory = env.directory(1);
    let run = || {
        let output = env
            .cmd()
            .args(create_args(&directory, "cfg-PARSE_FAST"))
            .args(["--idempotency-key", "nightly-1"])
            .output()
            .unwrap();
        json(&output)["id"].as_str().unwrap().to_owned()
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_create_requests() {
    let env = Env::seeded(0);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "batches",
                "create",
                "--job-type",
                "parse_v2",
                "--configuration-id",
                "c",
            ],
            "no source directory",
        ),
        (
            &["batches", "create", "--source-directory-id", "dir-1"],
            "no batch configuration",
        ),
        (
            &[
                "batches",
                "create",
                "--source-directory-id",
                "dir-1",
                "--config",
                "{nope",
            ],
            "--config is not JSON",
        ),
        (
            &[
                "batches",
                "create",
                "--source-directory-id",
                "dir-1",
                "--job-type",
                "ocr_v9",
                "--configuration-id",
                "c",
            ],
            "parse_v2, extract_v2",
        ),
        (
            &[
                "batches",
                "create",
                "--source-directory-id",
                "dir-1",
                "--job-type",
                "parse_v2",
            ],
            "--configuration-id",
        ),
        (
            &[
                "batches",
                "create",
                "--source-directory-id",
                "dir-1",
                "--config",
                r#"{"job":{"type":"parse_v2"}}"#,
            ],
            "configuration_id",
        ),
    ];
    for (args, message) in cases {
        let output = env.cmd().args(*args).output().unwrap();
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // The server's 422 entries, as `field: message`.
    let empty = env.directory(0);
    let output = env
        .cmd()
        .args(create_args(&empty, "cfg-PARSE_FAST"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("HTTP 422") && stderr(&output).contains("source_directory_id: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn api_errors_exit_1_with_detail_and_hint() {
    let env = Env::seeded(1);
    let output = env
        .cmd()
        .args(["batches", "get", "bat-missing"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("HTTP 404 Not Found: Batch bat-missing not found"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("hint: "));

    let output = env
        .cmd()
        .args(["batches", "list", "--api-key", "llx-wrong-key-123"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    let errors = stderr(&output);
    assert!(
        errors.contains("HTTP 401") && errors.contains("--region"),
        "{errors}"
    );
    assert!(
        !errors.contains("llx-wrong-key-123"),
        "the key is never printed"
    );
    assert!(output.stdout.is_empty());

    let url = mock_server(404, r#"{"detail":"Batch not found"}"#);
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", url)
        .args(["batches", "get", "bat-1"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("request id req-mock-1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rate_limits_say_how_long_to_wait() {
    let env = Env::with(ServerConfig {
        fault_rate: 1.0,
        fault_kinds: vec![FaultKind::TooManyRequests],
        ..fast()
    });
    let output = env
        .cmd()
        .args(["batches", "list", "--max-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("HTTP 429") && stderr(&output).contains("asked to wait"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn network_failures_and_timeouts_exit_3() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let env = Env::with(ServerConfig {
        latency_ms: 1_000,
        ..fast()
    });
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", url)
        .args(["batches", "list", "--max-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(stderr(&output).contains("base URL"));

    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--timeout",
            "200ms",
            "--max-retries",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(stderr(&output).contains("timed out") && stderr(&output).contains("--timeout"));
}

#[test]
fn bad_values_exit_2_naming_the_accepted_ones() {
    let env = Env::seeded(0);
    let cases: &[(&[&str], &str)] = &[
        (
            &["batches", "list", "--status", "DONE"],
            "PENDING, THROTTLED, RUNNING, COMPLETED, FAILED, CANCELLED",
        ),
        (&["batches", "list", "--page-size", "0"], "1..=1000"),
        (&["batches", "list", "--page-size", "1001"], "1..=1000"),
        (
            &["batches", "list", "--created-at-on-or-after", "last week"],
            "RFC 3339",
        ),
        (
            &["batches", "list", "--created-at-on-or-before", "2026-02-30"],
            "RFC 3339",
        ),
        (
            &["batches", "list", "--base-url", "api.cloud.llamaindex.ai"],
            "use `https://api.cloud.llamaindex.ai`",
        ),
        (&["batches", "list", "--region", "us"], "na, eu"),
        (
            &["batches", "list", "--format", "xml"],
            "auto, json, jsonl, yaml, table, raw",
        ),
        (&["batches", "list", "--timeout", "soon"], "250ms"),
        (&["batches", "list", "--max-items", "0"], "--max-items"),
        (
            &["batches", "get", "bat-1", "--expand", "everything"],
            "results",
        ),
        (
            &["batches", "list", "--format", "raw", "--max-items", "3"],
            "--page-size",
        ),
        (
            &[
                "batches",
                "list",
                "--region",
                "eu",
                "--base-url",
                "http://127.0.0.1:1",
            ],
            "give only one",
        ),
    ];
    for (args, accepted) in cases {
        let output = env.cmd().args(*args).output().unwrap();
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(accepted),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn missing_key_is_a_usage_error() {
    let env = Env::seeded(0);
    let output = env
        .cmd()
        .env_remove("LLAMA_CLOUD_API_KEY")
        .args(["batches", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no API key") && stderr(&output).contains("config set api-key")
    );
}

#[test]
fn the_reference_example_works_as_written() {
    let env = Env::with(ServerConfig {
        seed: 2,
        api_keys: vec![("My API Key".to_owned(), "prj-local".to_owned())],
        ..fast()
    });
    let output = env
        .cmd()
        .env_remove("LLAMA_CLOUD_API_KEY")
        .args(["batches", "list", "--api-key", "My API Key"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json(&output).as_array().unwrap().len(), 2);
}

#[test]
fn fallback_key_variable() {
    let env = Env::seeded(1);
    let output = env
        .cmd()
        .env_remove("LLAMA_CLOUD_API_KEY")
        .env("LLAMA_PARSE_API_KEY", KEY)
        .args(["batches", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(ids(&stdout(&output)).len(), 1);
}

#[test]
fn debug_shows_requests_without_the_key() {
    let env = Env::seeded(1);
    let output = env
        .cmd()
        .args(["batches", "list", "--debug"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let errors = stderr(&output);
    assert!(
        errors.contains("/api/v2/batches") && errors.contains("status=200"),
        "{errors}"
    );
    assert!(
        errors.contains("llx-…") || errors.contains("API key …"),
        "{errors}"
    );
    assert!(!errors.contains(KEY), "{errors}");
}

#[cfg(unix)]
#[test]
fn error_messages_read_well() {
    let env = Env::seeded(0);
    let unauthorized = mock_server(401, fixture("error-message"));
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", unauthorized)
        .args(["batches", "get", "bat-1"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    insta::assert_snapshot!("error-401", stderr(&output));

    let invalid = mock_server(422, fixture("error-validation"));
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", invalid)
        .args(["batches", "list", "--max-retries", "0"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    insta::assert_snapshot!("error-422", stderr(&output));
}
