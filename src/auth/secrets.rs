//! Server secrets that may be generated: on SQLite, a missing key is created once and kept
//! with 0600 permissions beside the database file; on PostgreSQL (several replicas) it must be
//! configured, since replicas must share it.

use std::path::PathBuf;

use anyhow::{Context, bail};
use base64::Engine;
use rand::RngCore;

use crate::config::Secret;

/// The database file of a SQLite URL, or `None` for in-memory (and other databases).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || path.starts_with("file::memory:") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// Where a generated secret named `suffix` lives for a SQLite URL, or `None` for in-memory.
pub fn path_beside_sqlite(database_url: &str, suffix: &str) -> Option<PathBuf> {
    sqlite_file(database_url).map(|p| PathBuf::from(format!("{}.{suffix}", p.display())))
}

/// Returns the configured secret, or loads or creates the one beside the SQLite file.
/// `env_name` is used in messages only. The bool is true when a new secret was generated.
pub fn resolve(
    configured: Option<&Secret>,
    database_url: &str,
    suffix: &str,
    env_name: &str,
) -> anyhow::Result<(Secret, Option<PathBuf>, bool)> {
    if let Some(s) = configured {
        return Ok((s.clone(), None, false));
    }
    if !database_url.starts_with("sqlite:") {
        bail!("{env_name} is not set: with PostgreSQL every replica must share it; set it to at least 32 random bytes");
    }
    let Some(path) = path_beside_sqlite(database_url, suffix) else {
        // In-memory database: a key for this process only.
        return Ok((Secret::new(random_key()), None, true));
    };
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .with_context(|| format!("{} is not a key this server wrote", path.display()))?;
        if bytes.len() < 32 {
            bail!("{} holds a key shorter than 32 bytes", path.display());
        }
        return Ok((Secret::new(bytes), Some(path), false));
    }
    let key = random_key();
    write_private(&path, &base64::engine::general_purpose::STANDARD.encode(&key))?;
    Ok((Secret::new(key), Some(path), true))
}

fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 48];
    rand::rng().fill_bytes(&mut key);
    key
}

fn write_private(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
