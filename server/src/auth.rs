//! Signed tokens (SPEC N5): JWT HS256 carrying the user id (`sub`), the role,
//! the expiry and, for a center other than `default`, the center. The secret never reaches the page: it comes from the
//! config, `RINGSIDE_TOKEN_SECRET`, or a random one generated once and kept
//! in the data folder.

use crate::config::Config;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ringside::model::{Role, UserId};
use ringside::protocol::limits::{check_name, echo, MAX_ID_BYTES};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that overrides the configured secret.
pub const SECRET_ENV: &str = "RINGSIDE_TOKEN_SECRET";

/// The file, in the data folder, that keeps a generated secret.
pub const SECRET_FILE: &str = "token_secret";

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The role.
    pub role: Role,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// The center (organisation) the token is for; absent: `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center: Option<String>,
}

impl Claims {
    /// The user the token names.
    pub fn user(&self) -> UserId {
        UserId(self.sub.clone())
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// Bad signature, malformed token, wrong algorithm, or a user id that is
    /// empty, over its bound or holds a control character.
    Invalid(String),
    /// The token's expiry has passed.
    Expired,
}

impl AuthError {
    /// Stable code sent to the client.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Invalid(_) => "unauthorized",
            AuthError::Expired => "token_expired",
        }
    }
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::Invalid(detail) => write!(f, "invalid token: {detail}"),
            AuthError::Expired => f.write_str("the token has expired"),
        }
    }
}

/// How far a node header's time may be from this node's clock.
pub const NODE_HEADER_SECS: u64 = 60;

/// The center of a single server, and of a token that names none.
pub const DEFAULT_CENTER: &str = "default";

/// Signs and checks tokens with one HS256 secret, for one center: a token
/// for another center is refused, whatever its signature (several centers
/// may share a secret and an engine).
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    relay: ring::hmac::Key,
    center: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// The token of an `Authorization` header value: `Bearer <token>`, the
/// scheme in any case (RFC 9110), the token trimmed.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Keys {
    /// Keys from a secret, for the `default` center.
    pub fn new(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            relay: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
            center: DEFAULT_CENTER.to_owned(),
        }
    }

    /// The same keys for `center`: the tokens they issue name it, and they
    /// accept only tokens that do.
    pub fn for_center(self, center: &str) -> Keys {
        Keys { center: center.to_owned(), ..self }
    }

    /// The header a node opens a link to another with (cluster mode): the
    /// time and its HMAC under the token secret, which every node shares.
    pub fn node_header(&self) -> String {
        let now = unix_now().to_string();
        let tag = ring::hmac::sign(&self.relay, now.as_bytes());
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("{now} {hex}")
    }

    /// Whether a node header is signed with this secret and at most
    /// [`NODE_HEADER_SECS`] old (or early: the nodes' clocks differ a little).
    pub fn is_node_header(&self, header: &str) -> bool {
        let Some((time, hex)) = header.split_once(' ') else { return false };
        let tag: Option<Vec<u8>> = (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
        let fresh = time.parse::<u64>().is_ok_and(|t| t.abs_diff(unix_now()) <= NODE_HEADER_SECS);
        fresh && tag.is_some_and(|tag| ring::hmac::verify(&self.relay, time.as_bytes(), &tag).is_ok())
    }

    /// A token for `user` with `role`, valid for `ttl_secs` seconds.
    pub fn issue(&self, user: &str, role: Role, ttl_secs: u64) -> String {
        let iat = unix_now();
        let center = (self.center != DEFAULT_CENTER).then(|| self.center.clone());
        let claims = Claims { sub: user.to_owned(), role, exp: iat.saturating_add(ttl_secs), iat, center };
        // Encoding HS256 claims made of strings and numbers cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_default()
    }

    /// Checks signature, algorithm and expiry (no leeway), that the token is
    /// for this center, and that the user id is a name of at most
    /// `MAX_ID_BYTES` (it travels in every call the user is on, SPEC N8).
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let claims = self.verify_any_center(token)?;
        let center = claims.center.as_deref().unwrap_or(DEFAULT_CENTER);
        if center != self.center {
            return Err(AuthError::Invalid(format!("the token is for center {}, not {}", echo(center), self.center)));
        }
        Ok(claims)
    }

    /// The center a valid token names (`default` when it names none),
    /// whichever center these keys are for: a node serving several centers
    /// routes by it, and that center's keys then check the token as usual.
    pub fn center_of(&self, token: &str) -> Result<String, AuthError> {
        let claims = self.verify_any_center(token)?;
        Ok(claims.center.unwrap_or_else(|| DEFAULT_CENTER.to_owned()))
    }

    /// [`Keys::verify`] except the center.
    fn verify_any_center(&self, token: &str) -> Result<Claims, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => AuthError::Expired,
            // The error may quote the token's claims: keep it short.
            _ => AuthError::Invalid(echo(&e.to_string()).into_owned()),
        })?;
        if data.claims.sub.trim().is_empty() {
            return Err(AuthError::Invalid("empty user".into()));
        }
        check_name("sub", &data.claims.sub, MAX_ID_BYTES).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if data.claims.exp <= unix_now() {
            return Err(AuthError::Expired);
        }
        Ok(data.claims)
    }
}

/// The secret in force: `RINGSIDE_TOKEN_SECRET`, else the config's, else the
/// one stored in the data folder (generated on first use).
pub fn resolve_secret(config: &Config) -> std::io::Result<Vec<u8>> {
    resolve(config, true)
}

/// The secret a running server uses, as [`resolve_secret`] finds it, but
/// never a new one: a secret generated now would match no server.
pub fn running_secret(config: &Config) -> std::io::Result<Vec<u8>> {
    resolve(config, false)
}

fn resolve(config: &Config, generate: bool) -> std::io::Result<Vec<u8>> {
    if let Ok(secret) = std::env::var(SECRET_ENV) {
        if !secret.is_empty() {
            return Ok(secret.into_bytes());
        }
    }
    if let Some(secret) = &config.token_secret {
        if !secret.is_empty() {
            return Ok(secret.clone().into_bytes());
        }
    }
    if config.cluster.is_some() {
        // A secret generated on one node would refuse the tokens of the others.
        return Err(std::io::Error::other(format!("cluster mode needs token_secret or {SECRET_ENV}, the same on every node")));
    }
    stored_secret(&config.data_dir(), generate)
}

fn stored_secret(dir: &Path, generate: bool) -> std::io::Result<Vec<u8>> {
    let path = dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if !generate {
        return Err(std::io::Error::other(format!(
            "no secret in {} (nor token_secret, nor {SECRET_ENV}): point --config or --data at the server's",
            path.display()
        )));
    }
    std::fs::create_dir_all(dir)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret)?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_scheme_is_read_in_any_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }

    #[test]
    fn a_token_round_trips_and_a_wrong_secret_is_refused() {
        let keys = Keys::new(b"one");
        let token = keys.issue("ana", Role::Agent, 60);
        let claims = keys.verify(&token).expect("valid");
        assert_eq!((claims.sub.as_str(), claims.role), ("ana", Role::Agent));
        assert!(matches!(Keys::new(b"two").verify(&token), Err(AuthError::Invalid(_))));
        assert!(matches!(keys.verify("garbage"), Err(AuthError::Invalid(_))));
    }

    // SPEC N8
    #[test]
    fn a_user_id_over_its_bound_or_with_a_control_character_is_refused_spec_n8() {
        let keys = Keys::new(b"one");
        assert!(keys.verify(&keys.issue(&"u".repeat(MAX_ID_BYTES), Role::Agent, 60)).is_ok());
        let long = keys.verify(&keys.issue(&"u".repeat(MAX_ID_BYTES + 1), Role::Agent, 60));
        assert_eq!(long, Err(AuthError::Invalid(format!("sub is {} bytes, over the limit of {MAX_ID_BYTES}", MAX_ID_BYTES + 1))));
        assert!(matches!(keys.verify(&keys.issue("ana\n", Role::Agent, 60)), Err(AuthError::Invalid(_))));
    }

    // Only a node with the secret opens a link, and only with a fresh header.
    #[test]
    fn a_node_header_proves_the_secret_and_goes_stale() {
        let keys = Keys::new(b"one");
        let header = keys.node_header();
        assert!(keys.is_node_header(&header));
        assert!(!Keys::new(b"two").is_node_header(&header), "another secret");
        let (time, tag) = header.split_once(' ').expect("time and tag");
        let stale = (time.parse::<u64>().expect("a time") - NODE_HEADER_SECS - 1).to_string();
        assert!(!keys.is_node_header(&format!("{stale} {tag}")), "the tag is for another time");
        let resigned = Keys::new(b"one");
        let old_tag: String = ring::hmac::sign(&resigned.relay, stale.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert!(!keys.is_node_header(&format!("{stale} {old_tag}")), "a header older than a minute");
        assert!(!keys.is_node_header("garbage"));
    }

    // A token names its center: only that center's keys accept it.
    #[test]
    fn a_token_for_another_center_is_refused() {
        let north = Keys::new(b"one").for_center("north");
        let token = north.issue("ana", Role::Agent, 60);
        assert_eq!(north.verify(&token).expect("valid").center.as_deref(), Some("north"));
        let refused = |keys: &Keys, token: &str| matches!(keys.verify(token), Err(AuthError::Invalid(why)) if why.contains("center"));
        assert!(refused(&Keys::new(b"one").for_center("south"), &token));
        assert!(refused(&Keys::new(b"one"), &token), "the default center refuses it too");
        let unnamed = Keys::new(b"one").issue("ana", Role::Agent, 60);
        assert_eq!(Keys::new(b"one").verify(&unnamed).expect("valid").center, None, "no claim for default");
        assert!(refused(&north, &unnamed), "a token naming no center is for default only");
    }

    #[test]
    fn an_expired_token_is_refused_as_expired() {
        let keys = Keys::new(b"one");
        let token = keys.issue("ana", Role::Agent, 0);
        assert_eq!(keys.verify(&token), Err(AuthError::Expired));
    }

    #[test]
    fn a_generated_secret_is_kept_in_the_data_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(stored_secret(dir.path(), false).is_err(), "none made when asked not to");
        let first = stored_secret(dir.path(), true).expect("generated");
        let second = stored_secret(dir.path(), false).expect("read back");
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
    }
}
