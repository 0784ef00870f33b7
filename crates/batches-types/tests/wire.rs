//! Every fixture in `spec/examples/` decodes, re-encodes to the exact bytes snapshotted, and
//! means the same thing afterwards.

use std::{fs, path::PathBuf};

use batches_types::{
    AddDirectoryFileRequest, Batch, BatchQueryResponse, CreateBatchRequest, CreateDirectoryRequest,
    CreateWebhookConfigRequest, Directory, DirectoryFile, DirectoryFileQueryResponse,
    DirectoryQueryResponse, DirectoryType, ErrorBody, ExtractJob, JobStatus, ParseJobResult,
    UpdateWebhookConfigRequest, WebhookConfig, WebhookEvent, WebhookEventType,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/examples")
}

/// Decodes a fixture (named by the first argument) as one model and re-encodes it.
type RoundTrip = fn(&str, &str) -> String;

/// Which model a fixture is decoded as: the longest prefix of its name that matches.
const MODELS: &[(&str, RoundTrip)] = &[
    ("batch-", round_trip::<Batch>),
    ("list-", round_trip::<BatchQueryResponse>),
    ("error-", round_trip::<ErrorBody>),
    ("create-", round_trip::<CreateBatchRequest>),
    ("create-directory-", round_trip::<CreateDirectoryRequest>),
    ("add-directory-file-", round_trip::<AddDirectoryFileRequest>),
    ("directory-", round_trip::<Directory>),
    ("directory-list-", round_trip::<DirectoryQueryResponse>),
    ("directory-file-", round_trip::<DirectoryFile>),
    (
        "directory-file-list-",
        round_trip::<DirectoryFileQueryResponse>,
    ),
    ("parse-job-", round_trip::<ParseJobResult>),
    ("extract-job-", round_trip::<ExtractJob>),
    ("webhook-event-", round_trip::<WebhookEvent>),
    ("webhook-config-", round_trip::<WebhookConfig>),
    (
        "create-webhook-config-",
        round_trip::<CreateWebhookConfigRequest>,
    ),
    (
        "update-webhook-config-",
        round_trip::<UpdateWebhookConfigRequest>,
    ),
];

/// Decodes `text` as `T` and re-encodes it.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, text: &str) -> String {
    let value: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::to_string(&value).unwrap()
}

/// The meaning of a JSON document: `null` members dropped (absent and null are the same
/// value in this API) and timestamps compared as instants.
fn meaning(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, meaning(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(meaning).collect()),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(instant) => Value::String(format!(
                "instant:{}",
                instant.timestamp_nanos_opt().unwrap()
            )),
            Err(_) => Value::String(s),
        },
        other => other,
    }
}

#[test]
fn every_fixture_round_trips() {
    let mut names: Vec<String> = fs::read_dir(examples_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 35, "fixtures missing: {names:?}");
    for name in names {
        let text = fs::read_to_string(examples_dir().join(&name)).unwrap();
        let (_, round_trip) = MODELS
            .iter()
            .filter(|(prefix, _)| name.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .unwrap_or_else(|| panic!("{name}: no model for its prefix"));
        let encoded = round_trip(&name, &text);
        let original: Value = serde_json::from_str(&text).unwrap();
        let again: Value = serde_json::from_str(&encoded).unwrap();
        assert_eq!(meaning(again), meaning(original), "{name} changed meaning");
        insta::assert_snapshot!(name.trim_end_matches(".json"), encoded);
    }
}

#[test]
fn unknown_values_and_fields_are_kept() {
    let text =
        fs::read_to_string(examples_dir().join("batch-unknown-status-and-job-type.json")).unwrap();
    let batch: Batch = serde_json::from_str(&text).unwrap();
    assert_eq!(batch.status.as_str(), "PAUSED");
    assert!(!batch.status.is_terminal());
    assert_eq!(batch.config.job.type_.as_str(), "classify_v3");

    let text =
        fs::read_to_string(examples_dir().join("list-unknown-fields-everywhere.json")).unwrap();
    let page: BatchQueryResponse = serde_json::from_str(&text).unwrap();
    let batch = &page.items[0];
    assert_eq!(page.extra["request_duration_ms"], 12);
    assert_eq!(batch.extra["file_count"], 12);
    assert_eq!(batch.extra["owner"], Value::Null);
    assert_eq!(batch.config.extra["retry_policy"]["max_attempts"], 3);
    assert_eq!(batch.config.job.extra["priority"], "high");
    let result = &batch.results.as_ref().unwrap()[0];
    assert_eq!(result.extra["pages"], serde_json::json!([1, 2, 3]));
    assert!(
        result
            .job_reference
            .as_ref()
            .unwrap()
            .extra
            .contains_key("url")
    );

    let text =
        fs::read_to_string(examples_dir().join("webhook-event-unknown-type-and-fields.json"))
            .unwrap();
    let event: WebhookEvent = serde_json::from_str(&text).unwrap();
    assert!(matches!(event.event_type, WebhookEventType::Unknown(_)));
    assert_eq!(event.event_type.as_str(), "batch.partial_success");
    assert_eq!(event.extra["delivery_attempt"], 2);
    assert_eq!(event.data.status.as_str(), "PARTIALLY_COMPLETED");
    assert_eq!(event.data.extra["file_count"], 3);
    let text = fs::read_to_string(examples_dir().join("webhook-config-saved.json")).unwrap();
    let saved: WebhookConfig = serde_json::from_str(&text).unwrap();
    let events: Vec<&str> = saved
        .webhook_events
        .iter()
        .flatten()
        .map(|e| e.as_str())
        .collect();
    assert_eq!(events, ["batch.success", "batch.error", "parse.success"]);
    assert_eq!(
        saved.webhook_events.unwrap()[0],
        WebhookEventType::BatchSuccess
    );
}

#[test]
fn timestamps_are_instants() {
    let text = fs::read_to_string(examples_dir().join("list-timestamp-forms.json")).unwrap();
    let page: BatchQueryResponse = serde_json::from_str(&text).unwrap();
    let [first, second, third] = &page.items[..] else {
        panic!("three items")
    };
    assert_eq!(
        first.created_at, first.updated_at,
        "`Z` and `+00:00` are the same instant"
    );
    assert_eq!(
        second.created_at, second.updated_at,
        "`+02:30` is converted, not dropped"
    );
    assert_eq!(
        third.created_at.unwrap().timestamp_subsec_nanos(),
        123_456_789,
        "nanoseconds survive"
    );
}

#[test]
fn error_details_render_readably() {
    let read = |name: &str| -> ErrorBody {
        serde_json::from_str(&fs::read_to_string(examples_dir().join(name)).unwrap()).unwrap()
    };
    assert_eq!(
        read("error-message.json").detail.to_string(),
        "Invalid authentication token"
    );
    assert_eq!(
        read("error-validation.json").detail.to_string(),
        "page_size: Input should be greater than or equal to 1; \
         config.job.type: Input should be 'parse_v2' or 'extract_v2'; \
         webhook_configurations.0.webhook_url: Field required"
    );
    assert!(
        read("error-object.json")
            .detail
            .to_string()
            .starts_with(r#"{"message":"Batch bat-"#)
    );
}

#[test]
fn directories_keep_unknown_types_and_fields() {
    let read = |name: &str| fs::read_to_string(examples_dir().join(name)).unwrap();
    let directory: Directory =
        serde_json::from_str(&read("directory-every-field-and-unknowns.json")).unwrap();
    let type_ = directory.type_.as_ref().unwrap();
    assert!(matches!(type_, DirectoryType::Unknown(_)));
    assert_eq!(type_.as_str(), "shared");
    assert_eq!(directory.extra["file_count"], 12);
    assert_eq!(
        directory.system_metadata.as_ref().unwrap()["sync"]["every_minutes"],
        15
    );
    assert_eq!(
        directory.expires_at.unwrap().to_rfc3339(),
        "2026-12-01T07:00:00+00:00"
    );

    let file: DirectoryFile =
        serde_json::from_str(&read("directory-file-download-url-and-unknowns.json")).unwrap();
    let url = file.download_url.as_ref().unwrap();
    assert_eq!(url.extra["method"], "GET");
    assert_eq!(url.form_fields, None);
    assert!(file.extra.contains_key("checksum"));

    let file: DirectoryFile = serde_json::from_str(&read("directory-file-uploaded.json")).unwrap();
    let metadata = file.metadata.as_ref().unwrap();
    assert_eq!(metadata["tags"], serde_json::json!(["q4", "eu"]));
    assert_eq!(
        metadata["note"],
        Value::Null,
        "a null inside metadata is kept"
    );
}

#[test]
fn job_results_keep_failed_pages_unknown_statuses_and_fields() {
    let read = |name: &str| fs::read_to_string(examples_dir().join(name)).unwrap();
    let result: ParseJobResult = serde_json::from_str(&read("parse-job-expanded.json")).unwrap();
    assert_eq!(result.job.status, JobStatus::Completed);
    assert!(result.job.status.is_terminal());
    assert_eq!(result.job.usage.as_ref().unwrap().credits, Some(20.0));
    let pages = &result.markdown.as_ref().unwrap().pages;
    assert_eq!(pages[0].success, Some(true));
    assert_eq!(pages[1].success, Some(false));
    assert_eq!(pages[1].markdown, None);
    assert!(
        pages[1]
            .error
            .as_deref()
            .unwrap()
            .contains("could not be read")
    );
    let items = result.items.as_ref().unwrap().pages[0]
        .items
        .as_ref()
        .unwrap();
    assert_eq!(items[1]["type"], "table");
    assert_eq!(result.metadata.as_ref().unwrap().pages.len(), 2);

    let presigned: ParseJobResult =
        serde_json::from_str(&read("parse-job-presigned.json")).unwrap();
    assert_eq!(presigned.markdown_full, None);
    let content = presigned.result_content_metadata.as_ref().unwrap();
    assert_eq!(content["markdown"].size_bytes, 52_428_800);
    assert_eq!(content["text"].exists, Some(false));
    assert_eq!(content["text"].presigned_url, None);

    let unknown: ParseJobResult =
        serde_json::from_str(&read("parse-job-unknown-status-and-fields.json")).unwrap();
    assert_eq!(unknown.job.status.as_str(), "QUEUED");
    assert!(!unknown.job.status.is_terminal());
    assert_eq!(unknown.job.extra["user_metadata"]["team"], "finance");
    assert_eq!(unknown.job.usage.as_ref().unwrap().extra["num_pages"], 3);
    assert!(unknown.extra.contains_key("forms"));
    assert_eq!(unknown.markdown.as_ref().unwrap().extra["engine"], "v2");
    assert!(
        unknown.markdown.as_ref().unwrap().pages[0]
            .extra
            .contains_key("line_numbers")
    );
    assert_eq!(
        unknown.result_content_metadata.as_ref().unwrap()["xlsx"].extra["content_type"],
        "application/vnd.ms-excel"
    );

    let extract: ExtractJob = serde_json::from_str(&read("extract-job-completed.json")).unwrap();
    assert_eq!(extract.extract_result.as_ref().unwrap()["currency"], "EUR");
    let usage = extract.usage.as_ref().unwrap();
    assert_eq!(
        (usage.credits, usage.extract_credits, usage.parse_credits),
        (Some(18.0), Some(15.0), Some(3.0))
    );
    let per_page: ExtractJob =
        serde_json::from_str(&read("extract-job-per-page-and-unknowns.json")).unwrap();
    assert_eq!(per_page.status.as_str(), "ARCHIVED");
    assert!(per_page.extract_result.as_ref().unwrap().is_array());
    assert!(per_page.extra.contains_key("metadata"));
    assert_eq!(
        per_page.usage.as_ref().unwrap().extra["currency"],
        "credits"
    );
}
