//! Profiles: named sets of settings in `$XDG_CONFIG_HOME/llamacloud/config.toml`
//! (`~/.config/llamacloud/config.toml` when the variable is unset), one table per profile:
//!
//! ```toml
//! [default]
//! api_key = "llx-…"
//! region = "eu"
//!
//! [local]
//! api_key = "llx-local-dev"
//! base_url = "http://127.0.0.1:8787"
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::ConfigKey;
use crate::failure::Failure;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// The configuration file and the settings of one of its profiles.
#[derive(Debug)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// Where the file is (it may not exist).
    pub path: PathBuf,
    /// The profile's settings, by file key.
    pub values: toml::Table,
    /// Set when the file can be read by other users.
    pub warning: Option<String>,
}

impl Profile {
    /// A setting as text.
    pub fn get(&self, key: ConfigKey) -> Option<String> {
        self.values.get(key.file_key()).map(|value| match value {
            toml::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }
}

/// The configuration file's path.
pub fn path() -> Result<PathBuf, Failure> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|dir| !dir.is_empty())
                .map(|home| Path::new(&home).join(".config"))
        })
        .ok_or_else(|| {
            Failure::usage("cannot locate the configuration file: set XDG_CONFIG_HOME or HOME")
        })?;
    Ok(base.join("llamacloud").join("config.toml"))
}

/// Loads a profile. A missing file or a missing default profile is empty; a profile named
/// explicitly must exist.
pub fn load(name: Option<&str>) -> Result<Profile, Failure> {
    let path = path()?;
    let explicit = name.is_some();
    let name = name.unwrap_or(DEFAULT_PROFILE).to_owned();
    let file = read(&path)?;
    let values = match file.get(&name) {
        Some(toml::Value::Table(values)) => values.clone(),
        Some(_) => {
            return Err(Failure::usage(format!(
                "{}: `{name}` must be a table of settings ([{name}])",
                path.display()
            )));
        }
        None if explicit => {
            let names: Vec<&str> = file.keys().map(String::as_str).collect();
            return Err(Failure::Usage {
                message: format!(
                    "profile `{name}` is not in {}; profiles there: {}",
                    path.display(),
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
                hint: Some(format!(
                    "create it with `llamacloud --profile {name} config set api-key`"
                )),
            });
        }
        None => toml::Table::new(),
    };
    for key in values.keys() {
        if ConfigKey::from_file_key(key).is_none() {
            return Err(Failure::usage(format!(
                "{}: unknown setting `{key}` in profile `{name}`; accepted: {}",
                path.display(),
                ConfigKey::ALL.map(ConfigKey::file_key).join(", ")
            )));
        }
    }
    let warning = readable_by_others(&path);
    Ok(Profile {
        name,
        path,
        values,
        warning,
    })
}

/// Sets (or with `None` removes) a setting of a profile and writes the file, readable by
/// its owner only.
pub fn store(
    profile: &str,
    key: ConfigKey,
    value: Option<toml::Value>,
) -> Result<PathBuf, Failure> {
    let path = path()?;
    let mut file = read(&path)?;
    let table = file
        .entry(profile.to_owned())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(table) = table else {
        return Err(Failure::usage(format!(
            "{}: `{profile}` is not a table of settings",
            path.display()
        )));
    };
    match value {
        Some(value) => {
            table.insert(key.file_key().to_owned(), value);
        }
        None => {
            table.remove(key.file_key());
        }
    }
    let text = toml::to_string(&file).map_err(|error| Failure::usage(error.to_string()))?;
    write_private(&path, text.as_bytes())
        .map_err(|error| Failure::usage(format!("cannot write {}: {error}", path.display())))?;
    Ok(path)
}

fn read(path: &Path) -> Result<toml::Table, Failure> {
    match fs::read_to_string(path) {
        Ok(text) => text.parse::<toml::Table>().map_err(|error| {
            Failure::usage(format!("{} is not valid TOML: {error}", path.display()))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(toml::Table::new()),
        Err(error) => Err(Failure::usage(format!(
            "cannot read {}: {error}",
            path.display()
        ))),
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then(|| {
        format!(
            "{} can be read by other users (mode {mode:o}) and may hold an API key; \
             run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> Option<String> {
    None
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    if let Some(dir) = path.parent() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // The mode above applies only to a new file: an existing one made readable by others
    // (`chmod 644`) is made private again before the key is written into it.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(contents)
}

impl ConfigKey {
    /// Every setting, in the order `config show` lists them.
    pub const ALL: [ConfigKey; 8] = [
        ConfigKey::ApiKey,
        ConfigKey::BaseUrl,
        ConfigKey::Region,
        ConfigKey::MaxRetries,
        ConfigKey::Timeout,
        ConfigKey::Format,
        ConfigKey::CaBundle,
        ConfigKey::Proxy,
    ];

    fn from_file_key(key: &str) -> Option<ConfigKey> {
        ConfigKey::ALL.into_iter().find(|k| k.file_key() == key)
    }
}
