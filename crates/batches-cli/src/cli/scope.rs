//! The scope of a request: the organization and project it acts in.

use clap::Args;

/// `--organization-id` and `--project-id`, accepted by every batch endpoint.
#[derive(Debug, Clone, Args)]
pub struct ScopeArgs {
    /// Organization to act in
    #[arg(long, value_name = "ID")]
    pub organization_id: Option<String>,
    /// Project to act in (default: the key's project)
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
}
