//! The resolver's rules: precedence, the endpoint's conflicts, refused empty values,
//! headers, proxies.

use super::*;

fn profile() -> Source {
    Source::Profile("local".to_owned())
}

#[test]
fn each_setting_comes_from_the_highest_source_that_gives_it() {
    let explicit = Layer {
        max_retries: Some(5),
        ..Layer::default()
    };
    let env = Layer {
        api_key: Some("llx-env".to_owned()),
        max_retries: Some(4),
        ..Layer::default()
    };
    let profile_layer = Layer {
        api_key: Some("llx-profile".to_owned()),
        timeout: Some(Some(Duration::from_secs(9))),
        ..Layer::default()
    };
    let env_source = Source::Env("LLAMA_CLOUD_API_KEY");
    // Given in any order: precedence comes from the source.
    let settings = Settings::resolve([
        (&profile(), &profile_layer),
        (&env_source, &env),
        (&Source::Explicit, &explicit),
    ])
    .unwrap();
    assert_eq!(
        settings.api_key,
        Some(Sourced::new("llx-env".to_owned(), env_source))
    );
    assert_eq!(settings.max_retries, Sourced::new(5, Source::Explicit));
    assert_eq!(
        settings.timeout,
        Sourced::new(Some(Duration::from_secs(9)), profile())
    );
    assert_eq!(
        settings.deadline,
        Sourced::new(None, Source::Default),
        "no deadline unless one is set"
    );
    assert_eq!(
        settings.endpoint,
        Sourced::new(Endpoint::Region(Region::Na), Source::Default)
    );
}

#[test]
fn a_base_url_and_a_region_of_equal_precedence_conflict() {
    let both = Layer {
        base_url: Some("https://proxy.example".to_owned()),
        region: Some(Region::Eu),
        ..Layer::default()
    };
    let Err(Error::EndpointConflict { base_url, region }) =
        Settings::resolve([(&profile(), &both)])
    else {
        panic!("no conflict")
    };
    assert_eq!((base_url, region), (profile(), profile()));
    let error = Settings::resolve([(&Source::Explicit, &both)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "configuration error: both a base URL (explicit) and a region (explicit) are set; \
         give only one"
    );

    // A higher source's choice wins, whichever kind it is.
    let region = Layer {
        region: Some(Region::Eu),
        ..Layer::default()
    };
    let settings = Settings::resolve([(&Source::Explicit, &region), (&profile(), &both)]);
    assert_eq!(
        settings.unwrap().endpoint,
        Sourced::new(Endpoint::Region(Region::Eu), Source::Explicit)
    );
    let url = Layer {
        base_url: Some("http://127.0.0.1:9".to_owned()),
        ..Layer::default()
    };
    let url_source = Source::Env("LLAMA_CLOUD_BASE_URL");
    let settings = Settings::resolve([(&url_source, &url), (&profile(), &region)]).unwrap();
    assert_eq!(
        settings.endpoint,
        Sourced::new(Endpoint::Url("http://127.0.0.1:9".to_owned()), url_source)
    );
}

#[test]
fn an_empty_base_url_from_any_source_is_refused() {
    for source in [
        Source::Explicit,
        Source::Env("LLAMA_CLOUD_BASE_URL"),
        profile(),
    ] {
        let empty = Layer {
            base_url: Some(" ".to_owned()),
            ..Layer::default()
        };
        let lower = Layer {
            base_url: Some("https://proxy.example".to_owned()),
            ..Layer::default()
        };
        let error = Settings::resolve([(&source, &empty), (&Source::Default, &lower)])
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "configuration error: the base URL ({source}) is empty; give one with its \
                 scheme, such as https://api.cloud.llamaindex.ai, or leave it unset for the \
                 region's host"
            )
        );
    }
}

#[test]
fn an_empty_api_key_is_refused_rather_than_taken_from_a_lower_source() {
    for (source, key) in [(Source::Explicit, ""), (profile(), " \n")] {
        let empty = Layer {
            api_key: Some(key.to_owned()),
            ..Layer::default()
        };
        let lower = Layer {
            api_key: Some("llx-of-another-project".to_owned()),
            ..Layer::default()
        };
        let lower_source = Source::Profile("other".to_owned());
        let error = Settings::resolve([(&source, &empty), (&lower_source, &lower)])
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "configuration error: the API key ({source}) is empty; give the key (llx-…), \
                 or leave the setting out"
            )
        );
    }
}

#[test]
fn headers_add_up_and_replace_by_name() {
    let header = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    let env = Layer {
        headers: vec![header("x-team", "env"), header("x-trace", "1")],
        ..Layer::default()
    };
    let explicit = Layer {
        headers: vec![header("X-Team", "explicit")],
        ..Layer::default()
    };
    let env_source = Source::Env("LLAMA_CLOUD_CUSTOM_HEADERS");
    let settings =
        Settings::resolve([(&Source::Explicit, &explicit), (&env_source, &env)]).unwrap();
    assert_eq!(
        settings.headers,
        vec![
            Sourced::new(header("x-trace", "1"), env_source),
            Sourced::new(header("X-Team", "explicit"), Source::Explicit),
        ]
    );
}

#[test]
fn debug_output_hides_the_key_and_header_values() {
    let layer = Layer {
        api_key: Some("llx-SECRET".to_owned()),
        headers: vec![("x-token".to_owned(), "SECRET-TOO".to_owned())],
        ..Layer::default()
    };
    let settings = Settings::resolve([(&Source::Explicit, &layer)]).unwrap();
    for text in [format!("{layer:?}"), format!("{settings:?}")] {
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("x-token"), "{text}");
    }
}

#[test]
fn a_proxy_variable_counts_only_for_the_scheme_it_serves() {
    let proxy = |url: &str| Layer {
        proxy: Some(url.to_owned()),
        ..Layer::default()
    };
    let env = [
        (Source::Env("HTTPS_PROXY"), proxy("http://for-https:1")),
        (Source::Env("HTTP_PROXY"), proxy("http://for-http:2")),
        (Source::Env("ALL_PROXY"), proxy("http://for-all:3")),
    ];
    let chosen = |base_url: &str, env: &[(Source, Layer)]| {
        let url = Layer {
            base_url: Some(base_url.to_owned()),
            ..Layer::default()
        };
        let layers = std::iter::once((&Source::Explicit, &url))
            .chain(env.iter().map(|(source, layer)| (source, layer)));
        let proxy = Settings::resolve(layers).unwrap().proxy;
        (proxy.value.map(|url| url.to_string()), proxy.source)
    };
    assert_eq!(
        chosen("https://api.example", &env),
        (
            Some("http://for-https:1".to_owned()),
            Source::Env("HTTPS_PROXY")
        )
    );
    assert_eq!(
        chosen("http://api.example", &env),
        (
            Some("http://for-http:2".to_owned()),
            Source::Env("HTTP_PROXY")
        )
    );
    assert_eq!(
        chosen("http://api.example", &env[..1]),
        (None, Source::Default),
        "HTTPS_PROXY does not serve http://"
    );
    assert_eq!(
        chosen("https://api.example", &env[2..]),
        (
            Some("http://for-all:3".to_owned()),
            Source::Env("ALL_PROXY")
        )
    );
}

#[test]
fn an_explicit_proxy_beats_the_environment_and_no_proxy_still_exempts_hosts() {
    let explicit = Layer {
        proxy: Some("http://user:SECRET@explicit:1".to_owned()),
        ..Layer::default()
    };
    let env = Layer {
        proxy: Some("http://env:2".to_owned()),
        ..Layer::default()
    };
    let profile_layer = Layer {
        proxy: Some("http://profile:3".to_owned()),
        ..Layer::default()
    };
    let https_proxy = Source::Env("HTTPS_PROXY");
    let settings = Settings::resolve([
        (&profile(), &profile_layer),
        (&https_proxy, &env),
        (&Source::Explicit, &explicit),
    ])
    .unwrap();
    assert_eq!(settings.proxy.source, Source::Explicit);
    assert_eq!(
        settings.proxy.value.unwrap().to_string(),
        "http://***@explicit:1"
    );
    let settings = Settings::resolve([(&profile(), &profile_layer), (&https_proxy, &env)]).unwrap();
    assert_eq!(
        settings.proxy.source, https_proxy,
        "the environment beats a profile"
    );

    let no_proxy = Layer {
        no_proxy: Some("llamaindex.ai".to_owned()),
        ..Layer::default()
    };
    let no_proxy_source = Source::Env("NO_PROXY");
    let settings = Settings::resolve([
        (&Source::Explicit, &explicit),
        (&no_proxy_source, &no_proxy),
    ])
    .unwrap();
    assert_eq!(settings.proxy, Sourced::new(None, no_proxy_source.clone()));
    assert_eq!(
        settings.no_proxy,
        Some(Sourced::new("llamaindex.ai".to_owned(), no_proxy_source))
    );
    for text in [format!("{explicit:?}"), format!("{settings:?}")] {
        assert!(!text.contains("SECRET"), "{text}");
    }
}

#[test]
fn a_proxy_that_is_not_a_url_is_refused_naming_its_source_not_its_value() {
    let env = Layer {
        proxy: Some("socks5://user:SECRET@proxy:1080".to_owned()),
        ..Layer::default()
    };
    let Err(error) = Settings::resolve([(&Source::Env("ALL_PROXY"), &env)]) else {
        panic!("accepted")
    };
    assert_eq!(
        error.to_string(),
        "configuration error: the proxy (env ALL_PROXY): proxy scheme `socks5` is not \
         supported; accepted: http, https"
    );
}
