//! The token-signing key: RS256 as Entra ID uses, published as a JWKS
//! (`/{tenant}/discovery/v2.0/keys`), used for id_tokens and for the
//! access tokens that the Graph side verifies.
//!
//! The key is generated at every start, like a key rollover: clients must
//! fetch the JWKS rather than pin a key.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/signing-key-rollover>

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{de::DeserializeOwned, Serialize};
use std::sync::{Arc, OnceLock};

/// The signing key. Generating an RSA-2048 key takes from a fraction of a
/// second to several seconds, so it is generated on a background thread
/// while the server starts, and reused by every emulator in the same
/// process (tests start many): the first signature or JWKS request waits
/// for it if it is not ready yet.
pub struct Keys {
    material: Arc<OnceLock<Material>>,
}

struct Material {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n_b64: String,
    e_b64: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

static PROCESS_KEY: OnceLock<Arc<OnceLock<Material>>> = OnceLock::new();

impl Keys {
    /// Start generating the key in the background (once per process).
    pub fn generate() -> Keys {
        let material = PROCESS_KEY
            .get_or_init(|| {
                let cell = Arc::new(OnceLock::new());
                let bg = cell.clone();
                std::thread::spawn(move || {
                    let _ = bg.get_or_init(Material::generate);
                });
                cell
            })
            .clone();
        Keys { material }
    }

    fn material(&self) -> &Material {
        // Blocks until the background thread (or this one) has the key.
        self.material.get_or_init(Material::generate)
    }

    /// The key id (`kid`) in token headers and the JWKS.
    pub fn kid(&self) -> &str {
        &self.material().kid
    }

    /// Sign claims as a compact JWT with `alg=RS256`, `typ=JWT` and our `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let m = self.material();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(m.kid.clone());
        jsonwebtoken::encode(&header, claims, &m.encoding).expect("sign JWT")
    }

    /// Verify signature and decode claims. Expiry and audience are checked
    /// by the caller against the emulator clock (which tests move), so they
    /// are not checked here.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<T>(token, &self.material().decoding, &v)
            .ok()
            .map(|d| d.claims)
    }

    /// The JSON Web Key Set document.
    pub fn jwks(&self) -> serde_json::Value {
        let m = self.material();
        serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": m.kid,
                "n": m.n_b64,
                "e": m.e_b64,
            }]
        })
    }
}

impl Material {
    fn generate() -> Material {
        let mut rng = rsa::rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("generate RSA key");
        let der = private.to_pkcs1_der().expect("encode RSA key");
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let n_b64 = b64.encode(private.n().to_bytes_be());
        let e_b64 = b64.encode(private.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n_b64, &e_b64).expect("decoding key");
        Material {
            kid: uuid::Uuid::new_v4().simple().to_string(),
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
            n_b64,
            e_b64,
        }
    }
}

/// The claims of an emulated v2.0 access token for Microsoft Graph, the
/// subset of Entra's that Graph and clients look at.
/// <https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference>
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AccessClaims {
    /// `https://graph.microsoft.com` (Graph's resource id
    /// `00000003-0000-0000-c000-000000000000` is accepted too).
    pub aud: String,
    /// `{base}/{tenant}/v2.0`.
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// Tenant id.
    pub tid: String,
    /// The user's object id: the mailbox.
    pub oid: String,
    pub upn: String,
    pub name: String,
    /// The client id of the app the token was issued to.
    pub appid: String,
    /// Delegated scopes, space separated, e.g. `Calendars.ReadWrite User.Read`.
    pub scp: String,
    pub ver: String,
    /// Unique token id.
    pub uti: String,
}
