//! The report page of an export folder, written from real files in a temporary folder and
//! read back as a browser would get it.

use std::fs;
use std::path::Path;

use batches_run::report_html::{
    MANIFEST, Manifest, PREVIEW_BYTES, PREVIEWS_TOTAL_BYTES, REPORT, write_report,
};
use serde_json::{Value, json};

/// A manifest line for `path` with `status` (and an error when it did not complete).
fn line(path: &str, status: Option<&str>, output: Option<&str>) -> Value {
    json!({
        "path": path,
        "sha256": "00",
        "bytes": 10,
        "directory_file_id": "dfl-1",
        "batch_id": "bat-1",
        "job_id": status.map(|_| "pjb-1"),
        "job_status": status,
        "error": match status { Some("COMPLETED") => None, _ => Some("it failed") },
        "pages": 2,
        "credits": 1.5,
        "output": output,
        "finished_at": "2026-01-02T03:04:05Z",
    })
}

fn write_manifest(dir: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    fs::write(dir.join(MANIFEST), text).unwrap();
}

fn report(dir: &Path) -> String {
    let path = write_report(dir).expect("the report is written");
    assert_eq!(path, dir.join(REPORT));
    fs::read_to_string(path).unwrap()
}

/// The text of each row's path cell, in order.
fn row_paths(page: &str) -> Vec<&str> {
    page.split("<td class=\"path\">")
        .skip(1)
        .map(|rest| &rest[..rest.find("</td>").unwrap()])
        .collect()
}

/// The embedded previews, decoded as the page's script decodes them.
fn previews(page: &str) -> serde_json::Map<String, Value> {
    let start = page
        .find("<script type=\"application/json\" id=\"previews\">")
        .unwrap();
    let body = &page[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    match serde_json::from_str(body).expect("the previews are JSON") {
        Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    }
}

/// The values of every `attribute="…"` in the page's markup.
fn attribute_values<'a>(page: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    page.match_indices(&needle)
        .map(|(at, _)| {
            let value = &page[at + needle.len()..];
            &value[..value.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn every_file_has_a_row_and_the_totals_come_from_the_manifest_without_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<Value> = (0..1000)
        .map(|index| {
            let status = if index % 10 == 0 {
                "FAILED"
            } else {
                "COMPLETED"
            };
            line(&format!("docs/file-{index:04}.pdf"), Some(status), None)
        })
        .collect();
    write_manifest(dir.path(), &lines);
    let page = report(dir.path());
    let paths = row_paths(&page);
    assert_eq!(paths.len(), 1000);
    for (index, path) in paths.iter().enumerate() {
        assert_eq!(*path, format!("docs/file-{index:04}.pdf"));
    }
    let totals = &page[page.find("id=\"totals\"").unwrap()..page.find("</dl>").unwrap()];
    assert!(totals.contains("<dt>Done</dt><dd>900</dd>"), "{totals}");
    assert!(totals.contains("<dt>Failed</dt><dd>100</dd>"), "{totals}");
    assert!(totals.contains("<dt>Pages</dt><dd>2000</dd>"), "{totals}");
    assert!(totals.contains("<dt>Credits</dt><dd>1500</dd>"), "{totals}");
    // Neither is in the manifest.
    assert!(totals.contains("<dt>Skipped</dt><dd>–</dd>"), "{totals}");
    assert!(totals.contains("<dt>Time</dt><dd>–</dd>"), "{totals}");
    assert!(page.contains("<option value=\"FAILED\">FAILED (100)</option>"));
}

#[test]
fn the_summary_gives_the_totals_it_has() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), &[line("a.pdf", Some("COMPLETED"), None)]);
    fs::write(
        dir.path().join("summary.json"),
        r#"{"done": 7, "skipped": 3, "seconds": 185.2, "credits": "many", "later": {}}"#,
    )
    .unwrap();
    let page = report(dir.path());
    for figure in [
        "<dt>Done</dt><dd>7</dd>",
        "<dt>Skipped</dt><dd>3</dd>",
        "<dt>Time</dt><dd>3 min 05 s</dd>",
        // Missing or of the wrong type: from the manifest.
        "<dt>Failed</dt><dd>0</dd>",
        "<dt>Credits</dt><dd>1.5</dd>",
    ] {
        assert!(page.contains(figure), "{figure}");
    }
}

#[test]
fn hostile_names_errors_and_documents_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "<img src=x onerror=alert(1)>.pdf",
        "<script>alert(2)</script>.pdf",
        "\"quoted\" 'single' & amp.pdf",
        "a</script><script>alert(3)</script>.pdf",
        "line\u{2028}separator.pdf",
    ];
    let document = "# Title\n</script><script>alert(4)</script>\u{2028}\u{2029}<!-- & -->";
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("out/doc.md"), document).unwrap();
    fs::write(dir.path().join("javascript:alert(5)"), "x").unwrap();
    let mut lines: Vec<Value> = names
        .iter()
        .map(|name| line(name, Some("COMPLETED"), Some("out/doc.md")))
        .collect();
    let mut hostile = line("errors.pdf", Some("<b onclick=\"x\">NEW</b>"), None);
    hostile["error"] = json!("<iframe src=\"https://example.com\"></iframe>");
    lines.push(hostile);
    lines.push(line(
        "link.pdf",
        Some("COMPLETED"),
        Some("javascript:alert(5)"),
    ));
    write_manifest(dir.path(), &lines);
    let page = report(dir.path());

    // Only the page's own two script elements, and nothing that starts markup from data.
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(page.matches("</script>").count(), 2);
    for markup in ["<img", "<iframe", "<b ", "alert(2)</script>"] {
        assert!(!page.contains(markup), "{markup} in the page");
    }
    let paths = row_paths(&page);
    assert_eq!(paths[0], "&lt;img src=x onerror=alert(1)&gt;.pdf");
    assert_eq!(
        paths[2],
        "&quot;quoted&quot; &#39;single&#39; &amp; amp.pdf"
    );
    assert!(page.contains("data-status=\"&lt;b onclick=&quot;x&quot;&gt;NEW&lt;/b&gt;\""));
    assert!(page.contains("&lt;iframe src=&quot;https://example.com&quot;&gt;&lt;/iframe&gt;"));

    // The document comes back exactly, and its text cannot end the script block.
    let previews = previews(&page);
    assert_eq!(previews.len(), names.len() + 1);
    assert_eq!(previews["0"]["text"], document);
    assert_eq!(previews[&(names.len() + 1).to_string()]["text"], "x");
    assert_eq!(previews["0"]["truncated"], false);
    assert!(!page.contains('\u{2029}'));

    // The only links are relative, and a scheme-looking output is a file name.
    let hrefs = attribute_values(&page, "href");
    assert_eq!(hrefs.len(), names.len() + 1);
    assert!(hrefs.contains(&"./javascript%3Aalert%285%29"), "{hrefs:?}");
    assert!(hrefs.iter().all(|href| href.starts_with("./")), "{hrefs:?}");
}

#[test]
fn nothing_is_fetched_from_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut failed = line("https://example.com/a.pdf", Some("FAILED"), None);
    failed["error"] = json!("see url(https://example.com/x.png)");
    write_manifest(dir.path(), &[failed]);
    let page = report(dir.path());
    assert!(attribute_values(&page, "src").is_empty());
    assert!(attribute_values(&page, "href").is_empty());
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    assert!(!style.contains("url("), "{style}");
    assert!(!style.contains("@import"), "{style}");
    // Outside the file's own name and error, no URL is in the page at all.
    assert_eq!(page.matches("http://").count(), 0);
    assert_eq!(page.matches("https://").count(), 2);
    assert!(page.contains("content=\"default-src 'none'; script-src 'sha256-"));
}

#[test]
fn a_torn_last_line_is_dropped_and_other_unreadable_lines_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\nnot json\n{}\n{}",
        line("a.pdf", Some("COMPLETED"), None),
        line("b.pdf", Some("COMPLETED"), None),
        &line("c.pdf", Some("COMPLETED"), None).to_string()[..40],
    );
    fs::write(dir.path().join(MANIFEST), text).unwrap();
    let page = report(dir.path());
    assert_eq!(row_paths(&page), ["a.pdf", "b.pdf"]);
    assert!(page.contains("left out: 2.</p>"));
}

#[test]
fn a_later_line_for_a_path_replaces_the_earlier_one_in_its_place() {
    let mut first = line("a.pdf", Some("FAILED"), None);
    first["error"] = json!("the first attempt failed");
    let text = format!(
        "{first}\n{}\n{}\n",
        line("b.pdf", Some("COMPLETED"), None),
        line("a.pdf", Some("COMPLETED"), None),
    );
    let manifest = Manifest::parse(&text);
    let paths: Vec<&str> = manifest
        .entries
        .iter()
        .map(|entry| entry.path.as_str())
        .collect();
    assert_eq!(paths, ["a.pdf", "b.pdf"]);
    assert_eq!(manifest.entries[0].job_status.as_deref(), Some("COMPLETED"));

    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(MANIFEST), text).unwrap();
    let page = report(dir.path());
    assert_eq!(row_paths(&page), ["a.pdf", "b.pdf"]);
    assert!(!page.contains("the first attempt failed"));
    assert!(page.contains("<option value=\"COMPLETED\">COMPLETED (2)</option>"));
}

#[test]
fn the_report_is_replaced_whole_and_no_temporary_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), &[line("a.pdf", Some("COMPLETED"), None)]);
    fs::write(dir.path().join(REPORT), "an older report").unwrap();
    let page = report(dir.path());
    assert!(page.starts_with("<!doctype html>") && page.ends_with("</html>\n"));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // A report that cannot be put in place: an error naming it, and still no leftover.
    fs::remove_file(dir.path().join(REPORT)).unwrap();
    fs::create_dir(dir.path().join(REPORT)).unwrap();
    fs::write(dir.path().join(REPORT).join("keep"), "x").unwrap();
    let error = write_report(dir.path()).unwrap_err();
    assert!(error.to_string().contains(REPORT), "{error}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn a_folder_without_a_manifest_is_not_found_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let error = write_report(dir.path()).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(error.to_string().contains(MANIFEST), "{error}");
    assert!(!dir.path().join(REPORT).exists());
}

#[test]
fn previews_are_capped_and_only_read_inside_the_folder() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("export");
    fs::create_dir_all(dir.join("out")).unwrap();
    fs::write(root.path().join("secret.md"), "outside").unwrap();
    // Each long enough to be cut; together past the page's cap.
    let files = PREVIEWS_TOTAL_BYTES / PREVIEW_BYTES + 2;
    let long = "é".repeat(PREVIEW_BYTES / 2 + 1);
    let mut lines = vec![
        line("outside.pdf", Some("COMPLETED"), Some("../secret.md")),
        line("absolute.pdf", Some("COMPLETED"), Some("/etc/hostname")),
        line("binary.pdf", Some("COMPLETED"), Some("out/binary.bin")),
    ];
    fs::write(dir.join("out/binary.bin"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    for index in 0..files {
        let output = format!("out/{index}.md");
        fs::write(dir.join(&output), &long).unwrap();
        lines.push(line(
            &format!("{index}.pdf"),
            Some("COMPLETED"),
            Some(&output),
        ));
    }
    write_manifest(&dir, &lines);
    let page = report(&dir);
    assert!(!page.contains("outside\""));
    assert!(
        page.contains(
            "<span title=\"not linked: outside the report's folder\">../secret.md</span>"
        )
    );
    let previews = previews(&page);
    assert!(!previews.contains_key("0") && !previews.contains_key("1"));
    assert!(!previews.contains_key("2"));
    let mut total = 0;
    for (_, preview) in &previews {
        let text = preview["text"].as_str().unwrap();
        assert!(text.len() <= PREVIEW_BYTES && text.chars().all(|c| c == 'é'));
        assert_eq!(preview["truncated"], true);
        total += text.len();
    }
    assert!(total <= PREVIEWS_TOTAL_BYTES);
    assert!(
        previews.len() < files && previews.len() >= files - 2,
        "{}",
        previews.len()
    );
    assert_eq!(
        page.matches("data-preview=").count(),
        previews.len(),
        "a Preview button for each embedded document"
    );
}
