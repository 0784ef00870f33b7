//! `batches report DIR`: (re)writes an export folder's `report.html` from its manifest and
//! prints the report's path. Local only: no API key, no request.

use std::io::ErrorKind;
use std::path::Path;

use batches_run::report_html::{MANIFEST, write_report};

use crate::failure::Failure;
use crate::output::write_stdout;

/// Writes `DIR/report.html`; a folder with no manifest is a usage error naming it.
pub fn run(dir: &Path) -> Result<(), Failure> {
    match write_report(dir) {
        Ok(report) => write_stdout(format!("{}\n", report.display()).as_bytes()),
        Err(error) if error.kind() == ErrorKind::NotFound => Err(Failure::Usage {
            message: format!(
                "{} not found: DIR must be an export folder",
                dir.join(MANIFEST).display()
            ),
            hint: Some("`llamacloud batches run --out DIR` writes one".to_owned()),
        }),
        Err(error) => Err(Failure::Output(error)),
    }
}
