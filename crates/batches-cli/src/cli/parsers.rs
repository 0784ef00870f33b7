//! The parsers of the API's value sets that the command line accepts in any case, with
//! every known value listed in the help.

use batches_client::{BatchStatus, JobType, Region};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// The client's regions, each shown with its host.
pub fn region_parser() -> impl TypedValueParser<Value = Region> {
    PossibleValuesParser::new(Region::ALL.map(|region| {
        PossibleValue::new(region.as_str()).help(format!(
            "{}: {}",
            region.name(),
            region.base_url()
        ))
    }))
    .map(|text| known(&Region::ALL, &text, |region| region.as_str()))
}

/// The batch statuses.
pub fn status_parser() -> impl TypedValueParser<Value = BatchStatus> {
    PossibleValuesParser::new(
        BatchStatus::KNOWN
            .iter()
            .map(|s| PossibleValue::new(s.as_str())),
    )
    .map(|text| known(BatchStatus::KNOWN, &text, BatchStatus::as_str))
}

/// The job types.
pub fn job_type_parser() -> impl TypedValueParser<Value = JobType> {
    PossibleValuesParser::new(
        JobType::KNOWN
            .iter()
            .map(|t| PossibleValue::new(t.as_str())),
    )
    .map(|text| known(JobType::KNOWN, &text, JobType::as_str))
}

/// The known value that `text` names in any case (the parser already checked it is one).
fn known<T: Clone>(values: &[T], text: &str, name: fn(&T) -> &str) -> T {
    values
        .iter()
        .find(|value| name(value).eq_ignore_ascii_case(text))
        .cloned()
        .expect("the possible values are the known ones")
}
