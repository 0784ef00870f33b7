//! Why a command stopped, the exit code it maps to, and the message and hint on stderr.

use std::process::ExitCode;

use batches_client::resume::TokenError;
use batches_client::{Error, ProxyUrl, Source, Sourced, TlsFailure, TransportPhase};

/// The exit codes, as `--help` and the README list them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (for wait: the batch COMPLETED)
  1    the API refused the request (an HTTP error after retries) or sent an unreadable answer
  2    bad usage or input; nothing was sent
  3    network failure or timeout
  4    wait: the batch ended FAILED or CANCELLED; run: a batch ended so, or a file has an error
  5    wait, run: a batch was still running when --timeout passed
  6    the output could not be written (stdout, or the --out folder: full, read-only)
  130  interrupted (Ctrl-C)";

/// A command that did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or input, found before anything was sent (exit 2).
    Usage {
        /// What is wrong, naming the accepted values.
        message: String,
        /// How to fix it, when that is not obvious from the message.
        hint: Option<String>,
    },
    /// The client failed: the API refused, the network failed, or a wait timed out.
    Client(Error),
    /// A waited-for batch ended without completing (exit 4).
    BatchEnded {
        /// The batch.
        batch_id: String,
        /// Its terminal status.
        status: String,
    },
    /// The server sent something the command cannot read (exit 1).
    Unreadable(String),
    /// stdout could not be written for a reason other than a closed pipe (exit 6): a
    /// local failure, not the API's.
    Output(std::io::Error),
    /// The reader of stdout went away (`| head -1`): stop quietly (exit 0).
    BrokenPipe,
    /// Ctrl-C (exit 130).
    Interrupted,
    /// A listing stopped before its end; it can be resumed from `starting_token`.
    ListingStopped {
        /// Why it stopped.
        cause: Box<Failure>,
        /// Where to resume.
        starting_token: String,
        /// What is listed, singular (`batch`), for the message.
        item: &'static str,
    },
    /// An upload or a run stopped before its end; `resume_command` finishes it.
    Stopped {
        /// Why it stopped.
        cause: Box<Failure>,
        /// The exact command that resumes it.
        resume_command: ResumeCommand,
    },
    /// Some files have an error: their upload failed or their batch gave them no job
    /// (exit 4); the results, failures last, are printed.
    FilesFailed {
        /// Files with an error.
        failed: usize,
        /// Files in all.
        total: usize,
    },
}

/// A command that resumes an upload or a run, with no secret in it, and what was left out
/// of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeCommand {
    /// The command, quoted for a POSIX shell.
    pub command: String,
    /// What was left out of it (a secret), and how to give it again.
    pub note: Option<String>,
}

/// What stderr shows for a failure.
#[derive(Debug)]
pub struct Report {
    /// What happened.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// How to continue a listing that stopped: the starting token, and what is listed.
    pub starting_token: Option<(String, &'static str)>,
    /// The command that finishes an upload or a run that stopped.
    pub resume_command: Option<ResumeCommand>,
}

impl Failure {
    /// A usage failure without a hint.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage {
            message: message.into(),
            hint: None,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Usage { .. } => 2,
            Failure::Client(error) => client_exit_code(error),
            Failure::BatchEnded { .. } => 4,
            Failure::Output(_) => 6,
            Failure::Unreadable(_) => 1,
            Failure::BrokenPipe => 0,
            Failure::Interrupted => 130,
            Failure::FilesFailed { .. } => 4,
            Failure::ListingStopped { cause, .. } | Failure::Stopped { cause, .. } => {
                return cause.exit_code();
            }
        })
    }

    /// What to show on stderr; `None` when the failure is silent.
    pub fn report(&self) -> Option<Report> {
        let report = |message: String, hint: Option<String>| Report {
            message,
            hint,
            starting_token: None,
            resume_command: None,
        };
        Some(match self {
            Failure::Usage { message, hint } => report(message.clone(), hint.clone()),
            Failure::Client(error) => report(client_message(error), client_hint(error)),
            Failure::BatchEnded { batch_id, status } => report(
                format!("batch {batch_id} ended {status}"),
                Some(format!(
                    "see the per-file results with `llamacloud batches get {batch_id} --expand results`"
                )),
            ),
            Failure::Output(error) => report(format!("could not write the output: {error}"), None),
            Failure::Unreadable(message) => report(message.clone(), None),
            Failure::BrokenPipe => return None,
            Failure::Interrupted => report("interrupted".to_owned(), None),
            Failure::ListingStopped {
                cause,
                starting_token,
                item,
            } => {
                let mut report = cause.report()?;
                report.starting_token = Some((starting_token.clone(), item));
                report
            }
            Failure::Stopped {
                cause,
                resume_command,
            } => {
                let mut report = cause.report()?;
                report.resume_command = Some(resume_command.clone());
                report
            }
            Failure::FilesFailed { failed, total } => report(
                format!(
                    "{failed} of {total} files {} an error",
                    if *failed == 1 { "has" } else { "have" }
                ),
                None,
            ),
        })
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Client(error)
    }
}

impl From<TokenError> for Failure {
    /// A starting token that cannot be used, with what to do instead.
    fn from(error: TokenError) -> Self {
        let hint = match &error {
            TokenError::NotAToken(_) => {
                "pass the token a stopped listing printed; for a server page token use --page-token"
            }
            TokenError::OtherFilters => "repeat the filters of the listing that printed the token",
            _ => "list again without --starting-token",
        };
        Failure::Usage {
            message: error.to_string(),
            hint: Some(hint.to_owned()),
        }
    }
}

fn client_exit_code(error: &Error) -> u8 {
    match error {
        Error::Transport { .. } | Error::Timeout { .. } | Error::Tls { .. } => 3,
        Error::InvalidRequest(_)
        | Error::Config(_)
        | Error::File { .. }
        | Error::FileName { .. } => 2,
        Error::WaitTimeout { .. } => 5,
        _ => 1,
    }
}

/// The client's message, in the command line's words where the client names its own
/// settings.
fn client_message(error: &Error) -> String {
    match error {
        Error::Tls {
            operation,
            kind,
            reason,
            ..
        } => format!(
            "{operation} failed: {kind} ({reason}): if a proxy or gateway re-signs TLS, pass its \
             CA with --ca-bundle or SSL_CERT_FILE"
        ),
        error => error.to_string(),
    }
}

fn client_hint(error: &Error) -> Option<String> {
    match error {
        Error::Api { status: 401, .. } => Some(
            "pass the key with --api-key or LLAMA_CLOUD_API_KEY, and the key's region with \
             --region na|eu; `llamacloud config show` shows what is in use"
                .to_owned(),
        ),
        Error::Api {
            status: 429,
            retry_after: None,
            ..
        } => Some(
            "the server is rate limiting this key; wait a minute or allow more retries with \
             --max-retries"
                .to_owned(),
        ),
        Error::Api {
            status: 429,
            retry_after: Some(_),
            ..
        } => Some(
            "the server is rate limiting this key; run the command again after the wait it \
             asked for"
                .to_owned(),
        ),
        // A create names a directory; the others a batch.
        Error::Api {
            status: 404,
            operation: "create batch",
            ..
        } => Some(
            "check --source-directory-id: the directory must exist in this project (the key's, \
             or --project-id)"
                .to_owned(),
        ),
        Error::Api {
            status: 404,
            operation: "get parse job" | "get extract job",
            ..
        } => Some(
            "check the job id: `llamacloud batches get BATCH_ID --expand results` names the \
             jobs of a batch"
                .to_owned(),
        ),
        Error::Api { status: 404, .. } => Some(
            "check the id; `llamacloud batches list` shows the batches of this project".to_owned(),
        ),
        Error::Transport {
            phase: TransportPhase::Connect,
            proxy: Some(proxy),
            ..
        } => Some(proxy_hint(proxy)),
        Error::Transport {
            phase: TransportPhase::Connect,
            ..
        } => Some("check the base URL (--base-url, --region) and the network".to_owned()),
        Error::Timeout { .. } => Some("allow more time with --timeout DURATION".to_owned()),
        Error::Tls {
            kind: TlsFailure::Handshake,
            ..
        } => Some(
            "check that the base URL's scheme matches the server: https:// to a plain-HTTP \
             server fails this way"
                .to_owned(),
        ),
        Error::Api { status: 407, .. } => Some(
            "the proxy refused the request: check the user and password in --proxy or \
             HTTP_PROXY/HTTPS_PROXY; `llamacloud config show` shows which proxy is used"
                .to_owned(),
        ),
        Error::WaitTimeout { batch_id, .. } => Some(format!(
            "the batch keeps running; wait longer with `llamacloud batches wait {batch_id} --timeout DURATION`"
        )),
        _ => None,
    }
}

/// What to do when the connection through a proxy failed: the proxy was not reached, or
/// did not open the connection to the API (a tunnel it refused). Either way the proxy is
/// to check, where it was set, or to bypass.
fn proxy_hint(proxy: &Sourced<ProxyUrl>) -> String {
    let change = match &proxy.source {
        Source::Explicit => "fix or leave out --proxy".to_owned(),
        Source::Env(name) => format!("fix or unset {name} (or pass --proxy URL)"),
        Source::Profile(name) => format!(
            "change it with `llamacloud config set proxy URL` or `config unset proxy` \
             (profile {name}), or pass --proxy URL"
        ),
        source => format!("change it ({source}) or pass --proxy URL"),
    };
    format!(
        "the proxy {} could not be reached or refused the connection, so the API was not \
         tried: check the proxy and its user and password, {change}; or reach the API \
         without a proxy by listing its host in NO_PROXY",
        proxy.value
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_that_cannot_be_used_says_what_to_do_instead() {
        let hint = |error: TokenError| match Failure::from(error) {
            Failure::Usage { hint, .. } => hint.unwrap_or_default(),
            other => panic!("not a usage failure: {other:?}"),
        };
        assert_eq!(
            hint(TokenError::NotAToken("x".into())),
            "pass the token a stopped listing printed; for a server page token use --page-token"
        );
        assert_eq!(
            hint(TokenError::OtherFilters),
            "repeat the filters of the listing that printed the token"
        );
        for error in [
            TokenError::EarlierVersion,
            TokenError::Moved {
                last_id: "bat-1".into(),
            },
        ] {
            assert_eq!(hint(error), "list again without --starting-token");
        }
        let Failure::Usage { message, .. } = Failure::from(TokenError::NotAToken("x".into()))
        else {
            unreachable!()
        };
        assert_eq!(message, "`x` is not a starting token");
    }
}
