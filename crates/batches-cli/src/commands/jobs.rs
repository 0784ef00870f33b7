//! `parse get` and `extract get`.

use batches_client::{ExtractJobExpand, GetExtractJobParams, GetParseJobParams, ParseJobExpand};

use super::Context;
use crate::cli::ScopeArgs;
use crate::failure::Failure;
use crate::output::Rows;

/// `parse get`: the job, documents left out inline fetched from their presigned URLs.
pub async fn get_parse(
    context: &mut Context,
    id: &str,
    expand: Vec<ParseJobExpand>,
    scope: ScopeArgs,
) -> Result<(), Failure> {
    let (organization_id, project_id) = scope.ids();
    let params = GetParseJobParams {
        expand: (!expand.is_empty()).then_some(expand),
        organization_id,
        project_id,
    };
    let response = context
        .interrupt
        .race(context.client.parse().get_following(id, &params))
        .await??;
    context.printer.show(Rows::ParseJobs);
    context.printer.single(&response.raw)
}

/// `extract get`.
pub async fn get_extract(
    context: &mut Context,
    id: &str,
    expand: Vec<ExtractJobExpand>,
    scope: ScopeArgs,
) -> Result<(), Failure> {
    let (organization_id, project_id) = scope.ids();
    let params = GetExtractJobParams {
        expand: (!expand.is_empty()).then_some(expand),
        organization_id,
        project_id,
    };
    let response = context
        .interrupt
        .race(context.client.extract().get(id, &params))
        .await??;
    context.printer.show(Rows::ExtractJobs);
    context.printer.single(&response.raw)
}
