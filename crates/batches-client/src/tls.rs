//! TLS: the roots a client trusts, and what a failed handshake means.
//!
//! The roots are the operating system's (read by `rustls-native-certs`, so
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` replace the system store as they do for OpenSSL),
//! plus a CA bundle file and the certificates given to the builder. Bad input (an
//! unreadable bundle, a file without certificates, variables naming nothing usable) is an
//! error naming where it came from; unusable entries of the system store itself are
//! skipped, as every TLS stack does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, TlsFailure};
use crate::source::Sourced;

/// The variables that replace the system store.
const STORE_VARIABLES: [&str; 2] = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

/// Certificates in PEM, with a description of where they came from for messages.
pub(crate) struct Pem<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) origin: String,
}

/// The TLS configuration of a client. `system` says whether any connection will use TLS
/// (an `https://` endpoint or proxy): only then is the system store read.
pub(crate) fn client_config(
    system: bool,
    ca_bundle: Option<&Sourced<PathBuf>>,
    certificates: &[Pem<'_>],
) -> Result<rustls::ClientConfig, Error> {
    let mut roots = RootCertStore::empty();
    if system {
        add_system_roots(&mut roots)?;
    }
    if let Some(bundle) = ca_bundle {
        let text = read_bundle(&bundle.value, &bundle.source.to_string())?;
        add_pem(
            &mut roots,
            &Pem {
                text: &text,
                origin: format!("ca_bundle {} ({})", bundle.value.display(), bundle.source),
            },
        )?;
    }
    for pem in certificates {
        add_pem(&mut roots, pem)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| Error::Config(format!("cannot set up TLS: {error}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The system's roots, or the locations `SSL_CERT_FILE` and `SSL_CERT_DIR` name instead.
fn add_system_roots(roots: &mut RootCertStore) -> Result<(), Error> {
    let mut variables = Vec::new();
    for name in STORE_VARIABLES {
        if let Some(value) = std::env::var_os(name).filter(|value| !value.is_empty()) {
            check_store_location(name, &value)?;
            variables.push(name);
        }
    }
    add_loaded_roots(roots, rustls_native_certs::load_native_certs(), &variables)
}

/// Checks that what a store variable names is there: a file for `SSL_CERT_FILE`, each
/// directory of the `SSL_CERT_DIR` list. A missing one is a mistake to report by name, as
/// a missing `ca_bundle` is, rather than a location to skip: the roots found elsewhere
/// would then fail later as an untrusted certificate.
fn check_store_location(name: &str, value: &std::ffi::OsStr) -> Result<(), Error> {
    let directories = name == "SSL_CERT_DIR";
    let paths: Vec<PathBuf> = if directories {
        std::env::split_paths(value)
            .filter(|path| !path.as_os_str().is_empty())
            .collect()
    } else {
        vec![PathBuf::from(value)]
    };
    let expected = if directories {
        "a directory of PEM CA certificates"
    } else {
        "a PEM file of CA certificates"
    };
    for path in paths {
        let problem = match std::fs::metadata(&path) {
            Err(error) => error.to_string(),
            Ok(metadata) if directories && !metadata.is_dir() => "not a directory".to_owned(),
            Ok(metadata) if !directories && metadata.is_dir() => "a directory".to_owned(),
            Ok(_) => continue,
        };
        return Err(Error::Config(format!(
            "{name} names {} ({problem}); point it at {expected}, or unset it to use the \
             system's",
            path.display()
        )));
    }
    Ok(())
}

/// Adds what was loaded from the system's store, or from the locations the `variables`
/// set name.
fn add_loaded_roots(
    roots: &mut RootCertStore,
    loaded: rustls_native_certs::CertificateResult,
    variables: &[&str],
) -> Result<(), Error> {
    let (added, unusable) = roots.add_parsable_certificates(loaded.certs);
    for error in &loaded.errors {
        tracing::debug!(%error, "skipped part of the system certificate store");
    }
    tracing::debug!(added, unusable, from = ?variables, "system roots");
    if added > 0 {
        return Ok(());
    }
    if !variables.is_empty() {
        let it = if variables.len() == 1 { "it" } else { "them" };
        let problems: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        return Err(Error::Config(format!(
            "{} {} no usable CA certificate{}; point {it} at PEM CA certificates, or unset \
             {it} to use the system's",
            variables.join(" and "),
            if variables.len() == 1 {
                "names"
            } else {
                "name"
            },
            if problems.is_empty() {
                String::new()
            } else {
                format!(" ({})", problems.join("; "))
            }
        )));
    }
    // A system without a store (a minimal container): the public roots bundled with the
    // client keep public hosts reachable, as they were before the system store was read.
    tracing::debug!("no system roots; using the bundled public roots");
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(())
}

fn read_bundle(path: &Path, source: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|error| {
        let hint = if path.is_dir() {
            "; pass a PEM file (for a directory of certificates set SSL_CERT_DIR)".to_owned()
        } else {
            String::new()
        };
        Error::Config(format!(
            "cannot read ca_bundle {} ({source}): {error}{hint}",
            path.display()
        ))
    })
}

/// Adds every certificate of a PEM text; one that is malformed or not a usable CA
/// certificate is an error, and so is a text without any.
fn add_pem(roots: &mut RootCertStore, pem: &Pem<'_>) -> Result<(), Error> {
    let mut count = 0;
    for certificate in CertificateDer::pem_slice_iter(pem.text) {
        count += 1;
        let certificate = certificate
            .map_err(|error| Error::Config(format!("{}: malformed PEM: {error}", pem.origin)))?;
        roots.add(certificate).map_err(|error| {
            Error::Config(format!(
                "{}: certificate {count} is not a usable CA certificate: {error}",
                pem.origin
            ))
        })?;
    }
    if count == 0 {
        return Err(Error::Config(format!(
            "{} holds no certificate; expected PEM blocks `-----BEGIN CERTIFICATE-----`",
            pem.origin
        )));
    }
    Ok(())
}

/// The TLS failure among an error's causes, if any: what it is and the TLS library's
/// account of it.
pub(crate) fn failure(error: &(dyn std::error::Error + 'static)) -> Option<(TlsFailure, String)> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(tls) = rustls_error(error) {
            let kind = match tls {
                rustls::Error::InvalidCertificate(_) => TlsFailure::Certificate,
                _ => TlsFailure::Handshake,
            };
            return Some((kind, tls.to_string()));
        }
        cause = error.source();
    }
    None
}

/// The rustls error that `error` is, or that the I/O errors it is wrap one inside the
/// other: an I/O error's `source` skips the error it wraps, which is where rustls puts
/// its own.
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner = error.downcast_ref::<std::io::Error>()?.get_ref()?;
    rustls_error(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_failures_are_found_below_io_errors() {
        let certificate =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, certificate);
        // As hyper-rustls reports it: wrapped once more.
        let io = std::io::Error::other(io);
        let (kind, reason) = failure(&io).unwrap();
        assert_eq!(kind, TlsFailure::Certificate);
        assert_eq!(reason, "invalid peer certificate: UnknownIssuer");

        let handshake = rustls::Error::General("no shared cipher".to_owned());
        let io = std::io::Error::other(handshake);
        assert_eq!(failure(&io).unwrap().0, TlsFailure::Handshake);
        assert!(failure(&std::io::Error::other("refused")).is_none());
    }

    #[test]
    fn pem_without_certificates_is_refused_by_name() {
        let mut roots = RootCertStore::empty();
        let pem = Pem {
            text: b"hello",
            origin: "ca_bundle x.pem (explicit)".to_owned(),
        };
        assert_eq!(
            add_pem(&mut roots, &pem).unwrap_err().to_string(),
            "configuration error: ca_bundle x.pem (explicit) holds no certificate; expected \
             PEM blocks `-----BEGIN CERTIFICATE-----`"
        );
        let pem = Pem {
            text: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            origin: "a certificate given to ClientBuilder::add_root_certificate".to_owned(),
        };
        let error = add_pem(&mut roots, &pem).unwrap_err().to_string();
        assert!(
            error.contains("add_root_certificate: certificate 1 is not a usable CA certificate"),
            "{error}"
        );
    }

    #[test]
    fn a_store_variable_naming_nothing_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "").unwrap();
        let missing = dir.path().join("missing.pem");
        let message = |name: &str, value: &Path| {
            check_store_location(name, value.as_os_str())
                .map_err(|error| error.to_string())
                .err()
        };
        assert_eq!(message("SSL_CERT_FILE", &file), None);
        assert_eq!(message("SSL_CERT_DIR", dir.path()), None);
        let error = message("SSL_CERT_FILE", &missing).unwrap();
        let named = format!(
            "configuration error: SSL_CERT_FILE names {} (",
            missing.display()
        );
        assert!(error.starts_with(&named), "{error}");
        assert!(
            error.ends_with(
                "); point it at a PEM file of CA certificates, or unset it to use the system's"
            ),
            "{error}"
        );
        assert!(
            message("SSL_CERT_FILE", dir.path())
                .unwrap()
                .contains("(a directory); point it at a PEM file")
        );
        // Every directory of the list must be there.
        let list = std::env::join_paths([dir.path(), &missing]).unwrap();
        let error = message("SSL_CERT_DIR", Path::new(&list)).unwrap();
        let named = format!(
            "configuration error: SSL_CERT_DIR names {} (",
            missing.display()
        );
        assert!(error.starts_with(&named), "{error}");
        assert!(
            message("SSL_CERT_DIR", &file)
                .unwrap()
                .contains("(not a directory); point it at a directory of PEM CA certificates")
        );
    }

    #[test]
    fn an_empty_system_store_falls_back_to_the_bundled_roots_unless_variables_name_it() {
        let mut roots = RootCertStore::empty();
        add_loaded_roots(&mut roots, Default::default(), &[]).unwrap();
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());

        let mut roots = RootCertStore::empty();
        let error = add_loaded_roots(
            &mut roots,
            Default::default(),
            &["SSL_CERT_FILE", "SSL_CERT_DIR"],
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration error: SSL_CERT_FILE and SSL_CERT_DIR name no usable CA \
             certificate; point them at PEM CA certificates, or unset them to use the system's"
        );
        assert!(roots.is_empty());
    }
}
