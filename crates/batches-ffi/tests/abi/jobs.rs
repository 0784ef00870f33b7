//! `batches_parse_get` and `batches_extract_get`: the jobs of a batch as JSON, a document
//! too large to be inline fetched from its presigned URL.

use std::ptr;
use std::time::Duration;

use ::batches_client::blocking;
use ::batches_client::{
    BatchConfig, ClientBuilder, CreateBatchRequest, GetBatchParams, JobConfig, JobType, WaitOptions,
};
use batches_ffi::batches_status::{BATCHES_API_ERROR, BATCHES_INVALID_ARGUMENT};
use batches_ffi::{batches_client, batches_client_free, batches_extract_get, batches_parse_get};
use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};
use serde_json::Value;

use crate::support::{c, client_of, outcome};

type Get = unsafe extern "C" fn(
    *const batches_client,
    *const std::ffi::c_char,
    *const std::ffi::c_char,
    *mut *mut std::ffi::c_char,
    *mut *mut batches_ffi::batches_error,
) -> batches_ffi::batches_status;

fn get(
    export: Get,
    client: *mut batches_client,
    id: &str,
    params: Option<&str>,
) -> Result<Value, (batches_ffi::batches_status, String)> {
    let (id, params) = (c(id), params.map(c));
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        export(
            client,
            id.as_ptr(),
            params.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
            &mut out,
            &mut err,
        )
    };
    outcome(status, out, err)
}

/// The job of the one file of a new batch of `job_type` over a generated text file.
fn job(server: &BackgroundServer, job_type: JobType, configuration_id: &str) -> String {
    let directory = server
        .fixtures()
        .create_directory_with_files(DEFAULT_API_KEY.1, "docs", 1)
        .unwrap();
    let client = blocking::Client::new(
        ClientBuilder::new()
            .api_key(DEFAULT_API_KEY.0)
            .base_url(server.base_url()),
    )
    .unwrap();
    let request = CreateBatchRequest::new(
        directory,
        BatchConfig::new(JobConfig::new(configuration_id, job_type)),
    );
    let batch = client
        .batches()
        .create(&request, &Default::default())
        .unwrap();
    let options = WaitOptions::new()
        .interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(50))
        .params(GetBatchParams {
            expand: Some(vec!["results".into()]),
            ..Default::default()
        });
    let done = client.batches().wait(&batch.id, options).unwrap();
    let results = done.value.results.unwrap();
    results[0].job_reference.as_ref().unwrap().id.clone()
}

/// Calls `export` until the job it returns is terminal.
fn finished(export: Get, client: *mut batches_client, id: &str, params: &str) -> Value {
    for _ in 0..1000 {
        let body = get(export, client, id, Some(params)).unwrap();
        let status = body["job"]["status"]
            .as_str()
            .or(body["status"].as_str())
            .unwrap();
        if status != "PENDING" && status != "RUNNING" {
            return body;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{id} never finished");
}

fn fixture_text() -> String {
    let line = "file-0001.txt: a generated text file.\n";
    line.repeat(1024 / line.len() + 1)[..1024].to_owned()
}

#[test]
fn a_parse_job_comes_back_with_its_documents_even_when_too_large_to_be_inline() {
    let server = BackgroundServer::start(ServerConfig {
        processing_ms: 5,
        presign_above: 100,
        ..ServerConfig::default()
    })
    .unwrap();
    let client = client_of(&server.base_url());
    let id = job(&server, JobType::ParseV2, "cfg-PARSE_AGENTIC");
    let body = finished(
        batches_parse_get,
        client,
        &id,
        r#"{"expand": ["markdown_full", "usage", "items"]}"#,
    );
    assert_eq!(body["job"]["status"], "COMPLETED");
    assert_eq!(body["job"]["usage"]["credits"], 10.0);
    // 1 KiB is above the 100-byte limit: the document came from its presigned URL.
    assert_eq!(body["markdown_full"], fixture_text().as_str());
    assert_eq!(
        body["result_content_metadata"]["markdown"]["size_bytes"],
        1024
    );
    assert_eq!(body["items"]["pages"][0]["success"], true);

    let missing = get(batches_parse_get, client, "pjb-missing", None).unwrap_err();
    assert_eq!(missing.0, BATCHES_API_ERROR);
    assert!(
        missing.1.contains("Job pjb-missing not found"),
        "{}",
        missing.1
    );
    let misspelt = get(
        batches_parse_get,
        client,
        &id,
        Some(r#"{"expnd": ["text"]}"#),
    )
    .unwrap_err();
    assert_eq!(misspelt.0, BATCHES_INVALID_ARGUMENT);
    assert!(
        misspelt.1.contains("unknown field `expnd`"),
        "{}",
        misspelt.1
    );
    unsafe { batches_client_free(client) };
}

#[test]
fn an_extract_job_comes_back_with_the_fields_of_its_preset() {
    let server = BackgroundServer::start(ServerConfig {
        processing_ms: 5,
        ..ServerConfig::default()
    })
    .unwrap();
    let client = client_of(&server.base_url());
    let id = job(&server, JobType::ExtractV2, "cfg-EXTRACT_CONTRACT");
    let body = finished(batches_extract_get, client, &id, r#"{"expand": ["usage"]}"#);
    assert_eq!(body["status"], "COMPLETED");
    let fields: Vec<&String> = body["extract_result"].as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        ["parties", "effective_date", "term", "governing_law"]
    );
    assert_eq!(body["usage"]["extract_credits"], 15.0);
    unsafe { batches_client_free(client) };
}
