//! `directories create|get|list` and `directories files list|upload`: formats,
//! `--transform`, exit codes, resuming a listing and an upload.

use crate::common::{Env, code, json, starting_token, stderr, stdout};
use crate::folders::{docs, records, unlimited, write};

fn create(env: &Env, name: &str, args: &[&str]) -> serde_json::Value {
    let output = env
        .cmd()
        .args(["directories", "create", name, "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    json(&output)
}

#[test]
fn create_get_and_list_directories() {
    let env = Env::with(unlimited());
    let scans = create(
        &env,
        "scans",
        &["--type", "ephemeral", "--description", "to parse"],
    );
    assert!(scans["id"].as_str().unwrap().starts_with("dir-"));
    assert_eq!(scans["type"], "ephemeral");
    assert_eq!(scans["description"], "to parse");
    let kept = create(&env, "kept", &[]);
    assert_eq!(kept["type"], "user");

    let id = scans["id"].as_str().unwrap();
    let output = env
        .cmd()
        .args(["directories", "get", id, "--format", "raw"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap(),
        scans
    );
    let output = env
        .cmd()
        .args(["directories", "get", "dir-nope"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("HTTP 404"), "{}", stderr(&output));

    let output = env
        .cmd()
        .args(["directories", "list", "--format", "jsonl"])
        .output()
        .unwrap();
    let listed = records(&output);
    assert_eq!(
        listed.iter().map(|d| &d["name"]).collect::<Vec<_>>(),
        ["scans", "kept"]
    );
    let output = env
        .cmd()
        .args([
            "directories",
            "list",
            "--type",
            "ephemeral",
            "--transform",
            ".name",
            "-r",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "scans\n");
    let output = env
        .cmd()
        .args(["directories", "list", "--format", "table"])
        .output()
        .unwrap();
    let table = stdout(&output);
    assert!(table.starts_with("ID  "), "{table}");
    assert!(
        table.contains(" scans ") && table.contains(" ephemeral "),
        "{table}"
    );
    let output = env
        .cmd()
        .args(["directories", "create", "x", "--type", "index"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "index directories are the server's own");
}

#[test]
fn a_directory_listing_resumes_where_it_stopped() {
    let env = Env::with(unlimited());
    for n in 0..7 {
        create(&env, &format!("d{n}"), &[]);
    }
    let output = env
        .cmd()
        .args([
            "directories",
            "list",
            "--page-size",
            "3",
            "--max-items",
            "4",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let first: Vec<_> = records(&output)
        .into_iter()
        .map(|d| d["name"].clone())
        .collect();
    assert_eq!(first, ["d0", "d1", "d2", "d3"]);
    let message = stderr(&output);
    assert!(
        message.contains("stopped after 4 directories (--max-items)"),
        "{message}"
    );
    let token = starting_token(&message);
    let output = env
        .cmd()
        .args([
            "directories",
            "list",
            "--page-size",
            "3",
            "--format",
            "jsonl",
        ])
        .args(["--starting-token", &token])
        .output()
        .unwrap();
    let rest: Vec<_> = records(&output)
        .into_iter()
        .map(|d| d["name"].clone())
        .collect();
    assert_eq!(rest, ["d4", "d5", "d6"]);
    // The token belongs to this listing, not to another resource's.
    let output = env
        .cmd()
        .args(["batches", "list", "--starting-token", &token])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let output = env
        .cmd()
        .args([
            "directories",
            "list",
            "--name",
            "d1",
            "--starting-token",
            &token,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "other filters");
}

#[test]
fn files_are_uploaded_once_and_listed_with_filters() {
    let env = Env::with(unlimited());
    let directory = create(&env, "docs", &[]);
    let id = directory["id"].as_str().unwrap();
    let dir = docs(5);
    write(dir.path(), "docs/.hidden.md", "skipped");
    let upload = |extra: &[&str]| {
        env.cmd()
            .current_dir(dir.path())
            .args([
                "directories",
                "files",
                "upload",
                id,
                "docs",
                "--format",
                "jsonl",
            ])
            .args(["--upload-rate", "1000/s"])
            .args(extra)
            .output()
            .unwrap()
    };
    let output = upload(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let uploaded = records(&output);
    assert_eq!(uploaded.len(), 5);
    assert_eq!(uploaded[0]["unique_id"], "docs/part-0/note-0000.md");
    assert_eq!(uploaded[0]["display_name"], "note-0000.md");
    assert_eq!(env.server.counts().uploads, 5);

    // Run again with one more file: only that one is sent, every file is printed.
    write(dir.path(), "docs/extra.md", "# more");
    let output = upload(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(records(&output).len(), 6);
    assert_eq!(env.server.counts().uploads, 6);
    let output = upload(&["--dry-run", "--include", "extra.md"]);
    assert_eq!(records(&output)[0]["directory"], id);
    assert_eq!(env.server.counts().uploads, 6);

    let list = |extra: &[&str]| {
        let output = env
            .cmd()
            .args(["directories", "files", "list", id, "--format", "jsonl"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        records(&output)
    };
    assert_eq!(list(&[]).len(), 6);
    assert_eq!(list(&["--display-name-contains", "0003"]).len(), 1);
    assert_eq!(
        list(&["--unique-id", "docs/extra.md"])[0]["display_name"],
        "extra.md"
    );
    assert_eq!(
        list(&["--updated-at-on-or-after", "2000-01-01", "--page-size", "2"]).len(),
        6
    );
    assert_eq!(list(&["--updated-at-on-or-before", "2000-01-01"]).len(), 0);

    let output = env
        .cmd()
        .args([
            "directories",
            "files",
            "list",
            id,
            "--page-size",
            "2",
            "--max-items",
            "3",
        ])
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    let token = starting_token(&stderr(&output));
    let output = env
        .cmd()
        .args([
            "directories",
            "files",
            "list",
            id,
            "--starting-token",
            &token,
        ])
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(records(&output).len(), 3);
    let output = env
        .cmd()
        .args([
            "directories",
            "files",
            "list",
            "dir-other",
            "--starting-token",
            &token,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "a token belongs to its directory");

    let output = env
        .cmd()
        .args(["directories", "files", "list", id, "--format", "table"])
        .output()
        .unwrap();
    let table = stdout(&output);
    assert!(
        table.starts_with("ID  ") && table.contains("UNIQUE ID"),
        "{table}"
    );
    assert!(table.contains("docs/extra.md"), "{table}");
}

#[test]
fn an_upload_into_a_missing_directory_fails_each_file_and_says_how_to_resume() {
    let env = Env::with(unlimited());
    let dir = docs(2);
    let output = env
        .cmd()
        .current_dir(dir.path())
        .args(["directories", "files", "upload", "dir-nope", "docs"])
        .output()
        .unwrap();
    assert_eq!(
        code(&output),
        1,
        "the listing of the directory is refused: {}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("Directory dir-nope not found"),
        "{}",
        stderr(&output)
    );
    assert_eq!(env.server.counts().uploads, 0);
}
