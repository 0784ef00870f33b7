//! Corporate networks, on loopback: the emulator over HTTPS with a CA of its own, and a
//! forwarding proxy that counts what goes through it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use batches_server::{CA_FILE, ForwardProxy, ServerConfig, Tls};

use crate::common::{Env, code, fast, ids, stderr};

/// The emulator over HTTPS with 30 batches; its CA is written to `dir/ca.pem`.
fn https_env(dir: &Path) -> Env {
    Env::with(ServerConfig {
        seed: 30,
        tls: Some(Tls::SelfSigned {
            dir: dir.to_owned(),
        }),
        ..fast()
    })
}

/// A loopback URL nothing listens on: a command sent there reaches nothing directly.
fn unreachable(scheme: &str, host: &str) -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("{scheme}://{host}:{port}")
}

const LIST: [&str; 5] = ["batches", "list", "--format", "jsonl", "--page-size=10"];

#[test]
fn the_emulators_ca_is_refused_until_given_by_option_variable_or_profile() {
    let dir = tempfile::tempdir().unwrap();
    let env = https_env(dir.path());
    let ca: PathBuf = dir.path().join(CA_FILE);
    let ca = ca.to_str().unwrap();

    let output = env.cmd().args(LIST).output().unwrap();
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: list batches failed: certificate not trusted (invalid peer certificate: \
         UnknownIssuer): if a proxy or gateway re-signs TLS, pass its CA with --ca-bundle or \
         SSL_CERT_FILE\n"
    );

    let runs = [
        env.cmd().args(LIST).args(["--ca-bundle", ca]).output(),
        env.cmd().args(LIST).env("SSL_CERT_FILE", ca).output(),
        env.cmd()
            .args(LIST)
            .env("SSL_CERT_DIR", dir.path())
            .output(),
    ];
    for output in runs {
        let output = output.unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(ids(&crate::common::stdout(&output)).len(), 30);
    }

    // A profile keeps the bundle, stored as an absolute path.
    let output = env
        .cmd()
        .current_dir(dir.path())
        .args(["config", "set", "ca-bundle", CA_FILE])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = env.cmd().args(LIST).output().unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = env
        .cmd()
        .args(["config", "show", "--format", "json"])
        .output()
        .unwrap();
    let shown = crate::common::json(&output);
    let canonical = std::fs::canonicalize(ca).unwrap();
    assert_eq!(shown["ca_bundle"]["value"], canonical.to_str().unwrap());
    assert_eq!(shown["ca_bundle"]["source"], "profile default");
}

#[test]
fn ca_settings_that_name_nothing_usable_are_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let env = https_env(dir.path());
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "no certificate here").unwrap();
    let text = text.to_str().unwrap();

    let output = env
        .cmd()
        .args(LIST)
        .args(["--ca-bundle", text])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains(&format!("ca_bundle {text} (explicit) holds no certificate")),
        "{}",
        stderr(&output)
    );
    let output = env
        .cmd()
        .args(LIST)
        .env("SSL_CERT_FILE", text)
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("SSL_CERT_FILE names no usable CA certificate"),
        "{}",
        stderr(&output)
    );
    // A variable naming nothing there is refused by name, as a missing --ca-bundle is,
    // even when the other one names the emulator's CA.
    let missing = dir.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    let ca = dir.path().join(CA_FILE);
    let ca = ca.to_str().unwrap();
    let dir_text = dir.path().to_str().unwrap();
    for (file, directory, named) in [
        (missing, dir_text, "SSL_CERT_FILE"),
        (ca, missing, "SSL_CERT_DIR"),
    ] {
        let output = env
            .cmd()
            .args(LIST)
            .env("SSL_CERT_FILE", file)
            .env("SSL_CERT_DIR", directory)
            .output()
            .unwrap();
        assert_eq!(code(&output), 2, "{named}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{named} names {missing} (")),
            "{}",
            stderr(&output)
        );
    }
    let output = env
        .cmd()
        .args(["config", "set", "ca-bundle", text])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("ca_bundle: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_listing_reaches_the_emulator_only_through_the_proxy_unless_no_proxy_exempts_it() {
    let env = Env::seeded(30);
    let proxy = ForwardProxy::start(env.server.addr(), None).unwrap();
    let nowhere = unreachable("http", "127.0.0.1");
    let dead_proxy = unreachable("http", "127.0.0.1");
    let list = |configure: &dyn Fn(&mut assert_cmd::Command)| {
        let before = proxy.requests().len();
        let mut cmd = env.cmd();
        cmd.env("LLAMA_CLOUD_BASE_URL", &nowhere).args(LIST);
        configure(&mut cmd);
        let output = cmd.output().unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(ids(&crate::common::stdout(&output)).len(), 30);
        proxy.requests().len() - before
    };
    // Three pages of ten, each a request through the proxy.
    assert_eq!(
        list(&|cmd| {
            cmd.args(["--proxy", &proxy.url()]);
        }),
        3
    );
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        assert_eq!(
            list(&|cmd| {
                cmd.env(variable, proxy.url());
            }),
            3,
            "{variable}"
        );
    }
    // --proxy beats the environment, and an upper-case variable its lower-case twin.
    let pages = list(&|cmd| {
        cmd.env("HTTP_PROXY", &dead_proxy)
            .args(["--proxy", &proxy.url()]);
    });
    assert_eq!(pages, 3);
    let pages = list(&|cmd| {
        cmd.env("HTTP_PROXY", proxy.url())
            .env("http_proxy", &dead_proxy);
    });
    assert_eq!(pages, 3);
    // In a CGI program HTTP_PROXY may come from a request's `Proxy` header: only the
    // lower-case name counts there.
    let pages = list(&|cmd| {
        cmd.env("REQUEST_METHOD", "GET")
            .env("HTTP_PROXY", &dead_proxy)
            .env("http_proxy", proxy.url());
    });
    assert_eq!(pages, 3);
    for request in proxy.requests() {
        assert_eq!(request.method, "GET");
        assert!(request.target.starts_with(&nowhere), "{request:?}");
    }

    // HTTPS_PROXY serves only https:// URLs: the command goes straight to nowhere.
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", &nowhere)
        .env("HTTPS_PROXY", proxy.url())
        .args(LIST)
        .output()
        .unwrap();
    assert_eq!(code(&output), 3, "{}", stderr(&output));

    // NO_PROXY (either case) exempts the emulator's host, from the environment's proxy
    // and from --proxy alike.
    let before = proxy.requests().len();
    for (no_proxy, proxy_setting) in [
        ("NO_PROXY", ["--proxy", proxy.url().as_str()]),
        ("no_proxy", ["--max-retries", "0"]),
    ] {
        let output = env
            .cmd()
            .env("HTTP_PROXY", proxy.url())
            .env(no_proxy, "localhost,127.0.0.1")
            .args(LIST)
            .args(proxy_setting)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(ids(&crate::common::stdout(&output)).len(), 30);
    }
    assert_eq!(proxy.requests().len(), before, "the proxy saw none of it");
    let output = env
        .cmd()
        .env("HTTP_PROXY", proxy.url())
        .env("NO_PROXY", "127.0.0.1")
        .args(["config", "show", "--format", "json"])
        .output()
        .unwrap();
    let shown = crate::common::json(&output);
    assert_eq!(shown["proxy"]["value"], "none");
    assert_eq!(shown["proxy"]["source"], "env NO_PROXY");
    assert_eq!(shown["no_proxy"]["value"], "127.0.0.1");
}

#[test]
fn https_goes_through_a_connect_tunnel() {
    let dir = tempfile::tempdir().unwrap();
    let env = https_env(dir.path());
    let proxy = ForwardProxy::start(env.server.addr(), None).unwrap();
    let nowhere = unreachable("https", "localhost");
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", &nowhere)
        .env("https_proxy", proxy.url())
        .args(LIST)
        .args(["--ca-bundle", dir.path().join(CA_FILE).to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(ids(&crate::common::stdout(&output)).len(), 30);
    let requests = proxy.requests();
    assert!(!requests.is_empty());
    let host = nowhere.trim_start_matches("https://");
    for request in requests {
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("CONNECT", host)
        );
    }
}

#[test]
fn proxy_credentials_never_show() {
    let dir = tempfile::tempdir().unwrap();
    let env = https_env(dir.path());
    let ca = dir.path().join(CA_FILE);
    // `Basic` of `ops:s3cr3t-pw`.
    let authorization = "Basic b3BzOnMzY3IzdC1wdw==";
    let proxy = ForwardProxy::start(env.server.addr(), Some(authorization.to_owned())).unwrap();
    let with_credentials = proxy.url().replace("http://", "http://ops:s3cr3t-pw@");
    let shown_as = proxy.url().replace("http://", "http://***@");
    let nowhere = unreachable("https", "localhost");
    let cmd = || {
        let mut cmd = env.cmd();
        cmd.env("LLAMA_CLOUD_BASE_URL", &nowhere)
            .args(["--ca-bundle", ca.to_str().unwrap()]);
        cmd
    };

    let output = cmd()
        .args(LIST)
        .args(["--debug", "--proxy", &with_credentials])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let debug = stderr(&output);
    assert!(
        debug.contains(&format!("proxy {shown_as} (option)")),
        "{debug}"
    );
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(
        proxy
            .requests()
            .iter()
            .all(|request| request.proxy_authorization.as_deref() == Some(authorization)),
        "the credentials reach the proxy"
    );

    for format in ["table", "json"] {
        let output = cmd()
            .env("HTTPS_PROXY", &with_credentials)
            .args(["config", "show", "--format", format])
            .output()
            .unwrap();
        let text = crate::common::stdout(&output);
        assert!(text.contains(&shown_as), "{text}");
        assert!(text.contains("env HTTPS_PROXY"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    // Refused credentials, through a tunnel and as plain HTTP forwarding.
    let wrong = proxy.url().replace("http://", "http://ops:wr0ng-pw@");
    let output = cmd()
        .args(LIST)
        .args(["--debug", "--proxy", &wrong])
        .output()
        .unwrap();
    assert_eq!(code(&output), 3);
    assert!(
        stderr(&output).contains("proxy authorization required"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("wr0ng"), "{}", stderr(&output));
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", unreachable("http", "127.0.0.1"))
        .env("HTTP_PROXY", &wrong)
        .args(LIST)
        .arg("--debug")
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(
        text.contains("HTTP 407 Proxy Authentication Required"),
        "{text}"
    );
    assert!(
        text.contains("hint: the proxy refused the request"),
        "{text}"
    );
    assert!(!text.contains("wr0ng"), "{text}");

    // A value that is not a usable proxy is refused without being quoted.
    let output = cmd()
        .args(LIST)
        .args(["--proxy", "socks5://ops:s3cr3t-pw@127.0.0.1:1080"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "error: --proxy: proxy scheme `socks5` is not supported; accepted: http, https\n"
    );

    // A profile keeps a proxy; it shows redacted.
    let output = env
        .cmd()
        .args(["config", "set", "proxy"])
        .write_stdin(format!("{with_credentials}\n"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = env
        .cmd()
        .args(["config", "show", "--format", "json"])
        .output()
        .unwrap();
    let shown = crate::common::json(&output);
    assert_eq!(shown["proxy"]["value"], shown_as.as_str());
    assert_eq!(shown["proxy"]["source"], "profile default");
}

#[test]
fn https_to_a_plain_http_server_is_a_handshake_failure_with_a_hint() {
    let env = Env::seeded(0);
    let wrong_scheme = format!("https://{}", env.server.addr());
    let output = env
        .cmd()
        .env("LLAMA_CLOUD_BASE_URL", wrong_scheme)
        .args(LIST)
        .output()
        .unwrap();
    assert_eq!(code(&output), 3);
    let text = stderr(&output);
    assert!(
        text.starts_with("error: list batches failed: TLS handshake failed ("),
        "{text}"
    );
    assert!(text.contains("--ca-bundle or SSL_CERT_FILE"), "{text}");
    assert!(
        text.contains("hint: check that the base URL's scheme matches the server"),
        "{text}"
    );
}

#[test]
fn an_unreachable_proxy_is_named_with_where_it_was_set_not_blamed_on_the_base_url() {
    // The API is up; only the proxy is not there.
    let env = Env::seeded(3);
    let dead_proxy = unreachable("http", "127.0.0.1");
    let with_credentials = dead_proxy.replace("http://", "http://ops:s3cr3t-pw@");
    let shown_as = dead_proxy.replace("http://", "http://***@");
    let option = ["--proxy", with_credentials.as_str()];
    let fails = |configure: &dyn Fn(&mut assert_cmd::Command), change: &str| {
        let mut cmd = env.cmd();
        cmd.args(LIST).args(["--max-retries", "0"]);
        configure(&mut cmd);
        let output = cmd.output().unwrap();
        assert_eq!(code(&output), 3, "{}", stderr(&output));
        let text = stderr(&output);
        assert!(
            text.starts_with(&format!(
                "error: list batches failed: could not connect through the proxy {shown_as} \
                 ("
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "hint: the proxy {shown_as} could not be reached or refused the connection, \
                 so the API was not tried: check the proxy and its user and password, \
                 {change}; or reach the API without a proxy by listing its host in NO_PROXY"
            )),
            "{text}"
        );
        assert!(!text.contains("check the base URL"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    };
    fails(
        &|cmd| {
            cmd.args(option);
        },
        "fix or leave out --proxy",
    );
    fails(
        &|cmd| {
            cmd.env("HTTP_PROXY", &with_credentials);
        },
        "fix or unset HTTP_PROXY (or pass --proxy URL)",
    );
    let output = env
        .cmd()
        .args(["config", "set", "proxy"])
        .write_stdin(format!("{with_credentials}\n"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    fails(
        &|_| {},
        "change it with `llamacloud config set proxy URL` or `config unset proxy` (profile \
         default), or pass --proxy URL",
    );
    // NO_PROXY bypasses it, as the hint says.
    let output = env
        .cmd()
        .args(LIST)
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}
