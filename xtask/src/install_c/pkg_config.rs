//! `batches.pc`: what a build needs to compile and link against the installed library.

use std::path::Path;

use anyhow::{Context, Result};

/// The facts a `.pc` file states.
pub struct PkgConfig<'a> {
    /// The library's name: `Name:`, and `-lNAME` to link it.
    pub name: &'a str,
    /// The install prefix, absolute.
    pub prefix: &'a Path,
    /// The libraries' directory, absolute.
    pub libdir: &'a Path,
    /// The header's directory, absolute.
    pub includedir: &'a Path,
    /// The library's version.
    pub version: &'a str,
    /// One line about the library.
    pub description: &'a str,
    /// The system libraries the static library needs, as rustc printed them
    /// (`-lgcc_s -lutil …`): `Libs.private`, used by `pkg-config --static`.
    pub static_libs: &'a str,
}

impl PkgConfig<'_> {
    /// The file's text. Directories under the prefix are written relative to `${prefix}`,
    /// so a packager can relocate the tree by editing one line (or with pkg-config's
    /// `--define-prefix`).
    pub fn render(&self) -> Result<String> {
        let prefix = text(self.prefix)?;
        let under_prefix = |path: &Path| -> Result<String> {
            Ok(match path.strip_prefix(self.prefix) {
                Ok(rest) if rest.as_os_str().is_empty() => "${prefix}".to_owned(),
                Ok(rest) => format!("${{prefix}}/{}", text(rest)?),
                Err(_) => text(path)?.to_owned(),
            })
        };
        Ok(format!(
            "prefix={prefix}\n\
             libdir={libdir}\n\
             includedir={includedir}\n\
             \n\
             Name: {name}\n\
             Description: {description}\n\
             Version: {version}\n\
             Cflags: -I${{includedir}}\n\
             Libs: -L${{libdir}} -l{name}\n\
             Libs.private: {static_libs}\n",
            name = self.name,
            libdir = under_prefix(self.libdir)?,
            includedir = under_prefix(self.includedir)?,
            description = self.description,
            version = self.version,
            static_libs = self.static_libs,
        ))
    }
}

fn text(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(libdir: &str, includedir: &str) -> String {
        PkgConfig {
            name: "batches",
            prefix: Path::new("/opt/batches"),
            libdir: Path::new(libdir),
            includedir: Path::new(includedir),
            version: "0.1.0",
            description: "C client of the Batches API",
            static_libs: "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc",
        }
        .render()
        .unwrap()
    }

    #[test]
    fn directories_under_the_prefix_are_relative_to_it() {
        assert_eq!(
            pc("/opt/batches/lib", "/opt/batches/include"),
            "prefix=/opt/batches\n\
             libdir=${prefix}/lib\n\
             includedir=${prefix}/include\n\
             \n\
             Name: batches\n\
             Description: C client of the Batches API\n\
             Version: 0.1.0\n\
             Cflags: -I${includedir}\n\
             Libs: -L${libdir} -lbatches\n\
             Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc\n"
        );
    }

    #[test]
    fn directories_elsewhere_are_absolute() {
        let text = pc("/usr/lib64", "/opt/batches");
        assert!(text.contains("\nlibdir=/usr/lib64\n"), "{text}");
        assert!(text.contains("\nincludedir=${prefix}\n"), "{text}");
    }
}
