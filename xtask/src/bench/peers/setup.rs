//! What the comparison runs besides this project's binaries, made ready in a folder of
//! cargo's target directory and reused by later runs: a Python venv with the official
//! SDK and this project's module (its wheel, installed at every run), an npm folder with
//! the official TypeScript SDK, the C program of the C ABI; and the machine and the
//! versions, for the record.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

/// The official Python SDK, as pip names it.
pub const PYTHON_SDK: &str = "llama-cloud==2.19.0";
/// The official TypeScript SDK, as npm names it.
pub const TS_SDK: &str = "@llamaindex/llama-cloud@2.16.0";

const PYTHON_LISTER: &str = include_str!("list_batches.py");
const MODULE_LISTER: &str = include_str!("list_batches_module.py");
const TS_LISTER: &str = include_str!("list_batches.mjs");
const C_LISTER: &str = include_str!("list_batches.c");

/// The programs and folders the peers need.
pub struct Prepared {
    /// The venv's `python`.
    pub python: PathBuf,
    /// `list_batches.py`.
    pub python_lister: PathBuf,
    /// `list_batches_module.py`.
    pub module_lister: PathBuf,
    /// The npm folder (with `node_modules`), where `list_batches.mjs` is.
    pub node_dir: PathBuf,
    /// The compiled C program.
    pub c_lister: PathBuf,
}

/// Fails, naming how to install it, unless every tool the comparison runs is there.
pub fn check_tools() -> Result<()> {
    let tools = [
        ("curl", "--version", "apt-get install curl"),
        (
            "python3",
            "--version",
            "apt-get install python3 python3-venv",
        ),
        ("node", "--version", "apt-get install nodejs npm"),
        ("npm", "--version", "apt-get install npm"),
        ("cc", "--version", "apt-get install gcc"),
        ("timeout", "--version", "apt-get install coreutils"),
        ("/usr/bin/time", "--version", "apt-get install time"),
    ];
    for (tool, arg, install) in tools {
        let found = Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|output| output.status.success());
        if !found {
            bail!("`{tool}` is needed by `cargo xtask bench --peers`; install it: {install}");
        }
    }
    Ok(())
}

/// Makes every peer ready in `dir`: installs what is missing and the Python module's
/// `wheel`, compiles the C program against `header_dir` and the shared library `ffi`.
pub fn prepare(dir: &Path, header_dir: &Path, ffi: &Path, wheel: &Path) -> Result<Prepared> {
    fs::create_dir_all(dir)?;
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    let installed = Command::new(&python)
        .args(["-c", "import llama_cloud; print(llama_cloud.__version__)"])
        .output()
        .is_ok_and(|out| {
            let version = String::from_utf8_lossy(&out.stdout);
            out.status.success() && PYTHON_SDK.ends_with(&format!("=={}", version.trim()))
        });
    if !installed {
        println!("installing {PYTHON_SDK} into {}", venv.display());
        run(Command::new(&python).args(["-m", "pip", "install", "--quiet", PYTHON_SDK]))?;
    }
    let python_lister = dir.join("list_batches.py");
    fs::write(&python_lister, PYTHON_LISTER)?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--force-reinstall",
        ])
        .arg(wheel))?;
    let module_lister = dir.join("list_batches_module.py");
    fs::write(&module_lister, MODULE_LISTER)?;

    let node_dir = dir.join("node");
    fs::create_dir_all(&node_dir)?;
    let package = node_dir.join("node_modules/@llamaindex/llama-cloud/package.json");
    let version = TS_SDK.rsplit('@').next().expect("a version");
    if !fs::read_to_string(&package).is_ok_and(|text| text.contains(&format!("\"{version}\""))) {
        println!("installing {TS_SDK} into {}", node_dir.display());
        fs::write(node_dir.join("package.json"), "{\"private\": true}\n")?;
        run(Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", TS_SDK])
            .current_dir(&node_dir))?;
    }
    fs::write(node_dir.join("list_batches.mjs"), TS_LISTER)?;

    let source = dir.join("list_batches.c");
    fs::write(&source, C_LISTER)?;
    let c_lister = dir.join("list_batches");
    let library_dir = ffi.parent().context("the library is in a folder")?;
    run(Command::new("cc")
        .args(["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(header_dir)
        .arg(&source)
        .arg("-L")
        .arg(library_dir)
        .arg(format!("-Wl,-rpath,{}", library_dir.display()))
        .args(["-lbatches_ffi", "-lpthread", "-o"])
        .arg(&c_lister))?;
    Ok(Prepared {
        python,
        python_lister,
        module_lister,
        node_dir,
        c_lister,
    })
}

/// The machine and the versions of everything measured, as Markdown list items.
pub fn environment(prepared: &Prepared, llamacloud: &Path) -> Vec<String> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or("unknown".to_owned(), |kib| {
            format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    let first_line = |program: &Path, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|out| {
                let text = if out.stdout.is_empty() {
                    out.stderr
                } else {
                    out.stdout
                };
                String::from_utf8_lossy(&text)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
            .unwrap_or_else(|| "not found".to_owned())
    };
    vec![
        format!(
            "machine: {model}, {cores} cores, {memory} of memory; {}",
            first_line(Path::new("uname"), &["-sr"])
        ),
        format!(
            "llamacloud: {}; {}",
            first_line(llamacloud, &["--version"]),
            first_line(Path::new("rustc"), &["--version"])
        ),
        format!("curl: {}", first_line(Path::new("curl"), &["--version"])),
        format!(
            "Python SDK: `{PYTHON_SDK}` on {}",
            first_line(&prepared.python, &["--version"])
        ),
        format!(
            "Python module: `llamacloud_batches` {}, the wheel of `cargo xtask wheel --profile \
             release`",
            first_line(
                &prepared.python,
                &[
                    "-c",
                    "import llamacloud_batches; print(llamacloud_batches.__version__)"
                ]
            )
        ),
        format!(
            "TypeScript SDK: `{TS_SDK}` on Node.js {}",
            first_line(Path::new("node"), &["--version"])
        ),
        format!(
            "C ABI: `list_batches.c` compiled with {}",
            first_line(Path::new("cc"), &["--version"])
        ),
    ]
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
