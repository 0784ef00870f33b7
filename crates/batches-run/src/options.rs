//! What a run is asked to do: [`Options`], and the upload pace ([`UploadRate`]).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use batches_client::{JobType, WebhookConfiguration};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::DEFAULT_MAX_FILE_BYTES;
use crate::output_form::OutputForm;
use crate::walk::Selection;

/// Everything a run is asked to do. The names are the ones every front-end uses: the
/// command line's flags (`--upload-concurrency`), Python's keyword arguments and the C
/// ABI's `options_json` keys. In JSON, durations are seconds (a number) and
/// `upload_rate` is the text [`UploadRate`] reads (`"50/5s"`) or a number per second.
///
/// ```
/// use batches_run::{JobType, Options};
///
/// let options = Options::new(["docs"], JobType::ParseV2, "cfg-PARSE_AGENTIC")
///     .exclude("drafts/**")
///     .split(true);
/// assert_eq!(options.upload_concurrency, 4);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Files and folders; folders are walked, skipping hidden files and what `.gitignore`
    /// or `.ignore` leave out.
    pub paths: Vec<PathBuf>,
    /// Only files matching one of these globs. Without `/` a glob matches file names at
    /// any depth (`*.pdf`); with `/`, the path below the path given (`reports/**/*.csv`).
    #[serde(default)]
    pub include: Vec<String>,
    /// Leave out files (and folders) matching one of these globs (same form as `include`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The job each file gets.
    pub job_type: JobType,
    /// A saved configuration id or a preset such as `cfg-PARSE_AGENTIC`.
    pub configuration_id: String,
    /// Existing directories to upload into, instead of new ephemeral ones: the k-th for
    /// the k-th group of 1,000 files.
    #[serde(default)]
    pub directory_ids: Vec<String>,
    /// Allow more than 1,000 files: one directory and one batch per 1,000.
    #[serde(default)]
    pub split: bool,
    /// Uploads in flight at once, 1 to 64.
    #[serde(default = "default_concurrency")]
    pub upload_concurrency: usize,
    /// How fast uploads start.
    #[serde(default)]
    pub upload_rate: UploadRate,
    /// Follow the batches to their end (else stop once they are created).
    #[serde(default = "yes")]
    pub wait: bool,
    /// The first pause between two status checks of a batch; it doubles up to
    /// `max_poll_interval`.
    #[serde(default = "default_poll_interval", with = "seconds")]
    pub poll_interval: Duration,
    /// The longest pause between two status checks.
    #[serde(default = "default_max_poll_interval", with = "seconds")]
    pub max_poll_interval: Duration,
    /// Stop waiting when a batch is still running this long after the wait started.
    #[serde(default, with = "optional_seconds")]
    pub timeout: Option<Duration>,
    /// Follow symbolic links that lead out of the folder given (links inside it are
    /// always followed).
    #[serde(default)]
    pub follow_links: bool,
    /// Run over a directory given in `directory_ids` even when it holds files that are
    /// not among the paths given (the batch processes every file of its directory).
    #[serde(default)]
    pub allow_other_files: bool,
    /// Plan, report the plan, and send nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Files larger than this are refused when planning.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// Webhooks told of each created batch's events (`webhook_configurations` of the
    /// create request). Not part of a batch's identity: a rerun that finds its batch
    /// already created does not add them to it.
    #[serde(default)]
    pub webhook_configurations: Vec<WebhookConfiguration>,
    /// Saved webhook configurations (`whc-…`) each created batch names.
    #[serde(default)]
    pub webhook_configuration_ids: Vec<String>,
    /// Write each file's result into this folder as the run goes (see the crate's
    /// "Documents out"): outputs named after the local paths, `manifest.jsonl`,
    /// `summary.json`. Needs `wait`.
    #[serde(default)]
    pub out: Option<PathBuf>,
    /// What each parse output holds (`markdown`, `text`, `json`, `items`); extract
    /// results are always `json`. Default: `markdown` for parse, `json` for extract.
    #[serde(default)]
    pub output_form: Option<OutputForm>,
    /// With `out`: process every file again, even those the manifest has as done.
    #[serde(default)]
    pub reprocess: bool,
    /// With `out`: process again the files whose job FAILED (the others done stay
    /// skipped).
    #[serde(default)]
    pub retry_failed: bool,
    /// With `out`: jobs followed and outputs fetched at once, 1 to 64.
    #[serde(default = "default_export_concurrency")]
    pub export_concurrency: usize,
}

fn default_export_concurrency() -> usize {
    16
}

fn default_concurrency() -> usize {
    4
}

fn yes() -> bool {
    true
}

fn default_poll_interval() -> Duration {
    Duration::from_millis(500)
}

fn default_max_poll_interval() -> Duration {
    Duration::from_secs(10)
}

fn default_max_file_bytes() -> u64 {
    DEFAULT_MAX_FILE_BYTES
}

impl Options {
    /// A run of `job_type` with `configuration_id` over `paths`, everything else at its
    /// default.
    pub fn new<P: Into<PathBuf>>(
        paths: impl IntoIterator<Item = P>,
        job_type: JobType,
        configuration_id: impl Into<String>,
    ) -> Options {
        Options {
            paths: paths.into_iter().map(Into::into).collect(),
            include: Vec::new(),
            exclude: Vec::new(),
            job_type,
            configuration_id: configuration_id.into(),
            directory_ids: Vec::new(),
            split: false,
            upload_concurrency: default_concurrency(),
            upload_rate: UploadRate::default(),
            wait: true,
            poll_interval: default_poll_interval(),
            max_poll_interval: default_max_poll_interval(),
            timeout: None,
            follow_links: false,
            allow_other_files: false,
            dry_run: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            webhook_configurations: Vec::new(),
            webhook_configuration_ids: Vec::new(),
            out: None,
            output_form: None,
            reprocess: false,
            retry_failed: false,
            export_concurrency: default_export_concurrency(),
        }
    }

    /// The output form in effect: the one given, else the job's default.
    pub fn form(&self) -> OutputForm {
        self.output_form
            .unwrap_or_else(|| OutputForm::default_for(&self.job_type))
    }

    /// Sets `out`.
    pub fn out(mut self, out: impl Into<PathBuf>) -> Options {
        self.out = Some(out.into());
        self
    }

    /// Sets `output_form`.
    pub fn output_form(mut self, form: OutputForm) -> Options {
        self.output_form = Some(form);
        self
    }

    /// Sets `reprocess`.
    pub fn reprocess(mut self, reprocess: bool) -> Options {
        self.reprocess = reprocess;
        self
    }

    /// Sets `retry_failed`.
    pub fn retry_failed(mut self, retry: bool) -> Options {
        self.retry_failed = retry;
        self
    }

    /// The part that finds the files.
    pub fn selection(&self) -> Selection {
        Selection {
            paths: self.paths.clone(),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            follow_links: self.follow_links,
            max_file_bytes: self.max_file_bytes,
        }
    }

    /// Adds an `include` glob.
    pub fn include(mut self, glob: impl Into<String>) -> Options {
        self.include.push(glob.into());
        self
    }

    /// Adds an `exclude` glob.
    pub fn exclude(mut self, glob: impl Into<String>) -> Options {
        self.exclude.push(glob.into());
        self
    }

    /// Adds a directory to upload into.
    pub fn directory_id(mut self, directory_id: impl Into<String>) -> Options {
        self.directory_ids.push(directory_id.into());
        self
    }

    /// Sets `split`.
    pub fn split(mut self, split: bool) -> Options {
        self.split = split;
        self
    }

    /// Sets `upload_concurrency`.
    pub fn upload_concurrency(mut self, uploads: usize) -> Options {
        self.upload_concurrency = uploads;
        self
    }

    /// Sets `upload_rate`.
    pub fn upload_rate(mut self, rate: UploadRate) -> Options {
        self.upload_rate = rate;
        self
    }

    /// Sets `wait`.
    pub fn wait(mut self, wait: bool) -> Options {
        self.wait = wait;
        self
    }

    /// Sets `timeout`.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Options {
        self.timeout = timeout.into();
        self
    }

    /// Sets `poll_interval` and `max_poll_interval`.
    pub fn poll_intervals(mut self, first: Duration, longest: Duration) -> Options {
        self.poll_interval = first;
        self.max_poll_interval = longest;
        self
    }

    /// Sets `follow_links`.
    pub fn follow_links(mut self, follow: bool) -> Options {
        self.follow_links = follow;
        self
    }

    /// Sets `allow_other_files`.
    pub fn allow_other_files(mut self, allow: bool) -> Options {
        self.allow_other_files = allow;
        self
    }

    /// Sets `dry_run`.
    pub fn dry_run(mut self, dry_run: bool) -> Options {
        self.dry_run = dry_run;
        self
    }

    /// Adds a webhook told of each created batch's events.
    pub fn webhook(mut self, webhook: WebhookConfiguration) -> Options {
        self.webhook_configurations.push(webhook);
        self
    }
}

/// How fast uploads start: at most `uploads` starts in any window of `per`.
///
/// The default is the documented limit of 50 uploads per 5 s per project, and the window
/// the engine keeps is 5 % longer than the one given: the server counts uploads when they
/// arrive, and the network delays some more than others. After a 429 the engine pauses
/// every upload for the time the server asks, allows a quarter fewer uploads per window,
/// and gets one back per window without a 429.
///
/// As text: `N/s`, `N/m`, `N/5s` (`N` per that many seconds), or a bare `N` (per
/// second); `N` may have a fraction for the per-second and per-minute forms (`0.5/s`).
///
/// ```
/// use std::time::Duration;
/// use batches_run::UploadRate;
///
/// let rate: UploadRate = "50/5s".parse()?;
/// assert_eq!(rate, UploadRate::default());
/// let slow: UploadRate = "0.5/s".parse()?;
/// assert_eq!((slow.uploads, slow.per), (1, Duration::from_secs(2)));
/// # Ok::<(), batches_run::InvalidRate>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadRate {
    /// Starts allowed per window, at least one.
    pub uploads: u32,
    /// The window.
    pub per: Duration,
}

impl Default for UploadRate {
    fn default() -> UploadRate {
        UploadRate {
            uploads: 50,
            per: Duration::from_secs(5),
        }
    }
}

/// A text that is not an [`UploadRate`]; its message names the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a rate above zero; accepted: {}", UploadRate::FORMS)]
pub struct InvalidRate {
    text: String,
}

impl UploadRate {
    /// The accepted forms, for messages and help.
    pub const FORMS: &'static str = "uploads per second, per minute or per N seconds: 8/s, \
                                     0.5/s, 120/m, 50/5s (a bare number is per second)";
}

impl FromStr for UploadRate {
    type Err = InvalidRate;

    fn from_str(text: &str) -> Result<UploadRate, InvalidRate> {
        let invalid = || InvalidRate {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        let (number, unit) = trimmed.split_once('/').unwrap_or((trimmed, "s"));
        let seconds: f64 = match unit.trim() {
            "s" => 1.0,
            "m" => 60.0,
            other => match other.strip_suffix('s').map(str::parse::<u32>) {
                Some(Ok(seconds)) if seconds > 0 => f64::from(seconds),
                _ => return Err(invalid()),
            },
        };
        let count: f64 = number.trim().parse().map_err(|_| invalid())?;
        // At least one upload a day, so that the window is a duration.
        if !count.is_finite() || count <= 0.0 || count / seconds * 86_400.0 < 1.0 {
            return Err(invalid());
        }
        // A whole number of uploads per window: a fraction stretches the window instead.
        let (uploads, per) = if count >= 1.0 {
            (count.floor(), seconds * count.floor() / count)
        } else {
            (1.0, seconds / count)
        };
        Ok(UploadRate {
            uploads: uploads.min(f64::from(u32::MAX)) as u32,
            per: Duration::from_secs_f64(per),
        })
    }
}

impl fmt::Display for UploadRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.per.as_millis();
        if millis.is_multiple_of(1000) {
            match millis / 1000 {
                1 => write!(f, "{}/s", self.uploads),
                60 => write!(f, "{}/m", self.uploads),
                seconds => write!(f, "{}/{seconds}s", self.uploads),
            }
        } else {
            write!(f, "{}/s", f64::from(self.uploads) / self.per.as_secs_f64())
        }
    }
}

impl Serialize for UploadRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UploadRate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UploadRate, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Text(String),
            PerSecond(f64),
        }
        let text = match Given::deserialize(deserializer)? {
            Given::Text(text) => text,
            Given::PerSecond(count) => format!("{count}/s"),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A duration as a number of seconds (above zero), in `Options` and `ExportOptions`.
pub(crate) mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(duration.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|duration| !duration.is_zero())
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{seconds} is not a duration: give a number of seconds above zero"
                ))
            })
    }
}

/// An optional duration as a number of seconds, or null.
mod optional_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        duration: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match duration {
            Some(duration) => super::seconds::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        struct Seconds(#[serde(with = "super::seconds")] Duration);
        Ok(Option::<Seconds>::deserialize(deserializer)?.map(|Seconds(duration)| duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_in_every_form_and_bad_ones_name_the_forms() {
        let rate = |text: &str| text.parse::<UploadRate>().unwrap();
        assert_eq!(
            rate("8/s"),
            UploadRate {
                uploads: 8,
                per: Duration::from_secs(1)
            }
        );
        assert_eq!(
            rate("10"),
            UploadRate {
                uploads: 10,
                per: Duration::from_secs(1)
            }
        );
        assert_eq!(
            rate("120/m"),
            UploadRate {
                uploads: 120,
                per: Duration::from_secs(60)
            }
        );
        assert_eq!(rate("50/5s"), UploadRate::default());
        assert_eq!(
            rate("0.5/s"),
            UploadRate {
                uploads: 1,
                per: Duration::from_secs(2)
            }
        );
        assert_eq!(rate("2.5/s").uploads, 2);
        assert_eq!(rate("2.5/s").per, Duration::from_millis(800));
        for bad in ["0/s", "-1/s", "fast", "8/h", "8/0s", "inf", "1/m/s", ""] {
            let message = bad.parse::<UploadRate>().unwrap_err().to_string();
            assert!(
                message.contains("8/s, 0.5/s, 120/m, 50/5s"),
                "{bad}: {message}"
            );
        }
        assert_eq!(UploadRate::default().to_string(), "50/5s");
        assert_eq!(rate("8/s").to_string(), "8/s");
        assert_eq!(rate("120/m").to_string(), "120/m");
    }

    #[test]
    fn options_read_from_json_take_defaults_and_refuse_unknown_names() {
        let options: Options = serde_json::from_str(
            r#"{"paths": ["docs"], "job_type": "parse_v2", "configuration_id": "cfg-1",
                "upload_rate": 20, "timeout": 1.5}"#,
        )
        .unwrap();
        assert_eq!(
            options,
            Options::new(["docs"], JobType::ParseV2, "cfg-1")
                .upload_rate("20/s".parse().unwrap())
                .timeout(Duration::from_millis(1500))
        );
        let error = serde_json::from_str::<Options>(
            r#"{"paths": [], "job_type": "parse_v2", "configuration_id": "c", "splt": true}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("unknown field `splt`"), "{error}");
        let error = serde_json::from_str::<Options>(
            r#"{"paths": [], "job_type": "parse_v2", "configuration_id": "c", "timeout": -1}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("seconds above zero"), "{error}");
    }
}
