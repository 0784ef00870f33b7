//! A job's work: when a running job's end is due, its file's bytes are read into a document
//! (and, for `extract_v2`, the fields of its preset), off the async threads, and the job
//! ends COMPLETED with the result or FAILED with the reason (an extract job with its parse
//! job, which gets the document).

use std::sync::Arc;

use batches_types::JobType;
use serde_json::json;

use crate::{
    documents,
    store::{DueJob, Outcome, Store, StoreError},
};

/// Takes every job step that is due: starts the pending jobs and ends the running ones.
pub async fn run_due(store: &Arc<Store>, step_micros: i64) -> Result<(), StoreError> {
    for job in store.due_jobs(step_micros)? {
        let id = job.id.clone();
        let reader = store.clone();
        let outcome = tokio::task::spawn_blocking(move || work(&reader, &job))
            .await
            .unwrap_or_else(|_| Outcome::Failed("the file could not be processed".to_owned()));
        store.finish_job(&id, outcome)?;
    }
    Ok(())
}

fn work(store: &Store, job: &DueJob) -> Outcome {
    let (project_id, file_id) = &job.file;
    let content = match store.file_content(project_id, file_id) {
        Ok(Some(content)) => content,
        Ok(None) => {
            return Outcome::Failed(format!(
                "{}: the emulator did not keep this file's bytes (uploaded by an older \
                 version, or a generated fixture); upload it again",
                job.file_name
            ));
        }
        Err(error) => return Outcome::Failed(format!("the file could not be read: {error}")),
    };
    let document = match documents::read(&job.file_name, &content) {
        Ok(document) => document,
        Err(reason) => return Outcome::Failed(reason),
    };
    let extraction = (job.job_type == JobType::ExtractV2).then(|| {
        let extraction = documents::extract(&job.configuration_id, &document);
        json!({
            "extract_result": extraction.result,
            "field_metadata": extraction.field_metadata,
        })
        .to_string()
    });
    Outcome::Completed {
        pages: document.pages.len() as i64,
        document: serde_json::to_string(&document).expect("a document always serializes"),
        extraction,
    }
}
