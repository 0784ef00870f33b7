//! `batches wait` and `create --wait`: polling to the end, the exit code of each outcome,
//! and Ctrl-C.

use batches_server::ServerConfig;

use crate::common::{Env, KEY, code, create_args, fast, json, stderr};

#[test]
fn create_wait_runs_to_completion() {
    let env = Env::seeded(0);
    let directory = env.directory(3);
    let output = env
        .cmd()
        .args(create_args(&directory, "cfg-PARSE_AGENTIC"))
        .args(["--wait", "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let batch = json(&output);
    assert_eq!(batch["status"], "COMPLETED");
    assert_eq!(batch["results"].as_array().unwrap().len(), 3);
}

#[test]
fn wait_exit_codes() {
    let env = Env::with(ServerConfig {
        processing_ms: 100,
        ..fast()
    });
    let directory = env.directory(2);
    let create = |configuration: &str| {
        let output = env
            .cmd()
            .args(create_args(&directory, configuration))
            .output()
            .unwrap();
        json(&output)["id"].as_str().unwrap().to_owned()
    };

    // A preset of the other product fails the batch.
    let failing = create("cfg-EXTRACT_INVOICE");
    let output = env
        .cmd()
        .args(["batches", "wait", &failing, "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert_eq!(json(&output)["status"], "FAILED");
    assert!(stderr(&output).contains("ended FAILED"));

    // A batch that stays PENDING for a minute: the wait times out, then ends CANCELLED.
    let slow_env = Env::with(ServerConfig {
        processing_ms: 60_000,
        ..fast()
    });
    let slow_directory = slow_env.directory(1);
    let created = slow_env
        .cmd()
        .args(create_args(&slow_directory, "cfg-PARSE_FAST"))
        .output()
        .unwrap();
    let slow = json(&created)["id"].as_str().unwrap().to_owned();
    let output = slow_env
        .cmd()
        .args([
            "batches",
            "wait",
            &slow,
            "--timeout",
            "150ms",
            "--interval",
            "50ms",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 5, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("still PENDING"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());

    slow_env
        .cmd()
        .args(["batches", "cancel", &slow])
        .output()
        .unwrap();
    let output = slow_env
        .cmd()
        .args(["batches", "wait", &slow])
        .output()
        .unwrap();
    assert_eq!(code(&output), 4);
    assert_eq!(json(&output)["status"], "CANCELLED");

    let done = create("cfg-PARSE_FAST");
    let output = env
        .cmd()
        .args([
            "batches",
            "wait",
            &done,
            "--interval",
            "50ms",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    assert_eq!(json(&output)["status"], "COMPLETED");
}

#[test]
fn ctrl_c_stops_a_wait_with_130() {
    use std::io::Read;
    use std::process::{Command, Stdio};

    let env = Env::with(ServerConfig {
        processing_ms: 60_000,
        ..fast()
    });
    let directory = env.directory(1);
    let created = env
        .cmd()
        .args(create_args(&directory, "cfg-PARSE_FAST"))
        .output()
        .unwrap();
    let id = json(&created)["id"].as_str().unwrap().to_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_llamacloud"))
        .args(["batches", "wait", &id])
        .env("LLAMA_CLOUD_API_KEY", KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to our own child, which has not been waited for yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{errors}");
    assert!(errors.contains("interrupted"));
    assert!(output.stdout.is_empty());
}
