//! HTTPS: the certificate the emulator serves, read from PEM files or made at start for
//! loopback (a CA, and a certificate for `127.0.0.1`, `::1` and `localhost` it signed).

use std::{fs, path::Path, sync::Arc};

use anyhow::{Context, bail};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio_rustls::TlsAcceptor;

use crate::config::Tls;

/// The name of the CA file `Tls::SelfSigned` writes.
pub const CA_FILE: &str = "ca.pem";

/// The acceptor that runs the server side of every handshake.
pub fn acceptor(tls: &Tls) -> anyhow::Result<TlsAcceptor> {
    let identity = match tls {
        Tls::Files { cert, key } => Identity {
            chain: read(cert)?,
            chain_source: cert.display().to_string(),
            key: read(key)?,
            key_source: key.display().to_string(),
        },
        Tls::SelfSigned { dir } => self_signed(dir)?,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(identity.chain()?, identity.key()?)
        .context("the TLS certificate and key do not form a usable pair")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A certificate chain and its key as PEM text, with where each came from for messages.
struct Identity {
    chain: Vec<u8>,
    chain_source: String,
    key: Vec<u8>,
    key_source: String,
}

impl Identity {
    fn chain(&self) -> anyhow::Result<Vec<CertificateDer<'static>>> {
        let chain = CertificateDer::pem_slice_iter(&self.chain)
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{} is not a PEM certificate chain", self.chain_source))?;
        if chain.is_empty() {
            bail!(
                "{} holds no certificate (expected PEM blocks `-----BEGIN CERTIFICATE-----`)",
                self.chain_source
            );
        }
        Ok(chain)
    }

    fn key(&self) -> anyhow::Result<PrivateKeyDer<'static>> {
        PrivateKeyDer::from_pem_slice(&self.key).with_context(|| {
            format!(
                "{} holds no private key (expected a PEM PKCS#8, PKCS#1 or SEC1 key)",
                self.key_source
            )
        })
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Makes a CA and a loopback certificate signed by it, and writes the CA to
/// `dir/ca.pem`. The chain served is the leaf then the CA, as a gateway sends it.
fn self_signed(dir: &Path) -> anyhow::Result<Identity> {
    let mut ca_params = CertificateParams::default();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "batches-server local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let leaf_key = KeyPair::generate()?;
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "batches-server");
    leaf_params.subject_alt_names.extend([
        SanType::IpAddress([127, 0, 0, 1].into()),
        SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
    ]);
    let leaf = leaf_params.signed_by(&leaf_key, &ca)?;

    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ca_path = dir.join(CA_FILE);
    fs::write(&ca_path, ca.pem()).with_context(|| format!("cannot write {}", ca_path.display()))?;
    Ok(Identity {
        chain: format!("{}{}", leaf.pem(), ca.pem()).into_bytes(),
        chain_source: "the generated certificate".to_owned(),
        key: leaf_key.serialize_pem().into_bytes(),
        key_source: "the generated key".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_pem_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("text.pem");
        fs::write(&text, "not a certificate\n").unwrap();
        let tls = Tls::Files {
            cert: text.clone(),
            key: text.clone(),
        };
        let error = format!("{:#}", acceptor(&tls).err().unwrap());
        assert!(error.contains("text.pem holds no certificate"), "{error}");

        let missing = dir.path().join("missing.pem");
        let tls = Tls::Files {
            cert: missing.clone(),
            key: missing,
        };
        let error = format!("{:#}", acceptor(&tls).err().unwrap());
        assert!(
            error.contains("cannot read") && error.contains("missing.pem"),
            "{error}"
        );
    }

    #[test]
    fn the_self_signed_pair_is_served_from_files_too() {
        let dir = tempfile::tempdir().unwrap();
        let identity = self_signed(&dir.path().join("made")).unwrap();
        let ca = fs::read_to_string(dir.path().join("made").join(CA_FILE)).unwrap();
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
        assert_eq!(identity.chain().unwrap().len(), 2, "the leaf, then the CA");

        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        fs::write(&cert, &identity.chain).unwrap();
        fs::write(&key, &identity.key).unwrap();
        acceptor(&Tls::Files { cert, key }).unwrap();
    }
}
