//! Plain-text matrix format and JSON output for command-line front ends.
//!
//! Input format: the first non-blank line is `ROWS COLS`, followed by ROWS
//! lines of COLS whitespace-separated scores; `x` (or `X`) marks a forbidden
//! pair. Blank lines are ignored, `#` starts a comment line. Errors name the
//! 1-based line and column of the offending token.

use std::fmt::Write as _;

use super::{Assignment, ScoreMatrix};

/// Parses the text format into a [`ScoreMatrix`].
///
/// # Errors
/// A human-readable message naming the line and column of the first problem
/// (bad header, bad or non-finite number, wrong number of cells or rows).
pub fn parse_matrix(text: &str) -> Result<ScoreMatrix, String> {
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l)).filter(|(_, l)| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    let (hline, header) = lines.next().ok_or_else(|| "empty input: expected a `ROWS COLS` header".to_string())?;
    let htoks = tokens(header);
    if htoks.len() != 2 {
        return Err(format!("line {hline}: expected header `ROWS COLS`, found {} token(s)", htoks.len()));
    }
    let dim = |(col, tok): (usize, &str)| {
        tok.parse::<usize>().map_err(|_| format!("line {hline}, column {col}: `{tok}` is not a non-negative integer"))
    };
    let rows = dim(htoks[0])?;
    let cols = dim(htoks[1])?;
    let len = rows
        .checked_mul(cols)
        .filter(|&l| l <= isize::MAX as usize / 8)
        .ok_or_else(|| format!("line {hline}: a {rows}x{cols} matrix is too large"))?;
    let mut m = ScoreMatrix::new(rows, cols);
    debug_assert_eq!(m.data.len(), len);
    let mut r = 0usize;
    for (lno, line) in lines {
        if r == rows {
            return Err(format!("line {lno}: unexpected data after {rows} matrix row(s)"));
        }
        let mut c = 0usize;
        for (col, tok) in tokens(line) {
            if c == cols {
                return Err(format!("line {lno}, column {col}: more than {cols} score(s) on matrix row {r}"));
            }
            if tok != "x" && tok != "X" {
                let s: f64 =
                    tok.parse().map_err(|_| format!("line {lno}, column {col}: `{tok}` is not a number or `x`"))?;
                if !s.is_finite() {
                    return Err(format!("line {lno}, column {col}: score `{tok}` is not finite"));
                }
                m.set(r, c, s);
            }
            c += 1;
        }
        if c < cols {
            return Err(format!("line {lno}: matrix row {r} has {c} score(s), expected {cols}"));
        }
        r += 1;
    }
    if r < rows {
        return Err(format!("input ends after {r} matrix row(s), expected {rows}"));
    }
    Ok(m)
}

/// Whitespace-separated tokens with their 1-based character column.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, char column)
    for (col, (b, ch)) in line.char_indices().enumerate() {
        match (ch.is_whitespace(), start) {
            (false, None) => start = Some((b, col + 1)),
            (true, Some((sb, sc))) => {
                out.push((sc, &line[sb..b]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some((sb, sc)) = start {
        out.push((sc, &line[sb..]));
    }
    out
}

/// Renders `{"pairs": [[row, col], ...], "total": T, "solve_ms": MS}`.
///
/// Numbers use Rust's shortest round-trip formatting, so `total` parses back
/// to exactly the same `f64`; a non-finite value (only possible if the sum
/// overflows) is written as `null` to keep the JSON valid.
pub fn assignment_json(a: &Assignment, solve_ms: f64) -> String {
    let mut s = String::with_capacity(32 + a.pairs.len() * 12);
    s.push_str("{\"pairs\": [");
    for (k, &(r, c)) in a.pairs.iter().enumerate() {
        if k > 0 {
            s.push_str(", ");
        }
        // Writing into a String cannot fail.
        let _ = write!(s, "[{r}, {c}]");
    }
    s.push_str("], \"total\": ");
    push_number(&mut s, a.total);
    s.push_str(", \"solve_ms\": ");
    push_number(&mut s, solve_ms);
    s.push('}');
    s
}

fn push_number(s: &mut String, x: f64) {
    if x.is_finite() {
        // `{:?}` keeps a `.0` on integral values and uses exponents for very
        // large/small magnitudes: always valid JSON, always round-trips.
        let _ = write!(s, "{x:?}");
    } else {
        s.push_str("null");
    }
}
