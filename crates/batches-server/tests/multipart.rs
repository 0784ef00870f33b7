//! An upload's parts are taken exactly as sent or refused with a 422 saying why, never
//! rewritten: no byte order mark stripped, no other encoding guessed, no invalid byte
//! replaced, no repeated field reduced to one value, no empty file name stored.

mod common;

use common::{fast, locs, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// One part: its name, what follows the name in its headers, and its bytes.
type Part<'a> = (&'a str, &'a str, &'a [u8]);

/// A multipart body of these parts.
fn body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, extra_headers, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--b\r\nContent-Disposition: form-data; name=\"{name}\"{extra_headers}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--b--\r\n");
    body
}

const FILE: Part<'static> = ("upload_file", "; filename=\"a.pdf\"", b"%PDF-1.7");

#[tokio::test]
async fn text_fields_are_taken_as_sent_or_refused() {
    let (server, api) = start(fast()).await;
    let directory = api.create_directory("docs").await;
    let path = format!("/api/v1/beta/directories/{directory}/files/upload");
    let send = |parts: Vec<Part<'_>>| {
        api.send(
            api.request(Method::POST, &path)
                .header("content-type", "multipart/form-data; boundary=b")
                .body(body(&parts)),
        )
    };
    // (what, the parts, the field refused, the start of the message)
    let cases: Vec<(&str, Vec<Part<'_>>, &str, &str)> = vec![
        (
            "a UTF-8 byte order mark",
            vec![FILE, ("unique_id", "", b"\xEF\xBB\xBFid-1")],
            "body.unique_id",
            "unique_id starts with a UTF-8 byte order mark",
        ),
        (
            "UTF-16 with its byte order mark",
            vec![FILE, ("unique_id", "", b"\xFF\xFEi\0d\0")],
            "body.unique_id",
            "unique_id is not valid UTF-8 (it starts with a UTF-16 byte order mark): byte 0xFF at offset 0",
        ),
        (
            "Latin-1 bytes",
            vec![FILE, ("display_name", "", b"caf\xE9")],
            "body.display_name",
            "display_name is not valid UTF-8: byte 0xE9 at offset 3",
        ),
        (
            "a declared charset other than UTF-8",
            vec![
                FILE,
                (
                    "external_file_id",
                    "\r\nContent-Type: text/plain; charset=utf-16le",
                    b"e\0",
                ),
            ],
            "body.external_file_id",
            "external_file_id is declared as charset=utf-16le",
        ),
        (
            "two files",
            vec![
                FILE,
                ("upload_file", "; filename=\"b.pdf\"", b"%PDF-1.7 other"),
            ],
            "body.upload_file",
            "upload_file was sent 2 times; send it once",
        ),
        (
            "a text field twice",
            vec![FILE, ("unique_id", "", b"one"), ("unique_id", "", b"two")],
            "body.unique_id",
            "unique_id was sent 2 times; send it once",
        ),
        (
            "an empty file name",
            vec![("upload_file", "; filename=\"\"", b"%PDF-1.7")],
            "body.upload_file",
            "upload_file has an empty file name",
        ),
        (
            "no file name",
            vec![("upload_file", "", b"%PDF-1.7")],
            "body.upload_file",
            "upload_file has no file name",
        ),
    ];
    for (what, parts, loc, message) in cases {
        let (status, body) = send(parts).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(locs(&body), [loc], "{what}");
        let msg = body["detail"][0]["msg"].as_str().unwrap();
        assert!(msg.starts_with(message), "{what}: {msg}");
    }
    // Every problem at once, in the order of the fields.
    let (status, body) = send(vec![
        ("metadata", "", b"[1]"),
        ("unique_id", "", b"\xFF"),
        ("display_name", "", b"a"),
        ("display_name", "", b"b"),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        locs(&body),
        [
            "body.upload_file",
            "body.display_name",
            "body.unique_id",
            "body.metadata"
        ]
    );
    let files = api
        .ok(&format!("/api/v1/beta/directories/{directory}/files"))
        .await;
    assert_eq!(files["items"], json!([]), "nothing refused was stored");

    // Text that is UTF-8, whatever its script, is kept byte for byte; unknown parts are
    // ignored.
    let (status, file) = send(vec![
        ("upload_file", "; filename=\"résumé.pdf\"", b"%PDF-1.7"),
        ("unique_id", "", "ид-1 \u{FEFF}".as_bytes()),
        (
            "display_name",
            "\r\nContent-Type: text/plain; charset=UTF-8",
            "報告".as_bytes(),
        ),
        ("comment", "", b"\xFF not read"),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(
        (&file["unique_id"], &file["display_name"]),
        (&Value::from("ид-1 \u{FEFF}"), &Value::from("報告"))
    );
    server.shutdown().await;
}
