//! Source directories end to end against the project's emulator: create, get, list, upload
//! (a large file streamed, the optional fields), add by id, list files, a batch over them;
//! uploads under injected faults and under the rate limit; the blocking facade.

mod common;

use std::collections::HashSet;

use batches_client::{
    AddDirectoryFileRequest, BatchConfig, Client, CreateBatchRequest, CreateDirectoryRequest,
    CreateDirectoryType, DirectoryType, Error, FileNameProblem, JobConfig, JobType,
    ListDirectoriesParams, ListDirectoryFilesParams, RawValue, UploadDirectoryFileFields,
    UploadOptions, blocking,
};
use batches_server::{FaultKind, RateLimit, ServerConfig, spawn};
use common::emulator_builder;
use futures_util::TryStreamExt;

fn client(base_url: &str) -> Client {
    emulator_builder(base_url).build().unwrap()
}

fn ephemeral(name: &str) -> CreateDirectoryRequest {
    CreateDirectoryRequest {
        type_: Some(CreateDirectoryType::Ephemeral),
        ..CreateDirectoryRequest::new(name)
    }
}

/// `count` small files named `doc-N.md` in a fresh temporary directory.
fn documents(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in 0..count {
        std::fs::write(dir.path().join(format!("doc-{n:03}.md")), format!("# {n}")).unwrap();
    }
    dir
}

#[tokio::test]
async fn directories_and_their_files_end_to_end() {
    let server = spawn(ServerConfig {
        processing_ms: 5,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let client = client(&server.base_url());
    let directories = client.directories();

    let created = directories
        .create(&ephemeral("scans"), &Default::default())
        .await
        .unwrap();
    assert!(created.id.starts_with("dir-"));
    assert_eq!(created.type_, Some(DirectoryType::Ephemeral));
    let fetched = directories
        .get(&created.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(fetched.value, created.value);
    assert_eq!(fetched.raw, created.raw);

    // A file larger than any buffer on the way, streamed from disk.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("scan.pdf");
    std::fs::write(&big, vec![b'%'; 5 * 1024 * 1024 + 17]).unwrap();
    let files = directories.files(&created.id);
    let options = UploadOptions {
        fields: UploadDirectoryFileFields {
            display_name: Some("Scan".into()),
            metadata: Some(r#"{"pages": 40}"#.into()),
            unique_id: Some("scans/scan.pdf".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let uploaded = files.upload(&big, &options).await.unwrap();
    assert_eq!(uploaded.display_name, "Scan");
    assert_eq!(uploaded.unique_id, "scans/scan.pdf");
    assert_eq!(uploaded.metadata.as_ref().unwrap()["pages"], 40);
    let error = files.upload(&big, &options).await.unwrap_err();
    assert_eq!(
        error.status(),
        Some(409),
        "a second file with the same unique_id"
    );

    let other = directories
        .create(&CreateDirectoryRequest::new("copies"), &Default::default())
        .await
        .unwrap();
    assert_eq!(other.type_, Some(DirectoryType::User));
    let added = directories
        .files(&other.id)
        .add(
            &AddDirectoryFileRequest::new(uploaded.file_id.clone().unwrap()),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(added.file_id, uploaded.file_id);
    assert_eq!(added.display_name, "scan.pdf", "the stored file's own name");

    let docs = documents(7);
    for entry in std::fs::read_dir(docs.path()).unwrap() {
        files
            .upload(entry.unwrap().path(), &Default::default())
            .await
            .unwrap();
    }
    let params = ListDirectoryFilesParams {
        page_size: Some(3),
        ..Default::default()
    };
    let listed: Vec<_> = files.stream(params.clone()).try_collect().await.unwrap();
    assert_eq!(listed.len(), 8);
    assert_eq!(listed[0].id, uploaded.id, "oldest first");
    let pages: Vec<_> = files.raw_pages(params).try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    let raw: Vec<&RawValue> = pages
        .iter()
        .flat_map(|page| &page.items)
        .map(|item| &**item)
        .collect();
    assert!(
        raw[0].get().contains("\"unique_id\":\"scans/scan.pdf\""),
        "{}",
        raw[0]
    );
    let found = files
        .list(&ListDirectoryFilesParams {
            unique_id: Some("doc-003.md".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);

    let all: Vec<_> = directories
        .stream(ListDirectoriesParams::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|d| &d.id).collect::<Vec<_>>(),
        [&created.id, &other.id]
    );
    let only_ephemeral = directories
        .list(&ListDirectoriesParams {
            type_: Some(DirectoryType::Ephemeral),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(only_ephemeral.items.len(), 1);

    // The files are a batch's source: every one gets a result.
    let batch = client
        .batches()
        .create(
            &CreateBatchRequest::new(
                created.id.clone(),
                BatchConfig::new(JobConfig::new("cfg-PARSE_AGENTIC", JobType::ParseV2)),
            ),
            &Default::default(),
        )
        .await
        .unwrap();
    let done = client
        .batches()
        .wait(
            &batch.id,
            batches_client::WaitOptions::new()
                .interval(std::time::Duration::from_millis(20))
                .params(batches_client::GetBatchParams {
                    expand: Some(vec!["results".into()]),
                    ..Default::default()
                }),
        )
        .await
        .unwrap();
    let results: HashSet<&str> = done
        .results
        .iter()
        .flatten()
        .map(|result| result.source_directory_file_id.as_str())
        .collect();
    assert_eq!(
        results,
        listed.iter().map(|file| file.id.as_str()).collect()
    );
    server.shutdown().await;
}

/// Responses cut after the server stored the file: the retry meets a conflict, which the
/// client reads as its own upload having landed. Every upload succeeds, none twice.
#[tokio::test]
async fn uploads_whose_answers_are_cut_land_exactly_once() {
    let server = spawn(ServerConfig {
        fault_rate: 0.3,
        fault_kinds: vec![FaultKind::Truncate],
        fault_seed: 3,
        upload_rate_limit: None,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let client = emulator_builder(&server.base_url())
        .max_retries(8)
        .build()
        .unwrap();
    let directory = loop {
        // A create is not retried after a cut answer; another directory is harmless here.
        if let Ok(directory) = client
            .directories()
            .create(&ephemeral("faulty"), &Default::default())
            .await
        {
            break directory;
        }
    };
    let files = client.directories().files(&directory.id);
    let docs = documents(16);
    let mut ids = HashSet::new();
    for n in 0..16 {
        let path = docs.path().join(format!("doc-{n:03}.md"));
        let file = files.upload(&path, &Default::default()).await.unwrap();
        assert_eq!(file.unique_id, format!("doc-{n:03}.md"));
        ids.insert(file.id.clone());
    }
    assert_eq!(ids.len(), 16);
    let listed: Vec<_> = files
        .stream(Default::default())
        .try_collect()
        .await
        .unwrap();
    let listed_ids: HashSet<String> = listed.into_iter().map(|file| file.id).collect();
    assert_eq!(
        listed_ids, ids,
        "each file once, and the ids returned are the stored ones"
    );
    let counts = server.counts();
    assert!(counts.uploads > 16, "cut answers made retries: {counts:?}");
    server.shutdown().await;
}

/// More uploads than the limit allows in one window: the 429s are waited out.
#[tokio::test]
async fn a_file_name_with_a_control_character_is_refused_before_anything_is_sent() {
    let server = spawn(ServerConfig::default()).await.unwrap();
    let client = client(&server.base_url());
    let directory = client
        .directories()
        .create(&ephemeral("names"), &Default::default())
        .await
        .unwrap();
    let files = client.directories().files(&directory.id);
    let dir = tempfile::tempdir().unwrap();
    for (name, character, shown) in [
        ("line\nbreak.pdf", '\n', "line\\nbreak.pdf"),
        ("carriage\rreturn.pdf", '\r', "carriage\\rreturn.pdf"),
        ("tab\there.pdf", '\t', "tab\\there.pdf"),
        ("escape\u{1b}[31m.pdf", '\u{1b}', "escape\\u{1b}[31m.pdf"),
        ("c1\u{85}.pdf", '\u{85}', "c1\\u{85}.pdf"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, "%PDF-1.7").unwrap();
        let error = files.upload(&path, &Default::default()).await.unwrap_err();
        let Error::FileName { problem, .. } = &error else {
            panic!("{name:?}: {error:?}")
        };
        assert_eq!(*problem, FileNameProblem::ControlCharacter(character));
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "upload directory file: cannot upload {}/{shown}: its name holds a control \
                 character (",
                dir.path().display()
            )),
            "{message}"
        );
        assert!(
            message.ends_with("which the upload's multipart header cannot carry; rename the file"),
            "{message}"
        );
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
    assert_eq!(server.counts().uploads, 0, "nothing was sent");
    // The same file under a name without one goes through.
    let fine = dir.path().join("line break \u{e9}.pdf");
    std::fs::write(&fine, "%PDF-1.7").unwrap();
    let uploaded = files.upload(&fine, &Default::default()).await.unwrap();
    assert_eq!(uploaded.unique_id, "line break \u{e9}.pdf");
    server.shutdown().await;
}

#[tokio::test]
async fn uploads_over_the_rate_limit_wait_and_succeed() {
    let server = spawn(ServerConfig {
        upload_rate_limit: Some(RateLimit {
            requests: 5,
            window: std::time::Duration::from_millis(300),
        }),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let client = emulator_builder(&server.base_url())
        .max_retries(10)
        .build()
        .unwrap();
    let directory = client
        .directories()
        .create(&ephemeral("limited"), &Default::default())
        .await
        .unwrap();
    let files = client.directories().files(&directory.id);
    let docs = documents(12);
    for n in 0..12 {
        files
            .upload(
                docs.path().join(format!("doc-{n:03}.md")),
                &Default::default(),
            )
            .await
            .unwrap();
    }
    let counts = server.counts();
    assert!(counts.rate_limited > 0, "{counts:?}");
    assert_eq!(counts.uploads, 12 + counts.rate_limited);
    server.shutdown().await;
}

#[test]
fn the_blocking_client_has_the_same_operations() {
    let server = batches_server::BackgroundServer::start(ServerConfig::default()).unwrap();
    let client = blocking::Client::new(emulator_builder(&server.base_url())).unwrap();
    let directories = client.directories();
    let directory = directories
        .create(&ephemeral("blocking"), &Default::default())
        .unwrap();
    assert_eq!(
        directories
            .get(&directory.id, &Default::default())
            .unwrap()
            .id,
        directory.id
    );
    let files = directories.files(&directory.id);
    let docs = documents(3);
    let mut uploaded = Vec::new();
    for n in 0..3 {
        let path = docs.path().join(format!("doc-{n:03}.md"));
        uploaded.push(files.upload(path, &Default::default()).unwrap().id.clone());
    }
    let listed: Vec<String> = files
        .iter(ListDirectoryFilesParams {
            page_size: Some(2),
            ..Default::default()
        })
        .map(|file| file.map(|file| file.id))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(listed, uploaded);
    assert_eq!(files.pages(Default::default()).count(), 1);
    assert_eq!(files.list(&Default::default()).unwrap().items.len(), 3);
    assert_eq!(files.list_raw(&Default::default()).unwrap().items.len(), 3);
    assert_eq!(files.raw_pages(Default::default()).count(), 1);
    let copy = directories
        .create(&CreateDirectoryRequest::new("copy"), &Default::default())
        .unwrap();
    let first = files.list(&Default::default()).unwrap().items[0].clone();
    let added = directories
        .files(&copy.id)
        .add(
            &AddDirectoryFileRequest::new(first.file_id.unwrap()),
            &Default::default(),
        )
        .unwrap();
    assert_eq!(added.directory_id, copy.id);
    let ids: Vec<String> = directories
        .iter(Default::default())
        .map(|directory| directory.unwrap().id)
        .collect();
    assert_eq!(ids, [directory.id.clone(), copy.id.clone()]);
    assert_eq!(
        directories.list(&Default::default()).unwrap().items.len(),
        2
    );
    assert_eq!(
        directories
            .list_raw(&Default::default())
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(directories.pages(Default::default()).count(), 1);
    assert_eq!(directories.raw_pages(Default::default()).count(), 1);
}
