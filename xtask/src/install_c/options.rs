//! The command line of `install-c` and the directories it names.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// What `install-c` accepts.
pub const USAGE: &str = "install-c --prefix DIR [--libdir DIR] [--includedir DIR] \
[--destdir DIR] [--profile NAME] [--library-type cdylib|staticlib]...";

/// A kind of library `install-c` installs, named as cargo (and cargo-c) name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryType {
    /// The shared library `libbatches.so.X.Y.Z` and its links.
    Cdylib,
    /// The static library `libbatches.a`.
    Staticlib,
}

/// `install-c`'s options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where the library is meant to live; written into `batches.pc`.
    pub prefix: PathBuf,
    /// The libraries' directory: relative to the prefix (default `lib`), or absolute.
    pub libdir: PathBuf,
    /// The header's directory: relative to the prefix (default `include`), or absolute.
    pub includedir: PathBuf,
    /// A staging root the files are written under (as packagers' `DESTDIR`), while
    /// `batches.pc` still names the prefix.
    pub destdir: Option<PathBuf>,
    /// The cargo profile to build with (default `dist`).
    pub profile: String,
    /// The libraries to install (default both).
    pub library_types: Vec<LibraryType>,
}

/// The absolute directories an install writes to and names.
#[derive(Debug, PartialEq, Eq)]
pub struct Paths {
    /// The prefix, absolute.
    pub prefix: PathBuf,
    /// The libraries' directory, absolute.
    pub libdir: PathBuf,
    /// The header's directory, absolute.
    pub includedir: PathBuf,
    destdir: Option<PathBuf>,
}

impl Paths {
    /// Where a file meant for `path` is written: under the staging root, if any.
    pub fn staged(&self, path: &Path) -> PathBuf {
        match &self.destdir {
            Some(destdir) => destdir.join(path.strip_prefix("/").unwrap_or(path)),
            None => path.to_owned(),
        }
    }
}

impl Options {
    /// Reads `args` (the words after `install-c`).
    pub fn parse(args: &[&str]) -> Result<Options> {
        let mut prefix = None;
        let mut options = Options {
            prefix: PathBuf::new(),
            libdir: PathBuf::from("lib"),
            includedir: PathBuf::from("include"),
            destdir: None,
            profile: "dist".to_owned(),
            library_types: Vec::new(),
        };
        let mut rest = args.iter();
        while let Some(&flag) = rest.next() {
            let Some(&value) = rest.next() else {
                bail!("`{flag}` needs a value; usage: {USAGE}");
            };
            match flag {
                "--prefix" => prefix = Some(PathBuf::from(value)),
                "--libdir" => options.libdir = PathBuf::from(value),
                "--includedir" => options.includedir = PathBuf::from(value),
                "--destdir" => options.destdir = Some(PathBuf::from(value)),
                "--profile" => options.profile = value.to_owned(),
                "--library-type" => options.library_types.push(match value {
                    "cdylib" => LibraryType::Cdylib,
                    "staticlib" => LibraryType::Staticlib,
                    _ => {
                        bail!("unknown library type `{value}`; accepted values: cdylib, staticlib")
                    }
                }),
                _ => bail!("unknown option `{flag}`; usage: {USAGE}"),
            }
        }
        options.prefix = prefix.with_context(|| format!("--prefix is required; usage: {USAGE}"))?;
        if options.library_types.is_empty() {
            options.library_types = vec![LibraryType::Cdylib, LibraryType::Staticlib];
        }
        Ok(options)
    }

    /// Whether `kind` is to be installed.
    pub fn installs(&self, kind: LibraryType) -> bool {
        self.library_types.contains(&kind)
    }

    /// The directories, made absolute against the current directory; refused when
    /// pkg-config could not name them.
    pub fn paths(&self) -> Result<Paths> {
        let prefix = std::path::absolute(&self.prefix)
            .with_context(|| format!("resolving the prefix {}", self.prefix.display()))?;
        let paths = Paths {
            libdir: prefix.join(&self.libdir),
            includedir: prefix.join(&self.includedir),
            destdir: self
                .destdir
                .as_deref()
                .map(std::path::absolute)
                .transpose()?,
            prefix,
        };
        for (what, path) in [
            ("prefix", &paths.prefix),
            ("libdir", &paths.libdir),
            ("includedir", &paths.includedir),
        ] {
            match path.to_str() {
                Some(text) if !text.contains(char::is_whitespace) => {}
                _ => bail!(
                    "the {what} {} cannot go into batches.pc: pkg-config splits flags at \
                     whitespace, so the path must be UTF-8 without spaces",
                    path.display()
                ),
            }
        }
        Ok(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_install_both_libraries_from_a_dist_build() {
        let options = Options::parse(&["--prefix", "/opt/batches"]).unwrap();
        assert_eq!(
            options,
            Options {
                prefix: "/opt/batches".into(),
                libdir: "lib".into(),
                includedir: "include".into(),
                destdir: None,
                profile: "dist".into(),
                library_types: vec![LibraryType::Cdylib, LibraryType::Staticlib],
            }
        );
        let paths = options.paths().unwrap();
        assert_eq!(paths.libdir, Path::new("/opt/batches/lib"));
        assert_eq!(paths.includedir, Path::new("/opt/batches/include"));
        assert_eq!(paths.staged(&paths.libdir), Path::new("/opt/batches/lib"));
    }

    #[test]
    fn every_option_is_read() {
        let options = Options::parse(&[
            "--libdir",
            "lib/x86_64-linux-gnu",
            "--includedir",
            "/usr/include/llamacloud",
            "--prefix",
            "/usr",
            "--destdir",
            "/tmp/stage",
            "--profile",
            "release",
            "--library-type",
            "staticlib",
        ])
        .unwrap();
        assert_eq!(options.profile, "release");
        assert!(options.installs(LibraryType::Staticlib));
        assert!(!options.installs(LibraryType::Cdylib));
        let paths = options.paths().unwrap();
        assert_eq!(paths.prefix, Path::new("/usr"));
        assert_eq!(paths.libdir, Path::new("/usr/lib/x86_64-linux-gnu"));
        // An absolute directory stays as given.
        assert_eq!(paths.includedir, Path::new("/usr/include/llamacloud"));
        // Files go under the staging root; the paths themselves (for batches.pc) do not.
        assert_eq!(
            paths.staged(&paths.libdir),
            Path::new("/tmp/stage/usr/lib/x86_64-linux-gnu")
        );
    }

    #[test]
    fn a_relative_prefix_is_made_absolute() {
        let options = Options::parse(&["--prefix", "out"]).unwrap();
        let paths = options.paths().unwrap();
        assert_eq!(paths.prefix, std::env::current_dir().unwrap().join("out"));
    }

    #[test]
    fn bad_arguments_name_the_problem_and_what_is_accepted() {
        let error = |args: &[&str]| Options::parse(args).unwrap_err().to_string();
        assert_eq!(error(&[]), format!("--prefix is required; usage: {USAGE}"));
        assert_eq!(
            error(&["--prefix"]),
            format!("`--prefix` needs a value; usage: {USAGE}")
        );
        assert_eq!(
            error(&["--prefix", "/p", "--lib", "x"]),
            format!("unknown option `--lib`; usage: {USAGE}")
        );
        assert_eq!(
            error(&["--prefix", "/p", "--library-type", "dylib"]),
            "unknown library type `dylib`; accepted values: cdylib, staticlib"
        );
        let spaced = Options::parse(&["--prefix", "/opt/my batches"])
            .unwrap()
            .paths()
            .unwrap_err()
            .to_string();
        assert!(
            spaced.starts_with("the prefix /opt/my batches cannot go into batches.pc"),
            "{spaced}"
        );
    }
}
