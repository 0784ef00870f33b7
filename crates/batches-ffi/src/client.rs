//! The client handle, its configuration, and the library-wide functions.

use std::ffi::{CStr, c_char};
use std::path::PathBuf;
use std::time::Duration;

use ::batches_client::{ClientBuilder, Error, Layer, Region, Source, blocking};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::boundary::{call, catch, out_param};
use crate::error::{BATCHES_CONFIG_ERROR, batches_error, batches_status};
use crate::input::settings;

/// A configured client of the Batches API. It owns its runtime and connection pool, and
/// may be used from several threads at once. Created by `batches_client_new`, released
/// with `batches_client_free`.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct batches_client {
    pub(crate) inner: blocking::Client,
}

/// `config_json` of `batches_client_new`: the explicit settings, over the environment.
/// Every field is optional; an absent one falls back to the environment, then to the
/// default.
#[derive(Debug, Default, Deserialize, JsonSchema)]
struct ClientConfig {
    /// The API key; else `LLAMA_CLOUD_API_KEY`, else `LLAMA_PARSE_API_KEY`.
    api_key: Option<String>,
    /// The base URL, with its scheme; else `LLAMA_CLOUD_BASE_URL`, else the region's host.
    base_url: Option<String>,
    /// `na` (default) or `eu`.
    region: Option<String>,
    /// Retries after a failed attempt (default 2).
    max_retries: Option<u32>,
    /// Time allowed for one attempt, in milliseconds (default 60000).
    timeout_ms: Option<u64>,
    /// A PEM file of CA certificates trusted besides the system's roots (the CA of a
    /// gateway that re-signs TLS); `SSL_CERT_FILE` and `SSL_CERT_DIR` replace the system's
    /// roots.
    ca_bundle: Option<PathBuf>,
    /// The proxy, `http://[user:password@]host:port`; else `HTTPS_PROXY` (for an
    /// `https://` base URL), `HTTP_PROXY` (for `http://`), then `ALL_PROXY`.
    proxy: Option<String>,
    /// Hosts reached without the proxy, comma-separated (`*` for all, `""` for none);
    /// else `NO_PROXY`.
    no_proxy: Option<String>,
}

impl ClientConfig {
    /// The settings as the client's explicit layer.
    fn layer(self) -> Result<Layer, batches_error> {
        if self.timeout_ms == Some(0) {
            return Err(batches_error::new(
                BATCHES_CONFIG_ERROR,
                "`config_json`: `timeout_ms` must be at least 1",
            ));
        }
        Ok(Layer {
            api_key: self.api_key,
            base_url: self.base_url,
            region: self
                .region
                .as_deref()
                .map(str::parse::<Region>)
                .transpose()?,
            max_retries: self.max_retries,
            timeout: self.timeout_ms.map(|ms| Some(Duration::from_millis(ms))),
            ca_bundle: self.ca_bundle,
            proxy: self.proxy,
            no_proxy: self.no_proxy,
            ..Layer::default()
        })
    }
}

/// A failure to build the client as the C caller sees it. A base URL and a region can
/// only conflict within `config_json`, the one explicit source, so that message names
/// its fields.
fn build_error(error: Error) -> batches_error {
    match error {
        Error::EndpointConflict { .. } => batches_error::new(
            BATCHES_CONFIG_ERROR,
            "`config_json` sets both `base_url` and `region`; give one of them",
        ),
        error => error.into(),
    }
}

/// The library version, e.g. `0.1.0`. The string is static: do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn batches_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => panic!("the version has no NUL inside"),
        };
    catch(std::ptr::null(), || VERSION.as_ptr())
}

/// Creates a client.
///
/// `config_json` is NULL or a JSON object with any of `api_key`, `base_url` (with its
/// scheme, e.g. `https://api.cloud.eu.llamaindex.ai`), `region` (`na` or `eu`; not
/// together with `base_url`), `max_retries`, `timeout_ms` (per attempt), `ca_bundle` (a
/// PEM file of CA certificates trusted besides the system's roots), `proxy`
/// (`http://[user:password@]host:port`) and `no_proxy` (hosts reached directly). What it
/// leaves out comes from the environment like in the Rust client (`LLAMA_CLOUD_API_KEY`
/// or `LLAMA_PARSE_API_KEY`, `LLAMA_CLOUD_BASE_URL`, `LLAMA_CLOUD_CUSTOM_HEADERS`,
/// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`; `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` replace the system's roots), then from the defaults (North America, 2
/// retries, 60 s per attempt, no proxy). A TLS failure (an untrusted certificate) is a
/// `BATCHES_TRANSPORT_ERROR` whose message names `ca_bundle` and `SSL_CERT_FILE`.
///
/// On success `*out` receives the client (release it with `batches_client_free`). Fails
/// with `BATCHES_INVALID_ARGUMENT` for malformed JSON or an unknown field, and
/// `BATCHES_CONFIG_ERROR` for an unusable configuration (no API key, a base URL without
/// scheme, an unknown region). Sends no request.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `out` points to writable storage
/// for a pointer; `err` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_client_new(
    config_json: *const c_char,
    out: *mut *mut batches_client,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let out = out_param(out, "out")?;
        let config: ClientConfig = settings(config_json, "config_json")?;
        let builder = ClientBuilder::from_env().layer(Source::Explicit, config.layer()?);
        let inner = blocking::Client::new(builder).map_err(build_error)?;
        *out = Box::into_raw(Box::new(batches_client { inner }));
        Ok(())
    })
}

/// Releases a client: its runtime stops and its connections close. NULL is a no-op.
/// Iterators created from it stay usable (they share what they need). No call on this
/// client may be running or start afterwards.
///
/// # Safety
/// `client` is NULL or a client returned by `batches_client_new`, freed at most once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_client_free(client: *mut batches_client) {
    catch((), || {
        if !client.is_null() {
            // SAFETY: the caller hands back ownership of a client the library boxed.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Releases a string returned by this library (a JSON document). NULL is a no-op.
///
/// # Safety
/// `s` is NULL or a string returned through an out-parameter of this library, freed at
/// most once; never a string from `batches_version` or owned by an error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_string_free(s: *mut c_char) {
    catch((), || {
        if !s.is_null() {
            // SAFETY: the library made `s` with `CString::into_raw` and the caller hands
            // it back once.
            drop(unsafe { std::ffi::CString::from_raw(s) });
        }
    })
}

/// The client behind a handle argument.
pub(crate) fn client_ref<'a>(
    client: *const batches_client,
) -> Result<&'a blocking::Client, batches_error> {
    // SAFETY: a non-NULL client argument is a live client, as every export documents.
    unsafe { client.as_ref() }
        .map(|client| &client.inner)
        .ok_or_else(|| batches_error::invalid_argument("the client `c` is NULL"))
}
