//! `cargo xtask wheel --check`: the wheel audited for the glibc it needs, installed into a
//! fresh virtual environment, and each of its parts run from there against the emulator.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};

use super::{Tools, build, cli_version, fresh_dir, manylinux, succeed, work_dir};

/// Batches the emulator holds for the listings.
const SEEDED: usize = 25;

/// What the installed module runs: an emulator of its own, listed by its own client.
const MODULE_LISTING: &str = "\
import llamacloud_batches as lb
with lb.Emulator(seed=25) as emulator:
    client = lb.Client(api_key=emulator.api_key, base_url=emulator.base_url)
    print(len(list(client.batches.list(page_size=10))))
";

/// Builds the wheel; on x86_64 Linux, has auditwheel confirm that it runs on glibc 2.17;
/// installs it into a fresh virtual environment, and from there runs `llamacloud
/// --version` and a listing against the emulator, starts `batches-server`, and imports
/// `llamacloud_batches` to list an emulator of its own.
pub fn check(profile: Option<&str>) -> Result<()> {
    let work = fresh_dir(&work_dir()?.join("check"))?;
    let wheel = build(&work.join("dist"), profile)?;
    let version = cli_version()?;
    let name = wheel.file_name().unwrap_or_default().to_string_lossy();
    let expected = format!("llamacloud_batches-{version}-cp39-abi3-");
    if !name.starts_with(&expected) {
        bail!("the wheel is {name}; expected a name starting with {expected}");
    }
    let audited = if manylinux::HOST_BUILDS_MANYLINUX {
        let tag = manylinux::platform_tag();
        if !name.ends_with(&format!(".{tag}.whl")) && !name.ends_with(&format!("-{tag}.whl")) {
            bail!("the wheel is {name}; expected the platform tag {tag}");
        }
        let found = manylinux::audit(&Tools::install(&work_dir()?)?, &wheel)?;
        format!("auditwheel finds it consistent with {found}; ")
    } else {
        String::new()
    };

    let venv = work.join("venv");
    succeed(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (install python3 and python3-venv)",
    )?;
    let bin = venv.join("bin");
    succeed(
        Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", "--no-index"])
            .arg(&wheel),
        "pip install",
    )?;
    let shown = succeed(
        Command::new(bin.join("python")).args(["-m", "pip", "show", "llamacloud-batches"]),
        "pip show llamacloud-batches",
    )?;
    let shown = String::from_utf8_lossy(&shown.stdout);
    if !shown.contains(&format!("\nVersion: {version}\n")) {
        bail!("pip shows another version of llamacloud-batches than {version}:\n{shown}");
    }

    let llamacloud = bin.join("llamacloud");
    let output = succeed(
        Command::new(&llamacloud).arg("--version"),
        "llamacloud --version",
    )?;
    let printed = String::from_utf8_lossy(&output.stdout);
    if printed != format!("llamacloud {version}\n") {
        bail!("`llamacloud --version` printed {printed:?}; expected \"llamacloud {version}\"");
    }

    let server = BackgroundServer::start(ServerConfig {
        seed: SEEDED as u64,
        ..ServerConfig::default()
    })?;
    let output = succeed(
        Command::new(&llamacloud)
            .args(["batches", "list", "--format", "jsonl", "--page-size", "10"])
            .env("LLAMA_CLOUD_BASE_URL", server.base_url())
            .env("LLAMA_CLOUD_API_KEY", DEFAULT_API_KEY.0)
            .env_remove("LLAMA_PARSE_API_KEY")
            .env_remove("LLAMA_CLOUD_CUSTOM_HEADERS"),
        "llamacloud batches list",
    )?;
    let listed = String::from_utf8_lossy(&output.stdout).lines().count();
    if listed != SEEDED {
        bail!("the installed llamacloud listed {listed} batches; the emulator holds {SEEDED}");
    }

    let listening =
        first_line(Command::new(bin.join("batches-server")).args(["--listen", "127.0.0.1:0"]))?;
    if !listening.starts_with("listening on http://127.0.0.1:") {
        bail!(
            "the installed batches-server printed {listening:?}; expected `listening on http://127.0.0.1:PORT`"
        );
    }

    let output = succeed(
        Command::new(bin.join("python")).args(["-c", MODULE_LISTING]),
        "python: import llamacloud_batches and list its emulator",
    )?;
    let listed = String::from_utf8_lossy(&output.stdout);
    if listed.trim() != SEEDED.to_string() {
        bail!("the installed module listed {listed:?} batches; its emulator holds {SEEDED}");
    }
    println!(
        "{}: {audited}installs with pip; `llamacloud --version` prints {version} and it lists all \
         {SEEDED} batches of the emulator; `batches-server` starts; `llamacloud_batches` \
         imports, and its client lists all {SEEDED} batches of its emulator",
        wheel.display()
    );
    Ok(())
}

/// Starts `command`, reads the first line it prints, and stops it.
fn first_line(command: &mut Command) -> Result<String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {command:?}"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.with_context(|| format!("reading the first line of {command:?}"))?;
    Ok(line.trim_end().to_owned())
}
