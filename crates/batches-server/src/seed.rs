//! Generated data for `--seed N`: realistic ids, every status, both job types, creation
//! times spread over the last 30 days, results with some per-file errors, and a few
//! directories with files.
//!
//! Seeded batches are a snapshot: they do not move through the lifecycle (only batches
//! created through the API do), so listings over them stay stable. They can be cancelled.

use batches_types::{BatchConfig, BatchStatus, JobConfig, JobType};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

use crate::store::{self, NewBatch, NewFile, Store, StoreError};

const DIRECTORIES: usize = 8;
const SPREAD_MICROS: i64 = 30 * 24 * 3600 * 1_000_000;
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

fn uuid(rng: &mut StdRng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Inserts `count` batches (and their directories) into `project_id`, in one transaction.
pub fn seed(store: &Store, project_id: &str, count: u64, seed: u64) -> Result<(), StoreError> {
    let mut rng = StdRng::seed_from_u64(seed);
    store.transaction(|tx, clock| {
        let now = store::tick(clock);
        // (directory id, its files: (file id, name, size))
        let mut directories = Vec::with_capacity(DIRECTORIES);
        for d in 0..DIRECTORIES {
            let id = format!("dir-{}", uuid(&mut rng));
            let created = now - SPREAD_MICROS - (DIRECTORIES - d) as i64 * 1_000_000;
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
                let file_id =
                    store::insert_file(tx, project_id, &id, file, created + f as i64 + 1)?;
                files.push((file_id, name, size));
            }
            directories.push((id, files));
        }
        for _ in 0..count {
            let (directory_id, files) = directories.choose(&mut rng).expect("not empty");
            let (configuration_id, job_type) = CONFIGURATIONS.choose(&mut rng).expect("not empty");
            let config = BatchConfig::new(JobConfig::new(*configuration_id, job_type.clone()));
            let status = BatchStatus::KNOWN
                .choose(&mut rng)
                .expect("not empty")
                .clone();
            let created_at = now - rng.random_range(1..SPREAD_MICROS);
            let updated_at = (created_at + rng.random_range(0..3_600_000_000)).min(now);
            let plan: Vec<_> = files
                .iter()
                .map(|(id, name, size)| {
                    let mut result = store::plan_file(id.clone(), name, *size, job_type);
                    if let Some(reference) = &mut result.job_reference {
                        let prefix = &reference.id[..3];
                        reference.id = format!("{prefix}-{}", uuid(&mut rng));
                    }
                    result
                })
                .collect();
            let files_done = match status {
                BatchStatus::Completed => plan.len() as i64,
                BatchStatus::Running | BatchStatus::Cancelled => {
                    rng.random_range(0..plan.len() as i64)
                }
                _ => 0,
            };
            store::insert_batch(
                tx,
                &NewBatch {
                    id: format!("bat-{}", uuid(&mut rng)),
                    project_id,
                    source_directory_id: directory_id,
                    status,
                    config: &config,
                    created_at,
                    updated_at,
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
