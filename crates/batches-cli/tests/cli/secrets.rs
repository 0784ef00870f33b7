//! No secret is printed: every command runs with `--debug` with the API key, custom
//! headers, a proxy password and webhook secrets (signing secrets, in the request body or
//! in the variable an option names, and webhook header values) set to marker strings, and
//! no marker may appear in stdout or stderr. Each command is one row of the table, each secret one row of
//! `SECRETS`, so a new command or a new kind of secret is one line.

use std::io::Write;
use std::process::Stdio;

use batches_server::ForwardProxy;

use crate::common::{Env, code, stderr, stdout};

/// The emulator and the proxy in front of it.
struct Secrets {
    env: Env,
    proxy: ForwardProxy,
}

/// The markers; each is a secret that must never be printed in full.
const KEY: &str = "llx-MARKER-API-KEY-7f3a9c";
const HEADER: &str = "MARKER-CUSTOM-HEADER-51d2";
const PROXY_PASSWORD: &str = "MARKER-PROXY-PASSWORD-c0de";
const SIGNING_SECRET: &str = "MARKER-SIGNING-SECRET-9e4b";
const WEBHOOK_HEADER: &str = "MARKER-WEBHOOK-HEADER-2a77";

/// `Proxy-Authorization` for `proxy-user:{PROXY_PASSWORD}`: what the proxy requires.
const PROXY_AUTHORIZATION: &str = "Basic cHJveHktdXNlcjpNQVJLRVItUFJPWFktUEFTU1dPUkQtYzBkZQ==";

/// Where each secret is given: environment variables of the command.
fn secret_environment(base_url: &str, proxy_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("LLAMA_CLOUD_API_KEY", KEY.to_owned()),
        ("LLAMA_CLOUD_BASE_URL", base_url.to_owned()),
        (
            "LLAMA_CLOUD_CUSTOM_HEADERS",
            format!("X-Gateway-Token: {HEADER}\nX-Team: data"),
        ),
        // A proxy with a password that every request goes through: whatever reads, uses
        // or shows proxy settings must hide it.
        (
            "HTTP_PROXY",
            proxy_url.replace("http://", &format!("http://proxy-user:{PROXY_PASSWORD}@")),
        ),
        // Webhook signing secrets, read by the options that name a variable.
        ("HOOK_SECRET", SIGNING_SECRET.to_owned()),
        ("LLAMACLOUD_WEBHOOK_SECRET", SIGNING_SECRET.to_owned()),
    ]
}

/// A saved webhook configuration's extra fields on stdin: a header carrying a credential.
fn webhook_headers() -> String {
    serde_json::json!({"webhook_headers": {"Authorization": format!("Bearer {WEBHOOK_HEADER}")}})
        .to_string()
}

/// A create request on stdin carrying webhook secrets.
fn webhook_body(directory: &str) -> String {
    serde_json::json!({
        "source_directory_id": directory,
        "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-1"}},
        "webhook_configurations": [{
            "webhook_url": "http://127.0.0.1:9/batches",
            "webhook_signing_secret": SIGNING_SECRET,
            "webhook_headers": {"Authorization": format!("Bearer {WEBHOOK_HEADER}")}
        }]
    })
    .to_string()
}

#[test]
fn no_command_prints_a_secret_with_debug() {
    let env = Env::with(batches_server::ServerConfig {
        api_keys: vec![(KEY.to_owned(), crate::common::PROJECT.to_owned())],
        ..crate::common::fast()
    });
    let proxy =
        ForwardProxy::start(env.server.addr(), Some(PROXY_AUTHORIZATION.to_owned())).unwrap();
    let env = Secrets { env, proxy };
    let directory = env.env.directory(2);
    let batch = {
        let output = run(
            &env,
            &["batches", "create", "--format", "jsonl"],
            Some(&webhook_body(&directory)),
        );
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let saved = {
        let output = run(
            &env,
            &[
                "webhook-configs",
                "create",
                "--url",
                "http://127.0.0.1:9/saved",
                "--secret-env",
                "HOOK_SECRET",
                "--format",
                "jsonl",
            ],
            Some(&webhook_headers()),
        );
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let folder = tempfile::tempdir().unwrap();
    for name in ["a.txt", "b.md"] {
        std::fs::write(folder.path().join(name), format!("contents of {name}")).unwrap();
    }
    let folder_path = folder.path().to_str().unwrap();
    let one_file = folder.path().join("a.txt");
    let one_file = one_file.to_str().unwrap();
    // (arguments, stdin, expected exit code)
    let commands: Vec<(Vec<&str>, Option<String>, i32)> = vec![
        (vec!["batches", "list"], None, 0),
        (vec!["batches", "list", "--max-items", "1"], None, 0),
        (
            vec!["batches", "get", &batch, "--expand", "results"],
            None,
            0,
        ),
        (vec!["batches", "get", "bat-missing"], None, 1),
        (vec!["batches", "create"], Some(webhook_body(&directory)), 0),
        (
            vec!["batches", "create", "--idempotency-key", "k-1"],
            Some(webhook_body(&directory)),
            0,
        ),
        // Refused by the server (404): the error path prints the request too.
        (
            vec!["batches", "create"],
            Some(webhook_body("dir-missing")),
            1,
        ),
        (
            vec!["batches", "wait", &batch, "--interval", "10ms"],
            None,
            0,
        ),
        (vec!["batches", "cancel", &batch], None, 1),
        (vec!["batches", "stats", "--format", "json"], None, 0),
        (vec!["batches", "list", "--parallel", "2"], None, 0),
        (
            vec![
                "batches",
                "run",
                folder_path,
                "--job-type",
                "parse_v2",
                "--configuration-id",
                "cfg-1",
                "--format",
                "json",
                "--webhook-url",
                "http://127.0.0.1:9/run-hook",
                "--webhook-secret-env",
                "HOOK_SECRET",
            ],
            None,
            0,
        ),
        (vec!["directories", "create", "reports"], None, 0),
        (vec!["directories", "list"], None, 0),
        (vec!["directories", "get", &directory], None, 0),
        (vec!["directories", "files", "list", &directory], None, 0),
        (
            vec!["directories", "files", "upload", &directory, one_file],
            None,
            0,
        ),
        (
            vec![
                "batches",
                "create",
                "--source-directory-id",
                &directory,
                "--job-type",
                "parse_v2",
                "--configuration-id",
                "cfg-1",
                "--webhook-url",
                "http://127.0.0.1:9/hook",
                "--webhook-secret-env",
                "HOOK_SECRET",
            ],
            None,
            0,
        ),
        (
            vec![
                "webhook-configs",
                "create",
                "--url",
                "http://127.0.0.1:9/saved",
                "--secret-env",
                "HOOK_SECRET",
            ],
            Some(webhook_headers()),
            0,
        ),
        // Refused by the server (400, not loopback): the error path prints the request.
        (
            vec![
                "webhook-configs",
                "create",
                "--url",
                "https://hooks.example.com/saved",
                "--secret-env",
                "HOOK_SECRET",
            ],
            Some(webhook_headers()),
            1,
        ),
        (vec!["webhook-configs", "list"], None, 0),
        (
            vec!["webhook-configs", "get", &saved, "--format", "raw"],
            None,
            0,
        ),
        (
            vec![
                "webhook-configs",
                "update",
                &saved,
                "--secret-env",
                "HOOK_SECRET",
            ],
            Some(webhook_headers()),
            0,
        ),
        (vec!["webhook-configs", "delete", &saved], None, 0),
        // A local receiver, refused before it listens: its secret is not shown.
        (
            vec!["webhooks", "listen", "--forward-to", "ftp://127.0.0.1/x"],
            None,
            2,
        ),
        (vec!["config", "show"], None, 0),
        (vec!["config", "show", "--format", "json"], None, 0),
        (vec!["config", "path"], None, 0),
        // A wrong key: the 401 path.
        (
            vec!["batches", "list", "--api-key", "llx-MARKER-WRONG-KEY-0000"],
            None,
            1,
        ),
        // Refused before sending: plain http elsewhere, credentials in the URL.
        (
            vec!["batches", "list", "--base-url", "http://192.0.2.1:9"],
            None,
            2,
        ),
        (
            vec![
                "batches",
                "list",
                "--base-url",
                "http://user:MARKER-URL-PASSWORD@127.0.0.1:9",
            ],
            None,
            2,
        ),
    ];
    let markers = [
        KEY,
        HEADER,
        PROXY_PASSWORD,
        SIGNING_SECRET,
        WEBHOOK_HEADER,
        "MARKER-WRONG-KEY",
        "MARKER-URL-PASSWORD",
    ];
    for (args, stdin, expected) in commands {
        let mut with_debug = args.clone();
        with_debug.push("--debug");
        let output = run(&env, &with_debug, stdin.as_deref());
        let (out, err) = (stdout(&output), stderr(&output));
        assert_eq!(code(&output), expected, "{args:?}: {err}");
        for marker in markers {
            assert!(
                !out.contains(marker),
                "{args:?} printed {marker} on stdout:\n{out}"
            );
            assert!(
                !err.contains(marker),
                "{args:?} printed {marker} on stderr:\n{err}"
            );
        }
        // --debug did show the exchange, so the check covers it.
        if args[0] != "config" && expected != 2 {
            assert!(err.contains("sending request"), "{args:?}: {err}");
            assert!(
                err.contains("x-gateway-token: [redacted]"),
                "{args:?}: {err}"
            );
        }
    }
    // Every request went through the proxy, with its credentials, so the check covers them.
    let proxied = env.proxy.requests();
    assert!(!proxied.is_empty());
    assert!(
        proxied
            .iter()
            .all(|request| request.proxy_authorization.as_deref() == Some(PROXY_AUTHORIZATION))
    );
}

fn run(secrets: &Secrets, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_llamacloud"));
    cmd.env_clear()
        .env("XDG_CONFIG_HOME", secrets.env.config.path())
        .envs(secret_environment(
            &secrets.env.server.base_url(),
            &secrets.proxy.url(),
        ))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

/// A run or an upload that stops prints the command that resumes it, and that command
/// holds neither the key nor the proxy's password, however they were typed; a note says
/// they were left out, and the command (with the key from the environment) works.
#[test]
fn a_resume_command_carries_no_secret() {
    let env = Env::with(batches_server::ServerConfig {
        api_keys: vec![(KEY.to_owned(), crate::common::PROJECT.to_owned())],
        // The batch never finishes within --timeout, so the run stops and says how to
        // resume.
        processing_ms: 60_000,
        upload_rate_limit: None,
        ..crate::common::fast()
    });
    let proxy =
        ForwardProxy::start(env.server.addr(), Some(PROXY_AUTHORIZATION.to_owned())).unwrap();
    let proxy_url = proxy
        .url()
        .replace("http://", &format!("http://proxy-user:{PROXY_PASSWORD}@"));
    let dir = crate::folders::docs(3);
    let key_equals = format!("--api-key={KEY}");
    let ways: [&[&str]; 3] = [
        &["--api-key", KEY],
        &[&key_equals],
        &["--api-key", KEY, "--proxy", &proxy_url],
    ];
    for way in ways {
        let mut cmd = std_cmd_without_key(&env);
        let output = cmd
            .current_dir(dir.path())
            .args(way)
            .args(["batches", "run", "docs", "--job-type", "parse_v2"])
            .args([
                "--configuration-id",
                "cfg-PARSE_AGENTIC",
                "--timeout",
                "200ms",
            ])
            .args(["--format", "jsonl"])
            .output()
            .unwrap();
        let errors = stderr(&output);
        assert_eq!(code(&output), 5, "{way:?}: {errors}");
        for secret in [KEY, PROXY_PASSWORD] {
            assert!(
                !errors.contains(secret),
                "{way:?} printed a secret: {errors}"
            );
        }
        let command = crate::folders::resume_command(&errors);
        assert!(command.contains("--directory-id dir-"), "{command}");
        assert!(errors.contains("--api-key") && errors.contains("LLAMA_CLOUD_API_KEY"));
        if way.contains(&"--proxy") {
            assert!(
                errors.contains("--api-key and --proxy left out"),
                "{errors}"
            );
            assert!(!command.contains("--proxy"), "{command}");
        }
    }

    // The command as printed, with the key where the note says: it finishes the run.
    let mut cmd = std_cmd_without_key(&env);
    let output = cmd
        .current_dir(dir.path())
        .args([
            "--api-key",
            KEY,
            "batches",
            "run",
            "docs",
            "--job-type",
            "parse_v2",
        ])
        .args([
            "--configuration-id",
            "cfg-PARSE_AGENTIC",
            "--timeout",
            "200ms",
        ])
        .output()
        .unwrap();
    let command = crate::folders::resume_command(&stderr(&output));
    let output = std::process::Command::new("sh")
        .args(["-c", &command])
        .current_dir(dir.path())
        .env("LLAMA_CLOUD_API_KEY", KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .output()
        .unwrap();
    assert_eq!(code(&output), 5, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("still PENDING"),
        "{}",
        stderr(&output)
    );
}

/// `directories files upload` interrupted: the same holds.
#[cfg(unix)]
#[test]
fn an_interrupted_upload_resumes_without_a_secret() {
    use std::io::Read;
    use std::time::{Duration, Instant};

    let env = Env::with(batches_server::ServerConfig {
        api_keys: vec![(KEY.to_owned(), crate::common::PROJECT.to_owned())],
        upload_rate_limit: None,
        ..crate::common::fast()
    });
    let directory = env.directory(0);
    let dir = crate::folders::docs(60);
    let mut child = std_cmd_without_key(&env)
        .current_dir(dir.path())
        .args(["directories", "files", "upload", &directory, "docs"])
        .args([
            "--api-key",
            KEY,
            "--upload-rate",
            "10/s",
            "--upload-concurrency",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while env.server.counts().uploads < 3 {
        assert!(Instant::now() < deadline, "the uploads never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: signals our own child, not yet waited for.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130), "{errors}");
    assert!(!errors.contains(KEY), "{errors}");
    let command = crate::folders::resume_command(&errors);
    assert!(command.contains(&directory), "{command}");
    assert!(errors.contains("--api-key left out"), "{errors}");
}

/// The command of [`Env::std_cmd`] without the key in its environment.
fn std_cmd_without_key(env: &Env) -> std::process::Command {
    let mut cmd = env.std_cmd();
    cmd.env_remove("LLAMA_CLOUD_API_KEY");
    cmd
}
