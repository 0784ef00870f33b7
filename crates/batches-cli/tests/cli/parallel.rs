//! `batches list --parallel N`: the same bytes as without it in every format, through equal
//! creation times and window boundaries; resumption across both modes after --max-items,
//! a failure and Ctrl-C; and the option's own errors.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use batches_server::{FaultKind, ServerConfig};
use chrono::{DateTime, Utc};

use crate::common::{Env, KEY, PROJECT, code, fast, ids, starting_token, stderr, stdout};

/// An emulator with seeded batches and, besides, 400 batches on whole seconds, ten to a
/// second, a day ago: window boundaries fall on batches, and groups of equal creation
/// times straddle page ends.
fn env() -> Env {
    let env = Env::with(ServerConfig {
        seed: 600,
        seed_days: 45,
        ..fast()
    });
    let start = Utc::now().timestamp() - 86_400;
    let times: Vec<DateTime<Utc>> = (0..400)
        .map(|n| DateTime::from_timestamp(start + n / 10, 0).unwrap())
        .collect();
    env.server
        .fixtures()
        .create_batches_at(PROJECT, &times)
        .unwrap();
    env
}

/// `batches list ARGS`, its output checked for success.
fn list(env: &Env, args: &[&str]) -> std::process::Output {
    let output = env
        .cmd()
        .args(["batches", "list"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{args:?}: {}", stderr(&output));
    output
}

#[test]
fn every_format_prints_the_same_bytes_as_a_sequential_listing() {
    let env = env();
    let formats: [&[&str]; 6] = [
        &["--format", "json"],
        &["--format", "jsonl"],
        &["--format", "yaml"],
        &["--format", "table"],
        &["--format", "jsonl", "--transform", "{id, status}"],
        &["--raw-output", "--transform", ".id"],
    ];
    for format in formats {
        for page_size in ["13", "50"] {
            let mut args = vec!["--page-size", page_size];
            args.extend_from_slice(format);
            let sequential = list(&env, &args);
            assert!(sequential.stdout.len() > 10_000, "{args:?}");
            for parallel in ["2", "8"] {
                let mut with = args.clone();
                with.extend(["--parallel", parallel]);
                let output = list(&env, &with);
                assert!(
                    output.stdout == sequential.stdout,
                    "{with:?} printed other bytes"
                );
                assert_eq!(stderr(&output), "");
            }
        }
    }
    // Filters and a given range are listed the same way.
    for filter in [
        &["--status", "CANCELLED"][..],
        &[
            "--created-at-on-or-after",
            "20d",
            "--created-at-on-or-before",
            "2d",
        ],
    ] {
        let mut args = vec!["--format", "jsonl", "--page-size", "7"];
        args.extend_from_slice(filter);
        let sequential = list(&env, &args);
        args.extend(["--parallel", "5"]);
        assert!(list(&env, &args).stdout == sequential.stdout, "{args:?}");
    }
}

#[test]
fn max_items_and_starting_tokens_resume_across_both_modes() {
    let env = env();
    let full = ids(&stdout(&list(&env, &["--format", "jsonl"])));
    assert_eq!(full.len(), 1_000);
    let mut resumed = Vec::new();
    let mut token: Option<String> = None;
    // Stops land mid-page, on page ends and inside runs of equal creation times; each run
    // resumes the last one in the other mode.
    for round in 0.. {
        let mut args = vec!["--format", "jsonl", "--page-size", "9", "--max-items", "37"];
        if round % 2 == 0 {
            args.extend(["--parallel", "4"]);
        }
        if let Some(token) = &token {
            args.extend(["--starting-token", token]);
        }
        let output = list(&env, &args);
        resumed.extend(ids(&stdout(&output)));
        if !stderr(&output).contains("--starting-token") {
            break;
        }
        token = Some(starting_token(&stderr(&output)));
        assert!(round < 40, "the listing does not end");
    }
    assert_eq!(resumed, full, "no duplicate, no gap");

    let output = list(
        &env,
        &[
            "--format",
            "jsonl",
            "--parallel",
            "3",
            "--max-items",
            "1000",
        ],
    );
    assert_eq!(ids(&stdout(&output)).len(), 1_000);
    assert!(
        !stderr(&output).contains("--starting-token"),
        "nothing left to resume"
    );
}

#[test]
fn a_failed_parallel_listing_resumes_exactly_with_or_without_parallel() {
    // A third of the requests fail, for good (no retries).
    let env = Env::with(ServerConfig {
        seed: 300,
        fault_rate: 0.3,
        fault_kinds: vec![FaultKind::InternalServerError],
        fault_seed: 5,
        ..fast()
    });
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    let mut failures = 0;
    for round in 0..200 {
        let mut cmd = env.cmd();
        cmd.args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--page-size",
            "6",
            "--max-retries",
            "0",
        ]);
        if round % 3 != 2 {
            cmd.args(["--parallel", "4"]);
        }
        if let Some(token) = &token {
            cmd.args(["--starting-token", token]);
        }
        let output = cmd.output().unwrap();
        listed.extend(ids(&stdout(&output)));
        match code(&output) {
            0 => break,
            1 => {
                failures += 1;
                assert!(stderr(&output).contains("HTTP 500"), "{}", stderr(&output));
                if stderr(&output).contains("--starting-token") {
                    token = Some(starting_token(&stderr(&output)));
                }
            }
            other => panic!("exit {other}: {}", stderr(&output)),
        }
    }
    assert!(failures > 0);
    let full = ids(&stdout(
        &env.cmd()
            .args([
                "batches",
                "list",
                "--format",
                "jsonl",
                "--max-retries",
                "10",
            ])
            .output()
            .unwrap(),
    ));
    assert_eq!(listed, full);
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_valid_json_and_a_token_that_resumes_sequentially() {
    let env = Env::with(ServerConfig {
        seed: 200,
        latency_ms: 100,
        ..fast()
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_llamacloud"))
        .args([
            "batches",
            "list",
            "--format",
            "json",
            "--page-size",
            "3",
            "--parallel",
            "3",
        ])
        .env("LLAMA_CLOUD_API_KEY", KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("\"id\"") {
        assert!(
            reader.read_line(&mut printed).unwrap() > 0,
            "output ended early"
        );
    }
    std::thread::sleep(Duration::from_millis(250));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    reader.read_to_string(&mut printed).unwrap();
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130), "{errors}");
    let partial: Vec<serde_json::Value> =
        serde_json::from_str(&printed).expect("valid JSON after Ctrl-C");
    assert!(
        !partial.is_empty() && partial.len() < 200,
        "{}",
        partial.len()
    );

    let rest = list(
        &env,
        &[
            "--format",
            "jsonl",
            "--starting-token",
            &starting_token(&errors),
        ],
    );
    let mut listed: Vec<String> = partial
        .iter()
        .map(|batch| batch["id"].as_str().unwrap().to_owned())
        .collect();
    listed.extend(ids(&stdout(&rest)));
    assert_eq!(listed, ids(&stdout(&list(&env, &["--format", "jsonl"]))));
}

#[test]
fn parallel_takes_two_to_sixty_four_and_not_with_raw() {
    let env = Env::seeded(5);
    for bad in ["1", "0", "65", "many"] {
        let output = env
            .cmd()
            .args(["batches", "list", "--parallel", bad])
            .output()
            .unwrap();
        assert_eq!(code(&output), 2, "--parallel {bad}");
        assert!(
            stderr(&output).contains("--parallel <N>"),
            "{}",
            stderr(&output)
        );
    }
    let output = env
        .cmd()
        .args(["batches", "list", "--parallel", "1"])
        .output()
        .unwrap();
    assert!(stderr(&output).contains("2..=64"), "{}", stderr(&output));
    let output = env
        .cmd()
        .args(["batches", "list", "--format", "raw", "--parallel", "2"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--parallel do not apply"),
        "{}",
        stderr(&output)
    );
}
