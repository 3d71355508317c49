//! Anonymisation over plain rows, for the exports analysts and researchers receive: keyed
//! pseudonyms of ids (`pseudonym`), generalisation hierarchies of quasi-identifiers and the
//! k-anonymity planner that chooses their levels (`generalise`), and the region table a
//! country of origin generalises to (`regions`). Pure functions: the store reads the rows and
//! streams the file.

pub mod generalise;
pub mod pseudonym;
mod regions;

pub use pseudonym::ExportKey;
