//! CSV import of calling-list records, streamed: each line is checked and
//! written to a staging SQLite file as it is read, so 100,000 records are
//! never held in memory; the owner publishes the staging file in one
//! transaction only when every line was good (nothing half-imported).
//!
//! The header row names the columns: `name` and `number` (required),
//! `chained` (more numbers of the contact, separated by `|`), and any of
//! the campaign's custom fields. Every other line is one record.

use ringside::model::campaign::{normalize_number, CallingRecord, Campaign, RESERVED_COLUMNS};
use ringside::model::{RecordId, SortedMap};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// Error lines reported in full; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Records one import may hold.
pub const MAX_IMPORT_RECORDS: u64 = 1_000_000;

/// A bad line: its number in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// The line number.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

/// What staging found.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Good records staged.
    pub records: u64,
    /// How many lines were bad.
    pub bad_lines: u64,
    /// The first [`MAX_REPORTED_ERRORS`] of them.
    pub errors: Vec<LineError>,
}

impl ImportReport {
    fn bad(&mut self, line: u64, message: impl Into<String>) {
        self.bad_lines += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(LineError { line, message: message.into() });
        }
    }
}

/// Why staging stopped before the end of the file.
#[derive(Debug)]
pub enum StageError {
    /// The staging file failed.
    Sql(rusqlite::Error),
    /// The body could not be read (or was over the size limit).
    Read(String),
}

impl From<rusqlite::Error> for StageError {
    fn from(e: rusqlite::Error) -> Self {
        StageError::Sql(e)
    }
}

/// Reads CSV from `input`, checks every line against `campaign`, and
/// writes the good ones to a new staging database at `staging`. The report
/// lists bad lines by number; the import may be published only if it has
/// none.
pub fn stage(input: impl Read, campaign: &Campaign, staging: &Path) -> Result<ImportReport, StageError> {
    let mut conn = Connection::open(staging)?;
    // A scratch file: durability is the published transaction's job.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE rows (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE numbers (seq INTEGER NOT NULL, number TEXT NOT NULL);",
    )?;
    let mut report = ImportReport::default();
    let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut records = csv.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(row)) => row.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return fail_read(e),
        None => {
            report.bad(1, "the file is empty: a header row is required");
            return Ok(report);
        }
    };
    if let Err(message) = check_header(&header, campaign) {
        report.bad(1, message);
        return Ok(report);
    }
    let tx = conn.transaction()?;
    {
        let mut add_row = tx.prepare("INSERT INTO rows (seq, body) VALUES (?1, ?2)")?;
        let mut add_number = tx.prepare("INSERT INTO numbers (seq, number) VALUES (?1, ?2)")?;
        for (index, row) in records.enumerate() {
            let line = index as u64 + 2;
            let row = match row {
                Ok(row) => row,
                Err(e) if e.is_io_error() => return fail_read(e),
                Err(e) => {
                    report.bad(line, format!("not valid CSV: {e}"));
                    continue;
                }
            };
            if row.len() != header.len() {
                report.bad(line, format!("{} columns, the header has {}", row.len(), header.len()));
                continue;
            }
            let record = match to_record(&header, &row, campaign) {
                Ok(record) => record,
                Err(message) => {
                    report.bad(line, message);
                    continue;
                }
            };
            if report.records >= MAX_IMPORT_RECORDS {
                report.bad(line, format!("an import holds at most {MAX_IMPORT_RECORDS} records"));
                break;
            }
            report.records += 1;
            let seq = report.records as i64;
            let body = serde_json::to_string(&record).map_err(|e| StageError::Read(e.to_string()))?;
            add_row.execute(params![seq, body])?;
            for number in &record.chain {
                add_number.execute(params![seq, normalize_number(number)])?;
            }
        }
    }
    tx.commit()?;
    Ok(report)
}

fn fail_read<T>(e: csv::Error) -> Result<T, StageError> {
    Err(StageError::Read(e.to_string()))
}

fn check_header(header: &[String], campaign: &Campaign) -> Result<(), String> {
    for required in ["name", "number"] {
        if !header.iter().any(|h| h == required) {
            return Err(format!("the header has no {required:?} column"));
        }
    }
    for (i, column) in header.iter().enumerate() {
        if header[..i].contains(column) {
            return Err(format!("column {column:?} appears twice"));
        }
        if !RESERVED_COLUMNS.contains(&column.as_str()) && !campaign.fields.contains(column) {
            let known = campaign.fields.join(", ");
            return Err(format!("column {:?} is not name, number, chained or a field of the campaign ({known})", ringside::protocol::limits::echo(column)));
        }
    }
    Ok(())
}

fn to_record(header: &[String], row: &csv::StringRecord, campaign: &Campaign) -> Result<CallingRecord, String> {
    let mut name = String::new();
    let mut chain = Vec::new();
    let mut chained = Vec::new();
    let mut fields = SortedMap::new();
    for (column, value) in header.iter().zip(row.iter()) {
        let value = value.trim();
        match column.as_str() {
            "name" => name = value.to_owned(),
            "number" => chain.push(value.to_owned()),
            "chained" => chained.extend(value.split('|').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned)),
            field if !value.is_empty() => {
                fields.insert(field.to_owned(), value.to_owned());
            }
            _ => {}
        }
    }
    chain.extend(chained);
    // The list numbers it when it is published.
    let record = CallingRecord::new(RecordId(0), campaign.id.clone(), name, chain, fields);
    record.check(campaign)?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign() -> Campaign {
        serde_json::from_value(serde_json::json!({ "id": "renewals", "name": "Renewals", "fields": ["plan"] })).expect("a campaign")
    }

    #[test]
    fn good_lines_are_staged_and_bad_ones_reported_by_line_number() {
        let dir = tempfile::tempdir().expect("tempdir");
        let csv = "name,number,chained,plan\nAda,+46 8 555 0101,+46 8 555 0102|+46 8 555 0103,gold\n,+46 8 555 0104,,\nBo,call me,,\nCy,+1 555 0100,,silver\n";
        let report = stage(csv.as_bytes(), &campaign(), &dir.path().join("s.db")).expect("staged");
        assert_eq!(report.records, 2);
        assert_eq!(report.bad_lines, 2);
        assert_eq!(report.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn an_unknown_column_refuses_the_whole_file_at_line_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let report = stage("name,number,colour\nAda,555 0101,red\n".as_bytes(), &campaign(), &dir.path().join("s.db")).expect("read");
        assert_eq!(report.errors[0].line, 1);
        assert_eq!(report.records, 0);
    }
}
