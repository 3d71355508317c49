//! The programme's calendar: every date shown or compared is a date in the programme's time
//! zone (Europe/Amsterdam unless configured otherwise), never a UTC date.

static ZONE: std::sync::OnceLock<chrono_tz::Tz> = std::sync::OnceLock::new();

/// Makes `zone` the programme's zone for `local_date` (set once per process, by the first
/// server built; every replica of a programme runs in one zone).
pub fn adopt_programme_zone(zone: chrono_tz::Tz) {
    let _ = ZONE.set(zone);
}

/// The programme's time zone (`SAMENHIER_TIME_ZONE`, Europe/Amsterdam by default).
pub fn programme_zone() -> chrono_tz::Tz {
    ZONE.get().copied().unwrap_or(chrono_tz::Europe::Amsterdam)
}

/// The programme's calendar date of a moment: what "today", "waiting since" and the months of
/// exports and retention mean. A household registered at 00:30 in Amsterdam on the 1st
/// registered on the 1st, not on the last day of the month before (its UTC date).
pub fn local_date(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    t.with_timezone(&programme_zone()).date_naive()
}

/// The first moment of a calendar date in the programme's time zone, as UTC.
pub fn local_midnight(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    programme_zone()
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| midnight.and_utc())
}
