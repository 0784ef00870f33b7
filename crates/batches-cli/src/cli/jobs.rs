//! `llamacloud parse …` and `llamacloud extract …`: the jobs a batch produces.

use batches_client::{ExtractJobExpand, ParseJobExpand};
use clap::Subcommand;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::ScopeArgs;

/// `llamacloud parse …`
#[derive(Debug, Subcommand)]
pub enum ParseCommand {
    /// Show a parse job and the documents it produced
    #[command(
        long_about = "Show a parse job (pjb-…, a batch's parse_v2 result) and what \
        --expand asks for. A document too large for the server to send inline is fetched \
        from its presigned URL (without the API key) and shown as markdown_full, text_full \
        or items: for --expand markdown or text, the whole document as markdown_full or \
        text_full, since a large result's pages are not served. The response then also \
        shows result_content_metadata. The table format shows the job's row, then its \
        document."
    )]
    Get {
        /// The parse job id (pjb-…)
        id: String,
        /// Parts to include (repeatable, or comma-separated)
        #[arg(long, value_name = "PART", value_delimiter = ',', value_parser = parse_expand())]
        expand: Vec<ParseJobExpand>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
}

/// `llamacloud extract …`
#[derive(Debug, Subcommand)]
pub enum ExtractCommand {
    /// Show an extract job and the fields it extracted
    #[command(
        long_about = "Show an extract job (ejb-…, a batch's extract_v2 result) with \
        its extract_result and what --expand asks for. The table format shows the job's \
        row, then its fields."
    )]
    Get {
        /// The extract job id (ejb-…)
        id: String,
        /// Parts to include (repeatable, or comma-separated)
        #[arg(long, value_name = "PART", value_delimiter = ',', value_parser = extract_expand())]
        expand: Vec<ExtractJobExpand>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
}

fn parse_expand() -> impl TypedValueParser<Value = ParseJobExpand> {
    PossibleValuesParser::new(ParseJobExpand::KNOWN.iter().map(ParseJobExpand::as_str))
        .map(ParseJobExpand::from)
}

fn extract_expand() -> impl TypedValueParser<Value = ExtractJobExpand> {
    PossibleValuesParser::new(ExtractJobExpand::KNOWN.iter().map(ExtractJobExpand::as_str))
        .map(ExtractJobExpand::from)
}
