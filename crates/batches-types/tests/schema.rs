//! The generated types agree with the checked-in schema, and the OpenAPI document uses the
//! schema's definitions rather than copies of them.

use std::{collections::BTreeSet, fs, path::PathBuf};

use batches_types::{
    Batch, BatchStatus, DirectoryType, ExtractJobExpand, JobStatus, JobType, ParseJobExpand,
    WebhookEventType, WebhookOutputFormat,
};
use serde_json::Value;

fn spec(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema() -> Value {
    serde_json::from_str(&spec("batches.schema.json")).unwrap()
}

fn schema_enum(def: &str) -> Vec<String> {
    schema()["$defs"][def]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn known_enum_values_equal_the_schema() {
    let statuses: Vec<&str> = BatchStatus::KNOWN.iter().map(BatchStatus::as_str).collect();
    assert_eq!(statuses, schema_enum("BatchStatus"));
    let job_types: Vec<&str> = JobType::KNOWN.iter().map(JobType::as_str).collect();
    assert_eq!(job_types, schema_enum("JobType"));
    let directory_types: Vec<&str> = DirectoryType::KNOWN
        .iter()
        .map(DirectoryType::as_str)
        .collect();
    assert_eq!(directory_types, schema_enum("DirectoryType"));
    let job_statuses: Vec<&str> = JobStatus::KNOWN.iter().map(JobStatus::as_str).collect();
    assert_eq!(job_statuses, schema_enum("JobStatus"));
    let parse_expand: Vec<&str> = ParseJobExpand::KNOWN
        .iter()
        .map(ParseJobExpand::as_str)
        .collect();
    assert_eq!(parse_expand, schema_enum("ParseJobExpand"));
    let extract_expand: Vec<&str> = ExtractJobExpand::KNOWN
        .iter()
        .map(ExtractJobExpand::as_str)
        .collect();
    assert_eq!(extract_expand, schema_enum("ExtractJobExpand"));
    let job_terminal: Vec<&str> = JobStatus::KNOWN
        .iter()
        .filter(|s| s.is_terminal())
        .map(JobStatus::as_str)
        .collect();
    assert_eq!(job_terminal, ["COMPLETED", "FAILED", "CANCELLED"]);
    let events: Vec<&str> = WebhookEventType::KNOWN
        .iter()
        .map(WebhookEventType::as_str)
        .collect();
    assert_eq!(events, schema_enum("WebhookEventType"));
    let formats: Vec<&str> = WebhookOutputFormat::KNOWN
        .iter()
        .map(WebhookOutputFormat::as_str)
        .collect();
    assert_eq!(formats, schema_enum("WebhookOutputFormat"));
    let terminal: Vec<&str> = BatchStatus::KNOWN
        .iter()
        .filter(|s| s.is_terminal())
        .map(BatchStatus::as_str)
        .collect();
    assert_eq!(terminal, ["COMPLETED", "FAILED", "CANCELLED"]);
}

#[test]
fn derived_json_schema_matches_the_spec() {
    let derived = serde_json::to_value(schemars::schema_for!(Batch)).unwrap();
    let status = &derived["$defs"]["BatchStatus"];
    assert_eq!(status["enum"], schema()["$defs"]["BatchStatus"]["enum"]);
    let derived_fields: BTreeSet<&String> =
        derived["properties"].as_object().unwrap().keys().collect();
    let spec = schema();
    let spec_fields: BTreeSet<&String> = spec["$defs"]["Batch"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(derived_fields, spec_fields);
}

/// Every `$ref` in `value`, with where it was found.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    out.push((at.clone(), child.as_str().unwrap()));
                } else {
                    refs(child, format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn openapi() -> Value {
    serde_yaml_ng::from_str(&spec("openapi.yaml")).unwrap()
}

#[test]
fn openapi_models_are_the_schema_definitions() {
    let openapi = openapi();
    let schema = schema();
    let mut found = Vec::new();
    refs(&openapi, "#".into(), &mut found);
    assert!(!found.is_empty());
    for (at, reference) in found {
        if let Some(pointer) = reference.strip_prefix("batches.schema.json#") {
            let target = schema.pointer(pointer);
            assert!(target.is_some(), "{at}: {reference} is not defined");
        } else {
            let local = reference
                .strip_prefix("#/")
                .unwrap_or_else(|| panic!("{at}: {reference}"));
            let target = openapi.pointer(&format!("/{local}"));
            assert!(target.is_some(), "{at}: {reference} does not resolve");
        }
    }
    let components = openapi["components"]["schemas"].as_object().unwrap();
    for (name, component) in components {
        let only_ref = component
            .as_object()
            .map(|c| c.len() == 1 && c.contains_key("$ref"));
        assert_eq!(
            only_ref,
            Some(true),
            "component {name} must only reference the schema"
        );
    }
}

/// The query parameters OpenAPI declares for `operation` are the properties of `params`.
fn assert_parameters(path: &str, method: &str, params: &str) {
    let openapi = openapi();
    let schema = schema();
    let operation = &openapi["paths"][path][method];
    let declared: BTreeSet<String> = operation["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has no parameters"))
        .iter()
        .map(|p| match p.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap();
                openapi["components"]["parameters"][name].clone()
            }
            None => p.clone(),
        })
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = schema["$defs"][params]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(declared, expected, "{method} {path} vs {params}");
}

#[test]
fn openapi_parameters_are_the_schema_parameters() {
    assert_parameters("/api/v2/batches", "get", "ListBatchesParams");
    assert_parameters("/api/v2/batches", "post", "CreateBatchParams");
    assert_parameters("/api/v2/batches/{batch_id}", "get", "GetBatchParams");
    assert_parameters(
        "/api/v2/batches/{batch_id}/cancel",
        "post",
        "CancelBatchParams",
    );
    assert_parameters("/api/v1/beta/directories", "get", "ListDirectoriesParams");
    assert_parameters("/api/v1/beta/directories", "post", "CreateDirectoryParams");
    assert_parameters(
        "/api/v1/beta/directories/{directory_id}",
        "get",
        "GetDirectoryParams",
    );
    assert_parameters(
        "/api/v1/beta/directories/{directory_id}/files",
        "get",
        "ListDirectoryFilesParams",
    );
    assert_parameters(
        "/api/v1/beta/directories/{directory_id}/files",
        "post",
        "AddDirectoryFileParams",
    );
    assert_parameters(
        "/api/v1/beta/directories/{directory_id}/files/upload",
        "post",
        "UploadDirectoryFileParams",
    );
    assert_parameters("/api/v2/parse/{job_id}", "get", "GetParseJobParams");
    assert_parameters("/api/v2/extract/{job_id}", "get", "GetExtractJobParams");
    for method in ["get", "post"] {
        assert_parameters(
            "/api/v1/beta/webhook-configs",
            method,
            "WebhookConfigParams",
        );
    }
    for method in ["get", "put", "delete"] {
        assert_parameters(
            "/api/v1/beta/webhook-configs/{config_id}",
            method,
            "WebhookConfigParams",
        );
    }
}

/// The multipart body of the upload names the file part and exactly the text fields of
/// `UploadDirectoryFileFields`, each a `$ref` into the schema.
#[test]
fn openapi_upload_fields_are_the_schema_fields() {
    let openapi = openapi();
    let schema = schema();
    let body = &openapi["paths"]["/api/v1/beta/directories/{directory_id}/files/upload"]["post"]["requestBody"]
        ["content"]["multipart/form-data"]["schema"];
    let declared: BTreeSet<&String> = body["properties"].as_object().unwrap().keys().collect();
    let mut expected: BTreeSet<&String> =
        schema["$defs"]["UploadDirectoryFileFields"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
    let file = "upload_file".to_owned();
    expected.insert(&file);
    assert_eq!(declared, expected);
    assert_eq!(body["required"], serde_json::json!(["upload_file"]));
}
