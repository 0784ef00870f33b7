//! `batches report DIR`: the report page of an export folder, written with no API key and
//! no request.

use std::fs;

use crate::common::{bare_cmd, code, stderr, stdout};

#[test]
fn report_writes_the_page_and_prints_its_path() {
    let config = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/a.md"), "# A <b>").unwrap();
    fs::write(
        dir.path().join("manifest.jsonl"),
        concat!(
            r#"{"path":"docs/a.pdf","job_status":"COMPLETED","pages":3,"credits":4.5,"output":"out/a.md","error":null}"#,
            "\n",
            r#"{"path":"docs/<b>.pdf","job_status":"FAILED","error":"parse failed"}"#,
            "\n",
            r#"{"path":"docs/c.pdf","job_st"#,
        ),
    )
    .unwrap();
    // An older page is replaced.
    fs::write(dir.path().join("report.html"), "old").unwrap();

    let output = bare_cmd(&config)
        .arg("batches")
        .arg("report")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = dir.path().join("report.html");
    assert_eq!(stdout(&output), format!("{}\n", report.display()));
    let page = fs::read_to_string(&report).unwrap();
    assert!(page.contains("<td class=\"path\">docs/a.pdf</td>"));
    assert!(page.contains("<td class=\"path\">docs/&lt;b&gt;.pdf</td>"));
    assert!(
        !page.contains("docs/c.pdf"),
        "the torn last line is left out"
    );
    assert!(page.contains("<a href=\"./out/a.md\">out/a.md</a>"));
    assert!(page.contains("\"text\":\"# A \\u003cb\\u003e\""));
    assert!(page.contains("<dt>Credits</dt><dd>4.5</dd>"));
}

#[test]
fn report_without_a_manifest_names_the_missing_file() {
    let config = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = bare_cmd(&config)
        .arg("batches")
        .arg("report")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    let manifest = dir.path().join("manifest.jsonl");
    assert!(
        stderr(&output).contains(&format!("{} not found", manifest.display())),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("report.html").exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

    // A file given as the folder: the same error.
    let file = dir.path().join("manifest.jsonl.txt");
    fs::write(&file, "{}").unwrap();
    let output = bare_cmd(&config)
        .args(["batches", "report"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains(&format!(
            "{} not found",
            file.join("manifest.jsonl").display()
        )),
        "{}",
        stderr(&output)
    );
}
