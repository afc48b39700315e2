//! Reading a batch CSV as Belgian offices write it: `,` or `;`, UTF-8, Windows-1252 or UTF-16,
//! with or without a BOM, decimal commas; each row becomes the contract's flat application JSON.
//!
//! Why this layer exists: a CSV cell has no type, while the contract's JSON does. This module
//! only undoes what spreadsheets do to values (encoding, separators, decimal commas, Excel's
//! boolean spellings) and builds JSON; every check of a value stays in the engine, so a bad
//! cell gets the same error in a batch as in the browser.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::fields::{Fields, Kind};

/// What a column's cells are, from the kind of the field its header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A decimal comma (`1234,56`) is read as a decimal point, in CSV only.
    Money,
    /// Excel writes TRUE/FALSE, WAAR/ONWAAR (nl) or VRAI/FAUX (fr).
    Boolean,
    /// `category:amount;category:amount`.
    Purposes,
    /// Passed on as text; the engine reads it.
    Text,
}

/// The kind of each column of a table, by header, for one rule-set version's fields.
#[derive(Debug, Clone)]
pub struct ColumnKinds(Vec<Column>);

impl ColumnKinds {
    /// Each header's column kind; a header no field declares is text (the engine warns).
    pub fn new(keys: &[String], fields: &Fields) -> ColumnKinds {
        ColumnKinds(
            keys.iter()
                .map(|k| {
                    match fields
                        .index_of(k)
                        .and_then(|i| fields.get(i))
                        .map(|f| &f.kind)
                    {
                        Some(Kind::Money { .. }) => Column::Money,
                        Some(Kind::Boolean) => Column::Boolean,
                        Some(Kind::Purposes { .. }) => Column::Purposes,
                        _ => Column::Text,
                    }
                })
                .collect(),
        )
    }
}

/// How the input text was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a BOM.
    Utf8,
    /// Windows-1252, as older Excel writes it.
    Windows1252,
    /// UTF-16, little-endian: Excel's "Unicode text" and some LibreOffice exports.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

impl TextEncoding {
    /// The encoding's name.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Windows1252 => "Windows-1252",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// One data row of the input.
#[derive(Debug, Clone)]
pub struct Row {
    /// The physical line where the row starts (the header is line 1).
    pub line: u64,
    /// The cells, as written.
    pub fields: Vec<String>,
}

/// A parsed CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// `,` or `;`.
    pub delimiter: u8,
    /// The input's encoding.
    pub encoding: TextEncoding,
    /// Whether the input started with a BOM.
    pub had_bom: bool,
    /// Header cells as written (trimmed), echoed in the output.
    pub headers: Vec<String>,
    /// Header cells as field names: trimmed and lower-cased.
    pub keys: Vec<String>,
    /// Every data row, or why it could not be read.
    pub rows: Vec<Result<Row, RowError>>,
}

/// A row that could not be read as a row (wrong number of cells, broken quoting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The physical line where the row starts.
    pub line: u64,
    /// The cells that could be read.
    pub fields: Vec<String>,
    /// What is wrong.
    pub message: String,
}

/// A file that cannot be read as a table at all.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// No header row.
    #[error("the CSV file is empty: it needs a header row naming the columns")]
    Empty,
    /// The header cannot be read.
    #[error("the CSV header is not readable: {0}")]
    Header(String),
    /// Two columns with the same name.
    #[error("the CSV header names column `{0}` twice")]
    DuplicateColumn(String),
    /// A quote in the header that is not closed on its line.
    #[error("the CSV header has a quote (`\"`) that is not closed on line 1")]
    UnclosedHeaderQuote,
    /// No column of the header is a field of the rule set.
    #[error(
        "the CSV header names no known field ({columns}): the first row must name the columns, e.g. `{example}`{tabs}"
    )]
    NoKnownColumn {
        /// The header's cells, each in backticks.
        columns: String,
        /// A field name.
        example: String,
        /// A hint when the header holds tabs.
        tabs: &'static str,
    },
}

/// Decodes the file: UTF-16 when it starts with a UTF-16 BOM or has the zero bytes of UTF-16
/// text; else drops a UTF-8 BOM, reads UTF-8 when the bytes are valid UTF-8 and Windows-1252
/// otherwise (what Excel's "CSV (;)" writes on a Belgian Windows).
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding, bool) {
    let utf16 = match (
        bytes.strip_prefix(b"\xFF\xFE"),
        bytes.strip_prefix(b"\xFE\xFF"),
    ) {
        (Some(rest), _) => Some((rest, TextEncoding::Utf16Le, true)),
        (_, Some(rest)) => Some((rest, TextEncoding::Utf16Be, true)),
        _ => utf16_without_bom(bytes).map(|e| (bytes, e, false)),
    };
    if let Some((rest, encoding, had_bom)) = utf16 {
        let codec = match encoding {
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            _ => encoding_rs::UTF_16LE,
        };
        let (text, _) = codec.decode_without_bom_handling(rest);
        return (text, encoding, had_bom);
    }
    let (bytes, had_bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), TextEncoding::Utf8, had_bom),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, TextEncoding::Windows1252, had_bom)
        }
    }
}

/// UTF-16 without a BOM, told by its zero bytes: text in UTF-8 or Windows-1252 has none, while
/// the letters, digits and separators of a CSV in UTF-16 have one in every other byte (the
/// second in little-endian, the first in big-endian).
fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    let sample = bytes.get(..bytes.len().min(1024))?;
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in sample.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let pairs = sample.len() / 2;
    if pairs == 0 {
        None
    } else if odd * 2 >= pairs && even * 8 <= odd {
        Some(TextEncoding::Utf16Le)
    } else if even * 2 >= pairs && odd * 8 <= even {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// `;` when the header line has more semicolons than commas outside quotes, else `,`.
pub fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Reads the whole file into a table. Only a missing or unreadable header fails the file; a
/// bad row is kept as a [`RowError`] in its place.
pub fn read_table(bytes: &[u8]) -> Result<Table, CsvError> {
    let (text, encoding, had_bom) = decode(bytes);
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let delimiter = detect_delimiter(&text);
    let builder = |has_headers: bool| {
        let mut b = csv::ReaderBuilder::new();
        b.delimiter(delimiter)
            .has_headers(has_headers)
            .flexible(true);
        b
    };
    let mut reader = builder(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError::Header(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let header_end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
    if spans_lines(text.get(..header_end).unwrap_or(&text)) {
        return Err(CsvError::UnclosedHeaderQuote);
    }
    let keys: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() {
            continue;
        }
        if keys.iter().take(i).any(|k| k == key) {
            return Err(CsvError::DuplicateColumn(key.clone()));
        }
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The csv crate's own line count skips blank lines, so count newlines up to each record's
    // byte offset: the line number in an error must be the one the user's editor shows.
    let mut lines = LineCounter::new(text.as_bytes());
    // Where the reader's input starts in `text`: a reader restarts after an unclosed quote.
    let mut base = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = base + record.position().map_or(0, csv::Position::byte);
                let line = lines.line_at(start);
                let fields: Vec<String> = record.iter().map(str::to_owned).collect();
                // A blank line in the middle of the file is not an application.
                if fields.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let end = base + reader.position().byte();
                let full = byte_range(&text, start, end);
                // The record's offset may point at blank lines the reader skipped before it.
                let raw = full.trim_start_matches(['\r', '\n']);
                let start = start + (full.len() - raw.len()) as u64;
                // A quoted cell that runs over lines and leaves the row the wrong width or an
                // odd number of quotes, or that runs to the end of the file, is a quote left
                // open: it swallows every line up to the next quote. Report it at its line and
                // read on from the next; a quoted cell over lines that fits stays one cell.
                let open = ends_in_quote(raw, delimiter);
                let unclosed = if spans_lines(raw) {
                    open || fields.len() != headers.len() || raw.matches('"').count() % 2 == 1
                } else {
                    open
                };
                if unclosed {
                    let first = raw.split('\n').next().unwrap_or_default();
                    rows.push(Err(RowError {
                        line,
                        fields: cells(builder(false), first),
                        message: "the row has a quote (`\"`) that is not closed on its line"
                            .to_owned(),
                    }));
                    base = start + first.len() as u64 + 1;
                    reader = builder(false)
                        .from_reader(byte_range(&text, base, text.len() as u64).as_bytes());
                    continue;
                }
                if fields.len() == headers.len() {
                    rows.push(Ok(Row { line, fields }));
                } else {
                    rows.push(Err(RowError {
                        line,
                        message: format!(
                            "the row has {} cells where the header has {} columns",
                            fields.len(),
                            headers.len()
                        ),
                        fields,
                    }));
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(base + p.byte()));
                rows.push(Err(RowError {
                    line,
                    fields: Vec::new(),
                    message: format!("the row is not readable CSV: {e}"),
                }));
            }
        }
    }
    Ok(Table {
        delimiter,
        encoding,
        had_bom,
        headers,
        keys,
        rows,
    })
}

/// Whether a record's text runs over more than one line (blank lines around it aside).
fn spans_lines(raw: &str) -> bool {
    raw.trim_matches(['\r', '\n']).contains('\n')
}

/// Whether a record's text ends inside a quoted cell, as the csv reader reads quotes: a quote
/// opens a cell only at its start, `""` inside is one quote, and after the closing quote the
/// cell goes on unquoted.
fn ends_in_quote(raw: &str, delimiter: u8) -> bool {
    #[derive(PartialEq)]
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::CellStart;
    for b in raw.bytes() {
        let ends_cell = b == delimiter || b == b'\n' || b == b'\r';
        state = match state {
            State::CellStart if b == b'"' => State::Quoted,
            State::CellStart | State::Unquoted | State::QuoteInQuoted if ends_cell => {
                State::CellStart
            }
            State::CellStart | State::Unquoted => State::Unquoted,
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            State::QuoteInQuoted => State::Unquoted,
        };
    }
    state == State::Quoted
}

/// `text[start..end]`, or what of it lies in the text.
fn byte_range(text: &str, start: u64, end: u64) -> &str {
    let at = |b: u64| usize::try_from(b).unwrap_or(usize::MAX).min(text.len());
    text.get(at(start)..at(end)).unwrap_or_default()
}

/// The cells of one line as the reader sees them.
fn cells(builder: csv::ReaderBuilder, line: &str) -> Vec<String> {
    let line = line.trim_end_matches('\r');
    builder
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The header's columns that no field of the version declares, as written (a column without a
/// name is ignored, not unknown); an error when no column is a field at all, for then the first
/// row is data, or the file is not separated by `,` or `;`, and every row would be `invalid`.
pub fn unknown_columns(table: &Table, fields: &Fields) -> Result<Vec<String>, CsvError> {
    let named: Vec<&String> = table
        .headers
        .iter()
        .zip(&table.keys)
        .filter(|(_, key)| !key.is_empty())
        .map(|(header, _)| header)
        .collect();
    let unknown: Vec<String> = table
        .headers
        .iter()
        .zip(&table.keys)
        .filter(|(_, key)| !key.is_empty() && fields.index_of(key).is_none())
        .map(|(header, _)| header.clone())
        .collect();
    if unknown.len() < named.len() {
        return Ok(unknown);
    }
    const SHOWN: usize = 5;
    let mut columns = named
        .iter()
        .take(SHOWN)
        .map(|h| format!("`{h}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if named.len() > SHOWN {
        columns.push_str(&format!(", … {} in all", named.len()));
    }
    if named.is_empty() {
        columns = "every cell is empty".to_owned();
    }
    let tabs = if table.headers.iter().any(|h| h.contains('\t')) {
        "; the file seems separated by tabs: save it as CSV with `,` or `;`"
    } else {
        ""
    };
    Err(CsvError::NoKnownColumn {
        columns,
        example: fields
            .get(fields.amount_index())
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        tabs,
    })
}

/// Turns increasing byte offsets into 1-based line numbers in one pass over the text.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // A record's offset may point at blank lines the reader skipped before it.
        while let Some(b'\n' | b'\r') = self.text.get(target) {
            target += 1;
        }
        if target > self.offset {
            let newlines = self
                .text
                .get(self.offset..target)
                .map_or(0, |s| s.iter().filter(|&&b| b == b'\n').count());
            self.line += newlines as u64;
            self.offset = target;
        }
        self.line
    }
}

/// `1234,56` → `1234.56`; anything else is returned unchanged (the engine judges it).
/// Only a plain number with one comma and one or two decimals is converted, so `25.000,00`
/// (a thousands separator) stays invalid, as the contract wants.
pub fn decimal_comma(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim();
    let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let plain = digits.split_once(',').is_some_and(|(int, frac)| {
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && (1..=2).contains(&frac.len())
            && frac.bytes().all(|b| b.is_ascii_digit())
    });
    if plain {
        Cow::Owned(trimmed.replacen(',', ".", 1))
    } else {
        Cow::Borrowed(value)
    }
}

/// Excel's boolean spellings become JSON booleans; any other text is passed on as a string, so
/// the engine reports it as an invalid boolean for that field.
fn boolean_cell(value: &str) -> Value {
    match value.trim().to_lowercase().as_str() {
        "true" | "waar" | "vrai" => Value::Bool(true),
        "false" | "onwaar" | "faux" => Value::Bool(false),
        _ => Value::String(value.to_owned()),
    }
}

/// `category:amount;category:amount` → `[{"category":…,"amount_eur":…}, …]`. An item without
/// a `:` keeps only its category, so the engine reports the missing amount at its index.
pub fn purposes_cell(value: &str) -> Value {
    let items = value
        .split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut purpose = Map::new();
            match item.rsplit_once(':') {
                Some((category, amount)) => {
                    purpose.insert(
                        "category".to_owned(),
                        Value::String(category.trim().to_owned()),
                    );
                    purpose.insert(
                        "amount_eur".to_owned(),
                        Value::String(decimal_comma(amount).trim().to_owned()),
                    );
                }
                None => {
                    purpose.insert("category".to_owned(), Value::String(item.to_owned()));
                }
            }
            Value::Object(purpose)
        })
        .collect();
    Value::Array(items)
}

/// One row as the contract's bare application JSON text (see [`row_to_value`]).
pub fn row_to_application(keys: &[String], kinds: &ColumnKinds, fields: &[String]) -> String {
    row_to_value(keys, kinds, fields).to_string()
}

/// One row as the contract's bare application object. An empty cell is an absent field;
/// a column without a name is ignored; unknown columns are passed on (the engine warns).
pub fn row_to_value(keys: &[String], kinds: &ColumnKinds, fields: &[String]) -> Value {
    let mut app = Map::new();
    for ((key, cell), kind) in keys.iter().zip(fields).zip(&kinds.0) {
        if key.is_empty() || cell.trim().is_empty() {
            continue;
        }
        let value = match kind {
            Column::Money => Value::String(decimal_comma(cell).into_owned()),
            Column::Boolean => boolean_cell(cell),
            Column::Purposes => purposes_cell(cell),
            Column::Text => Value::String(cell.clone()),
        };
        app.insert(key.clone(), value);
    }
    Value::Object(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter("a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
    }

    #[test]
    fn decodes_bom_and_windows_1252() {
        let (t, e, bom) = decode(b"\xEF\xBB\xBFa;b");
        assert_eq!((t.as_ref(), e, bom), ("a;b", TextEncoding::Utf8, true));
        let (t, e, bom) = decode(b"soci\xE9t\xE9 anonyme");
        assert_eq!(
            (t.as_ref(), e, bom),
            ("société anonyme", TextEncoding::Windows1252, false)
        );
    }

    #[test]
    fn decimal_commas_only_plain() {
        assert_eq!(decimal_comma("1234,56"), "1234.56");
        assert_eq!(decimal_comma(" -12,5 "), "-12.5");
        assert_eq!(decimal_comma("25.000,00"), "25.000,00");
        assert_eq!(decimal_comma("1000"), "1000");
        assert_eq!(decimal_comma("1,234"), "1,234");
    }

    #[test]
    fn builds_application() {
        let keys: Vec<String> = [
            "amount_requested_eur",
            "funding_purposes",
            "is_takeover",
            "x",
            "",
        ]
        .map(String::from)
        .to_vec();
        let fields: Vec<String> = [
            "12500,50",
            "investment:10000; working_capital:2500,5;",
            "WAAR",
            "",
            "y",
        ]
        .map(String::from)
        .to_vec();
        let kredo = crate::Kredo::embedded().unwrap();
        let rs = kredo
            .select("impulskrediet", crate::Date::MIN, Some("2025-01-01"))
            .unwrap();
        let kinds = ColumnKinds::new(&keys, &rs.fields);
        let json = row_to_application(&keys, &kinds, &fields);
        let v: Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(v["amount_requested_eur"], "12500.50");
        assert_eq!(v["is_takeover"], true);
        assert_eq!(v["funding_purposes"][1]["amount_eur"], "2500.5");
        assert_eq!(v["funding_purposes"].as_array().map(Vec::len), Some(2));
        assert!(v.get("x").is_none());
    }

    #[test]
    fn decodes_utf16_with_and_without_bom() {
        let text = "legal_form;région\r\nBV;x\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let cases = [
            (
                [b"\xFF\xFE".as_slice(), &le].concat(),
                TextEncoding::Utf16Le,
                true,
            ),
            (le.clone(), TextEncoding::Utf16Le, false),
            (
                [b"\xFE\xFF".as_slice(), &be].concat(),
                TextEncoding::Utf16Be,
                true,
            ),
            (be, TextEncoding::Utf16Be, false),
        ];
        for (bytes, encoding, bom) in cases {
            let (t, e, b) = decode(&bytes);
            assert_eq!((t.as_ref(), e, b), (text, encoding, bom));
        }
        // Text without zero bytes is no UTF-16.
        assert_eq!(decode(b"a;b\n").1, TextEncoding::Utf8);
    }

    #[test]
    fn an_unclosed_quote_is_reported_at_its_line_and_swallows_nothing() {
        let t = read_table(b"a;b\n1;\"open\n2;3\n\n4;\"x\"\"y\"\n5;\"two\nlines\"\n6;\"end")
            .unwrap_or_else(|_| unreachable!());
        let rows: Vec<(u64, Result<Vec<String>, String>)> = t
            .rows
            .iter()
            .map(|r| match r {
                Ok(row) => (row.line, Ok(row.fields.clone())),
                Err(e) => (e.line, Err(format!("{:?} {}", e.fields, e.message))),
            })
            .collect();
        let cells = |c: &[&str]| Ok(c.iter().map(|s| (*s).to_owned()).collect());
        let unclosed = |c: &str| {
            Err(format!(
                "{c} the row has a quote (`\"`) that is not closed on its line"
            ))
        };
        assert_eq!(
            rows,
            [
                (2, unclosed(r#"["1", "open"]"#)),
                (3, cells(&["2", "3"])),
                (5, cells(&["4", "x\"y"])),
                (6, cells(&["5", "two\nlines"])),
                (8, unclosed(r#"["6", "end"]"#)),
            ]
        );
        assert!(matches!(
            read_table(b"a;\"b\n1;2\n"),
            Err(CsvError::UnclosedHeaderQuote)
        ));
    }

    #[test]
    fn unknown_columns_are_named_and_a_header_of_none_known_is_refused() {
        let kredo = crate::Kredo::embedded().unwrap_or_else(|_| unreachable!());
        let rs = kredo
            .select("impulskrediet", crate::Date::MIN, Some("2025-01-01"))
            .unwrap_or_else(|_| unreachable!());
        let table = |bytes: &[u8]| read_table(bytes).unwrap_or_else(|_| unreachable!());
        let unknown = unknown_columns(&table(b"Legal_Form;Colour;;x\n"), &rs.fields);
        assert_eq!(
            unknown.ok(),
            Some(vec!["Colour".to_owned(), "x".to_owned()])
        );
        for (input, message) in [
            (
                b"name;amount\nAn;500\n".as_slice(),
                "the CSV header names no known field (`name`, `amount`): the first row must name the columns, e.g. `amount_requested_eur`",
            ),
            (
                b"a,b,c,d,e,f,g\n",
                "the CSV header names no known field (`a`, `b`, `c`, `d`, `e`, … 7 in all): the first row must name the columns, e.g. `amount_requested_eur`",
            ),
            (
                b"legal_form\tregion\nBV\tflanders\n",
                "the CSV header names no known field (`legal_form\tregion`): the first row must name the columns, e.g. `amount_requested_eur`; the file seems separated by tabs: save it as CSV with `,` or `;`",
            ),
        ] {
            let e = unknown_columns(&table(input), &rs.fields)
                .err()
                .map(|e| e.to_string());
            assert_eq!(e.as_deref(), Some(message));
        }
    }

    #[test]
    fn keeps_bad_rows_in_place() {
        let t = read_table(b"a;b\n1;2\n3\n\n4;5\n").unwrap_or_else(|_| unreachable!());
        assert_eq!(t.rows.len(), 3);
        assert!(matches!(&t.rows[1], Err(RowError { line: 3, .. })));
        assert!(
            matches!(&t.rows[2], Ok(Row { line: 5, .. })),
            "{:?}",
            t.rows
        );
    }
}
