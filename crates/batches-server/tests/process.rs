//! The binary's process contract: flags, the stdout line, signals, durability.

mod common;

use std::{
    io::Read,
    path::Path,
    process::{Child, Command},
    time::{Duration, Instant},
};

use common::{Api, BINARY, launch};
use serde_json::json;

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn prints_one_line_and_stops_cleanly_on_sigterm_and_sigint() {
    for name in ["TERM", "INT"] {
        let mut process = launch(&["--api-key", "llx-a=prj-a", "--api-key", "llx-b"]);
        let a = Api::new(&process.base_url, "llx-a");
        assert_eq!(
            a.ok("/api/v2/batches?project_id=prj-a").await["items"],
            json!([])
        );
        Api::new(&process.base_url, "llx-b")
            .ok("/api/v2/batches?project_id=prj-local")
            .await;
        let (status, _) = Api::new(&process.base_url, "llx-local-dev")
            .get("/api/v2/batches")
            .await;
        assert_eq!(status, 401, "the default key is replaced by --api-key");
        signal(&process.child, name);
        assert!(
            wait_exit(&mut process.child).success(),
            "SIG{name} is a clean stop"
        );
        let mut rest = String::new();
        process.stdout.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "", "nothing but the listening line on stdout");
    }
}

#[test]
fn sigterm_right_after_the_listening_line_is_a_clean_stop() {
    // The handlers are installed before the line is printed; a signal that arrived in
    // between used to kill the process with the signal.
    for attempt in 0..20 {
        let mut process = launch(&[]);
        signal(&process.child, "TERM");
        let status = wait_exit(&mut process.child);
        assert_eq!(status.code(), Some(0), "attempt {attempt}: {status:?}");
    }
}

#[tokio::test]
async fn committed_data_survives_kill_9_and_running_batches_resume() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("batches.sqlite");
    let db = db.to_str().unwrap();
    let mut first = launch(&["--db", db, "--processing-ms", "5"]);
    let api = Api::new(&first.base_url, "llx-local-dev");
    let directory = api.directory_with(&["a.pdf", "b.pdf"]).await;
    let done = api.create_batch(&directory, "parse_v2", "cfg-1").await;
    let (_, done) = api.wait_terminal(done["id"].as_str().unwrap()).await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let mut second = launch(&["--db", db, "--processing-ms", "100000"]);
    let api = Api::new(&second.base_url, "llx-local-dev");
    let id = done["id"].as_str().unwrap();
    assert_eq!(
        api.ok(&format!("/api/v2/batches/{id}?expand=results"))
            .await,
        done
    );
    let unfinished = api.create_batch(&directory, "parse_v2", "cfg-1").await;
    second.child.kill().unwrap();
    second.child.wait().unwrap();

    let mut third = launch(&["--db", db, "--processing-ms", "5"]);
    let api = Api::new(&third.base_url, "llx-local-dev");
    let (_, finished) = api.wait_terminal(unfinished["id"].as_str().unwrap()).await;
    assert_eq!(
        finished["status"], "COMPLETED",
        "the lifecycle resumes after a restart"
    );
    assert_eq!(
        api.ok("/api/v1/beta/directories").await["items"][0]["id"],
        directory.as_str()
    );
    signal(&third.child, "TERM");
    assert!(wait_exit(&mut third.child).success());
    assert!(Path::new(db).exists());
}

#[test]
fn bad_flags_are_refused_with_the_accepted_values() {
    for (args, expected) in [
        (vec!["--fault-rate", "2"], "from 0 to 1"),
        (
            vec!["--fault-kinds", "500,boom"],
            "500, 503, 429, reset, truncate, slow",
        ),
        (vec!["--listen", "nowhere"], "invalid socket address"),
        (vec!["--api-key", "=prj"], "KEY=PROJECT"),
    ] {
        let output = Command::new(BINARY).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    let output = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--db", "/nonexistent/dir/x.db"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/dir/x.db"));
}
