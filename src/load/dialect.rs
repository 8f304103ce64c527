//! The dialects tables come in: comma- or semicolon-separated text (decimal comma with
//! semicolons), UTF-8 with or without BOM or Windows-1252, CRLF or LF, and `.xlsx`/`.ods`
//! workbooks (the first sheet, or `FILE.xlsx#Sheet`). Each is read into the same CSV records;
//! the run says which dialect it read when it is not plain comma-separated UTF-8.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use crate::LoadError;

/// Bytes read ahead to tell the encoding and the separator.
const SNIFF_BYTES: usize = 64 * 1024;

/// Header names of code columns: a workbook's numeric cell there gets its leading zero back.
const CODE_COLUMNS: [&str; 7] = ["insee", "origin", "destination", "insee_2026", "codgeo", "code_insee", "insee_src"];

/// How a table was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// Field separator.
    pub separator: u8,
    /// Numbers written with a decimal comma (semicolon-separated files).
    pub decimal_comma: bool,
    /// What the text was: `UTF-8`, `UTF-8 with BOM`, `Windows-1252`, or the workbook's sheet.
    pub source: String,
    /// The workbook sheet read, if a workbook.
    pub sheet: Option<String>,
}

impl Dialect {
    /// A sentence for the run's log, or `None` for plain comma-separated UTF-8.
    pub(crate) fn describe(&self) -> Option<String> {
        if self.separator == b',' && self.source == "UTF-8" {
            return None;
        }
        let sep = if self.separator == b';' { "semicolon-separated, decimal comma" } else { "comma-separated" };
        Some(format!("{sep}, {}", self.source))
    }
}

/// A workbook path with its sheet: `need.xlsx#Feuil1` → (`need.xlsx`, `Feuil1`).
pub(crate) fn split_sheet(path: &Path) -> (PathBuf, Option<String>) {
    let text = path.to_string_lossy();
    for ext in [".xlsx#", ".xlsm#", ".xls#", ".ods#"] {
        if let Some(at) = text.to_lowercase().find(ext) {
            let split = at + ext.len();
            return (PathBuf::from(&text[..split - 1]), Some(text[split..].to_owned()));
        }
    }
    (path.to_owned(), None)
}

fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        let e = e.to_ascii_lowercase();
        e == "xlsx" || e == "xlsm" || e == "xls" || e == "ods"
    })
}

/// Opens a table: its UTF-8 CSV bytes and the dialect they were read in.
pub(crate) fn open_table(
    path: &Path,
    raw: impl FnOnce(&Path) -> std::io::Result<Box<dyn Read>>,
) -> Result<(Box<dyn Read>, Dialect), LoadError> {
    let (file, sheet) = split_sheet(path);
    if is_workbook(&file) {
        return read_workbook(path, &file, sheet.as_deref());
    }
    let io = |source| LoadError::Io { path: path.to_owned(), source };
    let mut reader = raw(&file).map_err(io)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    reader.by_ref().take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(io)?;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &head[3..] } else { &head[..] };
    // A multi-byte character cut at the end of the sniffed bytes is still UTF-8.
    let utf8 = match std::str::from_utf8(body) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && body.len() == SNIFF_BYTES - usize::from(bom) * 3,
    };
    if !utf8 && let Some(at) = body.iter().position(|&b| b == 0 || matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)) {
        let offset = at + usize::from(bom) * 3;
        return Err(LoadError::Malformed {
            path: path.to_owned(),
            line: 0,
            message: format!(
                "byte {offset} (0x{:02X}) is neither UTF-8 nor Windows-1252 text: expected a CSV file",
                body[at]
            ),
        });
    }
    let separator = sniff_separator(body);
    let dialect = Dialect {
        separator,
        decimal_comma: separator == b';',
        source: match (utf8, bom) {
            (true, false) => "UTF-8",
            (true, true) => "UTF-8 with BOM",
            (false, _) => "Windows-1252",
        }
        .to_owned(),
        sheet: None,
    };
    let skip = if bom { 3 } else { 0 };
    let whole: Box<dyn Read> = Box::new(Cursor::new(head).chain(reader));
    let text: Box<dyn Read> = if utf8 {
        let mut whole = whole;
        if skip > 0 {
            let mut bom_bytes = [0u8; 3];
            whole.read_exact(&mut bom_bytes).map_err(io)?;
        }
        whole
    } else {
        Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding_rs::WINDOWS_1252)).build(whole))
    };
    Ok((text, dialect))
}

/// The separator of the header line: a semicolon if it has more of them than commas.
fn sniff_separator(bytes: &[u8]) -> u8 {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let (mut quoted, mut commas, mut semicolons) = (false, 0, 0);
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// A workbook's sheet as CSV text (comma-separated, `.` decimals).
fn read_workbook(path: &Path, file: &Path, sheet: Option<&str>) -> Result<(Box<dyn Read>, Dialect), LoadError> {
    use calamine::{Data, Reader};
    let fail = |message: String| LoadError::Malformed { path: path.to_owned(), line: 0, message };
    let mut book = calamine::open_workbook_auto(file).map_err(|e| fail(format!("cannot read the workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_owned(),
        Some(s) => return Err(fail(format!("no sheet {s:?}: expected one of {}", names.join(", ")))),
        None => names.first().cloned().ok_or_else(|| fail("the workbook has no sheet".into()))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| fail(format!("sheet {name:?}: {e}")))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut codes: Vec<bool> = Vec::new();
    for (r, row) in range.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| match cell {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Int(i) if codes.get(c) == Some(&true) && (0..100_000).contains(i) => format!("{i:05}"),
                Data::Float(f) if codes.get(c) == Some(&true) && f.fract() == 0.0 && (0.0..100_000.0).contains(f) => {
                    format!("{:05}", *f as u32)
                }
                other => other.to_string(),
            })
            .collect();
        if r == 0 {
            codes = cells.iter().map(|h| CODE_COLUMNS.contains(&h.trim().to_lowercase().as_str())).collect();
        }
        out.write_record(&cells).map_err(|e| fail(e.to_string()))?;
    }
    let bytes = out.into_inner().map_err(|e| fail(e.to_string()))?;
    let dialect = Dialect {
        separator: b',',
        decimal_comma: false,
        source: format!("workbook sheet {name:?}"),
        sheet: Some(name),
    };
    Ok((Box::new(Cursor::new(bytes)), dialect))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &Path) -> (String, Dialect) {
        let (mut r, d) = open_table(path, |p| Ok(Box::new(std::fs::File::open(p)?))).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, d)
    }

    #[test]
    fn a_workbook_code_stored_as_a_number_gets_its_leading_zero_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("need.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "CODGEO").unwrap();
        sheet.write_string(0, 1, "need").unwrap();
        sheet.write_number(1, 0, 1001.0).unwrap();
        sheet.write_number(1, 1, 12.5).unwrap();
        sheet.write_string(2, 0, "2A004").unwrap();
        sheet.write_number(2, 1, 1001.0).unwrap();
        book.save(&path).unwrap();
        let (csv, dialect) = text(&path);
        assert_eq!(csv, "CODGEO,need\n01001,12.5\n2A004,1001\n");
        assert_eq!(dialect.describe().unwrap(), "comma-separated, workbook sheet \"Sheet1\"");
    }

    #[test]
    fn the_separator_is_read_from_the_header_outside_quotes() {
        assert_eq!(sniff_separator(b"insee;nom;need\n1,2;3"), b';');
        assert_eq!(sniff_separator(b"\"a;b;c\",insee,need\n"), b',');
        assert_eq!(sniff_separator(b"insee,need\n"), b',');
    }

    #[test]
    fn a_sheet_is_named_after_the_workbook() {
        assert_eq!(
            split_sheet(Path::new("d/need.xlsx#Feuil 1")),
            (PathBuf::from("d/need.xlsx"), Some("Feuil 1".into()))
        );
        assert_eq!(split_sheet(Path::new("d/need#1.csv")), (PathBuf::from("d/need#1.csv"), None));
    }
}
