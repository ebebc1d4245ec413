//! AutoMTLS, as go-plugin sets it up for Terraform.
//!
//! Terraform generates a client certificate per provider process (ECDSA P-521, self-signed, CA:TRUE) and
//! passes its PEM in `PLUGIN_CLIENT_CERT`. We generate our own server certificate (ECDSA P-256, SAN DNS
//! `localhost`) and send its DER in the handshake line; Terraform then trusts exactly that certificate.
//!
//! Why not rustls' stock client verifier: webpki refuses a CA:TRUE certificate as an end-entity
//! certificate, so Terraform's handshake would fail. Instead [`PinnedClientCert`] accepts exactly the DER
//! Terraform announced, and nothing else, and checks the handshake signatures with aws-lc-rs (which, unlike
//! *ring*, verifies P-521). ALPN `h2` is required by grpc-go.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};

use super::ServeError;

/// The TLS side of the handshake: the server config and our certificate for the handshake line.
pub(crate) struct AutoTls {
    /// rustls server config: our cert, the pinned client cert, ALPN `h2`.
    pub config: Arc<ServerConfig>,
    /// Our certificate's DER, standard base64 without padding (go-plugin's format).
    pub cert_b64: String,
}

/// Builds the AutoMTLS server config for the client certificate PEM Terraform passed.
pub(crate) fn auto_mtls(client_cert_pem: &str) -> Result<AutoTls, ServeError> {
    let client_cert = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
        .map_err(|e| ServeError::ClientCert(e.to_string()))?;
    let (cert, key) = server_certificate()?;
    let cert_b64 = STANDARD_NO_PAD.encode(cert.as_ref());

    let provider = Arc::new(aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedClientCert {
        cert: client_cert,
        provider: provider.clone(),
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert], key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(AutoTls {
        config: Arc::new(config),
        cert_b64,
    })
}

/// A fresh self-signed ECDSA P-256 certificate for `localhost` (Go checks the SAN, not the CN).
fn server_certificate() -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), ServeError> {
    use rcgen::{
        CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose,
        PKCS_ECDSA_P256_SHA256,
    };
    let tls = |e: rcgen::Error| ServeError::Tls(e.to_string());
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(tls)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(tls)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.distinguished_name.push(
        DnType::OrganizationName,
        "cloudflare-orgs terraform provider",
    );
    // Valid from a little before now (clock skew between processes is nil, but be lenient) for as long as
    // go-plugin's own certificates: the process never lives that long anyway.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::days(365 * 30);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.self_signed(&key).map_err(tls)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key))
}

/// Accepts exactly one client certificate (byte for byte) and verifies handshake signatures with it.
#[derive(Debug)]
struct PinnedClientCert {
    cert: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: the client should send the one certificate it has.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_pem() -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).expect("cert").pem()
    }

    #[test]
    fn certificate_field_is_unpadded_base64_der() {
        let tls = auto_mtls(&client_pem()).expect("tls");
        assert!(tls.cert_b64.len() > 50);
        assert!(!tls.cert_b64.ends_with('='));
        let der = STANDARD_NO_PAD.decode(&tls.cert_b64).expect("base64");
        assert_eq!(der[0], 0x30, "DER starts with a SEQUENCE");
        assert_eq!(tls.config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn only_the_announced_client_certificate_is_accepted() {
        let pem = client_pem();
        let pinned = CertificateDer::from_pem_slice(pem.as_bytes()).expect("pem");
        let other = CertificateDer::from_pem_slice(client_pem().as_bytes()).expect("pem");
        let v = PinnedClientCert {
            cert: pinned.clone(),
            provider: Arc::new(aws_lc_rs::default_provider()),
        };
        assert!(v.verify_client_cert(&pinned, &[], UnixTime::now()).is_ok());
        assert!(v.verify_client_cert(&other, &[], UnixTime::now()).is_err());
        assert!(v
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn a_bad_client_certificate_is_a_clear_error() {
        assert!(matches!(
            auto_mtls("not a pem"),
            Err(ServeError::ClientCert(_))
        ));
    }
}
