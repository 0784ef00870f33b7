//! The jobs a batch makes: each file's parse or extract job has its own lifecycle and a
//! result computed from the uploaded bytes, at `GET /api/v2/parse/{id}` and
//! `GET /api/v2/extract/{id}`, scoped to the project; an extract job's parse job; large
//! results are served through signed, expiring URLs outside `/api/` that need no key.

#[path = "../common/mod.rs"]
mod common;
mod parse_of_extract;

use std::{path::PathBuf, time::Duration};

use batches_server::ServerConfig;
use common::{Api, KEY, fast, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/documents")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

async fn upload(api: &Api, directory: &str, name: &str, bytes: Vec<u8>) {
    let form = reqwest::multipart::Form::new().part(
        "upload_file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
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

/// Runs a batch of `job_type` over `files` and returns each file's job id (by file name,
/// in the directory's order) once the batch is terminal; a file without a job has `None`.
async fn run(
    api: &Api,
    files: Vec<(&str, Vec<u8>)>,
    job_type: &str,
    configuration_id: &str,
) -> Vec<(String, Option<String>)> {
    let directory = api.create_directory("docs").await;
    let names: Vec<String> = files.iter().map(|(name, _)| (*name).to_owned()).collect();
    for (name, bytes) in files {
        upload(api, &directory, name, bytes).await;
    }
    let batch = api
        .create_batch(&directory, job_type, configuration_id)
        .await;
    let (_, batch) = api.wait_terminal(batch["id"].as_str().unwrap()).await;
    assert_eq!(batch["status"], "COMPLETED", "{batch}");
    let results = batch["results"].as_array().unwrap();
    names
        .into_iter()
        .zip(results)
        .map(|(name, result)| {
            let job = result["job_reference"]["id"].as_str().map(str::to_owned);
            (name, job)
        })
        .collect()
}

/// Runs a batch of `job_type` over one file, `a.md` holding `bytes`, and returns its job's
/// id as soon as the batch maps the file (before the job ends), with the batch then.
async fn first_job(
    api: &Api,
    bytes: &[u8],
    job_type: &str,
    configuration_id: &str,
) -> (String, Value) {
    let directory = api.create_directory("one").await;
    upload(api, &directory, "a.md", bytes.to_vec()).await;
    let batch = api
        .create_batch(&directory, job_type, configuration_id)
        .await;
    let batch_id = batch["id"].as_str().unwrap();
    loop {
        let batch = api
            .ok(&format!("/api/v2/batches/{batch_id}?expand=results"))
            .await;
        if let Some(id) = batch["results"][0]["job_reference"]["id"].as_str() {
            return (id.to_owned(), batch);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Polls a job until it is terminal; every status seen, and the last body.
async fn wait_job(api: &Api, path: &str) -> (Vec<String>, Value) {
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..3000 {
        let body = api.ok(path).await;
        let status = body["job"]["status"]
            .as_str()
            .or(body["status"].as_str())
            .unwrap()
            .to_owned();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if ["COMPLETED", "FAILED", "CANCELLED"].contains(&status.as_str()) {
            return (seen, body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{path} never finished: {seen:?}");
}

const EVERYTHING: &str = "expand=text&expand=text_full&expand=markdown&expand=markdown_full\
    &expand=items&expand=metadata&expand=job_metadata&expand=usage";

#[tokio::test]
async fn each_file_gets_a_parse_job_whose_result_comes_from_its_bytes() {
    let (server, api) = start(ServerConfig {
        upload_rate_limit: None,
        ..fast()
    })
    .await;
    let notes = String::from_utf8(sample("meeting-notes.md")).unwrap();
    let jobs = run(
        &api,
        vec![
            ("meeting-notes.md", notes.clone().into_bytes()),
            ("q3-figures.csv", sample("q3-figures.csv")),
            ("invoice-2026-001.pdf", sample("invoice-2026-001.pdf")),
            ("quarterly-report.pdf", sample("quarterly-report.pdf")),
            ("service-agreement.pdf", sample("service-agreement.pdf")),
            ("scan.png", b"\x89PNG\r\n\x1a\n".to_vec()),
            ("broken.pdf", b"%PDF-1.7 hello".to_vec()),
            ("slides.pptx", b"PK\x03\x04".to_vec()),
            ("archive.zip", sample("archive.zip")),
        ],
        "parse_v2",
        "cfg-PARSE_AGENTIC",
    )
    .await;
    let mut bodies = std::collections::HashMap::new();
    for (name, job) in &jobs {
        let Some(job) = job else {
            assert_eq!(name, "archive.zip", "only the archive has no job");
            continue;
        };
        assert!(job.starts_with("pjb-"), "{job}");
        let (_, body) = wait_job(&api, &format!("/api/v2/parse/{job}?{EVERYTHING}")).await;
        assert_eq!(body["job"]["id"], *job);
        assert_eq!(body["job"]["project_id"], "prj-local");
        assert_eq!(body["job"]["name"], *name);
        assert_eq!(body["job"]["tier"], "agentic");
        bodies.insert(name.as_str(), body);
    }

    // Text-like files give their text; the whole document is the one page.
    let notes_job = &bodies["meeting-notes.md"];
    assert_eq!(notes_job["job"]["status"], "COMPLETED");
    assert_eq!(notes_job["markdown_full"], notes.as_str());
    assert_eq!(notes_job["text_full"], notes.as_str());
    assert_eq!(notes_job["markdown"]["pages"][0]["success"], true);
    assert_eq!(
        notes_job["items"]["pages"][0]["items"][0]["type"],
        "heading"
    );
    // Credits per page of the tier: agentic is 10 a page.
    assert_eq!(notes_job["job"]["usage"]["credits"], 10.0);
    assert_eq!(notes_job["job_metadata"]["page_count"], 1);
    assert_eq!(notes_job["metadata"]["pages"].as_array().unwrap().len(), 1);

    // A CSV file is a Markdown table.
    assert_eq!(
        bodies["q3-figures.csv"]["markdown_full"],
        "| month | revenue_eur | orders |\n| --- | --- | --- |\n| 2026-07 | 81200 | 412 |\n\
         | 2026-08 | 79450 | 398 |\n| 2026-09 | 90310 | 455 |\n"
    );
    assert_eq!(
        bodies["q3-figures.csv"]["items"]["pages"][0]["items"][0]["type"],
        "table"
    );

    // The sample PDFs give their text, page by page.
    assert_eq!(
        bodies["invoice-2026-001.pdf"]["markdown_full"],
        "Invoice 2026-001\nAcme Corp, 3 widgets\nTotal: 1,250.00 EUR"
    );
    assert_eq!(
        bodies["quarterly-report.pdf"]["text"]["pages"][0]["text"],
        "Quarterly report, Q3 2026\nRevenue up 12 percent\nHeadcount: 48"
    );
    assert!(
        bodies["service-agreement.pdf"]["markdown_full"]
            .as_str()
            .unwrap()
            .contains("between Acme Corp and Example Ltd")
    );
    assert_eq!(
        bodies["invoice-2026-001.pdf"]["items"]["pages"][0]["page_width"],
        612.0
    );

    // An image is one page without text.
    let image = &bodies["scan.png"];
    assert_eq!(image["job"]["status"], "COMPLETED");
    assert_eq!(
        image["markdown"]["pages"],
        json!([{"page_number": 1, "markdown": "", "success": true}])
    );

    // A file the job cannot read fails it, with the reason; the batch still COMPLETED.
    let broken = &bodies["broken.pdf"];
    assert_eq!(broken["job"]["status"], "FAILED");
    assert!(
        broken["job"]["error_message"]
            .as_str()
            .unwrap()
            .starts_with("broken.pdf is not a PDF that can be read: "),
        "{broken}"
    );
    assert_eq!(broken["job"]["usage"]["credits"], 0.0);
    assert!(broken.get("markdown").is_none() && broken.get("text_full").is_none());
    let pptx = &bodies["slides.pptx"];
    assert_eq!(pptx["job"]["status"], "FAILED");
    assert!(
        pptx["job"]["error_message"]
            .as_str()
            .unwrap()
            .ends_with("not .pptx files")
    );

    // By default only the job.
    let (_, job) = jobs[0].clone();
    let bare = api.ok(&format!("/api/v2/parse/{}", job.unwrap())).await;
    assert_eq!(
        bare.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["job"]
    );
    assert!(bare["job"].get("usage").is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn a_job_goes_pending_running_completed_on_its_own_pace() {
    let (server, api) = start(ServerConfig {
        processing_ms: 300,
        ..ServerConfig::default()
    })
    .await;
    // The job exists from the step that maps its file, which also completes this batch.
    let (job, batch) = first_job(&api, b"# A\n", "parse_v2", "cfg-PARSE_FAST").await;
    assert_eq!(batch["status"], "COMPLETED");
    let (seen, body) = wait_job(&api, &format!("/api/v2/parse/{job}?expand=usage")).await;
    assert_eq!(seen, ["PENDING", "RUNNING", "COMPLETED"]);
    assert_eq!(
        body["job"]["usage"]["credits"], 1.0,
        "fast is 1 credit a page"
    );
    let created = body["job"]["created_at"].as_str().unwrap();
    let updated = body["job"]["updated_at"].as_str().unwrap();
    assert!(created < updated, "{created} {updated}");
    server.shutdown().await;
}

#[tokio::test]
async fn jobs_belong_to_their_project_and_their_endpoint() {
    let (server, api) = start(ServerConfig {
        api_keys: vec![
            (KEY.into(), "prj-local".into()),
            ("llx-other".into(), "prj-other".into()),
        ],
        ..fast()
    })
    .await;
    let jobs = run(
        &api,
        vec![("a.txt", b"text".to_vec())],
        "parse_v2",
        "cfg-PARSE_FAST",
    )
    .await;
    let job = jobs[0].1.clone().unwrap();
    api.ok(&format!("/api/v2/parse/{job}")).await;
    let (status, body) = api
        .with_key("llx-other")
        .get(&format!("/api/v2/parse/{job}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["detail"], format!("Job {job} not found"));
    let (status, _) = api.get(&format!("/api/v2/extract/{job}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a parse job is not an extract job"
    );
    let (status, _) = api
        .with_key("llx-nope")
        .get(&format!("/api/v2/parse/{job}"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.shutdown().await;
}

#[tokio::test]
async fn extract_jobs_return_the_fields_of_their_preset() {
    let (server, api) = start(fast()).await;
    let receipt = "Merchant: Corner Shop\nDate: March 3, 2026\nTotal: €12,50\nPaid by card\n";
    for (configuration_id, name, bytes, expected) in [
        (
            "cfg-EXTRACT_INVOICE",
            "invoice-2026-001.pdf",
            sample("invoice-2026-001.pdf"),
            json!({"invoice_number": "2026-001", "invoice_date": null, "vendor": null,
                   "total_amount": 1250.0, "currency": "EUR"}),
        ),
        (
            "cfg-EXTRACT_CONTRACT",
            "service-agreement.pdf",
            sample("service-agreement.pdf"),
            json!({"parties": ["Acme Corp", "Example Ltd"], "effective_date": "2026-12-01",
                   "term": "12 months from 1 December 2026", "governing_law": null}),
        ),
        (
            "cfg-EXTRACT_RECEIPT",
            "receipt.txt",
            receipt.as_bytes().to_vec(),
            json!({"merchant": "Corner Shop", "date": "2026-03-03", "total": 12.5,
                   "payment_method": "card"}),
        ),
    ] {
        let jobs = run(&api, vec![(name, bytes)], "extract_v2", configuration_id).await;
        let job = jobs[0].1.clone().unwrap();
        assert!(job.starts_with("ejb-"), "{job}");
        let path = format!(
            "/api/v2/extract/{job}?expand=usage&expand=extract_metadata&expand=configuration"
        );
        let (_, body) = wait_job(&api, &path).await;
        assert_eq!(body["status"], "COMPLETED", "{body}");
        assert_eq!(body["extract_result"], expected, "{configuration_id}");
        assert_eq!(body["configuration_id"], configuration_id);
        assert!(body["file_input"].as_str().unwrap().starts_with("dfl-"));
        assert_eq!(
            body["usage"],
            json!({"credits": 18.0, "extract_credits": 15.0, "parse_credits": 3.0})
        );
        let fields = expected.as_object().unwrap().keys().collect::<Vec<_>>();
        let schema = body["configuration"]["data_schema"]["properties"]
            .as_object()
            .unwrap();
        assert_eq!(schema.keys().collect::<Vec<_>>(), fields);
        assert!(body["extract_metadata"]["field_metadata"]["document_metadata"].is_object());
    }
    server.shutdown().await;
}

/// The path and query of a presigned URL.
fn path_of(url: &str) -> String {
    let url = reqwest::Url::parse(url).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap())
}

#[tokio::test]
async fn a_result_above_the_limit_is_served_only_through_its_signed_url() {
    let (server, api) = start(ServerConfig {
        presign_above: 64,
        ..fast()
    })
    .await;
    let large = "# Large\n\n".to_owned() + &"A line of the large document.\n".repeat(10);
    let jobs = run(
        &api,
        vec![
            ("large.md", large.clone().into_bytes()),
            ("small.md", b"# Small\n".to_vec()),
        ],
        "parse_v2",
        "cfg-PARSE_FAST",
    )
    .await;
    let asked = "expand=markdown&expand=markdown_full&expand=text_full&expand=items\
        &expand=markdown_content_metadata&expand=text_content_metadata&expand=items_content_metadata";
    let large_job = jobs[0].1.clone().unwrap();
    let (_, body) = wait_job(&api, &format!("/api/v2/parse/{large_job}?{asked}")).await;
    for field in ["markdown", "markdown_full", "text_full", "items"] {
        assert!(body.get(field).is_none(), "{field} is inline: {body}");
    }
    let content = &body["result_content_metadata"];
    assert_eq!(content["markdown"]["size_bytes"], large.len());
    assert_eq!(content["markdown"]["exists"], true);
    let url = content["markdown"]["presigned_url"].as_str().unwrap();
    assert!(url.starts_with(&format!(
        "{}/results/{large_job}/markdown?",
        server.base_url()
    )));

    // No key needed; the whole document, as it was uploaded.
    let plain = reqwest::Client::new();
    let response = plain.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/markdown; charset=utf-8"
    );
    assert_eq!(response.text().await.unwrap(), large);
    let text_url = content["text"]["presigned_url"].as_str().unwrap();
    assert_eq!(
        plain
            .get(text_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        large
    );
    let items: Value = plain
        .get(content["items"]["presigned_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(items["pages"][0]["items"][0]["value"], "Large");

    // An altered URL is refused: another job, another result, a later expiry, a changed
    // signature.
    let signed = path_of(url);
    let small_job = jobs[1].1.clone().unwrap();
    let expires: i64 = signed.split("expires=").nth(1).unwrap()[..10]
        .parse()
        .unwrap();
    let altered = [
        signed.replace(&large_job, &small_job),
        signed.replace("/markdown?", "/text?"),
        signed.replace(
            &format!("expires={expires}"),
            &format!("expires={}", expires + 1),
        ),
        // The last hex digit changed (to 0, or to 1 where it was 0).
        format!(
            "{}{}",
            &signed[..signed.len() - 1],
            if signed.ends_with('0') { '1' } else { '0' }
        ),
        signed.split("&signature").next().unwrap().to_owned(),
    ];
    for path in altered {
        let (status, body) = api.send(plain.get(format!("{}{path}", api.base))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("signature does not match"),
            "{body}"
        );
    }

    // A small result stays inline, and its URL works too.
    let small_path = format!("/api/v2/parse/{small_job}?{asked}");
    let (_, small) = wait_job(&api, &small_path).await;
    assert_eq!(small["markdown_full"], "# Small\n");
    let small_url = small["result_content_metadata"]["markdown"]["presigned_url"]
        .as_str()
        .unwrap();
    assert_eq!(
        plain
            .get(small_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "# Small\n"
    );

    // A URL another emulator signed is foreign here.
    let (other, other_api) = start(fast()).await;
    let other_jobs = run(
        &other_api,
        vec![("x.md", b"x".to_vec())],
        "parse_v2",
        "cfg-PARSE_FAST",
    )
    .await;
    let other_job = other_jobs[0].1.clone().unwrap();
    let (_, other_body) = wait_job(
        &other_api,
        &format!("/api/v2/parse/{other_job}?expand=markdown_content_metadata"),
    )
    .await;
    let foreign = path_of(
        other_body["result_content_metadata"]["markdown"]["presigned_url"]
            .as_str()
            .unwrap(),
    );
    let (status, _) = api.send(plain.get(format!("{}{foreign}", api.base))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    other.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_presigned_url_expires() {
    let (server, api) = start(ServerConfig {
        presign_ttl: Duration::from_secs(1),
        ..fast()
    })
    .await;
    let jobs = run(
        &api,
        vec![("a.md", b"# A\n".to_vec())],
        "parse_v2",
        "cfg-PARSE_FAST",
    )
    .await;
    let job = jobs[0].1.clone().unwrap();
    let (_, body) = wait_job(
        &api,
        &format!("/api/v2/parse/{job}?expand=markdown_content_metadata"),
    )
    .await;
    let url = body["result_content_metadata"]["markdown"]["presigned_url"]
        .as_str()
        .unwrap()
        .to_owned();
    // Whole seconds: two of them are past a one-second expiry whenever it was issued.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = api.send(reqwest::Client::new().get(&url)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    server.shutdown().await;
}
