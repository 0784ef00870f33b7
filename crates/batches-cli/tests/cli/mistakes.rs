//! What a careless user or script does: an empty or credential-bearing base URL, a
//! loosened configuration file, a zero count, a date without offset, a full disk.

use crate::common::{Env, bare_cmd, code, create_args, ids, stderr, stdout};

#[test]
fn an_empty_base_url_is_refused_from_every_source() {
    let env = Env::seeded(1);
    // A profile that would otherwise work, so the refusal is the empty value's.
    let output = env
        .cmd()
        .args(["config", "set", "base-url", &env.server.base_url()])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let cases = [
        ("option", vec!["--base-url", ""], None, "(explicit)"),
        ("variable", vec![], Some(""), "(env LLAMA_CLOUD_BASE_URL)"),
    ];
    for (what, args, variable, source) in cases {
        let mut cmd = env.cmd();
        match variable {
            Some(value) => cmd.env("LLAMA_CLOUD_BASE_URL", value),
            None => cmd.env_remove("LLAMA_CLOUD_BASE_URL"),
        };
        let output = cmd.args(args).args(["batches", "list"]).output().unwrap();
        assert_eq!(code(&output), 2, "{what}: {}", stderr(&output));
        let errors = stderr(&output);
        assert!(
            errors.contains(&format!("the base URL {source} is empty")),
            "{what}: {errors}"
        );
        assert!(output.stdout.is_empty());
    }

    // An empty value in the profile itself.
    std::fs::write(env.config_file(), "[default]\nbase_url = \"\"\n").unwrap();
    let output = env
        .cmd()
        .env_remove("LLAMA_CLOUD_BASE_URL")
        .args(["batches", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the base URL (profile default) is empty"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_empty_api_key_option_is_refused_rather_than_replaced_by_the_environments() {
    // The environment holds a working key: `--api-key "$UNSET"` must not fall back to it.
    let env = Env::seeded(1);
    for args in [["--api-key", ""], ["--api-key", " "]] {
        let output = env
            .cmd()
            .args(args)
            .args(["batches", "list"])
            .output()
            .unwrap();
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("the API key (explicit) is empty"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn a_base_url_with_credentials_is_refused_without_printing_them() {
    let env = Env::seeded(1);
    let url = env
        .server
        .base_url()
        .replace("http://", "http://user:PASSWORD-MARKER@");
    for debug in [false, true] {
        let mut cmd = env.cmd();
        cmd.args(["--base-url", &url, "batches", "list"]);
        if debug {
            cmd.arg("--debug");
        }
        let output = cmd.output().unwrap();
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        let errors = stderr(&output);
        assert!(
            errors.contains("must not contain a user name or password"),
            "{errors}"
        );
        assert!(!errors.contains("PASSWORD-MARKER"), "{errors}");
    }
    let output = env
        .cmd()
        .args(["config", "set", "base-url", &url])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(!stderr(&output).contains("PASSWORD-MARKER"));
    let output = env
        .cmd()
        .args(["--base-url", &url, "config", "show"])
        .output()
        .unwrap();
    assert!(
        !stdout(&output).contains("PASSWORD-MARKER"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn plain_http_to_another_host_says_what_is_accepted() {
    let config = tempfile::tempdir().unwrap();
    let output = bare_cmd(&config)
        .args([
            "--api-key",
            "llx-k",
            "--base-url",
            "http://192.0.2.1:9",
            "batches",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output)
            .contains("use an https base URL (plain http is accepted only for this machine"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn config_set_makes_a_loosened_file_private_again() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::seeded(0);
    let mode = || {
        std::fs::metadata(env.config_file())
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    for (key, value) in [("api-key", "llx-first"), ("region", "eu")] {
        let output = env
            .cmd()
            .args(["config", "set", key, value])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(mode(), 0o600);
        std::fs::set_permissions(env.config_file(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    let output = env
        .cmd()
        .args(["config", "unset", "region"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    assert_eq!(mode(), 0o600, "unset rewrites the file privately too");
}

#[test]
fn counts_dates_and_notes_read_well() {
    let env = Env::seeded(3);
    let output = env
        .cmd()
        .args(["batches", "list", "--max-items", "0"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("must be at least 1; leave --max-items out to list every batch"),
        "{}",
        stderr(&output)
    );

    let output = env
        .cmd()
        .args(["batches", "list", "--format", "jsonl", "--max-items", "1"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    assert!(
        stderr(&output).contains("stopped after 1 batch (--max-items)"),
        "{}",
        stderr(&output)
    );

    // Without an offset the instant is UTC, as the server reads it: the same batches as
    // with `Z`.
    let list = |when: &str| {
        let output = env
            .cmd()
            .args([
                "batches",
                "list",
                "--format",
                "jsonl",
                "--created-at-on-or-after",
                when,
            ])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{when}: {}", stderr(&output));
        ids(&stdout(&output))
    };
    assert_eq!(list("2000-01-01T00:00:00"), list("2000-01-01T00:00:00Z"));
    assert_eq!(list("2000-01-01T00:00:00").len(), 3);
    assert!(list("2999-01-01T00:00:00").is_empty());
}

#[test]
fn a_create_on_a_missing_directory_hints_at_the_directory() {
    let env = Env::seeded(0);
    let output = env
        .cmd()
        .args(create_args("dir-missing", "cfg-1"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    let errors = stderr(&output);
    assert!(
        errors.contains("Directory dir-missing not found"),
        "{errors}"
    );
    assert!(
        errors.contains("hint: check --source-directory-id"),
        "{errors}"
    );
    assert!(!errors.contains("shows the batches"), "{errors}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_is_a_local_failure() {
    let env = Env::seeded(2);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    // assert_cmd captures stdout; the bare command writes where it is told.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_llamacloud"))
        .env_clear()
        .env("XDG_CONFIG_HOME", env.config.path())
        .env("LLAMA_CLOUD_API_KEY", crate::common::KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .args(["batches", "list", "--format", "jsonl"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("could not write the output"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
