//! Query strings, exactly as they go on the wire.

use batches_types::{BatchStatus, CancelBatchParams, DateTime, GetBatchParams, ListBatchesParams};

fn instant(text: &str) -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[test]
fn list_params_encode_every_filter() {
    let params = ListBatchesParams {
        created_at_on_or_after: Some(instant("2026-11-01T00:00:00+01:00")),
        created_at_on_or_before: Some(instant("2026-11-29T23:59:59.999Z")),
        organization_id: Some("org-1".into()),
        page_size: Some(100),
        page_token: Some("a+b/c=".into()),
        project_id: Some("prj-1".into()),
        source_directory_id: Some("dir-1".into()),
        status: Some(BatchStatus::Running),
    };
    insta::assert_snapshot!(params.to_query_string());
}

#[test]
fn unset_params_encode_to_nothing() {
    assert_eq!(ListBatchesParams::default().to_query_string(), "");
    assert_eq!(CancelBatchParams::default().to_query_string(), "");
}

#[test]
fn unknown_status_is_sent_as_is() {
    let params = ListBatchesParams {
        status: Some(BatchStatus::from("PAUSED")),
        ..Default::default()
    };
    assert_eq!(params.to_query_string(), "status=PAUSED");
}

#[test]
fn expand_repeats_its_key() {
    let params = GetBatchParams {
        expand: Some(vec!["results".into(), "files".into()]),
        project_id: Some("prj 1".into()),
        ..Default::default()
    };
    insta::assert_snapshot!(params.to_query_string());
}
