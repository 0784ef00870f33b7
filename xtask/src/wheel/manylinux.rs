//! The wheel's glibc: manylinux2014 (glibc 2.17 and later, `manylinux_2_17_x86_64`), the
//! tag of the wheels pip picks on RHEL 7 and 8, Amazon Linux 2, Ubuntu 18.04 and later, and
//! Debian 10 and later, whatever the glibc of the machine that builds them.
//!
//! zig links against the symbols of any glibc version it is asked for, so the build needs
//! no old system: maturin builds the module with `--zig --compatibility manylinux2014`,
//! and the two binaries are built by cargo with the same toolchain, through wrapper
//! scripts written here that run the pinned maturin's own `zig cc`, `zig ar`, … (the
//! command line filtering of cargo-zigbuild, which maturin embeds). The wrappers and the
//! environment naming them are the same for both builds, so the dependencies they share
//! (with the C code of ring and SQLite) are built once for both, and neither build
//! invalidates the other's.
//!
//! [`audit`] reads `auditwheel show --json`: the wheel must be consistent with
//! `manylinux_2_17_x86_64`: no symbol of a newer glibc, and no library outside the policy,
//! in any ELF file of the wheel, the binaries among the scripts included.

use std::{
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::tools::{Tools, ZIGLANG, succeed};

/// The Rust target the wheel is built for, when it is the host's.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Whether this machine is an x86_64 Linux one, whose wheel is built for [`GLIBC`]; others
/// build theirs for themselves.
pub const HOST_BUILDS_MANYLINUX: bool = cfg!(all(
    target_os = "linux",
    target_arch = "x86_64",
    target_env = "gnu"
));

/// maturin's name for the policy (`--compatibility`).
pub const POLICY: &str = "manylinux2014";

/// The oldest glibc the wheel runs on, as (major, minor).
pub const GLIBC: (u32, u32) = (2, 17);

/// The platform tag of the wheel, as pip and auditwheel name it.
pub fn platform_tag() -> String {
    format!("manylinux_{}_{}_x86_64", GLIBC.0, GLIBC.1)
}

/// The toolchain that links for [`GLIBC`]: the environment that makes cargo (and maturin,
/// which keeps what it finds set) compile C and link with zig for [`TARGET`].
#[derive(Debug)]
pub struct Toolchain {
    env: Vec<(String, OsString)>,
}

impl Toolchain {
    /// The toolchain on an x86_64 Linux host, its wrappers written into `dir`; `None`
    /// elsewhere, where the wheel is built for the host as it is.
    pub fn for_host(dir: &Path, tools: &Tools) -> Result<Option<Toolchain>> {
        if HOST_BUILDS_MANYLINUX {
            Toolchain::write(dir, tools).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Writes the wrappers into `dir` and returns the environment naming them.
    fn write(dir: &Path, tools: &Tools) -> Result<Toolchain> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let zig_target = format!("x86_64-linux-gnu.{}.{}", GLIBC.0, GLIBC.1);
        // As cargo-zigbuild writes them: `-g` keeps zig from stripping what the profile
        // keeps, and no sanitizer runtime is linked in.
        let cc_args = format!("-g -fno-sanitize=all -target {zig_target}");
        let wrapper = |name: &str, zig: &str, args: &str| -> Result<PathBuf> {
            let path = dir.join(name);
            let script = format!(
                "#!/bin/sh\n\
                 export CARGO_ZIGBUILD_PYTHON_PATH={python}\n\
                 export CARGO_ZIGBUILD_ZIG_VERSION={ZIGLANG}\n\
                 exec {maturin} zig {zig} -- {args}\"$@\"\n",
                python = shell_quote(&tools.python()),
                maturin = shell_quote(&tools.maturin()),
            );
            // Written only when it changes: a build tool may look at the time it was.
            if fs::read_to_string(&path).ok().as_deref() != Some(script.as_str()) {
                fs::write(&path, script).with_context(|| format!("writing {}", path.display()))?;
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
            }
            Ok(path)
        };
        let cc = wrapper("cc", "cc", &format!("{cc_args} "))?;
        let cxx = wrapper("c++", "c++", &format!("{cc_args} "))?;
        let ar = wrapper("ar", "ar", "")?;
        let ranlib = wrapper("ranlib", "ranlib", "")?;

        let suffix = TARGET.replace('-', "_");
        let env = vec![
            (format!("CC_{suffix}"), cc.clone().into()),
            (format!("CXX_{suffix}"), cxx.into()),
            (format!("AR_{suffix}"), ar.into()),
            (format!("RANLIB_{suffix}"), ranlib.into()),
            (
                format!("CARGO_TARGET_{}_LINKER", suffix.to_uppercase()),
                cc.into(),
            ),
            // Where maturin finds zig (the ziglang package), and where it writes wrappers
            // of its own: in cargo's target directory, not the user's cache.
            ("CARGO_ZIGBUILD_PYTHON_PATH".into(), tools.python().into()),
            ("CARGO_ZIGBUILD_CACHE_DIR".into(), dir.join("cache").into()),
            // What `maturin --zig` gives its cargo when the target is the host's: the
            // linker above links the target's artifacts only, while build scripts and
            // proc macros are linked for this machine as usual. The binaries' build must
            // be configured the same, or the two builds would rebuild each other's
            // build scripts, and so every crate above them, at every run.
            (
                "CARGO_UNSTABLE_TARGET_APPLIES_TO_HOST".into(),
                "true".into(),
            ),
            ("CARGO_TARGET_APPLIES_TO_HOST".into(), "false".into()),
            (
                "__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS".into(),
                "nightly".into(),
            ),
        ];
        Ok(Toolchain { env })
    }

    /// Gives `command` (cargo or maturin) the toolchain's environment.
    pub fn apply<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        command.envs(self.env.iter().map(|(name, value)| (name, value)))
    }
}

/// `path` as one word of a POSIX shell command.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

/// What `auditwheel show --json` says of a wheel (the fields read here).
#[derive(Debug, Deserialize)]
struct Shown {
    /// The most compatible platform tag the wheel is consistent with, as
    /// `manylinux_2_17_x86_64`, or `linux_x86_64` when it is consistent with none.
    overall_tag: String,
    /// The versions of symbols the wheel's ELF files need, by library.
    #[serde(default)]
    versioned_symbols: std::collections::BTreeMap<String, Vec<String>>,
    /// The libraries outside every manylinux policy that the wheel needs, by name.
    #[serde(default)]
    external_libs: serde_json::Map<String, serde_json::Value>,
}

/// Runs `auditwheel show` over `wheel` and fails unless the wheel is consistent with
/// [`platform_tag`]; returns the tag auditwheel found.
pub fn audit(tools: &Tools, wheel: &Path) -> Result<String> {
    let output = succeed(
        Command::new(tools.auditwheel())
            .args(["show", "--json"])
            .arg(wheel),
        "auditwheel show",
    )?;
    judge(&output.stdout)
}

/// The verdict on `auditwheel show --json`'s output `json`.
fn judge(json: &[u8]) -> Result<String> {
    let shown: Shown =
        serde_json::from_slice(json).context("reading the output of auditwheel show --json")?;
    let glibc = shown
        .overall_tag
        .strip_prefix("manylinux_")
        .and_then(|rest| rest.strip_suffix("_x86_64"))
        .and_then(|version| version.split_once('_'))
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)));
    if glibc.is_some_and(|glibc| glibc <= GLIBC) {
        return Ok(shown.overall_tag);
    }
    let newer: Vec<String> = shown
        .versioned_symbols
        .iter()
        .flat_map(|(library, versions)| {
            versions
                .iter()
                .filter(|version| glibc_version(version).is_some_and(|found| found > GLIBC))
                .map(move |version| format!("{library} {version}"))
        })
        .collect();
    let external: Vec<&str> = shown.external_libs.keys().map(String::as_str).collect();
    bail!(
        "auditwheel: the wheel is consistent with {}, not {} (glibc {}.{}); symbols of a newer \
         glibc: {}; libraries outside the policy: {}",
        shown.overall_tag,
        platform_tag(),
        GLIBC.0,
        GLIBC.1,
        list(&newer),
        list(&external)
    )
}

/// `GLIBC_2.28` as (2, 28); `None` for another library's versions (`GCC_3.0`).
fn glibc_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.strip_prefix("GLIBC_")?.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What auditwheel 6.8.2 printed for the wheel of this workspace linked by the host's
    /// linker on glibc 2.36, and for the same wheel linked by zig for glibc 2.17
    /// (`versioned_symbols` shortened).
    const HOST_LINKED: &str = r#"{"version": 1,
        "wheel": "llamacloud_batches-0.1.0-cp39-abi3-manylinux_2_34_x86_64.whl",
        "pure": false, "overall_tag": "manylinux_2_34_x86_64",
        "sym_tag": "manylinux_2_34_x86_64", "pyfpe": false, "ucs2": false,
        "unsupported_isa": false,
        "versioned_symbols": {"libc.so.6": ["GLIBC_2.14", "GLIBC_2.17", "GLIBC_2.18",
            "GLIBC_2.2.5", "GLIBC_2.28", "GLIBC_2.34"],
            "libgcc_s.so.1": ["GCC_3.0", "GCC_4.2.0"], "libm.so.6": ["GLIBC_2.29"]},
        "external_libs": {}, "policy_upgrades": {}}"#;
    const ZIG_LINKED: &str = r#"{"version": 1,
        "wheel": "llamacloud_batches-0.1.0-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
        "pure": false, "overall_tag": "manylinux_2_17_x86_64",
        "sym_tag": "manylinux_2_17_x86_64", "pyfpe": false, "ucs2": false,
        "unsupported_isa": false,
        "versioned_symbols": {"libc.so.6": ["GLIBC_2.14", "GLIBC_2.16", "GLIBC_2.17",
            "GLIBC_2.2.5"], "libpthread.so.0": ["GLIBC_2.12", "GLIBC_2.2.5"]},
        "external_libs": {}, "policy_upgrades": {}}"#;

    #[test]
    fn a_wheel_for_glibc_2_17_passes() {
        assert_eq!(
            judge(ZIG_LINKED.as_bytes()).unwrap(),
            "manylinux_2_17_x86_64"
        );
        let older = ZIG_LINKED.replace(
            r#""overall_tag": "manylinux_2_17_x86_64""#,
            r#""overall_tag": "manylinux_2_5_x86_64""#,
        );
        assert_eq!(judge(older.as_bytes()).unwrap(), "manylinux_2_5_x86_64");
    }

    #[test]
    fn a_wheel_needing_a_newer_glibc_fails_naming_the_symbols() {
        let error = judge(HOST_LINKED.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            error,
            "auditwheel: the wheel is consistent with manylinux_2_34_x86_64, not \
             manylinux_2_17_x86_64 (glibc 2.17); symbols of a newer glibc: libc.so.6 \
             GLIBC_2.18, libc.so.6 GLIBC_2.28, libc.so.6 GLIBC_2.34, libm.so.6 GLIBC_2.29; \
             libraries outside the policy: none"
        );
    }

    #[test]
    fn a_wheel_needing_a_library_outside_the_policy_fails_naming_it() {
        let shown = ZIG_LINKED
            .replace(
                r#""overall_tag": "manylinux_2_17_x86_64""#,
                r#""overall_tag": "linux_x86_64""#,
            )
            .replace(
                r#""external_libs": {}"#,
                r#""external_libs": {"libssl.so.3": "/usr/lib/x86_64-linux-gnu/libssl.so.3"}"#,
            );
        let error = judge(shown.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            error,
            "auditwheel: the wheel is consistent with linux_x86_64, not manylinux_2_17_x86_64 \
             (glibc 2.17); symbols of a newer glibc: none; libraries outside the policy: \
             libssl.so.3"
        );
    }

    #[test]
    fn a_path_is_one_word_of_the_wrappers() {
        assert_eq!(shell_quote(Path::new("/a b/it's")), r"'/a b/it'\''s'");
    }
}
