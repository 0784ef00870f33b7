//! Query strings, exactly as they go on the wire.

use batches_types::{
    BatchStatus, CancelBatchParams, DateTime, DirectoryType, ExtractJobExpand, GetBatchParams,
    GetExtractJobParams, GetParseJobParams, ListBatchesParams, ListDirectoriesParams,
    ListDirectoryFilesParams, ParseJobExpand, UploadDirectoryFileFields,
};

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

#[test]
fn directory_list_params_repeat_types_and_spell_booleans() {
    let params = ListDirectoriesParams {
        include_deleted: Some(false),
        name: Some("q4 scans".into()),
        type_: Some(DirectoryType::Ephemeral),
        types: Some(vec![DirectoryType::User, DirectoryType::from("shared")]),
        ..Default::default()
    };
    assert_eq!(
        params.to_query_string(),
        "include_deleted=false&name=q4+scans&type=ephemeral&types=user&types=shared"
    );
}

#[test]
fn file_list_params_encode_every_filter() {
    let params = ListDirectoryFilesParams {
        display_name: Some("a.pdf".into()),
        display_name_contains: Some("inv".into()),
        expand: Some(vec!["download_url".into()]),
        file_id: Some("f-1".into()),
        include_deleted: Some(true),
        organization_id: Some("org-1".into()),
        page_size: Some(1000),
        page_token: Some("t".into()),
        project_id: Some("prj-1".into()),
        unique_id: Some("docs/a b.pdf".into()),
        updated_at_on_or_after: Some(instant("2026-11-01T00:00:00+01:00")),
        updated_at_on_or_before: Some(instant("2026-11-29T23:59:59Z")),
    };
    insta::assert_snapshot!(params.to_query_string());
}

#[test]
fn upload_fields_are_the_set_text_fields_in_schema_order() {
    let fields = UploadDirectoryFileFields {
        display_name: Some("Invoice".into()),
        metadata: Some(r#"{"team": "finance"}"#.into()),
        unique_id: Some("scans/invoice.pdf".into()),
        ..Default::default()
    };
    assert_eq!(
        fields.to_form_fields(),
        [
            ("display_name", "Invoice".to_owned()),
            ("metadata", r#"{"team": "finance"}"#.to_owned()),
            ("unique_id", "scans/invoice.pdf".to_owned()),
        ]
    );
    assert!(
        UploadDirectoryFileFields::default()
            .to_form_fields()
            .is_empty()
    );
}

#[test]
fn job_expands_repeat_their_key_and_keep_values_they_do_not_know() {
    let params = GetParseJobParams {
        expand: Some(vec![
            ParseJobExpand::MarkdownFull,
            ParseJobExpand::MarkdownContentMetadata,
            ParseJobExpand::from("forms"),
        ]),
        project_id: Some("prj-1".into()),
        ..Default::default()
    };
    assert_eq!(
        params.to_query_string(),
        "expand=markdown_full&expand=markdown_content_metadata&expand=forms&project_id=prj-1"
    );
    let params = GetExtractJobParams {
        expand: Some(vec![
            ExtractJobExpand::Usage,
            ExtractJobExpand::ExtractMetadata,
        ]),
        ..Default::default()
    };
    assert_eq!(
        params.to_query_string(),
        "expand=usage&expand=extract_metadata"
    );
}
