//! Generated data for `--seed N`: realistic ids, both job types, creation times spread over
//! the last `--seed-days` days (30 unless told), results with some per-file errors, and a
//! few directories with files.
//!
//! Seeded batches are history, not a snapshot: each is replayed through the lifecycle's
//! rules at the emulator's pace ([`rules::History`]), so one older than its processing
//! time has ended (COMPLETED with a result per file, FAILED when its configuration is a
//! preset of the other product, or CANCELLED with the files mapped until its user
//! cancelled it), and a recent one is where the lifecycle would have it now, with its next
//! step due, so the lifecycle carries it on like a batch created through the API.

use batches_types::{BatchConfig, BatchResult, JobConfig, JobType};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

use crate::{
    rules::{self, History, PastBatch},
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

/// The lifecycle's pace, which the history is replayed at.
pub struct Pace {
    /// Time between two lifecycle steps of a batch (microseconds).
    pub step_micros: i64,
    /// Batches a project may run at once.
    pub concurrency_limit: u32,
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
/// The configurations batches run with; the last two are a preset of the other product,
/// the mistake that makes a batch FAILED.
const CONFIGURATIONS: &[(&str, JobType)] = &[
    ("cfg-PARSE_AGENTIC", JobType::ParseV2),
    ("cfg-PARSE_FAST", JobType::ParseV2),
    ("cfg-EXTRACT_INVOICE", JobType::ExtractV2),
    ("cfg-EXTRACT_CONTRACT", JobType::ExtractV2),
    ("cfg-EXTRACT_INVOICE", JobType::ParseV2),
    ("cfg-PARSE_FAST", JobType::ExtractV2),
];
/// How many of [`CONFIGURATIONS`] can run.
const RUNNABLE: usize = 4;

/// One generated batch, before insertion.
struct Seeded {
    id: String,
    directory: usize,
    configuration: usize,
    created_at: i64,
    /// When its user cancels it, as a share of its life; mostly never.
    cancelled_at_share: Option<f64>,
}

fn uuid(rng: &mut StdRng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Inserts `span.count` batches (and their directories) into `project_id`, in one
/// transaction, each where the lifecycle at `pace` would have brought it by now.
pub fn seed(
    store: &Store,
    project_id: &str,
    span: Span,
    pace: Pace,
    seed: u64,
) -> Result<(), StoreError> {
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
            .map(|_| Seeded {
                id: format!("bat-{}", uuid(&mut rng)),
                directory: rng.random_range(0..directories.len()),
                // One in eight names a preset of the other product, and fails.
                configuration: if rng.random_ratio(1, 8) {
                    rng.random_range(RUNNABLE..CONFIGURATIONS.len())
                } else {
                    rng.random_range(0..RUNNABLE)
                },
                created_at: now - rng.random_range(1..spread),
                cancelled_at_share: rng.random_ratio(1, 8).then(|| rng.random()),
            })
            .collect();
        // Inserting in creation order appends to the listing indexes instead of splitting
        // their pages at random, which makes seeding several times faster; it is also the
        // order the history is replayed in.
        batches.sort_by_key(|batch| batch.created_at);
        let mut history = History::new(pace.step_micros, pace.concurrency_limit, now);
        for batch in batches {
            let (configuration_id, job_type) = &CONFIGURATIONS[batch.configuration];
            let config = BatchConfig::new(JobConfig::new(*configuration_id, job_type.clone()));
            let fails = rules::preset_mismatch(&config);
            let mut plan = plans[batch.directory][batch.configuration].clone();
            for reference in plan
                .iter_mut()
                .filter_map(|result| result.job_reference.as_mut())
            {
                let prefix = &reference.id[..3];
                reference.id = format!("{prefix}-{}", uuid(&mut rng));
            }
            let present = history.replay(&PastBatch {
                created_at: batch.created_at,
                file_count: plan.len() as i64,
                fails,
                cancelled_at_share: batch.cancelled_at_share,
            });
            store::insert_batch(
                tx,
                &NewBatch {
                    id: batch.id,
                    project_id,
                    source_directory_id: &directories[batch.directory].0,
                    status: present.status,
                    config: &config,
                    created_at: batch.created_at,
                    updated_at: present.updated_at,
                    plan: &plan,
                    files_done: present.files_done,
                    fails,
                    next_step_at: present.next_step_at,
                },
            )?;
        }
        Ok(())
    })
}
