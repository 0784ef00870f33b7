//! [`OutputForm`]: what an output of a file holds (`run --out`, `results --out`), and
//! the suffix it gets after its source's full name.

use std::str::FromStr;

use batches_client::JobType;
use serde::{Deserialize, Serialize};

/// What an output of a file holds, and its suffix after the source's full name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputForm {
    /// The parse job's whole Markdown (`markdown_full`): `.md`.
    Markdown,
    /// The parse job's whole text (`text_full`): `.txt`.
    Text,
    /// The whole parse result as JSON (every document, metadata, usage), or an extract
    /// job's `extract_result`: `.json`.
    Json,
    /// The parse job's structured items (`items`): `.items.json`.
    Items,
}

impl OutputForm {
    /// Every form, for messages.
    pub const NAMES: &'static str = "markdown, text, json, items";

    /// The default form of `job_type`: `markdown` for parse, `json` for extract.
    pub fn default_for(job_type: &JobType) -> OutputForm {
        match job_type {
            JobType::ExtractV2 => OutputForm::Json,
            _ => OutputForm::Markdown,
        }
    }

    /// Its name (`markdown`).
    pub fn as_str(self) -> &'static str {
        match self {
            OutputForm::Markdown => "markdown",
            OutputForm::Text => "text",
            OutputForm::Json => "json",
            OutputForm::Items => "items",
        }
    }

    /// The suffix its outputs get after the source's full name (`.md`).
    pub fn suffix(self) -> &'static str {
        match self {
            OutputForm::Markdown => ".md",
            OutputForm::Text => ".txt",
            OutputForm::Json => ".json",
            OutputForm::Items => ".items.json",
        }
    }
}

impl FromStr for OutputForm {
    type Err = String;

    fn from_str(text: &str) -> Result<OutputForm, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(OutputForm::Markdown),
            "text" | "txt" => Ok(OutputForm::Text),
            "json" => Ok(OutputForm::Json),
            "items" => Ok(OutputForm::Items),
            _ => Err(format!(
                "`{text}` is not an output form; accepted: {}",
                OutputForm::NAMES
            )),
        }
    }
}
