//! Any bytes as a CSV batch: never a panic; no output cell is a live spreadsheet formula
//! (a negative number stays a number).
#![no_main]

use kredo::native::batch;
use kredo::{Date, Kredo, Selection};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::sync::atomic::AtomicUsize;

fn engine() -> &'static Kredo {
    static K: OnceLock<Kredo> = OnceLock::new();
    K.get_or_init(|| Kredo::embedded().expect("the embedded rule sets compile"))
}

fuzz_target!(|data: &[u8]| {
    let today = Date::parse("2026-11-30").expect("a date");
    let selection = Selection::default();
    let Ok(out) = batch::run(
        engine(),
        data,
        &selection,
        today,
        batch::Options::default(),
        &AtomicUsize::new(0),
    ) else {
        return;
    };
    assert!(out.rows_with_errors <= out.rows);
    let text = String::from_utf8(out.csv).expect("the output is UTF-8");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv_cells(text, out.delimiter);
    while let Some(cell) = reader.next() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || negative_number(&cell),
            "a live formula in the output: {cell:?}"
        );
    }
});

/// `-200`, `-200.50`, `-200,50`: a negative number, which a spreadsheet reads as data.
fn negative_number(cell: &str) -> bool {
    let Some(rest) = cell.strip_prefix('-') else {
        return false;
    };
    let mut parts = rest.splitn(2, ['.', ',']);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_some_and(digits) && parts.next().is_none_or(digits)
}

/// The cells of a CSV text, quotes removed (RFC 4180), enough to see how each cell starts.
fn csv_cells(text: &str, delimiter: u8) -> impl Iterator<Item = String> + '_ {
    let delimiter = char::from(delimiter);
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let mut cell = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = !quoted,
                c if !quoted && (c == delimiter || c == '\n') => return Some(cell),
                '\r' if !quoted && chars.peek() == Some(&'\n') => {}
                c => cell.push(c),
            }
        }
        Some(cell)
    })
}
