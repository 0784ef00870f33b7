//! An extract job parses its document first, in a parse job of its own: named by
//! `extract_metadata.parse_job_id`, read at `GET /api/v2/parse/{id}` like any parse job,
//! ending when its extract job ends.

use std::{path::PathBuf, time::Duration};

use batches_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::Value;

use super::{EVERYTHING, first_job, run, sample, wait_job};
use crate::common::{KEY, fast, start};

/// A real PDF of nine pages (`tests/pdfs/PROVENANCE.md`).
fn nine_pages() -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pdfs/zlib_how.pdf"))
        .unwrap()
}

/// A parse job's body without what differs from one job to the next (its id and times).
fn document_of(mut body: Value) -> Value {
    let job = body["job"].as_object_mut().unwrap();
    for field in ["id", "created_at", "updated_at"] {
        job.remove(field);
    }
    body
}

#[tokio::test]
async fn an_extract_job_names_a_parse_job_of_its_document() {
    let (server, api) = start(ServerConfig {
        api_keys: vec![
            (KEY.into(), "prj-local".into()),
            ("llx-other".into(), "prj-other".into()),
        ],
        upload_rate_limit: None,
        ..fast()
    })
    .await;
    let files = || {
        vec![
            ("zlib_how.pdf", nine_pages()),
            ("invoice-2026-001.pdf", sample("invoice-2026-001.pdf")),
            (
                "notes.txt",
                b"Invoice number INV-7\nTotal: 12.00 EUR\n".to_vec(),
            ),
            ("broken.pdf", b"%PDF-1.7 hello".to_vec()),
        ]
    };
    let extracts = run(&api, files(), "extract_v2", "cfg-EXTRACT_INVOICE").await;
    // The parse jobs are no results of the batch: one extract job per file.
    let (batches, _) = api.list_all("/api/v2/batches").await;
    let batch = api
        .ok(&format!(
            "/api/v2/batches/{}?expand=results",
            batches[0]["id"].as_str().unwrap()
        ))
        .await;
    let types: Vec<&Value> = batch["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| &result["job_reference"]["type"])
        .collect();
    assert_eq!(types, ["extract_v2"; 4], "{batch}");
    // The same files parsed by a batch of their own, at the extract's parse tier.
    let parses = run(&api, files(), "parse_v2", "cfg-PARSE_COST_EFFECTIVE").await;

    for ((name, extract), (_, parse)) in extracts.iter().zip(&parses) {
        let extract = extract.clone().unwrap();
        assert!(extract.starts_with("ejb-"), "{extract}");
        let (_, extract_body) = wait_job(
            &api,
            &format!("/api/v2/extract/{extract}?expand=extract_metadata&expand=usage"),
        )
        .await;
        let metadata = &extract_body["extract_metadata"];
        let parse_job = metadata["parse_job_id"].as_str().unwrap().to_owned();
        assert!(parse_job.starts_with("pjb-"), "{name}: {metadata}");
        assert_ne!(Some(&parse_job), parse.as_ref());

        // Ended with its extract job, in the same state, with the same document as a
        // parse job of the file at that tier.
        let path = format!("/api/v2/parse/{parse_job}?{EVERYTHING}");
        let of_extract = api.ok(&path).await;
        assert_eq!(of_extract["job"]["id"], parse_job.as_str());
        assert_eq!(of_extract["job"]["project_id"], "prj-local");
        assert_eq!(
            of_extract["job"]["status"], extract_body["status"],
            "{name}"
        );
        assert_eq!(
            of_extract["job"]["error_message"],
            extract_body["error_message"]
        );
        assert_eq!(of_extract["job"]["tier"], metadata["parse_tier"], "{name}");
        assert_eq!(
            of_extract["job"]["usage"]["credits"], extract_body["usage"]["parse_credits"],
            "{name}"
        );
        let (_, of_batch) = wait_job(
            &api,
            &format!("/api/v2/parse/{}?{EVERYTHING}", parse.clone().unwrap()),
        )
        .await;
        assert_eq!(document_of(of_extract), document_of(of_batch), "{name}");

        // Another project's key finds no such job; nor does the extract endpoint.
        let (status, _) = api.with_key("llx-other").get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
        let (status, _) = api.get(&format!("/api/v2/extract/{parse_job}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
    }

    // What a reader of the page counts relies on: the PDF's nine pages, one for text; a
    // file that cannot be read fails both jobs, and bills nothing.
    let page_count = |index: usize| {
        let api = api.clone();
        let extract = extracts[index].1.clone().unwrap();
        async move {
            let extract = api
                .ok(&format!(
                    "/api/v2/extract/{extract}?expand=extract_metadata"
                ))
                .await;
            let parse_job = extract["extract_metadata"]["parse_job_id"].clone();
            let body = api
                .ok(&format!(
                    "/api/v2/parse/{}?expand=job_metadata&expand=text&expand=usage",
                    parse_job.as_str().unwrap()
                ))
                .await;
            (body["job_metadata"]["page_count"].clone(), body)
        }
    };
    let (pages, body) = page_count(0).await;
    assert_eq!(pages, 9);
    assert_eq!(body["text"]["pages"].as_array().unwrap().len(), 9);
    assert_eq!(body["job"]["usage"]["credits"], 27.0, "3 credits a page");
    assert_eq!(page_count(1).await.0, 1);
    assert_eq!(page_count(2).await.0, 1);
    let (pages, broken) = page_count(3).await;
    assert_eq!(pages, Value::Null);
    assert_eq!(broken["job"]["status"], "FAILED");
    assert_eq!(broken["job"]["usage"]["credits"], 0.0);
    assert!(
        broken["job"]["error_message"]
            .as_str()
            .unwrap()
            .starts_with("broken.pdf is not a PDF that can be read: "),
        "{broken}"
    );
    server.shutdown().await;
}

/// The order of a job status in a job's life.
fn rank(status: &Value) -> usize {
    ["PENDING", "RUNNING", "COMPLETED"]
        .iter()
        .position(|known| status == known)
        .unwrap_or_else(|| panic!("unexpected status {status}"))
}

#[tokio::test]
async fn the_parse_job_of_an_extract_job_moves_with_it() {
    let (server, api) = start(ServerConfig {
        processing_ms: 150,
        ..ServerConfig::default()
    })
    .await;
    let (id, _) = first_job(
        &api,
        b"# A\n\nTotal: 5 EUR\n",
        "extract_v2",
        "cfg-EXTRACT_RECEIPT",
    )
    .await;
    let extract_path = format!("/api/v2/extract/{id}?expand=extract_metadata");
    let first = api.ok(&extract_path).await;
    let parse_path = format!(
        "/api/v2/parse/{}",
        first["extract_metadata"]["parse_job_id"].as_str().unwrap()
    );
    // The parse job read between two reads of its extract job is where the extract job
    // was at one of them, or between: never behind the first, never ahead of the second.
    let mut seen: Vec<String> = Vec::new();
    let mut before = first;
    let ended = loop {
        let parse = api.ok(&parse_path).await;
        let after = api.ok(&extract_path).await;
        let status = &parse["job"]["status"];
        assert!(
            rank(&before["status"]) <= rank(status) && rank(status) <= rank(&after["status"]),
            "extract {} then parse {status} then extract {}",
            before["status"],
            after["status"]
        );
        if seen.last().map(String::as_str) != status.as_str() {
            seen.push(status.as_str().unwrap().to_owned());
        }
        if status == "COMPLETED" {
            break (parse, after);
        }
        before = after;
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let ranks: Vec<usize> = seen
        .iter()
        .map(|status| rank(&Value::from(status.as_str())))
        .collect();
    assert!(ranks.windows(2).all(|pair| pair[0] < pair[1]), "{seen:?}");
    // Ended in the same change.
    let (parse, extract) = ended;
    assert_eq!(parse["job"]["updated_at"], extract["updated_at"]);
    server.shutdown().await;
}
