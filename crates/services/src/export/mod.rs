//! Anonymised exports for analysts: `GET /exports/{dataset}?format=csv|jsonl[&city=SLUG]`.
//!
//! No direct identifiers (columns come from an allow-list per dataset), keyed pseudonyms for
//! every id, quasi-identifiers recoded by the adopted policy and k-anonymity checked on the
//! join of every dataset, the release stored when the policy is adopted and streamed in pages,
//! and every export in the audit log. See `datasets` for the columns and the release,
//! `policy` for proposing and adopting, `generalise` for the recoding and `pseudonym` for the
//! key.

pub mod datasets;
pub mod policy;

pub use anonymise::ExportKey;
pub use datasets::{Cell, ColumnKind, Dataset};

/// How rows are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::JsonLines),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::JsonLines => "application/jsonl; charset=utf-8",
        }
    }

    /// The header line of CSV (the column names); JSON Lines has none.
    pub fn header(self, names: &[&str]) -> String {
        match self {
            Format::Csv => format!("{}\r\n", names.join(",")),
            Format::JsonLines => String::new(),
        }
    }

    /// Appends one row of the columns `names` to `out`.
    pub fn write_row(self, names: &[&str], row: &[Cell], out: &mut String) {
        match self {
            Format::Csv => {
                for (i, cell) in row.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    match cell {
                        Cell::Null => {}
                        Cell::Int(n) => out.push_str(&n.to_string()),
                        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                        Cell::Text(t) => csv_field(t, out),
                        Cell::Json(v) => csv_field(&v.to_string(), out),
                    }
                }
                out.push_str("\r\n");
            }
            Format::JsonLines => {
                out.push('{');
                for (i, (cell, name)) in row.iter().zip(names).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::from(*name).to_string());
                    out.push(':');
                    match cell {
                        Cell::Null => out.push_str("null"),
                        Cell::Int(n) => out.push_str(&n.to_string()),
                        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                        Cell::Text(t) => out.push_str(&serde_json::Value::from(t.as_str()).to_string()),
                        Cell::Json(v) => out.push_str(&v.to_string()),
                    }
                }
                out.push_str("}\n");
            }
        }
    }
}

/// RFC 4180: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or `@`
/// is quoted with a `'` so a spreadsheet never runs it as a formula.
fn csv_field(text: &str, out: &mut String) {
    let formula = text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err();
    if formula || text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_lines_are_well_formed() {
        // A row of `matches` as the export writes one, column by column.
        let row = vec![
            Cell::Text("p1".into()),
            Cell::Text("p2".into()),
            Cell::Text("p3".into()),
            Cell::Null,
            Cell::Text("almere".into()),
            Cell::Text("ENDED_EARLY".into()),
            Cell::Int(2),
            Cell::Json(serde_json::json!({"language": 3, "age": null})),
            Cell::Text("2026-01".into()),
            Cell::Text("2026-02".into()),
            Cell::Text("2026-05".into()),
            // No code starts with "=", but every text cell is neutralised against formulas.
            Cell::Text("=cmd".into()),
            Cell::Int(3),
            Cell::Text("A2".into()),
        ];
        let mut csv = String::new();
        Format::Csv.write_row(&Dataset::Matches.names(), &row, &mut csv);
        assert_eq!(
            csv,
            "p1,p2,p3,,almere,ENDED_EARLY,2,\"{\"\"age\"\":null,\"\"language\"\":3}\",2026-01,2026-02,2026-05,\"'=cmd\",3,A2\r\n"
        );
        let mut jl = String::new();
        Format::JsonLines.write_row(&Dataset::Matches.names(), &row, &mut jl);
        let v: serde_json::Value = serde_json::from_str(jl.trim_end()).unwrap_or_default();
        assert_eq!(v["score"], serde_json::json!(2));
        assert_eq!(v["criteria"]["language"], serde_json::json!(3));
        assert_eq!(v["run_pseudonym"], serde_json::Value::Null);
        assert_eq!(v["months_together"], serde_json::json!(3));
        assert_eq!(v["start_dutch_level"], serde_json::json!("A2"));
        // A row of `groups`, for the one boolean column.
        let group = vec![
            Cell::Text("g1".into()),
            Cell::Text("haarlem".into()),
            Cell::Text("5-7".into()),
            Cell::Text("1970-1979".into()),
            Cell::Text("READY".into()),
            Cell::Int(4),
            Cell::Int(3),
            Cell::Int(6),
            Cell::Int(12),
            Cell::Bool(true),
            Cell::Text("2026-03".into()),
        ];
        let mut jl = String::new();
        Format::JsonLines.write_row(&Dataset::Groups.names(), &group, &mut jl);
        let v: serde_json::Value = serde_json::from_str(jl.trim_end()).unwrap_or_default();
        assert_eq!(v["has_coordinator"], serde_json::json!(true));
        let mut csv = String::new();
        Format::Csv.write_row(&Dataset::Groups.names(), &group, &mut csv);
        assert!(csv.contains(",true,2026-03\r\n"), "{csv}");
        assert_eq!(
            Format::Csv.header(&Dataset::Activities.names()),
            "activity_pseudonym,match_pseudonym,city,period,kind,duration_minutes,participants\r\n"
        );
    }
}
