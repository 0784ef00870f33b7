//! An emulator, a client of it, folders of files, and runs driven to their end.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use batches_client::{Client, ListBatchesParams};
use batches_run::{Error, Event, JobType, Options, Plan, Report, Run};
use batches_server::{DEFAULT_API_KEY, RunningServer, ServerConfig};
use futures_util::TryStreamExt;

/// The emulator with its upload rate limit off, batches processed quickly.
pub fn quick() -> ServerConfig {
    ServerConfig {
        processing_ms: 5,
        upload_rate_limit: None,
        ..ServerConfig::default()
    }
}

/// An emulator and a client of it.
pub struct Env {
    pub server: RunningServer,
    pub client: Client,
}

impl Env {
    pub async fn start(config: ServerConfig) -> Env {
        let server = batches_server::spawn(config).await.unwrap();
        let client = Client::builder()
            .base_url(server.base_url())
            .api_key(DEFAULT_API_KEY.0)
            .build()
            .unwrap();
        Env { server, client }
    }

    /// Runs `options` to its end; returns the events and how it ended.
    pub async fn run(&self, options: Options) -> (Vec<Event>, Result<Report, Error>) {
        run(&self.client, options).await
    }

    /// The batches over `directory_id`.
    pub async fn batches_over(&self, directory_id: &str) -> Vec<String> {
        let params = ListBatchesParams {
            source_directory_id: Some(directory_id.to_owned()),
            ..Default::default()
        };
        let batches: Vec<_> = self
            .client
            .batches()
            .stream(params)
            .try_collect()
            .await
            .unwrap();
        batches.into_iter().map(|batch| batch.id).collect()
    }

    /// The unique ids of the files of `directory_id`.
    pub async fn files_of(&self, directory_id: &str) -> Vec<String> {
        let files: Vec<_> = self
            .client
            .directories()
            .files(directory_id)
            .stream(Default::default())
            .try_collect()
            .await
            .unwrap();
        let mut ids: Vec<String> = files.into_iter().map(|file| file.unique_id).collect();
        ids.sort();
        ids
    }
}

/// Runs `options` with `client` to its end; returns the events and how it ended.
pub async fn run(client: &Client, options: Options) -> (Vec<Event>, Result<Report, Error>) {
    let plan = Plan::new(options).expect("a plan");
    let mut run = Run::start(client.clone(), plan);
    let mut events = Vec::new();
    while let Some(event) = run.next_event().await {
        events.push(event);
    }
    (events, run.finish().await)
}

/// A run of `paths` with quick polling and no pace to speak of.
pub fn options<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Options {
    Options::new(paths, JobType::ParseV2, "cfg-PARSE_AGENTIC")
        .upload_rate("1000/s".parse().unwrap())
        .poll_intervals(Duration::from_millis(10), Duration::from_millis(50))
}

/// Writes `names` (with `# name` as content) under `dir`, making folders as needed.
pub fn write(dir: &Path, names: &[&str]) {
    for name in names {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("# {name}")).unwrap();
    }
}

/// The report's paths, in its order.
pub fn paths(report: &Report) -> Vec<&str> {
    report.files.iter().map(|file| file.path.as_str()).collect()
}

/// The kinds of `events`, in order.
pub fn kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            serde_json::to_value(event).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}
