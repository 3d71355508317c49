//! Personal data sealed with a key per person, so that erasure holds on any storage
//! (crypto-shredding).
//!
//! Deleting or overwriting a value does not remove it from a database's files: PostgreSQL's
//! VACUUM marks the old row version free without zeroing it, and heap pages, index pages,
//! the write-ahead log and backups keep copies. So the personal text of a household (name,
//! preferred name, contact details, education, needs, withdrawal reason), of a group member
//! (name, contact details) and of a match (end reason, activity and check-in notes) is stored
//! only sealed — XChaCha20-Poly1305 with a random nonce, under a data key of that person or
//! match — and erasure deletes the data key. Every copy of the sealed values, wherever it
//! lies, is then unreadable.
//!
//! The data keys live in `person_keys`, each itself sealed (wrapped) with a key derived from
//! the server's data key (`SAMENHIER_DATA_KEY`, or a generated file beside a SQLite
//! database). A deleted wrapped key could still sit in that small table's free space, so
//! erasure rewrites the table (`VACUUM FULL` on PostgreSQL; SQLite's `secure_delete` zeroes
//! it in place) — see `scrub_keys`. What remains: backups and write-ahead log segments taken
//! before the erasure hold the wrapped key until they expire; with the server's key they can
//! be opened, without it they cannot (README, "Personal data").
//!
//! Each sealed value is bound to its column and row (associated data), so a value copied to
//! another row or column does not open. Values that are not sealed — the erased marker, and
//! rows written before sealing existed until `seal_legacy` converts them at start-up — read as
//! they are.

use std::collections::HashMap;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::Utc;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use sha2::Sha256;

use domain::error::{AppError, AppResult};
use domain::secret::Secret;
use entity::{activity_log, check_in, group_member, matches, newcomer, person_key};

/// What starts a sealed value: never the start of a plain value the API accepts (which
/// refuses control characters) and never the erased marker.
const PREFIX: &str = "\u{1}s1:";
const NONCE: usize = 24;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;

/// A column that holds sealed values; the name is bound into each value sealed for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column(&'static str);

pub const NEWCOMER_NAME: Column = Column("newcomers.name");
pub const NEWCOMER_PREFERRED_NAME: Column = Column("newcomers.preferred_name");
pub const NEWCOMER_EMAIL: Column = Column("newcomers.email");
pub const NEWCOMER_PHONE: Column = Column("newcomers.phone");
pub const NEWCOMER_EDUCATION: Column = Column("newcomers.education");
pub const NEWCOMER_NEEDS: Column = Column("newcomers.needs");
pub const NEWCOMER_STATUS_REASON: Column = Column("newcomers.status_reason");
pub const MEMBER_NAME: Column = Column("group_members.name");
pub const MEMBER_EMAIL: Column = Column("group_members.email");
pub const MEMBER_PHONE: Column = Column("group_members.phone");
pub const MATCH_END_REASON: Column = Column("matches.end_reason");
pub const MATCH_OVERRIDE_REASON: Column = Column("matches.override_reason");
pub const ACTIVITY_NOTES: Column = Column("activity_logs.notes");
pub const CHECK_IN_NOTES: Column = Column("check_ins.notes");
pub const HOUSEHOLD_CHECK_IN_NOTES: Column = Column("household_check_ins.notes");

/// The server's key, as the two keys derived from it: one wraps data keys, one makes blind
/// indexes (keyed hashes for the equality checks sealed values cannot serve).
pub struct Vault {
    wrap: XChaCha20Poly1305,
    index: Vec<u8>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

fn derive(secret: &[u8], label: &str) -> AppResult<Vec<u8>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(AppError::internal)?;
    mac.update(label.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn cipher(key: &[u8]) -> AppResult<XChaCha20Poly1305> {
    XChaCha20Poly1305::new_from_slice(key)
        .map_err(|_| AppError::internal(anyhow::anyhow!("a data key is not 32 bytes")))
}

fn seal_with(cipher: &XChaCha20Poly1305, aad: &str, plain: &[u8]) -> AppResult<String> {
    let nonce_bytes = random::<NONCE>();
    let nonce = XNonce::from(nonce_bytes);
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: plain, aad: aad.as_bytes() })
        .map_err(|_| AppError::internal(anyhow::anyhow!("sealing a value failed")))?;
    let mut out = Vec::with_capacity(NONCE + sealed.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&sealed);
    Ok(B64.encode(out))
}

fn open_with(cipher: &XChaCha20Poly1305, aad: &str, text: &str) -> AppResult<Vec<u8>> {
    let bytes = B64.decode(text).map_err(|_| AppError::internal(anyhow::anyhow!("a sealed value is not base64")))?;
    if bytes.len() < NONCE {
        return Err(AppError::internal(anyhow::anyhow!("a sealed value is too short")));
    }
    let (nonce, body) = bytes.split_at(NONCE);
    let nonce =
        XNonce::try_from(nonce).map_err(|_| AppError::internal(anyhow::anyhow!("a sealed nonce is not 24 bytes")))?;
    cipher.decrypt(&nonce, Payload { msg: body, aad: aad.as_bytes() }).map_err(|_| {
        AppError::internal(anyhow::anyhow!("a sealed value does not open with its key (wrong server key, or moved)"))
    })
}

impl Vault {
    /// The vault of the configured `SAMENHIER_DATA_KEY`, or of the key kept beside a SQLite
    /// database (generated the first time).
    pub fn configured(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        let (secret, path, generated) = crate::auth::secrets::resolve(
            settings.data_key.as_ref(),
            &settings.database_url,
            "data-key",
            "SAMENHIER_DATA_KEY",
        )?;
        if let (true, Some(p)) = (generated, path) {
            tracing::warn!(
                path = %p.display(),
                "SAMENHIER_DATA_KEY is unset: generated the key that seals personal data and stored it with mode 0600; \
                 back it up apart from the database"
            );
        }
        Self::new(&secret).map_err(AppError::into_anyhow)
    }

    pub fn new(secret: &Secret) -> AppResult<Self> {
        Ok(Self {
            wrap: cipher(&derive(secret.expose(), "samenhier/person-keys/v1")?)?,
            index: derive(secret.expose(), "samenhier/blind-index/v1")?,
        })
    }

    /// A keyed hash of `value` for `purpose` (hex): equal values give equal hashes, and
    /// without the server's key nobody can test a guess against it.
    pub fn blind_index(&self, purpose: &str, value: &str) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.index) {
            Ok(m) => m,
            // A 32-byte key always fits HMAC; an empty hash would only weaken uniqueness.
            Err(_) => return String::new(),
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn unwrap_key(&self, row: &person_key::Model) -> AppResult<DataKey> {
        let key = open_with(&self.wrap, &format!("person_keys|{}", row.subject_id), &row.wrapped_key)?;
        Ok(DataKey { cipher: cipher(&key)? })
    }

    /// A new data key for `subject`, stored (in the caller's transaction).
    pub async fn create_key(&self, conn: &impl ConnectionTrait, subject: &str) -> AppResult<DataKey> {
        let key = random::<32>();
        let wrapped = seal_with(&self.wrap, &format!("person_keys|{subject}"), &key)?;
        person_key::ActiveModel {
            subject_id: Set(subject.to_owned()),
            wrapped_key: Set(wrapped),
            created_at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
        Ok(DataKey { cipher: cipher(&key)? })
    }

    /// The data key of `subject`, made now if it has none (a match gets one with its first
    /// free text). Two writers at once: the second's insert does nothing and it reads the
    /// first's key.
    pub async fn key_for(&self, conn: &impl ConnectionTrait, subject: &str) -> AppResult<DataKey> {
        if let Some(row) = person_key::Entity::find_by_id(subject).one(conn).await? {
            return self.unwrap_key(&row);
        }
        let key = random::<32>();
        let wrapped = seal_with(&self.wrap, &format!("person_keys|{subject}"), &key)?;
        person_key::Entity::insert(person_key::ActiveModel {
            subject_id: Set(subject.to_owned()),
            wrapped_key: Set(wrapped),
            created_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing()
        .exec(conn)
        .await?;
        let row = person_key::Entity::find_by_id(subject)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::conflict("the record was erased meanwhile"))?;
        self.unwrap_key(&row)
    }

    /// The data keys of `subjects` that have one (an erased subject has none).
    pub async fn keys(&self, conn: &impl ConnectionTrait, subjects: &[String]) -> AppResult<HashMap<String, DataKey>> {
        let mut out = HashMap::with_capacity(subjects.len());
        for chunk in subjects.chunks(crate::db::IN_LIST_CHUNK) {
            let rows = person_key::Entity::find()
                .filter(person_key::Column::SubjectId.is_in(chunk.to_vec()))
                .all(conn)
                .await?;
            for row in rows {
                let key = self.unwrap_key(&row)?;
                out.insert(row.subject_id, key);
            }
        }
        Ok(out)
    }
}

/// One subject's data key, unwrapped.
pub struct DataKey {
    cipher: XChaCha20Poly1305,
}

fn aad(column: Column, row_id: &str) -> String {
    format!("{}|{row_id}", column.0)
}

impl DataKey {
    /// `plain` sealed for `column` of row `row_id`.
    pub fn seal(&self, column: Column, row_id: &str, plain: &str) -> AppResult<String> {
        Ok(format!("{PREFIX}{}", seal_with(&self.cipher, &aad(column, row_id), plain.as_bytes())?))
    }

    pub fn seal_opt(&self, column: Column, row_id: &str, plain: Option<&str>) -> AppResult<Option<String>> {
        plain.map(|p| self.seal(column, row_id, p)).transpose()
    }

    /// The plain text of a stored value of `column` in row `row_id`.
    pub fn open(&self, column: Column, row_id: &str, stored: &str) -> AppResult<String> {
        match stored.strip_prefix(PREFIX) {
            None => Ok(stored.to_owned()),
            Some(text) => String::from_utf8(open_with(&self.cipher, &aad(column, row_id), text)?)
                .map_err(|_| AppError::internal(anyhow::anyhow!("a sealed value is not UTF-8"))),
        }
    }
}

/// Seals the value an update sets (a field it leaves alone stays as it is).
pub fn seal_set(key: &DataKey, column: Column, row_id: &str, value: &mut ActiveValue<String>) -> AppResult<()> {
    if let ActiveValue::Set(plain) = value {
        *value = ActiveValue::Set(key.seal(column, row_id, plain)?);
    }
    Ok(())
}

/// `seal_set` for a column that may be empty.
pub fn seal_set_opt(
    key: &DataKey,
    column: Column,
    row_id: &str,
    value: &mut ActiveValue<Option<String>>,
) -> AppResult<()> {
    if let ActiveValue::Set(plain) = value {
        *value = ActiveValue::Set(key.seal_opt(column, row_id, plain.as_deref())?);
    }
    Ok(())
}

/// Whether `stored` is a sealed value.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The plain text of a stored value, with the key of its subject if it still has one: a
/// sealed value whose key was destroyed (erased) reads as nothing.
pub fn open(key: Option<&DataKey>, column: Column, row_id: &str, stored: Option<&str>) -> AppResult<Option<String>> {
    match (stored, key) {
        (None, _) => Ok(None),
        (Some(s), Some(k)) => k.open(column, row_id, s).map(Some),
        (Some(s), None) if is_sealed(s) => Ok(None),
        (Some(s), None) => Ok(Some(s.to_owned())),
    }
}

/// Destroys the data keys of `subjects` (erasure): their sealed values never open again.
pub async fn shred(conn: &impl ConnectionTrait, subjects: Vec<String>) -> AppResult<()> {
    for chunk in subjects.chunks(crate::db::IN_LIST_CHUNK) {
        person_key::Entity::delete_many()
            .filter(person_key::Column::SubjectId.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Rewrites the key table after keys were destroyed, so that no deleted wrapped key stays in
/// its free space. On PostgreSQL `VACUUM FULL` writes the live rows to a new file and removes
/// the old one (it holds the table's lock for the moment that takes: the table has one short
/// row a person); SQLite's `secure_delete` has zeroed the rows already and the caller's
/// checkpoint clears the write-ahead log. A failure is logged: the keys are deleted, and the
/// next erasure rewrites the table again.
pub async fn scrub_keys(db: &DatabaseConnection) {
    if db.get_database_backend() == DbBackend::Postgres
        && let Err(e) = db.execute_unprepared("VACUUM FULL person_keys").await
    {
        tracing::warn!(error = %e, "VACUUM FULL of the key table after erasure failed; the next erasure retries");
    }
}

/// Seals the personal data of rows written before sealing existed (once, at start-up): each
/// household and member without a key gets one and its fields sealed, and each match's free
/// text is sealed under a key of the match. Rows are taken in batches, each in a write
/// transaction; a row another replica sealed meanwhile is left as that replica wrote it.
pub async fn seal_legacy(db: &DatabaseConnection, vault: &Vault) -> AppResult<u64> {
    let mut sealed = 0u64;
    loop {
        let txn = crate::db::begin_write(db).await?;
        let rows = newcomer::Entity::find()
            .filter(newcomer::Column::ErasedAt.is_null())
            .filter(Expr::cust("NOT EXISTS (SELECT 1 FROM person_keys k WHERE k.subject_id = newcomers.id)"))
            .limit(200)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for n in rows {
            let key = vault.create_key(&txn, &n.id).await?;
            let id = n.id.as_str();
            newcomer::ActiveModel {
                id: Set(n.id.clone()),
                name: Set(key.seal(NEWCOMER_NAME, id, &n.name)?),
                preferred_name: Set(key.seal(NEWCOMER_PREFERRED_NAME, id, &n.preferred_name)?),
                email: Set(key.seal_opt(NEWCOMER_EMAIL, id, n.email.as_deref())?),
                phone: Set(key.seal_opt(NEWCOMER_PHONE, id, n.phone.as_deref())?),
                education: Set(key.seal_opt(NEWCOMER_EDUCATION, id, n.education.as_deref())?),
                needs: Set(key.seal_opt(NEWCOMER_NEEDS, id, n.needs.as_deref())?),
                status_reason: Set(key.seal_opt(NEWCOMER_STATUS_REASON, id, n.status_reason.as_deref())?),
                // The idempotency key a partner chose, and the hash of what it registered,
                // become keyed hashes like those written from now on.
                idempotency_key: Set(n.idempotency_key.as_deref().map(|k| vault.blind_index("idempotency", k))),
                idempotency_fingerprint: Set(n
                    .idempotency_fingerprint
                    .as_deref()
                    .map(|f| vault.blind_index("registration", f))),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            sealed += 1;
        }
        txn.commit().await?;
    }
    loop {
        let txn = crate::db::begin_write(db).await?;
        let rows = group_member::Entity::find()
            .filter(group_member::Column::ErasedAt.is_null())
            .filter(Expr::cust("NOT EXISTS (SELECT 1 FROM person_keys k WHERE k.subject_id = group_members.id)"))
            .limit(200)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for m in rows {
            let key = vault.create_key(&txn, &m.id).await?;
            let id = m.id.as_str();
            group_member::ActiveModel {
                id: Set(m.id.clone()),
                name: Set(key.seal(MEMBER_NAME, id, &m.name)?),
                email: Set(key.seal(MEMBER_EMAIL, id, &m.email)?),
                phone: Set(key.seal_opt(MEMBER_PHONE, id, m.phone.as_deref())?),
                email_index: Set(member_email_index(vault, &m.email)),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            sealed += 1;
        }
        txn.commit().await?;
    }
    sealed += seal_legacy_match_text(db, vault).await?;
    Ok(sealed)
}

/// The blind index of a member's e-mail address ("" for an erased member, whom the unique
/// index leaves out).
pub fn member_email_index(vault: &Vault, email: &str) -> String {
    if email.is_empty() { String::new() } else { vault.blind_index("member-email", &email.to_lowercase()) }
}

/// Seals the plain values of one free-text column of the year (rows written before sealing),
/// each under the data key of its match; only the three columns needed are read.
macro_rules! seal_plain_text {
    ($txn:expr, $vault:expr, $entity:ident, $text:ident, $subject:ident, $column:expr) => {{
        let rows: Vec<(String, String, String)> = $entity::Entity::find()
            .select_only()
            .column_as($entity::Column::Id, "row_id")
            .column_as($entity::Column::$subject, "subject_id")
            .column_as($entity::Column::$text, "plain")
            .filter($entity::Column::$text.is_not_null())
            .filter($entity::Column::$text.not_like(format!("{PREFIX}%")))
            .into_tuple()
            .all($txn)
            .await?;
        let count = rows.len() as u64;
        for (id, subject, plain) in rows {
            let key = $vault.key_for($txn, &subject).await?;
            $entity::Entity::update_many()
                .col_expr($entity::Column::$text, Expr::value(key.seal($column, &id, &plain)?))
                .filter($entity::Column::Id.eq(id.as_str()))
                .exec($txn)
                .await?;
        }
        count
    }};
}

/// Free text of matches (end reasons, activity and check-in notes) written before sealing.
async fn seal_legacy_match_text(db: &DatabaseConnection, vault: &Vault) -> AppResult<u64> {
    let txn = crate::db::begin_write(db).await?;
    let sealed = seal_plain_text!(&txn, vault, matches, EndReason, Id, MATCH_END_REASON)
        + seal_plain_text!(&txn, vault, activity_log, Notes, MatchId, ACTIVITY_NOTES)
        + seal_plain_text!(&txn, vault, check_in, Notes, MatchId, CHECK_IN_NOTES);
    txn.commit().await?;
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(&Secret::new(vec![7u8; 32])).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_in_its_place_only() {
        let key = DataKey { cipher: cipher(&[9u8; 32]).unwrap() };
        let stored = key.seal(NEWCOMER_NAME, "n1", "Amina Yusuf").unwrap();
        assert!(is_sealed(&stored));
        assert!(!stored.contains("Amina"));
        assert_eq!(key.open(NEWCOMER_NAME, "n1", &stored).unwrap(), "Amina Yusuf");
        // Moved to another row or column, it does not open.
        assert!(key.open(NEWCOMER_NAME, "n2", &stored).is_err());
        assert!(key.open(NEWCOMER_EMAIL, "n1", &stored).is_err());
        // Another key does not open it.
        let other = DataKey { cipher: cipher(&[8u8; 32]).unwrap() };
        assert!(other.open(NEWCOMER_NAME, "n1", &stored).is_err());
    }

    #[test]
    fn sealing_twice_gives_different_text() {
        let key = DataKey { cipher: cipher(&[9u8; 32]).unwrap() };
        assert_ne!(key.seal(MEMBER_EMAIL, "m", "a@b.nl").unwrap(), key.seal(MEMBER_EMAIL, "m", "a@b.nl").unwrap());
    }

    #[test]
    fn without_its_key_a_sealed_value_reads_as_nothing_and_a_plain_one_as_itself() {
        let key = DataKey { cipher: cipher(&[9u8; 32]).unwrap() };
        let stored = key.seal(NEWCOMER_NAME, "n1", "Amina").unwrap();
        assert_eq!(open(None, NEWCOMER_NAME, "n1", Some(&stored)).unwrap(), None);
        assert_eq!(open(None, NEWCOMER_NAME, "n1", Some("(erased)")).unwrap().as_deref(), Some("(erased)"));
        assert_eq!(open(Some(&key), NEWCOMER_NAME, "n1", None).unwrap(), None);
    }

    #[test]
    fn blind_indexes_are_equal_for_equal_values_and_keyed() {
        let v = vault();
        assert_eq!(v.blind_index("member-email", "a@b.nl"), v.blind_index("member-email", "a@b.nl"));
        assert_ne!(v.blind_index("member-email", "a@b.nl"), v.blind_index("idempotency", "a@b.nl"));
        let other = Vault::new(&Secret::new(vec![6u8; 32])).unwrap();
        assert_ne!(v.blind_index("member-email", "a@b.nl"), other.blind_index("member-email", "a@b.nl"));
        assert_eq!(member_email_index(&v, ""), "");
        assert_eq!(member_email_index(&v, "A@B.nl"), member_email_index(&v, "a@b.nl"));
    }
}
