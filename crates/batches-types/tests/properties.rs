//! Property tests of decoding: any JSON is refused or read without a panic, and unknown
//! fields (at every level) and unknown status and job type values survive a round trip.

use batches_types::{Batch, BatchQueryResponse, BatchStatus, JobType};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value (finite numbers; objects and arrays up to a few levels deep).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Fields no model knows (their names start with `x-`), with any values.
fn unknown_fields() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("x-[a-z_]{1,8}", any_json(), 0..3)
        .prop_map(|map| map.into_iter().collect())
}

fn with(mut object: Value, extra: Map<String, Value>) -> Value {
    object.as_object_mut().unwrap().extend(extra);
    object
}

prop_compose! {
    /// A batch as a server might send it: any status and job type text, unknown fields at
    /// every level.
    fn any_batch()(
        id in ".*",
        status in "[A-Z_]{1,12}",
        job_type in "[a-z_0-9]{1,12}",
        configuration_id in ".*",
        file in "dfl-[a-z0-9]{1,8}",
        top in unknown_fields(),
        config in unknown_fields(),
        job in unknown_fields(),
        result in unknown_fields(),
    ) -> Value {
        with(json!({
            "id": id,
            "config": with(json!({
                "job": with(json!({"configuration_id": configuration_id, "type": job_type}), job)
            }), config),
            "project_id": "prj-1",
            "source_directory_id": "dir-1",
            "status": status,
            "results": [with(json!({"source_directory_file_id": file}), result)],
        }), top)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_or_json_is_refused_or_read_without_panic(text in ".*", value in any_json()) {
        let _ = serde_json::from_str::<Batch>(&text);
        let _ = serde_json::from_str::<BatchQueryResponse>(&text);
        let _ = serde_json::from_value::<Batch>(value.clone());
        let _ = serde_json::from_value::<BatchQueryResponse>(value);
    }

    #[test]
    fn unknown_fields_and_values_survive_a_round_trip(
        items in prop::collection::vec(any_batch(), 0..4),
        token in proptest::option::of(".+"),
        page in unknown_fields(),
    ) {
        let mut sent = with(json!({"items": items}), page);
        if let Some(token) = token {
            sent["next_page_token"] = json!(token);
        }
        let decoded: BatchQueryResponse = serde_json::from_value(sent.clone()).unwrap();
        for (batch, item) in decoded.items.iter().zip(&items) {
            let status = item["status"].as_str().unwrap();
            prop_assert_eq!(batch.status.as_str(), status);
            // A known value is its own variant, never `Unknown`.
            prop_assert_eq!(
                BatchStatus::KNOWN.iter().any(|known| known.as_str() == status),
                BatchStatus::KNOWN.contains(&batch.status)
            );
            let job_type = item["config"]["job"]["type"].as_str().unwrap();
            prop_assert_eq!(
                JobType::KNOWN.iter().any(|known| known.as_str() == job_type),
                JobType::KNOWN.contains(&batch.config.job.type_)
            );
        }
        prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), sent);
    }
}
