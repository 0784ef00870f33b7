//! Listing: every page, filters, --max-items and exact resumption, Ctrl-C, a closed pipe.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use batches_server::ServerConfig;

use crate::common::{Env, KEY, code, fast, ids, starting_token, stderr, stdout};

#[test]
fn fetches_every_page() {
    let env = Env::seeded(23);
    let output = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl", "--page-size", "5"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let listed = ids(&stdout(&output));
    assert_eq!(listed.len(), 23);
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 23);

    let output = env
        .cmd()
        .args(["batches", "list", "--page-size", "4"])
        .output()
        .unwrap();
    let array: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(array.len(), 23, "json is one array over every page");
}

#[test]
fn every_filter_is_sent() {
    let env = Env::seeded(40);
    let all = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    let all: Vec<serde_json::Value> = stdout(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--status",
            "cancelled",
            "--page-size",
            "3",
        ])
        .output()
        .unwrap();
    let cancelled = all.iter().filter(|b| b["status"] == "CANCELLED").count();
    assert!(cancelled > 0);
    assert_eq!(ids(&stdout(&output)).len(), cancelled);

    let directory = all[0]["source_directory_id"].as_str().unwrap();
    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--source-directory-id",
            directory,
            "--project-id",
            "prj-local",
            "--organization-id",
            "org-1",
        ])
        .output()
        .unwrap();
    let in_directory = all
        .iter()
        .filter(|b| b["source_directory_id"] == directory)
        .count();
    assert_eq!(ids(&stdout(&output)).len(), in_directory);

    // Seeded batches span the last 30 days.
    let recent = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--created-at-on-or-after",
            "10d",
        ])
        .output()
        .unwrap();
    let older = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--created-at-on-or-before",
            "10d",
        ])
        .output()
        .unwrap();
    let (recent, older) = (ids(&stdout(&recent)).len(), ids(&stdout(&older)).len());
    assert!(
        recent > 0 && older > 0 && recent + older == all.len(),
        "{recent} + {older}"
    );

    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--created-at-on-or-after",
            "2000-01-01",
            "--created-at-on-or-before",
            "2000-01-02T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "");

    let output = env
        .cmd()
        .args(["batches", "list", "--project-id", "prj-other"])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        1,
        "another project is refused: {}",
        stderr(&output)
    );
}

/// Runs `batches list --format jsonl` with `args`, resuming from `token` when given.
fn list_jsonl(env: &Env, args: &[&str], token: Option<&str>) -> std::process::Output {
    let mut cmd = env.cmd();
    cmd.args(["batches", "list", "--format", "jsonl"])
        .args(args);
    if let Some(token) = token {
        cmd.args(["--starting-token", token]);
    }
    cmd.output().unwrap()
}

#[test]
fn max_items_then_starting_token_continues_exactly() {
    let env = Env::seeded(23);
    let full = ids(&stdout(
        &env.cmd()
            .args(["batches", "list", "--format", "jsonl"])
            .output()
            .unwrap(),
    ));

    let mut resumed = Vec::new();
    let mut token: Option<String> = None;
    // 6 at a time over pages of 4: stops land mid-page and on page boundaries.
    loop {
        let output = list_jsonl(
            &env,
            &["--page-size", "4", "--max-items", "6"],
            token.as_deref(),
        );
        assert_eq!(code(&output), 0);
        resumed.extend(ids(&stdout(&output)));
        if !stderr(&output).contains("--starting-token") {
            break;
        }
        token = Some(starting_token(&stderr(&output)));
    }
    assert_eq!(resumed, full, "no duplicate, no gap");

    let output = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl", "--max-items", "23"])
        .output()
        .unwrap();
    assert!(
        !stderr(&output).contains("--starting-token"),
        "nothing left to resume"
    );
}

#[test]
fn resumes_after_batches_were_created() {
    let env = Env::seeded(10);
    let all = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    let seeded = ids(&stdout(&all));
    let first = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl", "--max-items", "3"])
        .output()
        .unwrap();
    let token = starting_token(&stderr(&first));
    let directory = env.directory(1);
    let created = env
        .cmd()
        .args([
            "batches",
            "create",
            "--source-directory-id",
            &directory,
            "--job-type",
            "parse_v2",
            "--configuration-id",
            "cfg-PARSE_FAST",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let rest = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--starting-token",
            &token,
        ])
        .output()
        .unwrap();
    let mut listed = ids(&stdout(&first));
    listed.extend(ids(&stdout(&rest)));
    assert_eq!(listed.len(), 10, "the seeded batches, each once");
    assert_eq!(listed, seeded, "the seeded batches, each once, in order");
}

#[test]
fn starting_token_of_another_listing_is_refused() {
    let env = Env::seeded(10);
    let first = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl", "--max-items", "3"])
        .output()
        .unwrap();
    let token = starting_token(&stderr(&first));
    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--status",
            "FAILED",
            "--starting-token",
            &token,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("other filters"));
    let output = env
        .cmd()
        .args(["batches", "list", "--starting-token", "not-a-token"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("is not a starting token"));
    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--starting-token",
            &token,
            "--page-token",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
}

#[test]
fn relative_dates_are_pinned_by_the_starting_token() {
    let env = Env::seeded(12);
    let args = [
        "batches",
        "list",
        "--format",
        "jsonl",
        "--created-at-on-or-after",
        "40d",
        "--page-size",
        "5",
    ];
    let full = ids(&stdout(&env.cmd().args(args).output().unwrap()));
    let first = env
        .cmd()
        .args(args)
        .args(["--max-items", "7"])
        .output()
        .unwrap();
    let rest = env
        .cmd()
        .args(args)
        .args(["--starting-token", &starting_token(&stderr(&first))])
        .output()
        .unwrap();
    assert_eq!(code(&rest), 0, "{}", stderr(&rest));
    let mut listed = ids(&stdout(&first));
    listed.extend(ids(&stdout(&rest)));
    assert_eq!(listed, full);
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_valid_json_and_a_starting_token() {
    let env = Env::with(ServerConfig {
        seed: 12,
        latency_ms: 150,
        ..fast()
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_llamacloud"))
        .args(["batches", "list", "--format", "json", "--page-size", "2"])
        .env("LLAMA_CLOUD_API_KEY", KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    // Wait for the first batch of the listing to be out.
    while !printed.contains("\"id\"") {
        assert!(
            reader.read_line(&mut printed).unwrap() > 0,
            "output ended early"
        );
    }
    std::thread::sleep(Duration::from_millis(200));
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
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(130), "{errors}");
    let partial: Vec<serde_json::Value> =
        serde_json::from_str(&printed).expect("valid JSON after Ctrl-C");
    assert!(
        !partial.is_empty() && partial.len() < 12,
        "{}",
        partial.len()
    );
    assert!(errors.contains("interrupted"), "{errors}");

    let rest = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--starting-token",
            &starting_token(&errors),
        ])
        .output()
        .unwrap();
    let mut listed: Vec<String> = partial
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    listed.extend(ids(&stdout(&rest)));
    let full = ids(&stdout(
        &env.cmd()
            .args(["batches", "list", "--format", "jsonl"])
            .output()
            .unwrap(),
    ));
    assert_eq!(listed, full);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = Env::seeded(1500);
    let mut child = Command::new(env!("CARGO_BIN_EXE_llamacloud"))
        .args(["batches", "list", "--page-size", "500"])
        .env("LLAMA_CLOUD_API_KEY", KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "[\n");
    // The reader is gone (like `| head -1`).
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "", "no panic, no error text");
}

#[test]
fn an_error_mid_listing_says_how_to_resume() {
    // Every request after the first fails for good.
    let env = Env::with(ServerConfig {
        seed: 8,
        fault_rate: 0.5,
        fault_kinds: vec![batches_server::FaultKind::InternalServerError],
        fault_seed: 3,
        ..fast()
    });
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..50 {
        let output = list_jsonl(
            &env,
            &["--page-size", "2", "--max-retries", "0"],
            token.as_deref(),
        );
        listed.extend(ids(&stdout(&output)));
        match code(&output) {
            0 => break,
            1 => {
                assert!(stderr(&output).contains("HTTP 500"), "{}", stderr(&output));
                if stderr(&output).contains("--starting-token") {
                    token = Some(starting_token(&stderr(&output)));
                }
            }
            other => panic!("exit {other}: {}", stderr(&output)),
        }
    }
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

#[test]
fn quiet_hides_notes_but_not_errors() {
    let env = Env::seeded(5);
    let output = env
        .cmd()
        .args(["batches", "list", "--max-items", "2", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    assert_eq!(stderr(&output), "");
    let output = env
        .cmd()
        .args([
            "batches", "list", "--format", "table", "--status", "RUNNING",
        ])
        .args(["--created-at-on-or-before", "2000-01-01"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "no batches found\n");
    let output = env
        .cmd()
        .args(["batches", "get", "bat-none", "--quiet"])
        .output()
        .unwrap();
    assert!(stderr(&output).starts_with("error: "));
}
