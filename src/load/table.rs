//! Streaming CSV reader that validates the header and turns bad fields into [`LoadError`]s.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::LoadError;
use crate::model::{CODE_EXPECTED, CommuneCode};

/// Longest line accepted: far above any real row, low enough that hostile input fails fast.
const MAX_LINE_BYTES: usize = 1 << 20;

/// A CSV file opened for reading, with its required columns located.
pub(crate) struct Table {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read>>,
    columns: HashMap<String, usize>,
    /// Numbers use a decimal comma (semicolon-separated files).
    decimal_comma: bool,
}

/// Other spellings of a column, as INSEE and data.gouv files have them (matched ignoring case).
const ALIASES: [(&str, &[&str]); 1] = [("insee", &["codgeo", "code_insee", "code_commune_insee", "insee_com"])];

/// One data row, with its line number.
pub(crate) struct Row<'t> {
    table: &'t Table,
    record: csv::StringRecord,
    line: u64,
}

impl Table {
    /// Opens `path` (gzip if it ends in `.gz`; any dialect of [`super::dialect`]) and checks
    /// that every `required` column is present.
    pub(crate) fn open(path: &Path, required: &[&str]) -> Result<Self, LoadError> {
        let (raw, dialect) = super::dialect::open_table(path, |file| {
            let input = super::open_input(file)?;
            Ok(if file.extension().is_some_and(|e| e == "gz") {
                Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(input)))
            } else {
                input
            })
        })?;
        if let Some(d) = dialect.describe() {
            eprintln!("{}: read as {d}", path.display());
        }
        // A workbook's messages name its sheet: `need.xlsx#Feuil1:3: field …` (rows are sheet rows).
        let named = match &dialect.sheet {
            Some(sheet) if super::dialect::split_sheet(path).1.is_none() => {
                PathBuf::from(format!("{}#{sheet}", path.display()))
            }
            _ => path.to_owned(),
        };
        Self::from_reader(&named, raw, required, &dialect)
    }

    /// Reads CSV text in `dialect` from any source; `path` is only used in messages.
    pub(crate) fn from_reader(
        path: &Path,
        raw: Box<dyn Read>,
        required: &[&str],
        dialect: &super::dialect::Dialect,
    ) -> Result<Self, LoadError> {
        let path = path.to_owned();
        let limited: Box<dyn Read> =
            Box::new(LineLimit { inner: raw, run: 0, breaks: 0, quoted: false, record_line: 1 });
        let mut reader = csv::ReaderBuilder::new().flexible(false).delimiter(dialect.separator).from_reader(limited);
        let expected = required.join(",");
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(malformed(&path, &e)),
        };
        if headers.is_empty() || (headers.len() == 1 && headers[0].trim().is_empty()) {
            return Err(LoadError::Empty { path, expected });
        }
        let mut columns = HashMap::new();
        for (i, name) in headers.iter().enumerate() {
            // A UTF-8 byte-order mark is common in files saved by spreadsheets.
            let name = name.trim_start_matches('\u{feff}').trim();
            if columns.insert(name.to_owned(), i).is_some() {
                return Err(LoadError::DuplicateColumn { path, column: name.to_owned() });
            }
        }
        for (col, aliases) in ALIASES {
            if !columns.contains_key(col)
                && let Some(i) = headers.iter().position(|h| aliases.contains(&h.trim().to_lowercase().as_str()))
            {
                columns.insert(col.to_owned(), i);
            }
        }
        for col in required {
            if !columns.contains_key(*col) {
                let mut found = headers.iter().collect::<Vec<_>>().join(",");
                // One column holding ';' or tabs: the file is delimited by something else.
                if headers.len() == 1 && headers[0].contains('\t') {
                    found = format!("{found:?}, separated by tabs: expected commas or semicolons");
                }
                return Err(LoadError::MissingColumn { path, column: (*col).to_owned(), found });
            }
        }
        Ok(Self { path, reader, columns, decimal_comma: dialect.decimal_comma })
    }

    /// Whether the header has `column`.
    pub(crate) fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The header, comma-separated (for messages).
    pub(crate) fn header_text(&self) -> String {
        let mut names: Vec<(&usize, &String)> = self.columns.iter().map(|(k, v)| (v, k)).collect();
        names.sort();
        names.into_iter().map(|(_, k)| k.as_str()).collect::<Vec<_>>().join(",")
    }

    /// Calls `f` on each data row in order, stopping at the first error.
    pub(crate) fn for_each_row(
        &mut self,
        mut f: impl FnMut(&Row<'_>) -> Result<(), LoadError>,
    ) -> Result<(), LoadError> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(malformed(&self.path, &e)),
            }
            let line = record.position().map_or(0, csv::Position::line);
            // Blank trailing lines are not data.
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            let row = Row { table: &*self, record: std::mem::take(&mut record), line };
            f(&row)?;
            record = row.record;
        }
    }
}

fn malformed(path: &Path, e: &csv::Error) -> LoadError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => io.to_string(),
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8: expected UTF-8 text (re-save the file as UTF-8)".to_owned(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}: expected comma-separated values")
        }
        _ => e.to_string(),
    };
    LoadError::Malformed { path: path.to_owned(), line, message }
}

impl Row<'_> {
    /// Line number of this row (the header is line 1).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Whether the header has `column`.
    pub(crate) fn has(&self, column: &str) -> bool {
        self.table.has(column)
    }

    /// The raw text of `column` (trimmed), or "" if the header does not have it.
    pub(crate) fn str(&self, column: &str) -> &str {
        self.table.columns.get(column).and_then(|&i| self.record.get(i)).map_or("", str::trim)
    }

    /// An error for `column` holding its current value.
    pub(crate) fn error(&self, column: &str, expected: impl Into<String>) -> LoadError {
        LoadError::Field {
            path: self.table.path.clone(),
            line: self.line,
            field: column.to_owned(),
            value: self.str(column).to_owned(),
            expected: expected.into(),
        }
    }

    /// Parses `column` as a finite number within `range`.
    pub(crate) fn f64_in(&self, column: &str, range: std::ops::RangeInclusive<f64>) -> Result<f64, LoadError> {
        let text = self.str(column);
        let parsed =
            if self.table.decimal_comma { text.replacen(',', ".", 1).parse::<f64>() } else { text.parse::<f64>() };
        match parsed {
            Ok(v) if v.is_finite() && range.contains(&v) => Ok(v),
            _ => Err(self.error(column, format!("a number between {} and {}", range.start(), range.end()))),
        }
    }

    /// Parses `column` as an optional finite number within `range` (empty = `None`).
    pub(crate) fn opt_f64_in(
        &self,
        column: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<Option<f64>, LoadError> {
        if self.str(column).is_empty() { Ok(None) } else { self.f64_in(column, range).map(Some) }
    }

    /// Parses `column` as a non-negative integer.
    pub(crate) fn u64(&self, column: &str) -> Result<u64, LoadError> {
        self.str(column).parse::<u64>().map_err(|_| self.error(column, "a non-negative integer"))
    }

    /// Parses `column` as an INSEE code.
    pub(crate) fn code(&self, column: &str) -> Result<CommuneCode, LoadError> {
        CommuneCode::parse(self.str(column)).map_err(|_| self.error(column, CODE_EXPECTED))
    }

    /// A non-empty text field.
    pub(crate) fn text(&self, column: &str) -> Result<&str, LoadError> {
        let s = self.str(column);
        if s.is_empty() { Err(self.error(column, "a non-empty value")) } else { Ok(s) }
    }
}

/// Fails a read when a single line grows past [`MAX_LINE_BYTES`], so a file with no line
/// breaks cannot make the CSV reader buffer it whole.
struct LineLimit {
    inner: Box<dyn Read>,
    /// Bytes of the record under way (its lines, when a quoted field spans several).
    run: usize,
    /// Line breaks seen so far.
    breaks: u64,
    /// Inside a quoted field: a line break there does not end the record.
    quoted: bool,
    /// Line where the record under way starts (1-based).
    record_line: u64,
}

impl Read for LineLimit {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\n' => self.breaks += 1,
                _ => {}
            }
            if b == b'\n' && !self.quoted {
                self.run = 0;
                self.record_line = self.breaks + 1;
                continue;
            }
            self.run += 1;
            if self.run > MAX_LINE_BYTES {
                let what = if self.quoted && self.breaks + 1 > self.record_line {
                    format!("lines {}–{} hold one record (a quote left open?)", self.record_line, self.breaks + 1)
                } else {
                    format!("line {}", self.record_line)
                };
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{what} is longer than {MAX_LINE_BYTES} bytes: expected one record per line"),
                ));
            }
        }
        Ok(n)
    }
}
