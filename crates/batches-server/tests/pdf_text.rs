//! PDFs as pdfTeX and office suites write them (compressed streams, Type 1 and TrueType
//! fonts with their encodings), none made for this repository (see `pdfs/PROVENANCE.md`):
//! each is parsed through the emulator, with its real page count and at least 80% of the
//! words poppler's `pdftotext` finds in it.

mod common;

use std::{collections::HashMap, path::PathBuf, time::Duration};

use batches_server::ServerConfig;
use common::{fast, start};
use reqwest::{Method, StatusCode};

/// Each file and its page count (`pdfinfo`).
const PDFS: [(&str, usize); 3] = [
    ("libtasn1.pdf", 36),
    ("shared-mime-info-spec.pdf", 17),
    ("zlib_how.pdf", 9),
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pdfs")
        .join(name)
}

/// The words of `text`: runs of letters and digits, lower-cased, with how often each occurs.
fn words(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

/// The share of the reference's word occurrences that `found` also has.
fn coverage(reference: &HashMap<String, usize>, found: &HashMap<String, usize>) -> f64 {
    let total: usize = reference.values().sum();
    let matched: usize = reference
        .iter()
        .map(|(word, count)| (*count).min(found.get(word).copied().unwrap_or(0)))
        .sum();
    matched as f64 / total as f64
}

#[tokio::test]
async fn real_pdfs_give_their_pages_and_most_of_pdftotexts_words() {
    let (server, api) = start(ServerConfig {
        presign_above: 64 * 1024 * 1024,
        ..fast()
    })
    .await;
    let directory = api.create_directory("pdfs").await;
    for (name, _) in PDFS {
        let form = reqwest::multipart::Form::new().part(
            "upload_file",
            reqwest::multipart::Part::bytes(std::fs::read(fixture(name)).unwrap())
                .file_name(name.to_owned()),
        );
        let (status, body) = api
            .send(
                api.request(
                    Method::POST,
                    &format!("/api/v1/beta/directories/{directory}/files/upload"),
                )
                .multipart(form),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let batch = api
        .create_batch(&directory, "parse_v2", "cfg-PARSE_FAST")
        .await;
    let (_, batch) = api.wait_terminal(batch["id"].as_str().unwrap()).await;
    for ((name, pages), result) in PDFS.iter().zip(batch["results"].as_array().unwrap()) {
        let job = result["job_reference"]["id"].as_str().unwrap();
        let path = format!("/api/v2/parse/{job}?expand=text&expand=usage&expand=job_metadata");
        let body = loop {
            let body = api.ok(&path).await;
            if body["job"]["status"] != "PENDING" && body["job"]["status"] != "RUNNING" {
                break body;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(
            body["job"]["status"], "COMPLETED",
            "{name}: {}",
            body["job"]
        );
        let read = body["text"]["pages"].as_array().unwrap();
        assert_eq!(read.len(), *pages, "{name}");
        assert_eq!(body["job_metadata"]["page_count"], *pages, "{name}");
        assert_eq!(
            body["job"]["usage"]["credits"], *pages as f64,
            "{name}: fast is 1 a page"
        );
        let text: String = read
            .iter()
            .map(|page| page["text"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let reference =
            std::fs::read_to_string(fixture(&name.replace(".pdf", ".pdftotext.txt"))).unwrap();
        let share = coverage(&words(&reference), &words(&text));
        println!(
            "{name}: {pages} pages, {:.1}% of pdftotext's words",
            share * 100.0
        );
        assert!(
            share >= 0.8,
            "{name}: only {:.1}% of pdftotext's words",
            share * 100.0
        );
    }
    server.shutdown().await;
}
