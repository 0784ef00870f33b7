//! No secret in anything the C ABI hands back: every call is made with the API key and
//! webhook secrets set to marker strings, and no marker may appear in a returned string or
//! an error message. One row per call, so a new export is one line. (The library writes
//! no log of its own: its strings are all it shows.)

use std::ffi::c_char;
use std::ptr;

use batches_ffi::{
    batches_cancel, batches_client, batches_client_free, batches_client_new, batches_create,
    batches_directory_create, batches_directory_file_upload, batches_directory_list, batches_error,
    batches_get, batches_list, batches_run, batches_status, batches_wait, batches_webhook_verify,
};
use batches_server::{BackgroundServer, ServerConfig};

use crate::support::{c, outcome};

const KEY: &str = "llx-MARKER-API-KEY-ffi-41c9";
const SIGNING_SECRET: &str = "MARKER-SIGNING-SECRET-ffi-77";
const WEBHOOK_HEADER: &str = "MARKER-WEBHOOK-HEADER-ffi-3b";
const MARKERS: [&str; 5] = [
    KEY,
    SIGNING_SECRET,
    WEBHOOK_HEADER,
    "MARKER-WRONG-KEY",
    "MARKER-URL-PASSWORD",
];

fn webhook_request(directory: &str) -> String {
    serde_json::json!({
        "source_directory_id": directory,
        "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-1"}},
        "webhook_configurations": [{
            "webhook_url": "http://127.0.0.1:9/batches",
            "webhook_signing_secret": SIGNING_SECRET,
            "webhook_headers": {"Authorization": format!("Bearer {WEBHOOK_HEADER}")}
        }]
    })
    .to_string()
}

/// The client made from `config`, or the text of its error.
fn client(config: &str) -> Result<*mut batches_client, String> {
    let config = c(config);
    let (mut client, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_client_new(config.as_ptr(), &mut client, &mut err) };
    outcome_text(status, ptr::null_mut(), err).map(|_| client)
}

/// Everything a call handed back, as text: its output or its error message.
fn outcome_text(
    status: batches_status,
    output: *mut c_char,
    err: *mut batches_error,
) -> Result<String, String> {
    if output.is_null() && status == batches_status::BATCHES_OK {
        return Ok(String::new());
    }
    outcome(status, output, err)
        .map(|value| value.to_string())
        .map_err(|(status, message)| format!("{status:?}: {message}"))
}

#[test]
fn no_export_hands_back_a_secret() {
    let server = BackgroundServer::start(ServerConfig {
        api_keys: vec![(KEY.to_owned(), "prj-local".to_owned())],
        processing_ms: 5,
        ..ServerConfig::default()
    })
    .unwrap();
    let base = server.base_url();
    let directory = server
        .fixtures()
        .create_directory_with_files("prj-local", "docs", 1)
        .unwrap();
    let good = client(&format!(
        r#"{{"api_key": "{KEY}", "base_url": "{base}", "max_retries": 0}}"#
    ))
    .unwrap();
    let wrong = client(&format!(
        r#"{{"api_key": "llx-MARKER-WRONG-KEY-0000", "base_url": "{base}", "max_retries": 0}}"#
    ))
    .unwrap();

    let create = |client: *mut batches_client, request: &str| {
        let request = c(request);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_create(client, request.as_ptr(), &mut out, &mut err) };
        outcome_text(status, out, err)
    };
    let created = create(good, &webhook_request(&directory)).unwrap();
    let batch_id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_id = |call: unsafe extern "C" fn(
        *const batches_client,
        *const c_char,
        *const c_char,
        *mut *mut c_char,
        *mut *mut batches_error,
    ) -> batches_status,
                 client: *mut batches_client,
                 id: &str,
                 params: &str| {
        let (id, params) = (c(id), c(params));
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { call(client, id.as_ptr(), params.as_ptr(), &mut out, &mut err) };
        outcome_text(status, out, err)
    };
    let list = |client: *mut batches_client| {
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_list(client, ptr::null(), &mut out, &mut err) };
        outcome_text(status, out, err)
    };
    let verify = |signature: &str| {
        let (signature, secret) = (c(signature), c(SIGNING_SECRET));
        let body = br#"{"event_type":"batch.success"}"#;
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_webhook_verify(
                body.as_ptr().cast(),
                body.len(),
                signature.as_ptr(),
                secret.as_ptr(),
                &mut out,
                &mut err,
            )
        };
        outcome_text(status, out, err)
    };
    let cancel = |client: *mut batches_client, id: &str| {
        let id = c(id);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_cancel(client, id.as_ptr(), &mut out, &mut err) };
        outcome_text(status, out, err)
    };

    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.md"), "# A").unwrap();
    let run = |client: *mut batches_client| {
        let options = c(&serde_json::json!({
            "paths": [folder.path()],
            "job_type": "parse_v2",
            "configuration_id": "cfg-PARSE_AGENTIC",
            "poll_interval": 0.01,
        })
        .to_string());
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_run(
                client,
                options.as_ptr(),
                None,
                ptr::null_mut(),
                &mut out,
                &mut err,
            )
        };
        outcome_text(status, out, err)
    };
    let make_directory = |client: *mut batches_client| {
        let request = c(r#"{"name": "secrets"}"#);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_directory_create(client, request.as_ptr(), ptr::null(), &mut out, &mut err)
        };
        outcome_text(status, out, err)
    };
    let list_directories = |client: *mut batches_client| {
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_directory_list(client, ptr::null(), &mut out, &mut err) };
        outcome_text(status, out, err)
    };
    let upload = |client: *mut batches_client| {
        let (path, id) = (
            c(folder.path().join("a.md").to_str().unwrap()),
            c(&directory),
        );
        let options = c(r#"{"unique_id": "secret-test"}"#);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_directory_file_upload(
                client,
                id.as_ptr(),
                path.as_ptr(),
                options.as_ptr(),
                &mut out,
                &mut err,
            )
        };
        outcome_text(status, out, err)
    };

    let outputs: Vec<(&str, Result<String, String>)> = vec![
        ("create", Ok(created.clone())),
        (
            "create, refused",
            create(good, &webhook_request("dir-missing")),
        ),
        (
            "create, wrong key",
            create(wrong, &webhook_request(&directory)),
        ),
        ("list", list(good)),
        ("list, wrong key", list(wrong)),
        (
            "get",
            by_id(batches_get, good, &batch_id, r#"{"expand": ["results"]}"#),
        ),
        (
            "get, missing",
            by_id(batches_get, good, "bat-missing", "{}"),
        ),
        (
            "wait",
            by_id(batches_wait, good, &batch_id, r#"{"interval_ms": 5}"#),
        ),
        ("cancel, terminal", cancel(good, &batch_id)),
        (
            "webhook verify, another secret",
            verify(&format!("sha256={}", "0".repeat(64))),
        ),
        ("webhook verify, malformed", verify(SIGNING_SECRET)),
        (
            "client, credentials in the URL",
            client(
                r#"{"api_key": "llx-k", "base_url": "http://u:MARKER-URL-PASSWORD@127.0.0.1:9"}"#,
            )
            .map(|_| String::new()),
        ),
        ("run", run(good)),
        ("run, wrong key", run(wrong)),
        ("directory create", make_directory(good)),
        ("directory create, wrong key", make_directory(wrong)),
        ("directory list", list_directories(good)),
        ("upload", upload(good)),
        ("upload, wrong key", upload(wrong)),
    ];
    for (what, output) in &outputs {
        let text = match output {
            Ok(text) | Err(text) => text,
        };
        for marker in MARKERS {
            assert!(
                !text.contains(marker),
                "{what} handed back {marker}: {text}"
            );
        }
    }
    // The calls did what they say, so the check covers their real outputs.
    for ok in [0, 3, 5, 7, 12, 14, 16, 17] {
        assert!(
            outputs[ok].1.is_ok(),
            "{}: {:?}",
            outputs[ok].0,
            outputs[ok].1
        );
    }
    assert!(outputs[1].1.as_ref().unwrap_err().contains("404"));
    assert!(outputs[4].1.as_ref().unwrap_err().contains("401"));
    for refused in [9, 10] {
        assert!(
            outputs[refused]
                .1
                .as_ref()
                .unwrap_err()
                .contains("SIGNATURE"),
            "{:?}",
            outputs[refused]
        );
    }
    for refused in [13, 15, 18] {
        let error = outputs[refused].1.as_ref().unwrap_err();
        assert!(error.contains("401"), "{}: {error}", outputs[refused].0);
    }
    assert!(
        outputs[11]
            .1
            .as_ref()
            .unwrap_err()
            .contains("user name or password")
    );
    unsafe {
        batches_client_free(good);
        batches_client_free(wrong);
    }
}
