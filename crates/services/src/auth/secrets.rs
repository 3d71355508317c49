//! Server secrets that may be generated: on SQLite, a missing key is created once and kept
//! with 0600 permissions beside the database file; on PostgreSQL (several replicas) it must be
//! configured, since replicas must share it.

use std::path::PathBuf;

use anyhow::{Context, bail};
use base64::Engine;
use rand::RngCore;

use domain::secret::Secret;

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
    if let Some(existing) = read_key(&path)? {
        return Ok((existing, Some(path), false));
    }
    let key = random_key();
    // Two servers starting together on one file: the key is written whole to a file of this
    // process's own and linked into place, which fails if another process was first; then
    // that process's key (complete, since a link is atomic) is the one.
    if write_private(&path, &base64::engine::general_purpose::STANDARD.encode(&key))? {
        return Ok((Secret::new(key), Some(path), true));
    }
    let existing = read_key(&path)?.ok_or_else(|| anyhow::anyhow!("{} vanished while it was read", path.display()))?;
    Ok((existing, Some(path), false))
}

/// The key in `path`, if the file exists.
fn read_key(path: &std::path::Path) -> anyhow::Result<Option<Secret>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .with_context(|| format!("{} is not a key this server wrote", path.display()))?;
    if bytes.len() < 32 {
        bail!("{} holds a key shorter than 32 bytes", path.display());
    }
    Ok(Some(Secret::new(bytes)))
}

fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 48];
    rand::rng().fill_bytes(&mut key);
    key
}

/// Writes `contents` to `path` (mode 0600) unless it exists; false when another process
/// created it first.
fn write_private(path: &std::path::Path, contents: &str) -> anyhow::Result<bool> {
    use std::io::Write;
    let tmp = PathBuf::from(format!("{}.{}.tmp", path.display(), std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    drop(file);
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}
