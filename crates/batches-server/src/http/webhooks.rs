//! What the batch create and the saved configurations share about webhooks: the checks of
//! a configuration's fields (FastAPI's 422 entries), the emulator's delivery rules (a 400
//! for a URL it will not deliver to, or a header it sets itself), and the emulator-only
//! view of the deliveries, outside `/api`.

use std::collections::BTreeMap;

use axum::{
    Extension, Json,
    extract::{RawQuery, State},
    http::StatusCode,
};
use batches_types::{
    CreateBatchRequest, LocItem, ValidationError, WebhookEventType, WebhookOutputFormat,
};
use serde_json::{Map, Value, json};

use super::{
    app::App,
    auth::Project,
    query::{Query, expected_list},
    validate::Checker,
};
use crate::{
    config::WebhookSettings,
    error::{ApiError, entry},
    rules::webhooks::{check_headers, check_url},
};

/// A 422 entry at `loc`, then `field` (and `rest`).
fn error_at(
    loc: &[LocItem],
    path: &[LocItem],
    msg: impl Into<String>,
    type_: &str,
    input: &Value,
    ctx: Option<Value>,
) -> ValidationError {
    let mut error = entry(&[], msg, type_, Some(input.clone()), ctx);
    error.loc = loc.iter().chain(path).cloned().collect();
    error
}

fn name(field: &str) -> LocItem {
    LocItem::Name(field.to_owned())
}

/// A literal check: `value` must be one of `known`.
fn literal(check: &mut Checker, loc: &[LocItem], path: &[LocItem], value: &Value, known: &[&str]) {
    if value.as_str().is_some_and(|text| known.contains(&text)) {
        return;
    }
    let expected = expected_list(known);
    check.errors.push(error_at(
        loc,
        path,
        format!("Input should be {expected}"),
        "literal_error",
        value,
        Some(json!({ "expected": expected })),
    ));
}

/// Checks the fields of one webhook configuration (a saved configuration's body, or one
/// entry of a batch create's `webhook_configurations`, at `loc`): types, known event names
/// and output formats, and no empty event list (it would subscribe to nothing).
pub fn check_fields(check: &mut Checker, hook: &Map<String, Value>, loc: &[LocItem]) {
    for field in ["webhook_url", "webhook_signing_secret"] {
        if let Some(value) = hook.get(field).filter(|v| !v.is_null() && !v.is_string()) {
            check.errors.push(error_at(
                loc,
                &[name(field)],
                "Input should be a valid string",
                "string_type",
                value,
                None,
            ));
        }
    }
    if let Some(format) = hook.get("webhook_output_format").filter(|v| !v.is_null()) {
        let known: Vec<&str> = WebhookOutputFormat::KNOWN
            .iter()
            .map(|f| f.as_str())
            .collect();
        literal(check, loc, &[name("webhook_output_format")], format, &known);
    }
    match hook.get("webhook_headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(headers)) => {
            for (header, value) in headers.iter().filter(|(_, v)| !v.is_string()) {
                check.errors.push(error_at(
                    loc,
                    &[name("webhook_headers"), name(header)],
                    "Input should be a valid string",
                    "string_type",
                    value,
                    None,
                ));
            }
        }
        Some(other) => check.errors.push(error_at(
            loc,
            &[name("webhook_headers")],
            "Input should be a valid dictionary",
            "dict_type",
            other,
            None,
        )),
    }
    let events_loc = [name("webhook_events")];
    match hook.get("webhook_events") {
        None | Some(Value::Null) => {}
        Some(Value::Array(events)) if events.is_empty() => check.errors.push(error_at(
            loc,
            &events_loc,
            "List should have at least 1 item after validation, not 0",
            "too_short",
            &json!([]),
            Some(json!({"field_type": "List", "min_length": 1, "actual_length": 0})),
        )),
        Some(Value::Array(events)) => {
            let known: Vec<&str> = WebhookEventType::KNOWN.iter().map(|e| e.as_str()).collect();
            for (i, event) in events.iter().enumerate() {
                let path = [name("webhook_events"), LocItem::Index(i as i64)];
                literal(check, loc, &path, event, &known);
            }
        }
        Some(other) => check.errors.push(error_at(
            loc,
            &events_loc,
            "Input should be a valid list",
            "list_type",
            other,
            None,
        )),
    }
}

/// Refuses (400) a configuration the emulator will not deliver: its URL (required unless
/// `url_optional`, as in an update) off loopback and the allowed hosts, or headers it
/// cannot send or sets itself. `at` names the configuration in the message.
pub fn check_delivery(
    url: Option<&str>,
    headers: Option<&BTreeMap<String, String>>,
    settings: &WebhookSettings,
    at: &str,
    url_optional: bool,
) -> Result<(), ApiError> {
    let refused =
        |problem: String| ApiError::new(StatusCode::BAD_REQUEST, format!("{at}{problem}"));
    match url {
        Some(url) => check_url(url, &settings.allow_hosts)
            .map_err(|problem| refused(format!("webhook_url: {problem}")))?,
        None if url_optional => {}
        None => {
            return Err(refused(
                "webhook_url: a webhook needs a URL to deliver to".into(),
            ));
        }
    }
    if let Some(headers) = headers {
        check_headers(headers).map_err(|problem| refused(format!("webhook_headers: {problem}")))?;
    }
    Ok(())
}

/// Refuses (400) a batch create whose inline webhooks the emulator will not deliver.
pub fn check_inline(
    request: &CreateBatchRequest,
    settings: &WebhookSettings,
) -> Result<(), ApiError> {
    for (i, hook) in request.webhook_configurations.iter().flatten().enumerate() {
        check_delivery(
            hook.webhook_url.as_deref(),
            hook.webhook_headers.as_ref(),
            settings,
            &format!("webhook_configurations[{i}]."),
            false,
        )?;
    }
    Ok(())
}

/// `GET /emulator/webhook-deliveries[?batch_id=…]`: every delivery of the project's batch
/// events with its status, attempts and last answer. The emulator's own, not the API's.
pub async fn deliveries(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Query::parse(raw.as_deref());
    let batch_id = query.string("batch_id");
    query.finish()?;
    let items = app
        .store
        .webhook_deliveries(Some(&project), batch_id.as_deref())?;
    Ok(Json(json!({ "items": items })))
}
