//! Profiles: `config set/unset/show/path`, precedence flag > env > profile, the
//! permission warning.

use crate::common::{Env, KEY, code, ids, stderr, stdout};

#[test]
fn profiles_supply_settings_flag_and_env_win() {
    let env = Env::seeded(2);
    let profile_cmd = || {
        let mut cmd = env.cmd();
        cmd.env_remove("LLAMA_CLOUD_API_KEY")
            .env_remove("LLAMA_CLOUD_BASE_URL");
        cmd
    };
    for (key, value) in [
        ("api-key", KEY),
        ("base-url", &env.server.base_url()),
        ("max-retries", "1"),
        ("format", "jsonl"),
    ] {
        let output = profile_cmd()
            .args(["--profile", "local", "config", "set", key, value])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let output = profile_cmd()
        .args(["--profile", "local", "batches", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        ids(&stdout(&output)).len(),
        2,
        "the profile's format is jsonl"
    );

    // The environment beats the profile, the option beats both.
    let output = profile_cmd()
        .env("LLAMA_CLOUD_API_KEY", "llx-env-key-0000")
        .args(["--profile", "local", "batches", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "the env key is used: {}", stderr(&output));
    let output = profile_cmd()
        .env("LLAMA_CLOUD_API_KEY", "llx-env-key-0000")
        .args(["--profile", "local", "batches", "list", "--api-key", KEY])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);

    let output = profile_cmd()
        .env("LLAMA_CLOUD_API_KEY", "llx-env-key-0000")
        .args(["--profile", "local", "config", "show", "--format", "json"])
        .output()
        .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["api_key"]["value"], "llx-…0000");
    assert_eq!(shown["api_key"]["source"], "env LLAMA_CLOUD_API_KEY");
    assert_eq!(shown["max_retries"]["source"], "profile local");
    assert_eq!(shown["timeout"]["source"], "default");

    let output = profile_cmd()
        .args(["--profile", "local", "config", "show", "--format", "table"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("api_key      llx-…-dev  (profile local)"),
        "{text}"
    );
    assert!(!text.contains(KEY));

    let output = profile_cmd()
        .args(["--profile", "local", "config", "unset", "format"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let output = profile_cmd()
        .args(["--profile", "local", "batches", "list"])
        .output()
        .unwrap();
    assert!(stdout(&output).starts_with("[\n"), "back to json");
}

#[test]
fn the_file_is_private_and_a_readable_one_is_flagged() {
    let env = Env::seeded(1);
    let output = env
        .cmd()
        .args(["config", "set", "api-key"])
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let path = env.config_file();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, format!("[default]\napi_key = \"{KEY}\"\n"));
    let output = env.cmd().args(["config", "path"]).output().unwrap();
    assert_eq!(stdout(&output), format!("{}\n", path.display()));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let output = env.cmd().args(["batches", "list"]).output().unwrap();
        assert!(!stderr(&output).contains("warning"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let output = env.cmd().args(["batches", "list"]).output().unwrap();
        assert_eq!(code(&output), 0);
        assert!(
            stderr(&output).contains("can be read by other users")
                && stderr(&output).contains("chmod 600"),
            "{}",
            stderr(&output)
        );
        let output = env
            .cmd()
            .args(["batches", "list", "--quiet"])
            .output()
            .unwrap();
        assert_eq!(stderr(&output), "");
    }
}

#[test]
fn bad_profiles_and_values() {
    let env = Env::seeded(0);
    let output = env
        .cmd()
        .args(["--profile", "nope", "batches", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("profile `nope` is not in"),
        "{}",
        stderr(&output)
    );

    let cases: &[(&[&str], &str)] = &[
        (&["config", "set", "region", "us"], "na, eu"),
        (
            &["config", "set", "base-url", "example.com"],
            "use `https://example.com`",
        ),
        (&["config", "set", "max-retries", "many"], "whole number"),
        (&["config", "set", "timeout", "soon"], "250ms"),
        (&["config", "set", "format", "xml"], "auto, json"),
        (&["config", "set", "colour", "x"], "api-key"),
    ];
    for (args, accepted) in cases {
        let output = env.cmd().args(*args).output().unwrap();
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(accepted),
            "{args:?}: {}",
            stderr(&output)
        );
    }

    std::fs::create_dir_all(env.config_file().parent().unwrap()).unwrap();
    std::fs::write(env.config_file(), "[default]\ncolour = \"red\"\n").unwrap();
    let output = env.cmd().args(["batches", "list"]).output().unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("unknown setting `colour`")
            && stderr(&output).contains("api_key, base_url"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn region_and_base_url_precedence() {
    let env = Env::seeded(0);
    let show = |cmd: &mut assert_cmd::Command| {
        let output = cmd
            .args(["config", "show", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["endpoint"].clone()
    };
    // The region option beats the base URL from the environment.
    let endpoint = show(env.cmd().args(["--region", "eu"]));
    assert_eq!(
        endpoint["value"],
        "https://api.cloud.eu.llamaindex.ai (region eu)"
    );
    assert_eq!(endpoint["source"], "option");
    let endpoint = show(&mut env.cmd());
    assert_eq!(endpoint["value"], env.server.base_url());
    assert_eq!(endpoint["source"], "env LLAMA_CLOUD_BASE_URL");
    // A profile's region applies when nothing else says where to go.
    env.cmd()
        .args(["config", "set", "region", "EU"])
        .output()
        .unwrap();
    let endpoint = show(env.cmd().env_remove("LLAMA_CLOUD_BASE_URL"));
    assert_eq!(endpoint["source"], "profile default");
    let endpoint = show(
        env.cmd()
            .env_remove("LLAMA_CLOUD_BASE_URL")
            .args(["--base-url", "http://127.0.0.1:9"]),
    );
    assert_eq!(endpoint["value"], "http://127.0.0.1:9");
}

#[test]
fn a_base_url_and_a_region_from_one_source_are_refused() {
    let env = Env::seeded(0);
    let output = env
        .cmd()
        .args(["--region", "eu", "--base-url", "http://127.0.0.1:9"])
        .args(["config", "show"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output)
            .contains("both a base URL (option) and a region (option) are set; give only one"),
        "{}",
        stderr(&output)
    );

    for (key, value) in [("region", "eu"), ("base-url", "https://proxy.example")] {
        let output = env
            .cmd()
            .args(["config", "set", key, value])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let output = env
        .cmd()
        .env_remove("LLAMA_CLOUD_BASE_URL")
        .args(["batches", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output)
            .contains("both a base URL (profile default) and a region (profile default)"),
        "{}",
        stderr(&output)
    );
    // A higher source settles it: the environment's base URL wins over both.
    let output = env.cmd().args(["batches", "list"]).output().unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}
