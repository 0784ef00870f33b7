//! Open enums: a known value is always its own variant, whichever way it is parsed, and an
//! unknown one is kept byte for byte.

use std::collections::HashSet;

use batches_types::{Batch, BatchStatus, JobType, ListBatchesParams};

/// Every way a value reaches an enum from outside.
fn parsed_every_way<T>(value: &str) -> [T; 4]
where
    T: for<'a> From<&'a str> + From<String> + std::str::FromStr + serde::de::DeserializeOwned,
    <T as std::str::FromStr>::Err: std::fmt::Debug,
{
    [
        T::from(value),
        T::from(value.to_owned()),
        value.parse().unwrap(),
        serde_json::from_value(serde_json::Value::from(value)).unwrap(),
    ]
}

fn batch(status: &str, job_type: &str) -> Batch {
    serde_json::from_value(serde_json::json!({
        "id": "bat-1", "project_id": "prj-1", "source_directory_id": "dir-1",
        "status": status, "config": {"job": {"configuration_id": "cfg-1", "type": job_type}}
    }))
    .unwrap()
}

#[test]
fn a_known_value_always_parses_to_its_variant() {
    for known in BatchStatus::KNOWN {
        for parsed in parsed_every_way::<BatchStatus>(known.as_str()) {
            assert_eq!(&parsed, known);
            assert!(!matches!(parsed, BatchStatus::Unknown(_)), "{parsed:?}");
        }
        assert_eq!(&batch(known.as_str(), "parse_v2").status, known);
    }
    for known in JobType::KNOWN {
        for parsed in parsed_every_way::<JobType>(known.as_str()) {
            assert_eq!(&parsed, known);
            assert!(!matches!(parsed, JobType::Unknown(_)), "{parsed:?}");
        }
        assert_eq!(&batch("PENDING", known.as_str()).config.job.type_, known);
    }
}

#[test]
fn an_unknown_value_is_kept_byte_for_byte() {
    // Values differ from known ones only in case or spacing, or hold text JSON must escape.
    for value in [
        "PAUSED",
        "running",
        " RUNNING",
        "",
        "naïve \"quoted\"\n\\ \u{1F600}",
    ] {
        for parsed in parsed_every_way::<BatchStatus>(value) {
            let BatchStatus::Unknown(unknown) = &parsed else {
                panic!("{value:?} parsed as {parsed:?}");
            };
            assert_eq!(unknown.as_str(), value);
            assert_eq!(unknown.to_string(), value);
            assert_eq!(parsed.as_str(), value);
            assert_eq!(parsed.to_string(), value);
            assert_eq!(format!("{parsed:?}"), format!("Unknown({value:?})"));
            assert!(!parsed.is_terminal());
            assert_eq!(
                serde_json::to_string(&parsed).unwrap(),
                serde_json::to_string(value).unwrap()
            );
        }
    }

    // Fields in the order the models encode them, so the bytes can be compared.
    let text = r#"{"id":"bat-1","config":{"job":{"configuration_id":"cfg-1","type":"classify_v3"}},"project_id":"prj-1","source_directory_id":"dir-1","status":"PAUSED"}"#;
    let batch: Batch = serde_json::from_str(text).unwrap();
    assert!(matches!(batch.config.job.type_, JobType::Unknown(_)));
    assert_eq!(serde_json::to_string(&batch).unwrap(), text);
}

#[test]
fn unknown_values_compare_and_hash_by_their_text() {
    let paused = BatchStatus::from("PAUSED");
    assert_eq!(paused, BatchStatus::from("PAUSED".to_owned()));
    assert_ne!(paused, BatchStatus::from("paused"));
    let set: HashSet<BatchStatus> = ["PAUSED", "PAUSED", "RUNNING", "paused"]
        .into_iter()
        .map(BatchStatus::from)
        .collect();
    assert_eq!(set.len(), 3);
    assert!(set.contains(&BatchStatus::Running));
}

#[test]
fn an_unknown_filter_is_sent_as_given() {
    let params = ListBatchesParams {
        status: Some(BatchStatus::from("PAUSED")),
        ..Default::default()
    };
    assert_eq!(params.to_query_string(), "status=PAUSED");
}
