//! Field validation. Every check names the input field at fault and says what is wrong in
//! words a person understands; nothing is written before all checks pass.

use chrono::{Datelike, NaiveDate};

use super::iso;
use crate::error::{AppError, AppResult};

/// Longest free-text field (notes, preferences, reasons).
pub const MAX_TEXT: usize = 2000;
/// Longest name-like field.
pub const MAX_NAME: usize = 200;
/// Most tags in one list.
pub const MAX_TAGS: usize = 30;
/// Longest tag.
pub const MAX_TAG_LEN: usize = 40;

fn bad(field: &str, message: impl Into<String>) -> AppError {
    AppError::bad_input(field, message)
}

/// A required single-line text: trimmed, not blank, at most `max` characters, no control
/// characters.
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(bad(field, format!("{field} must not be empty")));
    }
    checked_text(field, v, max)
}

/// An optional text: blank becomes `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => checked_text(field, v, max).map(Some),
    }
}

/// Characters that change how the text around them is shown without being seen themselves:
/// bidirectional overrides, embeddings and isolates (U+202E shows "gpj.exe" as "exe.jpg"),
/// zero-width spaces and joiners that split or hide words, and line or paragraph separators.
/// The zero-width non-joiner and joiner (U+200C, U+200D) stay allowed: Persian and other
/// scripts need them in ordinary words and names.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2028}' | '\u{2029}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{180E}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Normalises to NFC (the same name typed on two keyboards is then the same string) and
/// refuses control characters and invisible format characters; names (at most `MAX_NAME`
/// characters) are single lines, free text may hold line breaks and tabs.
fn checked_text(field: &str, v: &str, max: usize) -> AppResult<String> {
    use unicode_normalization::UnicodeNormalization;
    let v: String = v.nfc().collect();
    let len = v.chars().count();
    if len > max {
        return Err(bad(field, format!("{field} is {len} characters long; at most {max} are allowed")));
    }
    let single_line = max <= MAX_NAME;
    if let Some(c) =
        v.chars().find(|c| (c.is_control() && (single_line || (*c != '\n' && *c != '\t'))) || is_invisible_format(*c))
    {
        let what = if c.is_control() { "a control character" } else { "an invisible formatting character" };
        return Err(bad(field, format!("{field} contains {what} (U+{:04X}); type the text without it", c as u32)));
    }
    Ok(v)
}

/// An e-mail address of the usual shape `local@domain.tld`, stored lower-case.
pub fn email(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim().to_lowercase();
    let shape_ok = v.len() <= 254
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && domain.contains('.')
                    && !domain.contains("..")
                    && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                    && !local.contains(char::is_whitespace)
                    && !local.contains('@')
            }
            None => false,
        };
    if !shape_ok {
        return Err(bad(field, format!("{field} is not an e-mail address of the form name@example.nl")));
    }
    Ok(v)
}

/// A phone number: digits with an optional leading `+`, spaces and dashes allowed; 6 to 15
/// digits.
pub fn phone(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let body = v.strip_prefix('+').unwrap_or(v);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !body.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') || !(6..=15).contains(&digits) {
        return Err(bad(field, format!("{field} must be a phone number of 6 to 15 digits, like +31 6 12345678")));
    }
    Ok(Some(v.to_owned()))
}

/// A birth year for someone at least `min_age` and at most 110 years old this year.
pub fn birth_year(field: &str, year: i32, today: NaiveDate, min_age: i32) -> AppResult<i32> {
    let now = today.year();
    if year > now - min_age || year < now - 110 {
        return Err(bad(
            field,
            format!("{field} {year} is not plausible: it must lie between {} and {}", now - 110, now - min_age),
        ));
    }
    Ok(year)
}

/// ISO 639-1 language codes, lower-cased, without duplicates, sorted.
pub fn languages(field: &str, codes: &[String]) -> AppResult<Vec<String>> {
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        out.push(language(field, code)?);
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_TAGS {
        return Err(bad(field, format!("{field} lists more than {MAX_TAGS} languages")));
    }
    Ok(out)
}

/// One ISO 639-1 code.
pub fn language(field: &str, code: &str) -> AppResult<String> {
    let c = code.trim().to_ascii_lowercase();
    if iso::LANGUAGES.binary_search(&c.as_str()).is_err() {
        return Err(bad(
            field,
            format!("{code:?} in {field} is not an ISO 639-1 language code such as \"nl\", \"ar\" or \"ti\""),
        ));
    }
    Ok(c)
}

/// An ISO 3166-1 alpha-2 country code, upper-case.
pub fn country(field: &str, code: &str) -> AppResult<String> {
    let c = code.trim().to_ascii_uppercase();
    if iso::COUNTRIES.binary_search(&c.as_str()).is_err() {
        return Err(bad(field, format!("{code:?} is not an ISO 3166-1 alpha-2 country code such as \"SY\" or \"ER\"")));
    }
    Ok(c)
}

/// Lower-case tags of letters, digits, spaces and dashes; trimmed, unique, sorted.
pub fn tags(field: &str, values: &[String]) -> AppResult<Vec<String>> {
    let mut out = Vec::with_capacity(values.len());
    for raw in values {
        let t = raw.trim().to_lowercase();
        if t.is_empty() {
            return Err(bad(field, format!("{field} contains an empty tag")));
        }
        if t.chars().count() > MAX_TAG_LEN {
            return Err(bad(field, format!("the tag {raw:?} in {field} is longer than {MAX_TAG_LEN} characters")));
        }
        if !t.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_') {
            return Err(bad(
                field,
                format!("the tag {raw:?} in {field} may hold only letters, digits, spaces, - and _"),
            ));
        }
        out.push(t);
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_TAGS {
        return Err(bad(field, format!("{field} lists more than {MAX_TAGS} tags")));
    }
    Ok(out)
}

/// An integer within an inclusive range.
pub fn int_range(field: &str, value: i32, min: i32, max: i32) -> AppResult<i32> {
    if value < min || value > max {
        return Err(bad(field, format!("{field} must be between {min} and {max}, got {value}")));
    }
    Ok(value)
}

/// Children's ages: each 0 to 17, at most 15 children; sorted oldest first.
pub fn children_ages(field: &str, ages: &[i32]) -> AppResult<Vec<i32>> {
    if ages.len() > 15 {
        return Err(bad(field, format!("{field} lists more than 15 children")));
    }
    if let Some(a) = ages.iter().find(|a| !(0..=17).contains(*a)) {
        return Err(bad(
            field,
            format!("every age in {field} must be between 0 and 17 (an older child counts as an adult), got {a}"),
        ));
    }
    let mut out = ages.to_vec();
    out.sort_unstable_by(|a, b| b.cmp(a));
    Ok(out)
}

/// A date that is not in the future and not before 1990.
pub fn past_date(field: &str, date: NaiveDate, today: NaiveDate) -> AppResult<NaiveDate> {
    if date > today {
        return Err(bad(field, format!("{field} {date} lies in the future")));
    }
    if date.year() < 1990 {
        return Err(bad(field, format!("{field} {date} is before 1990")));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists_are_sorted_for_binary_search() {
        assert!(iso::LANGUAGES.windows(2).all(|w| w[0] < w[1]));
        assert!(iso::COUNTRIES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn e_mail_shapes() {
        assert_eq!(email("e", " A.B@Example.NL ").ok().as_deref(), Some("a.b@example.nl"));
        for bad in ["", "a", "a@b", "@b.nl", "a@.nl", "a b@c.nl", "a@b..nl", "a@@b.nl"] {
            assert!(email("e", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn tags_are_normalised() {
        let t = tags("interests", &["Cooking".into(), " cooking ".into(), "football".into()]).ok();
        assert_eq!(t, Some(vec!["cooking".to_string(), "football".to_string()]));
        assert!(tags("interests", &["<script>".into()]).is_err());
    }
}
