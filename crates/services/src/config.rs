//! Configuration from the environment (`SAMENHIER_…`, `DATABASE_URL`) with documented
//! defaults. Secrets are held in `Secret` so they never reach a log through `Debug`.

use std::time::Duration;

use anyhow::{Context, bail};

use domain::secret::Secret;

/// Everything the server reads from its environment.
#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    /// `SAMENHIER_JWT_SECRET`; generated and stored beside a SQLite file when unset.
    pub jwt_secret: Option<Secret>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub token_lifetime: Duration,
    /// Introspection and GraphiQL; `None` means "on with --demo, off otherwise".
    pub introspection: Option<bool>,
    pub max_body_bytes: usize,
    pub max_query_depth: usize,
    pub max_query_complexity: usize,
    pub request_timeout: Duration,
    /// Budget of a request that runs a matching round or a script preview.
    pub round_timeout: Duration,
    /// `SAMENHIER_SCORING_BUDGET_SECS`: the time a round's, a preview's or a recommendation's
    /// script work may take before it is stopped (and nothing is stored).
    pub scoring_budget: Duration,
    /// `SAMENHIER_VALIDATION_BUDGET_SECS`: the time one validation of a script may take.
    pub validation_budget: Duration,
    /// `SAMENHIER_SCORING_JOBS`: script jobs running at once in this process (one per city).
    pub scoring_jobs: usize,
    pub time_zone: chrono_tz::Tz,
    pub log_format: LogFormat,
    /// `SAMENHIER_EXPORT_KEY`: the key of export pseudonyms; generated and stored beside a
    /// SQLite file when unset, like the JWT key.
    pub export_key: Option<Secret>,
    /// `SAMENHIER_DATA_KEY`: the key that wraps each person's data key (see `sealed`);
    /// generated and stored beside a SQLite file when unset, required with PostgreSQL.
    pub data_key: Option<Secret>,
    /// `SAMENHIER_EXPORT_K`: the k of k-anonymity in exports.
    pub export_k: usize,
    /// An external identity provider whose tokens are accepted too.
    pub idp: Option<IdpSettings>,
    /// Memory for answers to read-only queries (bytes; 0 = no response cache).
    pub response_cache_bytes: usize,
    /// `SAMENHIER_SMTP_*`, `SAMENHIER_NOTIFY_*`, `SAMENHIER_PUBLIC_URL`: notifications.
    pub notify: NotifySettings,
}

/// How notifications are sent (README "Notifications").
#[derive(Clone, Debug)]
pub struct NotifySettings {
    /// `SAMENHIER_SMTP_HOST` and the rest; `None`: no e-mail is sent or kept.
    pub smtp: Option<SmtpSettings>,
    /// `SAMENHIER_PUBLIC_URL`: where the console is reached, for links in e-mails.
    pub public_url: String,
    /// `SAMENHIER_NOTIFY_INTERVAL_SECS` (default 30): the scheduler's pause between passes.
    pub interval: Duration,
    /// `SAMENHIER_NOTIFY_RETRY_BASE_SECS` (default 30): the wait after the first failed
    /// attempt; each next wait doubles, up to 6 hours.
    pub retry_base: Duration,
    /// `SAMENHIER_NOTIFY_RETRY_HOURS` (default 48): how long a delivery is retried before it
    /// is given up (FAILED; it can still be sent again by hand).
    pub retry_for: Duration,
    /// `SAMENHIER_NOTIFY_TIMEOUT_SECS` (default 10): the longest an SMTP conversation or a
    /// webhook POST may take.
    pub timeout: Duration,
    /// `SAMENHIER_DIGEST_HOUR` (default 7): the hour (programme time zone) of the daily digest.
    pub digest_hour: u32,
    /// `SAMENHIER_NOTIFY`: false keeps this replica's scheduler off (another replica, or
    /// `samenhier notify run` from cron, does the work).
    pub scheduler: bool,
}

/// The SMTP server of outgoing e-mail.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    /// `SAMENHIER_SMTP_PORT`: 587 with STARTTLS, 465 with TLS, 25 without, unless set.
    pub port: u16,
    /// `SAMENHIER_SMTP_TLS`: starttls (default), tls, or none (loopback and tests only).
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `SAMENHIER_SMTP_FROM`: the sender, e.g. `Samenhier <noreply@example.org>`.
    pub from: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    StartTls,
    Tls,
    None,
}

/// `SAMENHIER_IDP_*`: the external identity provider.
#[derive(Clone, Debug)]
pub struct IdpSettings {
    /// RS256 or ES256.
    pub algorithm: String,
    /// The provider's public key (PEM).
    pub public_key_pem: String,
    pub issuer: String,
    pub audience: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://samenhier.db?mode=rwc";

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `lookup`, so tests can configure a server without touching the
    /// process environment (tests run in parallel in one process).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let num = |k: &str, default: u64| -> anyhow::Result<u64> {
            match get(k) {
                None => Ok(default),
                Some(v) => v.trim().parse::<u64>().with_context(|| format!("{k} must be a whole number, got {v:?}")),
            }
        };
        // Time budgets in seconds, fractions allowed ("0.5").
        let seconds = |k: &str, default: f64| -> anyhow::Result<Duration> {
            let v = match get(k) {
                None => default,
                Some(v) => {
                    v.trim().parse::<f64>().with_context(|| format!("{k} must be a number of seconds, got {v:?}"))?
                }
            };
            if !(v > 0.0 && v <= 86_400.0) {
                bail!("{k} must be more than 0 and at most 86400 seconds, got {v}");
            }
            Ok(Duration::from_secs_f64(v))
        };
        let bool_opt = |k: &str| -> anyhow::Result<Option<bool>> {
            match get(k).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(None),
                Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(Some(true)),
                Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(Some(false)),
                Some(v) => bail!("{k} must be true or false, got {v:?}"),
            }
        };
        // A configured key: at least 32 bytes, or unset (then generated beside a SQLite file).
        let secret = |k: &str| -> anyhow::Result<Option<Secret>> {
            match get(k) {
                Some(s) if s.len() < 32 => bail!("{k} must be at least 32 bytes long"),
                Some(s) => Ok(Some(Secret::new(s.into_bytes()))),
                None => Ok(None),
            }
        };
        let jwt_secret = secret("SAMENHIER_JWT_SECRET")?;
        let time_zone = match get("SAMENHIER_TIME_ZONE") {
            None => chrono_tz::Europe::Amsterdam,
            Some(tz) => tz
                .parse::<chrono_tz::Tz>()
                .map_err(|_| anyhow::anyhow!("SAMENHIER_TIME_ZONE {tz:?} is not an IANA time zone name"))?,
        };
        let log_format = match get("SAMENHIER_LOG_FORMAT").as_deref() {
            None | Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => bail!("SAMENHIER_LOG_FORMAT must be json or pretty, got {other:?}"),
        };
        let export_key = secret("SAMENHIER_EXPORT_KEY")?;
        let data_key = secret("SAMENHIER_DATA_KEY")?;
        let export_k = num("SAMENHIER_EXPORT_K", 5)?;
        if !(2..=100).contains(&export_k) {
            bail!("SAMENHIER_EXPORT_K must be between 2 and 100, got {export_k}");
        }
        let idp = match get("SAMENHIER_IDP_PUBLIC_KEY_FILE") {
            None => None,
            Some(path) => {
                let public_key_pem = std::fs::read_to_string(path.trim())
                    .with_context(|| format!("SAMENHIER_IDP_PUBLIC_KEY_FILE {path:?} cannot be read"))?;
                let need = |k: &str| {
                    get(k).ok_or_else(|| anyhow::anyhow!("{k} must be set when SAMENHIER_IDP_PUBLIC_KEY_FILE is"))
                };
                Some(IdpSettings {
                    algorithm: get("SAMENHIER_IDP_ALGORITHM").unwrap_or_else(|| "RS256".into()),
                    public_key_pem,
                    issuer: need("SAMENHIER_IDP_ISSUER")?,
                    audience: need("SAMENHIER_IDP_AUDIENCE")?,
                })
            }
        };
        let cache_mb = num("SAMENHIER_RESPONSE_CACHE_MB", 64)?;
        if cache_mb > 64 * 1024 {
            bail!("SAMENHIER_RESPONSE_CACHE_MB must be at most 65536 (64 GiB), got {cache_mb}");
        }
        let scoring_jobs = num("SAMENHIER_SCORING_JOBS", 4)?;
        if !(1..=64).contains(&scoring_jobs) {
            bail!("SAMENHIER_SCORING_JOBS must be between 1 and 64, got {scoring_jobs}");
        }
        let token_hours = num("SAMENHIER_TOKEN_HOURS", 8)?;
        if token_hours == 0 || token_hours > 24 * 30 {
            bail!("SAMENHIER_TOKEN_HOURS must be between 1 and 720");
        }
        let smtp = match get("SAMENHIER_SMTP_HOST") {
            None => None,
            Some(host) => {
                let tls = match get("SAMENHIER_SMTP_TLS").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
                    None | Some("starttls") => SmtpTls::StartTls,
                    Some("tls") => SmtpTls::Tls,
                    Some("none") => SmtpTls::None,
                    Some(other) => bail!("SAMENHIER_SMTP_TLS must be starttls, tls or none, got {other:?}"),
                };
                let default_port = match tls {
                    SmtpTls::StartTls => 587,
                    SmtpTls::Tls => 465,
                    SmtpTls::None => 25,
                };
                let port = num("SAMENHIER_SMTP_PORT", default_port)?;
                let port = u16::try_from(port)
                    .ok()
                    .filter(|p| *p > 0)
                    .with_context(|| format!("SAMENHIER_SMTP_PORT must be between 1 and 65535, got {port}"))?;
                let from = get("SAMENHIER_SMTP_FROM")
                    .ok_or_else(|| anyhow::anyhow!("SAMENHIER_SMTP_FROM must be set when SAMENHIER_SMTP_HOST is"))?;
                Some(SmtpSettings {
                    host: host.trim().to_owned(),
                    port,
                    tls,
                    username: get("SAMENHIER_SMTP_USERNAME"),
                    password: get("SAMENHIER_SMTP_PASSWORD").map(|p| Secret::new(p.into_bytes())),
                    from,
                })
            }
        };
        let digest_hour = num("SAMENHIER_DIGEST_HOUR", 7)?;
        if digest_hour > 23 {
            bail!("SAMENHIER_DIGEST_HOUR must be an hour from 0 to 23, got {digest_hour}");
        }
        let retry_hours = num("SAMENHIER_NOTIFY_RETRY_HOURS", 48)?;
        if !(1..=720).contains(&retry_hours) {
            bail!("SAMENHIER_NOTIFY_RETRY_HOURS must be between 1 and 720, got {retry_hours}");
        }
        let public_url = get("SAMENHIER_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("SAMENHIER_PUBLIC_URL must start with http:// or https://, got {public_url:?}");
        }
        let notify = NotifySettings {
            smtp,
            public_url: public_url.trim_end_matches('/').to_owned(),
            interval: seconds("SAMENHIER_NOTIFY_INTERVAL_SECS", 30.0)?,
            retry_base: seconds("SAMENHIER_NOTIFY_RETRY_BASE_SECS", 30.0)?,
            retry_for: Duration::from_secs(retry_hours * 3600),
            timeout: seconds("SAMENHIER_NOTIFY_TIMEOUT_SECS", 10.0)?,
            digest_hour: digest_hour as u32,
            scheduler: bool_opt("SAMENHIER_NOTIFY")?.unwrap_or(true),
        };
        Ok(Self {
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            jwt_secret,
            jwt_issuer: get("SAMENHIER_JWT_ISSUER").unwrap_or_else(|| "samenhier".into()),
            jwt_audience: get("SAMENHIER_JWT_AUDIENCE").unwrap_or_else(|| "samenhier-api".into()),
            token_lifetime: Duration::from_secs(token_hours * 3600),
            introspection: bool_opt("SAMENHIER_INTROSPECTION")?,
            max_body_bytes: num("SAMENHIER_MAX_BODY_BYTES", 1024 * 1024)? as usize,
            max_query_depth: num("SAMENHIER_MAX_QUERY_DEPTH", 15)? as usize,
            max_query_complexity: num("SAMENHIER_MAX_QUERY_COMPLEXITY", 5000)? as usize,
            request_timeout: seconds("SAMENHIER_REQUEST_TIMEOUT_SECS", 30.0)?,
            round_timeout: seconds("SAMENHIER_ROUND_TIMEOUT_SECS", 900.0)?,
            scoring_budget: seconds("SAMENHIER_SCORING_BUDGET_SECS", 120.0)?,
            validation_budget: seconds("SAMENHIER_VALIDATION_BUDGET_SECS", 10.0)?,
            scoring_jobs: scoring_jobs as usize,
            time_zone,
            log_format,
            export_key,
            data_key,
            export_k: export_k as usize,
            idp,
            response_cache_bytes: (cache_mb as usize) * 1024 * 1024,
            notify,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Makes this configuration's time zone the programme's zone for `local_date` (set once
    /// per process, by the first server built; every replica of a programme runs in one zone).
    pub fn adopt_time_zone(&self) {
        domain::time::adopt_programme_zone(self.time_zone);
    }

    /// Today's date in the programme's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.time_zone).date_naive()
    }
}
