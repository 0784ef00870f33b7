//! Generated data for `--seed N`: realistic ids, every status, both job types, creation
//! times spread over the last `--seed-days` days (30 unless told), results with some
//! per-file errors, and a few directories with files.
//!
//! Seeded batches are a snapshot: they do not move through the lifecycle (only batches
//! created through the API do), so listings over them stay stable. They can be cancelled.

use batches_types::{BatchConfig, BatchResult, BatchStatus, JobConfig, JobType};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

use crate::{
    rules,
    store::{self, NewBatch, NewFile, Store, StoreError},
};

const DIRECTORIES: usize = 8;
const DAY_MICROS: i64 = 24 * 3600 * 1_000_000;

/// How many batches to generate, over how many days before now.
pub struct Span {
    /// Batches.
    pub count: u64,
    /// Days.
    pub days: u64,
}
const NAMES: &[&str] = &[
    "invoice",
    "contract",
    "report",
    "receipt",
    "statement",
    "slides",
    "notes",
    "scan",
];
const EXTENSIONS: &[&str] = &[
    "pdf", "pdf", "pdf", "docx", "pptx", "xlsx", "png", "txt", "zip",
];
const CONFIGURATIONS: &[(&str, JobType)] = &[
    ("cfg-PARSE_AGENTIC", JobType::ParseV2),
    ("cfg-PARSE_FAST", JobType::ParseV2),
    ("cfg-EXTRACT_INVOICE", JobType::ExtractV2),
    ("cfg-EXTRACT_CONTRACT", JobType::ExtractV2),
];

/// One generated batch, before insertion.
struct Seeded {
    id: String,
    directory: usize,
    configuration: usize,
    status: BatchStatus,
    created_at: i64,
    updated_at: i64,
}

fn uuid(rng: &mut StdRng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Inserts `span.count` batches (and their directories) into `project_id`, in one
/// transaction.
pub fn seed(store: &Store, project_id: &str, span: Span, seed: u64) -> Result<(), StoreError> {
    let Span { count, days } = span;
    let spread = i64::try_from(days).unwrap_or(i64::MAX / DAY_MICROS) * DAY_MICROS;
    let mut rng = StdRng::seed_from_u64(seed);
    store.transaction(|tx, clock| {
        let now = clock.tick();
        // (directory id, its files: (file id, name, size))
        let mut directories = Vec::with_capacity(DIRECTORIES);
        for d in 0..DIRECTORIES {
            let id = format!("dir-{}", uuid(&mut rng));
            let created = now - spread - (DIRECTORIES - d) as i64 * 1_000_000;
            let type_ = if d % 3 == 0 { "ephemeral" } else { "user" };
            store::insert_directory(
                tx,
                &id,
                project_id,
                &format!("seeded-{d}"),
                None,
                type_,
                None,
                created,
            )?;
            let mut files = Vec::new();
            for f in 0..rng.random_range(1..=12) {
                let name = format!(
                    "{}-{f:03}.{}",
                    NAMES.choose(&mut rng).expect("not empty"),
                    EXTENSIONS.choose(&mut rng).expect("not empty")
                );
                // One file in twenty is empty, so some results carry an error.
                let size = if rng.random_ratio(1, 20) {
                    0
                } else {
                    rng.random_range(1_000..5_000_000)
                };
                let file = NewFile {
                    file_name: name.clone(),
                    display_name: name.clone(),
                    unique_id: None,
                    external_file_id: None,
                    file_id: Some(uuid(&mut rng).to_string()),
                    size,
                    metadata: None,
                };
                let file_id = store::insert_file(
                    tx,
                    format!("dfl-{}", uuid(&mut rng)),
                    project_id,
                    &id,
                    file,
                    created + f as i64 + 1,
                )?;
                files.push((file_id, name, size));
            }
            directories.push((id, files));
        }
        // Per directory and configuration, the outcome of every file; batches differ only
        // in their job ids.
        let plans: Vec<Vec<Vec<BatchResult>>> = directories
            .iter()
            .map(|(_, files)| {
                CONFIGURATIONS
                    .iter()
                    .map(|(_, job_type)| {
                        files
                            .iter()
                            .map(|(id, name, size)| {
                                rules::plan_file(id.clone(), name, *size, job_type)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut batches: Vec<Seeded> = (0..count)
            .map(|_| {
                let created_at = now - rng.random_range(1..spread);
                Seeded {
                    id: format!("bat-{}", uuid(&mut rng)),
                    directory: rng.random_range(0..directories.len()),
                    configuration: rng.random_range(0..CONFIGURATIONS.len()),
                    status: BatchStatus::KNOWN
                        .choose(&mut rng)
                        .expect("not empty")
                        .clone(),
                    created_at,
                    updated_at: (created_at + rng.random_range(0..3_600_000_000)).min(now),
                }
            })
            .collect();
        // Inserting in creation order appends to the listing indexes instead of splitting
        // their pages at random, which makes seeding several times faster.
        batches.sort_by_key(|batch| batch.created_at);
        for batch in batches {
            let (configuration_id, job_type) = &CONFIGURATIONS[batch.configuration];
            let config = BatchConfig::new(JobConfig::new(*configuration_id, job_type.clone()));
            let mut plan = plans[batch.directory][batch.configuration].clone();
            for reference in plan
                .iter_mut()
                .filter_map(|result| result.job_reference.as_mut())
            {
                let prefix = &reference.id[..3];
                reference.id = format!("{prefix}-{}", uuid(&mut rng));
            }
            let files_done = match batch.status {
                BatchStatus::Completed => plan.len() as i64,
                BatchStatus::Running | BatchStatus::Cancelled => {
                    rng.random_range(0..plan.len() as i64)
                }
                _ => 0,
            };
            store::insert_batch(
                tx,
                &NewBatch {
                    id: batch.id,
                    project_id,
                    source_directory_id: &directories[batch.directory].0,
                    status: batch.status,
                    config: &config,
                    created_at: batch.created_at,
                    updated_at: batch.updated_at,
                    plan: &plan,
                    files_done,
                    fails: false,
                    next_step_at: None,
                },
            )?;
        }
        Ok(())
    })
}
