//! What a new batch plans for its files: how many it may cover, which configurations
//! cannot run, and the outcome of each file, decided by what the file is.

use std::path::Path;

use batches_types::{BatchConfig, BatchResult, JobReference, JobType};

use super::{ids::new_id, refusal::Refusal};

/// Most files a batch may cover.
pub const MAX_BATCH_FILES: i64 = 1000;

/// File types (by lower-case extension) that one of the products reads.
const READABLE: &[&str] = &[
    "pdf", "docx", "doc", "pptx", "ppt", "xlsx", "xls", "csv", "tsv", "txt", "md", "html", "htm",
    "rtf", "odt", "epub", "png", "jpg", "jpeg", "gif", "bmp", "tiff", "webp", "json", "xml",
];

/// Refuses a batch over a directory with no files or more than [`MAX_BATCH_FILES`];
/// `files` is the count found when reading at most one more than the limit.
pub fn check_file_count(directory_id: &str, files: usize) -> Result<(), Refusal> {
    if files > 0 && files as i64 <= MAX_BATCH_FILES {
        return Ok(());
    }
    let count = if files == 0 {
        "no files".to_owned()
    } else {
        format!("more than {MAX_BATCH_FILES} files")
    };
    Err(Refusal::Unprocessable {
        loc: vec!["body", "source_directory_id"],
        message: format!(
            "Directory {directory_id} has {count}; a batch needs 1 to {MAX_BATCH_FILES} files"
        ),
    })
}

/// Whether this configuration cannot run with this job type: a built-in preset names its
/// product (`cfg-PARSE_…`, `cfg-EXTRACT_…`), so a mismatch makes the orchestration fail.
pub fn preset_mismatch(config: &BatchConfig) -> bool {
    let id = config.job.configuration_id.to_ascii_uppercase();
    match config.job.type_ {
        JobType::ParseV2 => id.starts_with("CFG-EXTRACT_"),
        JobType::ExtractV2 => id.starts_with("CFG-PARSE_"),
        _ => true,
    }
}

/// The per-file outcome, decided by what the file is: empty files and types neither product
/// reads get an error message instead of a job.
pub fn plan_file(file_id: String, file_name: &str, size: i64, job_type: &JobType) -> BatchResult {
    let mut result = BatchResult::new(file_id);
    let extension = Path::new(file_name)
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    if size == 0 {
        result.error_message = Some(format!("{file_name} is empty; there is nothing to process"));
    } else if !extension.as_deref().is_some_and(|e| READABLE.contains(&e)) {
        result.error_message = Some(format!(
            "{file_name}: unsupported file type {:?}",
            extension.unwrap_or_default()
        ));
    } else {
        let prefix = match job_type {
            JobType::ExtractV2 => "ejb",
            _ => "pjb",
        };
        result.job_reference = Some(JobReference::new(new_id(prefix), job_type.clone()));
    }
    result
}

#[cfg(test)]
mod tests {
    use batches_types::JobConfig;

    use super::*;

    fn config(configuration_id: &str, job_type: JobType) -> BatchConfig {
        BatchConfig::new(JobConfig::new(configuration_id, job_type))
    }

    #[test]
    fn a_batch_covers_one_to_the_most_files() {
        assert_eq!(check_file_count("dir-1", 1), Ok(()));
        assert_eq!(check_file_count("dir-1", MAX_BATCH_FILES as usize), Ok(()));
        let refused = |files| match check_file_count("dir-1", files) {
            Err(Refusal::Unprocessable { loc, message }) => {
                assert_eq!(loc, ["body", "source_directory_id"]);
                message
            }
            other => panic!("{files} files: {other:?}"),
        };
        assert_eq!(
            refused(0),
            "Directory dir-1 has no files; a batch needs 1 to 1000 files"
        );
        assert_eq!(
            refused(MAX_BATCH_FILES as usize + 1),
            "Directory dir-1 has more than 1000 files; a batch needs 1 to 1000 files"
        );
    }

    #[test]
    fn a_preset_of_the_other_product_cannot_run() {
        assert!(preset_mismatch(&config(
            "cfg-EXTRACT_INVOICE",
            JobType::ParseV2
        )));
        assert!(preset_mismatch(&config(
            "cfg-PARSE_FAST",
            JobType::ExtractV2
        )));
        assert!(preset_mismatch(&config("CFG-extract_x", JobType::ParseV2)));
        assert!(!preset_mismatch(&config(
            "cfg-PARSE_FAST",
            JobType::ParseV2
        )));
        assert!(!preset_mismatch(&config(
            "cfg-EXTRACT_INVOICE",
            JobType::ExtractV2
        )));
        // A configuration of the caller's own names no product.
        assert!(!preset_mismatch(&config("cfg-1234", JobType::ParseV2)));
        assert!(!preset_mismatch(&config("cfg-1234", JobType::ExtractV2)));
        assert!(preset_mismatch(&config(
            "cfg-1234",
            JobType::from("CLASSIFY")
        )));
    }

    #[test]
    fn readable_files_get_a_job_of_the_batch_type() {
        for name in ["a.pdf", "b.DOCX", "c.Png", "notes.tar.md", "data.json"] {
            for (job_type, prefix) in [(JobType::ParseV2, "pjb-"), (JobType::ExtractV2, "ejb-")] {
                let result = plan_file("dfl-1".into(), name, 10, &job_type);
                assert_eq!(result.source_directory_file_id, "dfl-1");
                assert_eq!(result.error_message, None, "{name}");
                let job = result.job_reference.expect("a job");
                assert_eq!(job.type_, job_type);
                assert!(job.id.starts_with(prefix), "{} for {name}", job.id);
                assert_eq!(job.id.len(), prefix.len() + 36, "a UUID body: {}", job.id);
            }
        }
    }

    #[test]
    fn empty_and_unreadable_files_get_an_error_instead_of_a_job() {
        let error = |name, size| {
            let result = plan_file("dfl-1".into(), name, size, &JobType::ParseV2);
            assert_eq!(result.job_reference, None, "{name}");
            result.error_message.expect("an error message")
        };
        assert_eq!(
            error("scan.pdf", 0),
            "scan.pdf is empty; there is nothing to process"
        );
        // Emptiness is reported even for a type no product reads.
        assert_eq!(
            error("a.zip", 0),
            "a.zip is empty; there is nothing to process"
        );
        assert_eq!(
            error("archive.ZIP", 5),
            "archive.ZIP: unsupported file type \"zip\""
        );
        assert_eq!(error("README", 5), "README: unsupported file type \"\"");
    }
}
