//! Batch screening: a CSV of applications in, the same CSV with each row's decision out.
//!
//! Used by `kredo batch` and `POST /api/v1/batch`. A bad row never stops the batch: it gets its
//! own errors, with its line number, in its own output row. Only a file with no readable header,
//! or batch options the engine refuses (an unknown product, a bad date), fail the whole batch,
//! and they do so before any row is screened.
//!
//! Rows are screened on every core: the table is cut into chunks that worker threads take in
//! turn, each worker writes its chunk's output rows, and the chunks are joined in input order.
//! A batch whose caller has given up (the server's request timed out, its client left) stops at
//! the next chunk: see [`run_cancellable`].

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::model::Decision;
use crate::{Kredo, Request, RequestError, Selection};

use super::csv_in::{self, CsvError, Row, RowError, Table, TextEncoding};

/// Columns added after the input's own.
pub const OUTPUT_COLUMNS: [&str; 5] = [
    "outcome",
    "reason_ids",
    "messages",
    "monthly_instalment_eur",
    "errors",
];

/// Columns added after those with `--score` (staff only): the total, the band and the ids of
/// the principal reasons (the first four, by points lost), space-separated.
pub const SCORE_COLUMNS: [&str; 3] = ["score_total", "score_band", "score_reasons"];

/// Every column a batch can add: [`OUTPUT_COLUMNS`], then [`SCORE_COLUMNS`].
type Extra = [String; 8];

/// What a batch adds besides the decision columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Staff only: the scorecard's columns ([`SCORE_COLUMNS`]).
    pub score: bool,
    /// Count what was found, for the report ([`BatchOutput::summary`]).
    pub summary: bool,
}

/// The upper bounds of the amount buckets of [`Summary::amounts`], in euros; the last bucket
/// has none.
pub const AMOUNT_BUCKETS: [u32; 5] = [5_000, 10_000, 15_000, 20_000, 25_000];

/// What a batch found, counted: the report's data. Unreadable rows count as outcome `error`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Outcome → rows.
    pub outcomes: BTreeMap<String, usize>,
    /// Reason id → (rows it fired on, its message in the batch's language).
    pub reasons: BTreeMap<String, (usize, String)>,
    /// Score band → rows scored.
    pub bands: BTreeMap<String, usize>,
    /// Rows by amount requested: up to each of [`AMOUNT_BUCKETS`], then above the last.
    pub amounts: [usize; 6],
    /// The amounts requested (valid ones), summed, and how many.
    pub amount_total: Decimal,
    /// How many rows had a valid amount.
    pub amount_rows: usize,
}

impl Summary {
    fn add(&mut self, d: &Decision<'_>) {
        *self
            .outcomes
            .entry(d.outcome.as_str().to_owned())
            .or_default() += 1;
        for r in &d.reasons {
            self.reasons
                .entry(r.id.to_owned())
                .or_insert_with(|| (0, r.message_text.to_owned()))
                .0 += 1;
        }
        if let Some(score) = &d.score {
            *self.bands.entry(score.band.to_owned()).or_default() += 1;
        }
        if let Some(amount) = d.normalized.amount() {
            let bucket = AMOUNT_BUCKETS
                .iter()
                .position(|b| amount <= Decimal::from(*b))
                .unwrap_or(AMOUNT_BUCKETS.len());
            if let Some(n) = self.amounts.get_mut(bucket) {
                *n += 1;
            }
            self.amount_total += amount;
            self.amount_rows += 1;
        }
    }

    fn merge(&mut self, other: Summary) {
        for (k, n) in other.outcomes {
            *self.outcomes.entry(k).or_default() += n;
        }
        for (k, (n, message)) in other.reasons {
            self.reasons.entry(k).or_insert((0, message)).0 += n;
        }
        for (k, n) in other.bands {
            *self.bands.entry(k).or_default() += n;
        }
        for (a, b) in self.amounts.iter_mut().zip(other.amounts) {
            *a += b;
        }
        self.amount_total += other.amount_total;
        self.amount_rows += other.amount_rows;
    }
}

/// One chunk's output rows as CSV bytes, how many of them carry errors, and its counts.
type ChunkOutput = (Vec<u8>, usize, Summary);

/// Rows per unit of work handed to a thread.
const CHUNK_ROWS: usize = 256;

/// The output file and a count of what happened.
#[derive(Debug, Clone)]
pub struct BatchOutput {
    /// UTF-8 CSV with the input's delimiter; starts with a BOM when the input had one or was
    /// not UTF-8, so that Excel reads the accents in French and Dutch messages right.
    pub csv: Vec<u8>,
    /// Data rows read.
    pub rows: usize,
    /// Rows whose outcome is `invalid` or that could not be read at all.
    pub rows_with_errors: usize,
    /// The delimiter of input and output.
    pub delimiter: u8,
    /// The input's encoding.
    pub encoding: TextEncoding,
    /// Header cells that name no field of the version: their cells are not read.
    pub unknown_columns: Vec<String>,
    /// The counts, when [`Options::summary`] asked for them.
    pub summary: Option<Summary>,
}

/// Why a whole batch could not run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The file is not a readable CSV table.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The selection (product, version, date, language) is refused.
    #[error("{}", .0.message)]
    Request(Box<RequestError>),
    /// Writing the output failed.
    #[error("could not write the output: {0}")]
    Output(String),
    /// The caller set the cancel flag of [`run_cancellable`] before every row was screened.
    #[error("the batch was cancelled before every row was screened")]
    Cancelled,
}

/// Screens every row of `input`. `progress` counts the rows done, for a progress bar.
pub fn run(
    kredo: &Kredo,
    input: &[u8],
    selection: &Selection<'static>,
    today: Date,
    options: Options,
    progress: &AtomicUsize,
) -> Result<BatchOutput, BatchError> {
    run_cancellable(
        kredo,
        input,
        selection,
        today,
        options,
        progress,
        &AtomicBool::new(false),
    )
}

/// [`run`] that stops early, with [`BatchError::Cancelled`], once `cancel` is set: every worker
/// looks at it before taking a chunk, so the work stops within one chunk (256 rows) per
/// thread. The server sets it when a batch request is dropped, so that a timed-out batch
/// does not keep every core busy for an answer nobody will read.
pub fn run_cancellable(
    kredo: &Kredo,
    input: &[u8],
    selection: &Selection<'static>,
    today: Date,
    options: Options,
    progress: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<BatchOutput, BatchError> {
    let score = options.score;
    let table = csv_in::read_table(input)?;
    // Reading a large file takes a while of its own: do not start screening for nobody.
    if cancel.load(Ordering::Relaxed) {
        return Err(BatchError::Cancelled);
    }
    // A selection the engine refuses would fail every row the same way: fail once, up front.
    // The version it names also says which columns hold money, booleans or purposes.
    let (rs, _, _) = kredo
        .resolve(selection, today)
        .map_err(|e| BatchError::Request(Box::new(e)))?;
    let template = Request {
        selection: selection.clone(),
        application: serde_json::Value::Object(serde_json::Map::new()),
        score,
        // The CSV has no column for suggestions: not searched.
        suggest: false,
    };
    let unknown_columns = csv_in::unknown_columns(&table, &rs.fields)?;
    let kinds = csv_in::ColumnKinds::new(&table.keys, &rs.fields);

    let decimal_comma = table.delimiter == b';';
    let chunks: Vec<&[Result<Row, RowError>]> = table.rows.chunks(CHUNK_ROWS).collect();
    let outputs: Mutex<Vec<Option<ChunkOutput>>> = Mutex::new(vec![None; chunks.len()]);
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(chunks.len().max(1));
    let worker = || -> Result<(), BatchError> {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(BatchError::Cancelled);
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(i) else {
                return Ok(());
            };
            let done = screen_chunk(
                kredo,
                &table,
                &kinds,
                chunk,
                &template,
                today,
                decimal_comma,
                options.summary,
            )?;
            progress.fetch_add(chunk.len(), Ordering::Relaxed);
            let mut outputs = outputs
                .lock()
                .map_err(|_| BatchError::Output("a worker thread failed".to_owned()))?;
            if let Some(slot) = outputs.get_mut(i) {
                *slot = Some(done);
            }
        }
    };
    let results: Vec<Result<(), BatchError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(BatchError::Output("a worker thread failed".to_owned()))
                })
            })
            .collect()
    });
    for result in results {
        result?;
    }

    let mut csv = Vec::with_capacity(input.len() * 2 + 1024);
    if table.had_bom || table.encoding != TextEncoding::Utf8 {
        csv.extend_from_slice(b"\xEF\xBB\xBF");
    }
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(table.delimiter)
            .from_writer(&mut csv);
        let header = table
            .headers
            .iter()
            .map(String::as_str)
            .chain(OUTPUT_COLUMNS)
            .chain(SCORE_COLUMNS.into_iter().filter(|_| score))
            .map(inert_bytes);
        writer
            .write_record(header)
            .map_err(|e| BatchError::Output(e.to_string()))?;
        writer
            .flush()
            .map_err(|e| BatchError::Output(e.to_string()))?;
    }
    let mut rows_with_errors = 0;
    let outputs = outputs
        .into_inner()
        .map_err(|_| BatchError::Output("a worker thread failed".to_owned()))?;
    let mut summary = Summary::default();
    for (bytes, errors, counted) in outputs.into_iter().flatten() {
        csv.extend_from_slice(&bytes);
        rows_with_errors += errors;
        summary.merge(counted);
    }
    Ok(BatchOutput {
        csv,
        rows: table.rows.len(),
        rows_with_errors,
        delimiter: table.delimiter,
        encoding: table.encoding,
        unknown_columns,
        summary: options.summary.then_some(summary),
    })
}

/// Screens one chunk and writes its output rows (no header) as CSV bytes.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; each argument a different part of the batch"
)]
fn screen_chunk(
    kredo: &Kredo,
    table: &Table,
    kinds: &csv_in::ColumnKinds,
    chunk: &[Result<Row, RowError>],
    template: &Request,
    today: Date,
    decimal_comma: bool,
    count: bool,
) -> Result<ChunkOutput, BatchError> {
    let mut summary = Summary::default();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(table.delimiter)
        .has_headers(false)
        .from_writer(Vec::with_capacity(chunk.len() * 256));
    let mut errors = 0;
    let width = table.headers.len();
    let added = if template.score {
        OUTPUT_COLUMNS.len() + SCORE_COLUMNS.len()
    } else {
        OUTPUT_COLUMNS.len()
    };
    for row in chunk {
        let (fields, extra): (&[String], Extra) = match row {
            Ok(row) => {
                let mut request = template.clone();
                request.application = csv_in::row_to_value(&table.keys, kinds, &row.fields);
                let extra = match kredo.evaluate(&request, today) {
                    Ok(decision) => {
                        if !decision.errors.is_empty() {
                            errors += 1;
                        }
                        if count {
                            summary.add(&decision);
                        }
                        decision_columns(&decision, row.line, decimal_comma)
                    }
                    Err(e) => {
                        errors += 1;
                        if count {
                            *summary.outcomes.entry("error".to_owned()).or_default() += 1;
                        }
                        error_columns(row.line, &e.message)
                    }
                };
                (&row.fields, extra)
            }
            Err(bad) => {
                errors += 1;
                if count {
                    *summary.outcomes.entry("error".to_owned()).or_default() += 1;
                }
                (&bad.fields, error_columns(bad.line, &bad.message))
            }
        };
        // A short row is padded and a long one cut, so every output row has the header's width.
        let cells = (0..width)
            .map(|i| fields.get(i).map_or("", String::as_str))
            .chain(extra.iter().take(added).map(String::as_str))
            .map(inert_bytes);
        writer
            .write_record(cells)
            .map_err(|e| BatchError::Output(e.to_string()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| BatchError::Output(e.to_string()))?;
    Ok((bytes, errors, summary))
}

/// outcome, reason ids, messages, instalment, errors for one decision; then its score's total,
/// band and principal reasons when it has a score.
fn decision_columns(decision: &Decision<'_>, line: u64, decimal_comma: bool) -> Extra {
    let ids = decision
        .reasons
        .iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
        .join(" ");
    let messages = decision
        .reasons
        .iter()
        .map(|r| r.message_text)
        .collect::<Vec<_>>()
        .join(" | ");
    let instalment = decision
        .indicative
        .as_ref()
        .map(|i| {
            let text = i.monthly_instalment_eur.to_string();
            if decimal_comma {
                text.replace('.', ",")
            } else {
                text
            }
        })
        .unwrap_or_default();
    let mut errors = String::new();
    if !decision.errors.is_empty() {
        let _ = write!(errors, "line {line}: ");
        for (i, e) in decision.errors.iter().enumerate() {
            if i > 0 {
                errors.push_str(" | ");
            }
            let _ = write!(errors, "{}: {}", e.field, e.message);
        }
    }
    let (total, band, principal) = match &decision.score {
        Some(score) => (
            score.total.to_string(),
            score.band.to_owned(),
            score
                .reasons
                .iter()
                .take(4)
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => Default::default(),
    };
    [
        decision.outcome.as_str().to_owned(),
        ids,
        messages,
        instalment,
        errors,
        total,
        band,
        principal,
    ]
}

/// The columns of a row that got no decision at all.
fn error_columns(line: u64, message: &str) -> Extra {
    [
        "error".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        format!("line {line}: {message}"),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// A cell as a spreadsheet will not run it. A cell that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return is a formula to Excel and LibreOffice (`=HYPERLINK("http://…")` in a
/// project description would reach staff live), so it gets a leading `'`, as OWASP's
/// "CSV injection" guidance says; a spreadsheet shows the `'` only in the cell's editor.
/// A plain number (`-200`, `-200,50`) is data, not a formula, and is left as it is, so
/// negative amounts stay numbers.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// [`inert`] as the bytes the CSV writer takes.
fn inert_bytes(cell: &str) -> std::borrow::Cow<'_, [u8]> {
    match inert(cell) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

/// `-?digits` with at most one `.` or `,` between digits.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mut parts = digits.splitn(2, ['.', ',']);
    let whole = parts.next().unwrap_or_default();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && parts.next().is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formula_cells_are_made_inert_and_numbers_are_not() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+32 2 123", "'+32 2 123"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-200", "-200"),
            ("-200,50", "-200,50"),
            ("-200.5", "-200.5"),
            ("12500", "12500"),
            ("café = bon", "café = bon"),
            ("", ""),
        ] {
            assert_eq!(inert(cell), out, "{cell:?}");
        }
    }
}
