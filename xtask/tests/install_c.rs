//! `cargo xtask install-c` as a user runs it: install into a temporary prefix, build the
//! README's C example with nothing but `pkg-config`, run it against the emulator. A `dev`
//! build keeps this quick; `dist` goes through the same code with another profile name.
#![cfg(target_os = "linux")]

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};
use xtask::install_c::{self, Options};

const SEEDED: u64 = 30;

/// Installs with a `dev` build and the options `args`.
fn install(args: &[&str]) -> Vec<PathBuf> {
    let options =
        Options::parse(&[args, &["--profile", "dev"]].concat()).expect("the options are valid");
    install_c::run(&options).expect("install-c succeeds")
}

/// The README's C example, compiled with the flags `pkg-config` gives for `batches` and
/// nothing else (`pkg_config_args` selects `--static`).
fn compile_readme_example(prefix: &Path, pkg_config_args: &[&str], name: &str) -> PathBuf {
    let readme = fs::read_to_string(xtask::project_root().join("README.md")).unwrap();
    let example = readme
        .split("## C library")
        .nth(1)
        .and_then(|section| section.split("```c\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("the README has a C block under \"C library\"");
    let dir = prefix.parent().unwrap();
    let source = dir.join(format!("{name}.c"));
    fs::write(&source, example).unwrap();

    let flags = run(Command::new("pkg-config")
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .args(pkg_config_args)
        .args(["--cflags", "--libs", "batches"]));
    let flags = String::from_utf8(flags.stdout).unwrap();
    assert!(
        flags.contains(&format!("-I{}", prefix.join("include").display())),
        "{flags}"
    );
    let program = dir.join(name);
    run(Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg(&source)
        .args(flags.split_whitespace())
        .arg("-o")
        .arg(&program));
    program
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} could not start: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The `readelf -d` lines of `file` that mention `what` (`NEEDED`, `SONAME`).
fn dynamic(file: &Path, what: &str) -> Vec<String> {
    let output = run(Command::new("readelf").arg("-d").arg(file));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| line.contains(what))
        .map(str::to_owned)
        .collect()
}

/// Runs `program` against `server` with `key`; `library_path` is where the loader finds
/// the shared library, if it needs one.
fn run_against(
    program: &Path,
    server: &BackgroundServer,
    key: &str,
    library_path: Option<&Path>,
) -> Output {
    let mut command = Command::new(program);
    command
        .env_remove("LD_LIBRARY_PATH")
        .env("LLAMA_CLOUD_BASE_URL", server.base_url())
        .env("LLAMA_CLOUD_API_KEY", key)
        .env_remove("LLAMA_PARSE_API_KEY")
        .env_remove("LLAMA_CLOUD_CUSTOM_HEADERS");
    if let Some(path) = library_path {
        command.env("LD_LIBRARY_PATH", path);
    }
    command.output().unwrap()
}

fn emulator() -> BackgroundServer {
    BackgroundServer::start(ServerConfig {
        seed: SEEDED,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// The example printed one page of completed batches, as JSON.
fn assert_listed_completed(output: &Output) {
    assert!(output.status.success(), "{output:?}");
    let page: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = page["items"].as_array().expect("a page has items");
    assert!(!items.is_empty(), "{page}");
    assert!(
        items.iter().all(|batch| batch["status"] == "COMPLETED"),
        "{page}"
    );
}

#[test]
fn the_shared_library_is_versioned_and_found_through_pkg_config() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("usr");
    let written = install(&["--prefix", prefix.to_str().unwrap()]);
    let lib = prefix.join("lib");
    assert_eq!(
        written,
        [
            lib.join("libbatches.so.0.1.0"),
            lib.join("libbatches.so.0.1"),
            lib.join("libbatches.so"),
            lib.join("libbatches.a"),
            prefix.join("include/batches.h"),
            lib.join("pkgconfig/batches.pc"),
        ]
    );
    assert_eq!(
        fs::read_link(lib.join("libbatches.so")).unwrap(),
        Path::new("libbatches.so.0.1")
    );
    assert_eq!(
        fs::read_link(lib.join("libbatches.so.0.1")).unwrap(),
        Path::new("libbatches.so.0.1.0")
    );
    let soname = dynamic(&lib.join("libbatches.so.0.1.0"), "SONAME");
    assert!(
        soname.len() == 1 && soname[0].contains("[libbatches.so.0.1]"),
        "{soname:?}"
    );
    assert_eq!(
        fs::read(prefix.join("include/batches.h")).unwrap(),
        fs::read(xtask::project_root().join("crates/batches-ffi/include/batches.h")).unwrap()
    );

    let program = compile_readme_example(&prefix, &[], "shared-app");
    // The program asks the loader for the soname, not the development link.
    let needed = dynamic(&program, "NEEDED");
    assert!(
        needed
            .iter()
            .any(|line| line.contains("[libbatches.so.0.1]")),
        "{needed:?}"
    );

    let server = emulator();
    assert_listed_completed(&run_against(
        &program,
        &server,
        DEFAULT_API_KEY.0,
        Some(&lib),
    ));
    // A refusal reaches the program's error path.
    let refused = run_against(&program, &server, "llx-not-a-key", Some(&lib));
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("HTTP 401"), "{stderr}");
}

/// A packager's install: staged under `--destdir`, only the archive, and pkg-config
/// relocating the prefix to where the files are.
#[test]
fn the_static_library_links_with_pkg_config_static() {
    let dir = tempfile::tempdir().unwrap();
    let stage = dir.path().join("stage");
    let written = install(&[
        "--prefix",
        "/opt/batches-test",
        "--destdir",
        stage.to_str().unwrap(),
        "--library-type",
        "staticlib",
    ]);
    assert!(!Path::new("/opt/batches-test").exists());
    let prefix = stage.join("opt/batches-test");
    let lib = prefix.join("lib");
    assert_eq!(
        written,
        [
            lib.join("libbatches.a"),
            prefix.join("include/batches.h"),
            lib.join("pkgconfig/batches.pc"),
        ]
    );
    let pc = fs::read_to_string(lib.join("pkgconfig/batches.pc")).unwrap();
    assert!(pc.starts_with("prefix=/opt/batches-test\n"), "{pc}");

    let program = compile_readme_example(&prefix, &["--define-prefix", "--static"], "static-app");
    let needed = dynamic(&program, "NEEDED");
    assert!(
        !needed.iter().any(|line| line.contains("libbatches")),
        "{needed:?}"
    );
    assert_listed_completed(&run_against(&program, &emulator(), DEFAULT_API_KEY.0, None));
}
