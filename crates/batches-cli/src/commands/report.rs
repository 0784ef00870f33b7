//! `batches report DIR`: (re)writes an export folder's `report.html` from its manifest and
//! prints the report's path. Local only: no API key, no request.

use std::path::Path;

use batches_run::report_html::{MANIFEST, write_report};

use crate::failure::Failure;
use crate::output::write_stdout;

/// Writes `DIR/report.html`; a folder with no manifest is a usage error naming it, and
/// nothing is written then.
pub fn run(dir: &Path) -> Result<(), Failure> {
    let manifest = dir.join(MANIFEST);
    if !manifest.is_file() {
        return Err(Failure::Usage {
            message: format!(
                "{} not found: {} is not an export folder",
                manifest.display(),
                dir.display()
            ),
            hint: Some("`llamacloud batches run --out DIR` writes one".to_owned()),
        });
    }
    let report = write_report(dir).map_err(Failure::Output)?;
    write_stdout(format!("{}\n", report.display()).as_bytes())
}
