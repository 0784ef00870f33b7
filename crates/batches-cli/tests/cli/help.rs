//! `--help` of every command, snapshotted; `--version`; completions.

use crate::common::{bare_cmd, code, stdout};

#[test]
fn help_of_every_command() {
    let config = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &[],
        &["batches"],
        &["batches", "list"],
        &["batches", "get"],
        &["batches", "create"],
        &["batches", "cancel"],
        &["batches", "wait"],
        &["batches", "stats"],
        &["batches", "run"],
        &["batches", "report"],
        &["directories"],
        &["directories", "create"],
        &["directories", "get"],
        &["directories", "list"],
        &["directories", "files"],
        &["directories", "files", "list"],
        &["directories", "files", "upload"],
        &["parse"],
        &["parse", "get"],
        &["extract"],
        &["extract", "get"],
        &["completion"],
        &["config"],
        &["config", "show"],
        &["config", "set"],
        &["config", "unset"],
        &["config", "path"],
        &["webhooks"],
        &["webhooks", "listen"],
        &["webhook-configs"],
        &["webhook-configs", "create"],
        &["webhook-configs", "list"],
        &["webhook-configs", "get"],
        &["webhook-configs", "update"],
        &["webhook-configs", "delete"],
    ];
    for command in commands {
        let output = bare_cmd(&config)
            .args(*command)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{command:?}");
        let name = if command.is_empty() {
            "llamacloud".to_owned()
        } else {
            command.join("-")
        };
        insta::assert_snapshot!(format!("help-{name}"), stdout(&output));
    }
}

#[test]
fn exit_codes_are_in_the_help() {
    let config = tempfile::tempdir().unwrap();
    let output = bare_cmd(&config).arg("--help").output().unwrap();
    for line in [
        "0    success",
        "1    the API refused",
        "2    bad usage",
        "3    network",
        "4    wait",
        "5    wait",
        "130  interrupted",
    ] {
        assert!(stdout(&output).contains(line), "{line}");
    }
}

#[test]
fn version() {
    let config = tempfile::tempdir().unwrap();
    let output = bare_cmd(&config).arg("--version").output().unwrap();
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        format!("llamacloud {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completion_scripts_for_every_shell() {
    let config = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = bare_cmd(&config)
            .args(["completion", shell])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{shell}");
        let script = stdout(&output);
        assert!(
            script.contains("llamacloud") && script.contains("starting-token"),
            "{shell}"
        );
    }
    let output = bare_cmd(&config)
        .args(["completion", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(
        message.contains("bash, elvish, fish, powershell, zsh"),
        "{message}"
    );
}
