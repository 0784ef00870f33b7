//! The library as other languages see it: the C program of `tests/c/` compiled with the
//! system C compiler against the checked-in header and the built shared library (also run
//! under valgrind), and the Python example of `examples/python/` through `ctypes`, each
//! against an emulator started here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};

/// Batches the emulator holds at start.
const SEEDED: u64 = 10;
/// Files in the source directory the programs create batches over.
const FILES: usize = 3;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crate sits two levels below the workspace root")
        .to_owned()
}

/// The shared library (`libbatches_ffi.so`) built for this test run. Cargo compiles the
/// library with all its crate types, cdylib included, before the integration tests, and
/// writes it next to the test binary (`<profile>/deps/`); it is not copied up to
/// `<profile>/` by `cargo test`, and the copy there may come from a build with other
/// features.
fn shared_library() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let library = exe
        .parent()
        .expect("the test binary lives in <profile>/deps")
        .join(format!(
            "{}batches_ffi{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        ));
    assert!(
        library.is_file(),
        "{} is missing; `cargo test -p batches-ffi` builds it",
        library.display()
    );
    library
}

/// An emulator holding [`SEEDED`] batches and a directory of [`FILES`] files.
fn emulator() -> (BackgroundServer, String) {
    let server = BackgroundServer::start(ServerConfig {
        seed: SEEDED,
        processing_ms: 300,
        ..ServerConfig::default()
    })
    .expect("the emulator starts");
    let directory = server
        .fixtures()
        .create_directory_with_files(DEFAULT_API_KEY.1, "docs", FILES)
        .expect("the directory is created");
    (server, directory)
}

/// `program`, configured through the environment to use `server` and nothing else.
fn command(program: impl AsRef<std::ffi::OsStr>, server: &BackgroundServer) -> Command {
    let mut command = Command::new(program);
    command
        // Cargo puts `<profile>/` on the library path of tests, and that search comes
        // before the program's run path: the C programs would load whatever library was
        // last copied up there instead of the one built for this run.
        .env_remove("LD_LIBRARY_PATH")
        .env("LLAMA_CLOUD_API_KEY", DEFAULT_API_KEY.0)
        .env("LLAMA_CLOUD_BASE_URL", server.base_url())
        .env_remove("LLAMA_PARSE_API_KEY")
        .env_remove("LLAMA_CLOUD_CUSTOM_HEADERS");
    command
}

fn assert_success(what: &str, output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    println!("{stdout}");
}

/// How a C program gets the library.
#[derive(Clone, Copy)]
enum Link {
    /// `-lbatches_ffi` against the shared library, found again at run time via rpath.
    Shared,
    /// `libbatches_ffi.a` and the system libraries the README lists.
    Static,
}

/// A C program compiled strictly against the checked-in header and the library; returns
/// the executable.
fn compile_c(source: &Path, name: &str, link: Link) -> PathBuf {
    let library = shared_library();
    let library_dir = library.parent().expect("a file has a directory");
    let program = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(workspace_root().join("crates/batches-ffi/include"))
        .arg(source);
    match link {
        Link::Shared => cc
            .arg("-L")
            .arg(library_dir)
            .arg(format!("-Wl,-rpath,{}", library_dir.display()))
            .arg("-lbatches_ffi"),
        Link::Static => cc.arg(library_dir.join("libbatches_ffi.a")).args([
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ]),
    };
    let output = cc
        .args(["-lpthread", "-o"])
        .arg(&program)
        .output()
        .expect("the system C compiler `cc` runs (install gcc or clang)");
    assert_success(&format!("compiling {}", source.display()), &output);
    program
}

/// `tests/c/batches_test.c` against the shared library, compiled once for the tests that
/// run it (in parallel).
fn c_program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| c_test_program("batches_test", Link::Shared))
}

fn c_test_program(name: &str, link: Link) -> PathBuf {
    compile_c(&workspace_root().join("tests/c/batches_test.c"), name, link)
}

fn program_args(directory: &str) -> [String; 3] {
    [directory.to_owned(), SEEDED.to_string(), FILES.to_string()]
}

#[test]
fn c_program_runs_every_operation() {
    let program = c_program();
    let (server, directory) = emulator();
    let output = command(program, &server)
        .args(program_args(&directory))
        .output()
        .expect("the compiled program runs");
    assert_success("tests/c/batches_test.c", &output);
}

#[cfg(target_os = "linux")]
#[test]
fn c_program_links_statically() {
    let program = c_test_program("batches_test_static", Link::Static);
    let (server, directory) = emulator();
    let output = command(program, &server)
        .args(program_args(&directory))
        .output()
        .expect("the compiled program runs");
    assert_success("tests/c/batches_test.c linked statically", &output);
}

#[test]
fn c_program_is_clean_under_valgrind() {
    let program = c_program();
    let (server, directory) = emulator();
    let output = command("valgrind", &server)
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect,possible",
            "--error-exitcode=1",
            "--quiet",
            "--num-callers=50",
        ])
        .arg(program)
        .args(program_args(&directory))
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "valgrind could not be run ({error}); install it, e.g. `apt-get install \
                 valgrind`"
            )
        });
    // `--error-exitcode` makes any invalid access and (with `--leak-check=full`) any leak of
    // the kinds above fail the run; the report is in the output printed on failure.
    assert_success("tests/c/batches_test.c under valgrind", &output);
}

/// Files in the folder `tests/c/run_test.c` runs.
const RUN_FILES: usize = 3;

/// `tests/c/run_test.c` with a folder of [`RUN_FILES`] files against an emulator, under
/// `runner` (nothing, or valgrind with its options).
fn run_program(runner: &[&str]) -> Output {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    let program = PROGRAM.get_or_init(|| {
        compile_c(
            &workspace_root().join("tests/c/run_test.c"),
            "run_test",
            Link::Shared,
        )
    });
    let (server, _) = emulator();
    let folder = tempfile::tempdir().expect("a temporary folder");
    for k in 0..RUN_FILES {
        std::fs::write(folder.path().join(format!("note-{k}.md")), format!("# {k}"))
            .expect("the folder can be written");
    }
    let mut command = match runner.split_first() {
        Some((first, rest)) => {
            let mut command = command(first, &server);
            command.args(rest).arg(program);
            command
        }
        None => command(program, &server),
    };
    command
        .arg(folder.path())
        .arg(RUN_FILES.to_string())
        .output()
        .unwrap_or_else(|error| {
            panic!("{runner:?} {} could not be run: {error}", program.display())
        })
}

#[test]
fn c_program_runs_a_folder_and_cancels_a_run_from_its_callback() {
    assert_success("tests/c/run_test.c", &run_program(&[]));
}

#[test]
fn c_run_program_is_clean_under_valgrind() {
    let output = run_program(&[
        "valgrind",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite,indirect,possible",
        "--error-exitcode=1",
        "--quiet",
        "--num-callers=50",
    ]);
    assert_success("tests/c/run_test.c under valgrind", &output);
}

#[test]
fn python_example_runs_through_ctypes() {
    let (server, directory) = emulator();
    let library = shared_library();
    let output = command("python3", &server)
        .arg(workspace_root().join("examples/python/batches_example.py"))
        .args(["--library".as_ref(), library.as_os_str()])
        .args(["--source-directory-id", &directory])
        .output()
        .unwrap_or_else(|error| panic!("python3 could not be run ({error}); install Python 3"));
    assert_success("examples/python/batches_example.py", &output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("listed {SEEDED} batches")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("COMPLETED with {FILES} results")),
        "{stdout}"
    );
    assert!(stdout.contains("CANCELLED"), "{stdout}");
    assert!(stdout.contains("HTTP 404"), "{stdout}");
}

#[test]
fn readme_example_compiles_and_runs() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README is readable");
    let example = readme
        .split("## A complete example")
        .nth(1)
        .and_then(|section| section.split("```c\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("the README has a C block under \"A complete example\"");
    let source = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme_example.c");
    std::fs::write(&source, example).expect("the example can be written");
    let program = compile_c(&source, "readme_example", Link::Shared);
    let (server, _) = emulator();

    let output = command(&program, &server)
        .output()
        .expect("the example runs");
    assert_success("the README example", &output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.matches("\nbatch: ").count(),
        SEEDED as usize,
        "{stdout}"
    );

    let output = command(&program, &server)
        .arg("bat-00000000-0000-0000-0000-000000000000")
        .output()
        .expect("the example runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(HTTP 404): get batch failed: HTTP 404 Not Found"),
        "{stderr}"
    );
}
