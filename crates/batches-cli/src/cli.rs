//! The command line: every command, option and accepted value.

mod directories;
mod jobs;
mod parsers;
mod run;
mod scope;
mod webhooks;

use std::path::PathBuf;
use std::time::Duration;

use batches_client::{BatchStatus, JobType, Region};
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use self::parsers::{job_type_parser, region_parser, status_parser};
use crate::failure::EXIT_CODES;
use crate::values::{self, DATE_FORMS, DURATION_FORMS};

pub use directories::{
    DirectoriesCommand, DirectoryListArgs, FileListArgs, FileUploadArgs, FilesCommand,
};
pub use jobs::{ExtractCommand, ParseCommand};
pub use run::{ResultsArgs, RunArgs, UploadArgs};
pub use scope::ScopeArgs;
pub use webhooks::{
    ListenArgs, WebhookArgs, WebhookConfigArgs, WebhookConfigsCommand, WebhooksCommand,
    secret_from_env,
};

/// List, create, follow and cancel LlamaCloud batches.
#[derive(Debug, Parser)]
#[command(
    name = "llamacloud",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = EXIT_CODES,
)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts (before or after the command name).
///
/// The API's environment variables are read by `batches_client`, which resolves every
/// client setting in one place; the help only names them.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API key (llx-…) [env: LLAMA_CLOUD_API_KEY, then LLAMA_PARSE_API_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Base URL of the API, with its scheme, e.g. http://127.0.0.1:8787
    /// [env: LLAMA_CLOUD_BASE_URL]
    #[arg(
        long,
        global = true,
        value_name = "URL",
        long_help = "Base URL of the API, with its scheme, e.g. http://127.0.0.1:8787\n\n\
                     [env: LLAMA_CLOUD_BASE_URL]"
    )]
    pub base_url: Option<String>,

    /// Region of the API host, when no base URL is given
    #[arg(long, global = true, value_parser = region_parser())]
    pub region: Option<Region>,

    /// Profile of the configuration file to read settings from [default: default]
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "LLAMACLOUD_PROFILE",
        hide_env_values = true
    )]
    pub profile: Option<String>,

    /// Retries of a failed request [default: 2]
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,

    /// Time allowed for each request, e.g. 30s or 2m [default: 60s]
    #[arg(long, global = true, value_name = "DURATION", value_parser = values::parse_duration,
          long_help = format!("Time allowed for each request [default: 60s]; accepted: {DURATION_FORMS}. \
                               For `batches wait` it is how long to wait for the batch to finish."))]
    pub timeout: Option<Duration>,

    /// Trust the CA certificates of this PEM file besides the system's (a gateway's CA)
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        long_help = "Trust the CA certificates of this PEM file besides the system's roots, \
                     e.g. the CA of a proxy or gateway that re-signs TLS. SSL_CERT_FILE and \
                     SSL_CERT_DIR replace the system's roots instead."
    )]
    pub ca_bundle: Option<PathBuf>,

    /// Send requests through this proxy, http://[user:password@]host:port
    /// [env: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY]
    #[arg(
        long,
        global = true,
        value_name = "URL",
        long_help = "Send requests through this proxy, http://[user:password@]host:port (or \
                     https:// for TLS to the proxy); it overrides HTTPS_PROXY, HTTP_PROXY and \
                     ALL_PROXY. Hosts listed in NO_PROXY are still reached directly. The \
                     password is never shown.\n\n[env: HTTPS_PROXY for https:// URLs, \
                     HTTP_PROXY for http://, then ALL_PROXY; either case]"
    )]
    pub proxy: Option<String>,

    /// Output format; auto is a table on a terminal and json otherwise [default: auto]
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// A jq filter applied to each batch of a list or to the single result, e.g. '.id'
    #[arg(long, global = true, value_name = "JQ")]
    pub transform: Option<String>,

    /// Print strings produced by --transform as plain lines, without JSON quotes
    #[arg(short = 'r', long, global = true, requires = "transform")]
    pub raw_output: bool,

    /// Show every request and response on stderr (the key, header values and secrets redacted)
    #[arg(long, global = true)]
    pub debug: bool,

    /// No colours (also when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// No progress display, notes or warnings on stderr; errors are still shown
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, create, follow and cancel batches
    #[command(subcommand)]
    Batches(BatchesCommand),
    /// Print a shell completion script
    Completion {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Show and change the settings of the configuration file
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Create and list source directories, list and upload their files
    #[command(subcommand)]
    Directories(DirectoriesCommand),
    /// Show extract jobs and the fields they extracted
    #[command(subcommand)]
    Extract(ExtractCommand),
    /// Show parse jobs and the documents they produced
    #[command(subcommand)]
    Parse(ParseCommand),
    /// Receive webhook deliveries locally and check their signatures
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Save, list, change and delete the webhook configurations batches can name
    #[command(subcommand)]
    WebhookConfigs(WebhookConfigsCommand),
}

/// `llamacloud batches …`
#[derive(Debug, Subcommand)]
pub enum BatchesCommand {
    /// List batches, newest first, fetching every page
    List(Box<ListArgs>),
    /// Show one batch
    Get {
        /// The batch id (bat-…)
        id: String,
        /// Parts to include; `results` adds the per-file results
        #[arg(long, value_name = "PART", value_parser = ["results"])]
        expand: Vec<String>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Create a batch that runs one job over every file of a source directory
    Create(Box<CreateArgs>),
    /// Ask the server to cancel a batch; it reaches CANCELLED when processing stops
    Cancel {
        /// The batch id (bat-…)
        id: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Wait until a batch finishes and show it with its results
    #[command(
        after_help = "Exit codes: 0 COMPLETED, 4 FAILED or CANCELLED, 5 still running when --timeout passed."
    )]
    Wait {
        /// The batch id (bat-…)
        id: String,
        #[command(flatten)]
        wait: WaitArgs,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Count batches by status, job type and time (day, week or month), as a bar chart (or
    /// JSON)
    Stats {
        #[command(flatten)]
        filters: ListFilters,
        /// Group the counts over time by day, week (from Monday) or month, UTC [default:
        /// the shortest that gives at most 31 rows]
        #[arg(long, value_name = "PERIOD", value_enum)]
        by: Option<Period>,
    },
    /// Upload local files and folders, run one job over them and show each file's result
    Run(Box<RunArgs>),
    /// Write an export folder's report.html (totals, chart, every file) from its manifest
    Report {
        /// The export folder, holding manifest.jsonl
        dir: std::path::PathBuf,
    },
    /// Write a batch's results into a folder: one output per file, a manifest and a summary
    Results(Box<ResultsArgs>),
}

/// The filters of the listing.
#[derive(Debug, Clone, Args)]
pub struct ListFilters {
    /// Only batches created at or after this instant, date or age (7d, 36h)
    #[arg(long, value_name = "WHEN", value_parser = values::parse_instant, long_help = format!("Only batches created at or after WHEN: {DATE_FORMS}"))]
    pub created_at_on_or_after: Option<values::Instant>,
    /// Only batches created at or before this instant, date or age (7d, 36h)
    #[arg(long, value_name = "WHEN", value_parser = values::parse_instant, long_help = format!("Only batches created at or before WHEN: {DATE_FORMS}"))]
    pub created_at_on_or_before: Option<values::Instant>,
    /// Only batches of this source directory (dir-…)
    #[arg(long, value_name = "ID")]
    pub source_directory_id: Option<String>,
    /// Only batches with this status
    #[arg(long, value_name = "STATUS", ignore_case = true, value_parser = status_parser())]
    pub status: Option<BatchStatus>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Batches per request, 1 to 1000 [default: the server's, 50]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub page_size: Option<i64>,
}

/// `batches list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: ListFilters,
    /// Start at this page (the next_page_token of an earlier page)
    #[arg(long, value_name = "TOKEN", conflicts_with = "starting_token")]
    pub page_token: Option<String>,
    /// Stop after this many batches
    #[arg(long, value_name = "N", value_parser = values::parse_max_items)]
    pub max_items: Option<u64>,
    /// Continue a listing that stopped early, right after the last batch it printed
    #[arg(long, value_name = "TOKEN")]
    pub starting_token: Option<String>,
    /// List with N requests in flight over creation-time windows (2 to 64); same output
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2..=64), long_help = PARALLEL_HELP)]
    pub parallel: Option<u16>,
}

const PARALLEL_HELP: &str = "List with N requests in flight (2 to 64) over disjoint \
    creation-time windows, for networks where each request waits. The output is the same, \
    byte for byte, as without --parallel; --max-items, --starting-token and every filter \
    work the same. Needs every batch to have a created_at.";

/// `batches create`.
#[derive(Debug, Args)]
#[command(after_help = "The request can also be given as a JSON body on stdin \
    ({\"source_directory_id\": …, \"config\": {\"job\": …}, …}); options override its fields.")]
pub struct CreateArgs {
    /// The source directory whose files to process (dir-…)
    #[arg(long, value_name = "ID")]
    pub source_directory_id: Option<String>,
    /// The batch configuration as JSON ({"job": {"type": …, "configuration_id": …}}), or @FILE
    #[arg(long, value_name = "JSON|@FILE", conflicts_with_all = ["job_type", "configuration_id"])]
    pub config: Option<String>,
    /// The job to run on each file
    #[arg(long, value_name = "TYPE", ignore_case = true, requires = "configuration_id", value_parser = job_type_parser())]
    pub job_type: Option<JobType>,
    /// A saved configuration id or a preset such as cfg-PARSE_AGENTIC, matching the job type
    #[arg(long, value_name = "ID", requires = "job_type")]
    pub configuration_id: Option<String>,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    /// Send batch events to this saved webhook configuration (repeatable)
    #[arg(long, value_name = "ID")]
    pub webhook_configuration_id: Vec<String>,
    /// Key that makes a repeated create return the first batch instead of a new one
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Wait for the batch to finish and show it with its results
    #[arg(long)]
    pub wait: bool,
    /// First pause between status checks with --wait
    #[arg(long, value_name = "DURATION", value_parser = values::parse_duration, default_value = "1s", requires = "wait")]
    pub interval: Duration,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// How `wait` polls.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Give up (exit 5) when the batch is still running after this long [default: no limit]
    #[arg(long, value_name = "DURATION", value_parser = values::parse_duration)]
    pub timeout: Option<Duration>,
    /// First pause between status checks; it doubles up to 10s
    #[arg(long, value_name = "DURATION", value_parser = values::parse_duration, default_value = "1s")]
    pub interval: Duration,
}

/// `llamacloud config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings in effect and where each comes from (the key redacted)
    Show,
    /// Store a setting in the profile (the value is read from stdin when omitted)
    Set {
        /// The setting
        #[arg(value_enum)]
        key: ConfigKey,
        /// Its value
        value: Option<String>,
    },
    /// Remove a setting from the profile
    Unset {
        /// The setting
        #[arg(value_enum)]
        key: ConfigKey,
    },
    /// Print the path of the configuration file
    Path,
}

/// The settings a profile can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigKey {
    /// The API key
    ApiKey,
    /// The base URL
    BaseUrl,
    /// The region
    Region,
    /// Retries of a failed request
    MaxRetries,
    /// Time allowed for each request
    Timeout,
    /// Output format
    Format,
    /// A PEM file of CA certificates trusted besides the system's
    CaBundle,
    /// The proxy requests go through
    Proxy,
}

impl ConfigKey {
    /// The key's name in the configuration file.
    pub fn file_key(self) -> &'static str {
        match self {
            ConfigKey::ApiKey => "api_key",
            ConfigKey::BaseUrl => "base_url",
            ConfigKey::Region => "region",
            ConfigKey::MaxRetries => "max_retries",
            ConfigKey::Timeout => "timeout",
            ConfigKey::Format => "format",
            ConfigKey::CaBundle => "ca_bundle",
            ConfigKey::Proxy => "proxy",
        }
    }
}

/// `batches stats --by`: the period the counts over time are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Period {
    /// Calendar days
    Day,
    /// Weeks from Monday
    Week,
    /// Calendar months
    Month,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table on a terminal, json otherwise
    Auto,
    /// One JSON document; a list is one array, streamed
    Json,
    /// One compact JSON value per line
    Jsonl,
    /// One YAML document; a list is one sequence
    Yaml,
    /// Columns for people
    Table,
    /// The exact bytes of one response (a list prints one page)
    Raw,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn wait_has_its_own_timeout() {
        let cli =
            Cli::try_parse_from(["llamacloud", "batches", "wait", "bat-1", "--timeout", "5m"])
                .unwrap();
        let Command::Batches(BatchesCommand::Wait { wait, .. }) = cli.command else {
            panic!("not wait")
        };
        assert_eq!(wait.timeout, Some(Duration::from_secs(300)));
        // clap also hands the value to the global option of the same name, which the wait
        // command therefore ignores.
        assert_eq!(cli.global.timeout, Some(Duration::from_secs(300)));
        let cli = Cli::try_parse_from(["llamacloud", "--timeout", "5s", "batches", "get", "bat-1"])
            .unwrap();
        assert_eq!(cli.global.timeout, Some(Duration::from_secs(5)));
    }
}
