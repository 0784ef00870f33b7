//! Names, ids and values holding control characters (ESC sequences, BEL, CR, LF, C1) and
//! bidirectional overrides: escaped wherever they are shown on a terminal, exact in json,
//! jsonl and yaml.

use crate::common::{Env, code, create_args, fast, json, mock_server, stderr, stdout};

/// Sets the terminal's title, clears the screen, starts a fake row, then a C1 CSI, then
/// a right-to-left override that would show the rest of the row reversed.
const HOSTILE: &str = "\x1b]0;pwned\x07evil\x1b[2J\r\nfake row\u{9b}31m\u{202e}fdp";
/// [`HOSTILE`] as the terminal shows it.
const HOSTILE_SHOWN: &str = r"\x1b]0;pwned\x07evil\x1b[2J\r\nfake row\u{9b}31m\u{202e}fdp";

/// The control and bidirectional formatting characters of `text` other than line breaks.
fn controls(text: &str) -> String {
    text.chars()
        .filter(|c| {
            (c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
                && *c != '\n'
        })
        .collect()
}

fn create_directory(env: &Env, name: &str) -> String {
    let output = env
        .cmd()
        .args(["directories", "create", name, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    json(&output)["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_hostile_directory_name_is_escaped_in_tables_and_exact_in_data_formats() {
    let env = Env::with(fast());
    let hostile = create_directory(&env, HOSTILE);
    create_directory(&env, "plain");
    let list = |format: &str| {
        let output = env
            .cmd()
            .args(["directories", "list", "--format", format])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        stdout(&output)
    };

    let table = list("table");
    assert_eq!(controls(&table), "", "{table:?}");
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 3, "a header and one row per directory: {table}");
    assert!(rows[1].starts_with(&hostile), "{table}");
    assert!(rows[1].contains(HOSTILE_SHOWN), "{table}");
    // The columns after the name stay aligned with the header's.
    let type_column = rows[0].find("TYPE").unwrap();
    for row in &rows[1..] {
        assert_eq!(&row[type_column..type_column + 4], "user", "{table}");
    }
    let get = env
        .cmd()
        .args(["directories", "get", &hostile, "--format", "table"])
        .output()
        .unwrap();
    assert_eq!(controls(&stdout(&get)), "");
    assert!(stdout(&get).contains(HOSTILE_SHOWN));

    // The data formats carry the name as the server sent it: the item's JSON text
    // unchanged but for whitespace, the string escapes included.
    let raw = list("raw");
    let jsonl = list("jsonl");
    let hostile_line = jsonl.lines().next().unwrap();
    assert!(raw.contains(hostile_line), "{raw}\n{hostile_line}");
    let sent_name = &raw[raw.find(r#""name":"#).unwrap() + 7..];
    let sent_name = &sent_name[..sent_name.find(r#"","#).unwrap() + 1];
    let pretty = list("json");
    assert!(pretty.contains(sent_name), "{pretty}");
    let decoded: serde_json::Value = serde_json::from_str(&pretty).unwrap();
    assert_eq!(decoded[0]["name"], HOSTILE);
    assert!(list("yaml").contains(
        "  name: \"\\u001b]0;pwned\\u0007evil\\u001b[2J\\r\\nfake row\\u009b31m\u{202e}fdp\""
    ));
}

#[test]
fn an_error_echoing_a_hostile_id_shows_it_escaped() {
    let env = Env::with(fast());
    // The server's message echoes the id.
    let output = env
        .cmd()
        .args(["batches", "get", "bat-\x1b]0;pwned\x07\u{9b}2J"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert_eq!(controls(&text), "", "{text:?}");
    assert!(
        text.contains(r"Batch bat-\x1b]0;pwned\x07\u{9b}2J not found"),
        "{text}"
    );
    // A server's message is escaped whole: its line breaks cannot add a line.
    let url = mock_server(
        404,
        r#"{"detail":"Batch bat-1 not found\nhint: run this\u001b[2J\r"}"#,
    );
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", url)
        .args(["batches", "get", "bat-1"])
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(controls(&text), "", "{text:?}");
    assert_eq!(
        text.lines().count(),
        2,
        "the error and the command's own hint: {text}"
    );
    assert!(
        text.contains(r"Batch bat-1 not found\nhint: run this\x1b[2J\r"),
        "{text}"
    );

    // --debug shows the response body (JSON may carry C1 characters raw) and the URL.
    let output = env
        .cmd()
        .args(["batches", "get", "bat-\x1b]0;pwned\x07\u{9b}2J", "--debug"])
        .output()
        .unwrap();
    let text = stderr(&output);
    assert!(text.contains("response received"), "{text}");
    assert_eq!(controls(&text), "", "{text:?}");
}

#[test]
fn a_refused_hostile_value_is_echoed_escaped() {
    let env = Env::with(fast());
    // clap echoes a value it refuses; CLICOLOR_FORCE makes it print as on a terminal.
    let output = env
        .cmd()
        .env("CLICOLOR_FORCE", "1")
        .args(["batches", "list", "--status", "\x1b]0;pwned\x07\r\nX"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert_eq!(controls(&text), "", "{text:?}");
    assert!(
        text.contains(r"invalid value '\x1b]0;pwned\x07\r\nX' for '--status <STATUS>'"),
        "{text}"
    );
}

#[test]
fn a_hostile_configuration_id_is_escaped_in_the_created_batch_s_table() {
    let env = Env::with(fast());
    let directory = env.directory(1);
    let output = env
        .cmd()
        .args(create_args(&directory, "\x1b[31mred\x1b[0m"))
        .args(["--format", "table"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(controls(&stdout(&output)), "");
    assert!(stdout(&output).contains(r"\x1b[31mred\x1b[0m"));
    assert_eq!(controls(&stderr(&output)), "");
}

#[cfg(unix)]
#[test]
fn on_a_terminal_the_command_s_own_colours_stay_and_the_values_are_escaped() {
    let env = Env::with(fast());
    let mut cmd = env.std_cmd();
    cmd.args(["batches", "get", "bat-\x1b]0;pwned\x07"]);
    let (code, text) = crate::common::on_terminal(cmd);
    assert_eq!(code, 1);
    assert!(text.starts_with("\x1b[31merror\x1b[0m: "), "{text:?}");
    assert!(text.contains("\x1b[36mhint\x1b[0m: "), "{text:?}");
    assert!(text.contains(r"Batch bat-\x1b]0;pwned\x07 not found"));
    let colours_removed = text
        .replace("\x1b[31m", "")
        .replace("\x1b[36m", "")
        .replace("\x1b[0m", "");
    assert_eq!(controls(&colours_removed), "", "{text:?}");
}
