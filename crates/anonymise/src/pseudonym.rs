//! Keyed pseudonyms: `HMAC-SHA-256(export key, kind ":" record id)`, cut to 96 bits and
//! written as 24 lower-case hex digits (safe in any CSV reader or spreadsheet). Without the key nobody can compute the pseudonym of a
//! known id, so enumerating ids (which a plain hash would allow) leads nowhere; with one key the
//! same record has the same pseudonym in every dataset and every export, so analysts can join.
//! A new key (rotation) gives every record a new pseudonym.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use domain::secret::Secret;

/// The export key and its public id.
#[derive(Clone)]
pub struct ExportKey {
    key: Secret,
    id: String,
}

impl std::fmt::Debug for ExportKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl ExportKey {
    pub fn new(key: Secret) -> Self {
        // The id is itself keyed, so it says which key was used without revealing anything
        // about it.
        let id = hex::encode(&mac(&key, b"samenhier export key id")[..4]);
        Self { key, id }
    }

    /// A key of its own for `purpose` (`"policy:v3"`, `"research-project:…"`):
    /// `HMAC-SHA-256(this key, "derive:" purpose)`. Pseudonyms under two derived keys cannot be
    /// joined without this key, and a derived key says nothing about this one.
    pub fn derive(&self, purpose: &str) -> ExportKey {
        ExportKey::new(Secret::new(mac(&self.key, format!("derive:{purpose}").as_bytes())))
    }

    /// Eight hex digits naming the key, stored with every export in the audit log.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The pseudonym of the record `id` of `kind` ("newcomer", "group", "match", ...).
    pub fn pseudonym(&self, kind: &str, id: &str) -> String {
        let mut input = Vec::with_capacity(kind.len() + 1 + id.len());
        input.extend_from_slice(kind.as_bytes());
        input.push(b':');
        input.extend_from_slice(id.as_bytes());
        hex::encode(&mac(&self.key, &input)[..12])
    }
}

fn mac(key: &Secret, input: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail; an empty tag would only make
    // pseudonyms collide, never leak an id.
    match Hmac::<Sha256>::new_from_slice(key.expose()) {
        Ok(mut m) => {
            m.update(input);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => vec![0; 32],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> ExportKey {
        ExportKey::new(Secret::new(vec![byte; 32]))
    }

    #[test]
    fn stable_under_one_key_different_under_another() {
        let a = key(1);
        assert_eq!(a.pseudonym("newcomer", "x"), key(1).pseudonym("newcomer", "x"));
        assert_ne!(a.pseudonym("newcomer", "x"), key(2).pseudonym("newcomer", "x"));
        assert_ne!(a.pseudonym("newcomer", "x"), a.pseudonym("group", "x"));
        assert_ne!(a.id(), key(2).id());
        assert_eq!(a.pseudonym("newcomer", "x").len(), 24);
        assert_eq!(a.id().len(), 8);
        let (v1, v2) = (a.derive("policy:v1"), a.derive("policy:v2"));
        assert_ne!(v1.pseudonym("newcomer", "x"), v2.pseudonym("newcomer", "x"));
        assert_ne!(v1.pseudonym("newcomer", "x"), a.pseudonym("newcomer", "x"));
        assert_eq!(v1.id(), key(1).derive("policy:v1").id());
    }

    #[test]
    fn matches_the_hmac_definition() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let tag = mac(&Secret::new(b"Jefe".to_vec()), b"what do ya want for nothing?");
        assert_eq!(hex::encode(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
