//! `directories …`: source directories and their files.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{ScopeArgs, UploadArgs};
use crate::values::{self, DATE_FORMS};

/// `llamacloud directories …`
#[derive(Debug, Subcommand)]
pub enum DirectoriesCommand {
    /// Create a source directory
    Create {
        /// Its name
        name: String,
        /// A description shown to users
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// ephemeral for files uploaded only to be batched; user keeps them [default: user]
        #[arg(long = "type", value_name = "TYPE", value_parser = ["ephemeral", "user"])]
        type_: Option<String>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Show one directory
    Get {
        /// The directory id (dir-…)
        id: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// List directories, oldest first, fetching every page
    List(Box<DirectoryListArgs>),
    /// List and upload the files of a directory
    #[command(subcommand)]
    Files(FilesCommand),
}

/// `directories files …`
#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// List the files of a directory, oldest first, fetching every page
    List(Box<FileListArgs>),
    /// Upload local files and folders into a directory; files already there (same path
    /// as given) are skipped, so running it again finishes an interrupted upload
    Upload(Box<FileUploadArgs>),
}

/// Where a listing starts and how much of it to print, for every listing command.
#[derive(Debug, Clone, Args)]
pub struct PageArgs {
    /// Items per request, 1 to 1000 [default: the server's, 50]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub page_size: Option<i64>,
    /// Start at this page (the next_page_token of an earlier page)
    #[arg(long, value_name = "TOKEN", conflicts_with = "starting_token")]
    pub page_token: Option<String>,
    /// Stop after this many items
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_items: Option<u64>,
    /// Continue a listing that stopped early, right after the last item it printed
    #[arg(long, value_name = "TOKEN")]
    pub starting_token: Option<String>,
}

/// `directories list`.
#[derive(Debug, Args)]
pub struct DirectoryListArgs {
    /// Only directories with this name
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Only directories of this type (repeatable)
    #[arg(long = "type", value_name = "TYPE", value_parser = ["ephemeral", "index", "user"])]
    pub types: Vec<String>,
    /// Include deleted directories
    #[arg(long)]
    pub include_deleted: bool,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub pages: PageArgs,
}

/// `directories files list`.
#[derive(Debug, Args)]
pub struct FileListArgs {
    /// The directory id (dir-…)
    pub directory_id: String,
    /// Only files with this display name
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    /// Only files whose display name contains this text, in any case
    #[arg(long, value_name = "TEXT")]
    pub display_name_contains: Option<String>,
    /// Only files with this file id
    #[arg(long, value_name = "ID")]
    pub file_id: Option<String>,
    /// Only the file with this unique id
    #[arg(long, value_name = "ID")]
    pub unique_id: Option<String>,
    /// Only files updated at or after this instant, date or age (7d, 36h)
    #[arg(long, value_name = "WHEN", value_parser = values::parse_instant, long_help = format!("Only files updated at or after WHEN: {DATE_FORMS}"))]
    pub updated_at_on_or_after: Option<values::Instant>,
    /// Only files updated at or before this instant, date or age (7d, 36h)
    #[arg(long, value_name = "WHEN", value_parser = values::parse_instant, long_help = format!("Only files updated at or before WHEN: {DATE_FORMS}"))]
    pub updated_at_on_or_before: Option<values::Instant>,
    /// Include deleted files
    #[arg(long)]
    pub include_deleted: bool,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub pages: PageArgs,
}

/// `directories files upload`.
#[derive(Debug, Args)]
pub struct FileUploadArgs {
    /// The directory id (dir-…)
    pub directory_id: String,
    /// Files and folders to upload; folders are walked, skipping hidden files and what
    /// .gitignore or .ignore leave out
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub upload: UploadArgs,
}
