//! Errors for rule authors: which product, version and file, where in it, and a hint.

use serde::Serialize;
use std::fmt;

/// One problem in a rule set, pointing at a file and, where known, a line and column.
///
/// Messages follow one style: lowercase, one line, user text in backticks, no Rust type
/// names; `help` carries the suggestion ("did you mean `term_months`?").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Diagnostic {
    /// The product id.
    pub product: String,
    /// The version id.
    pub version: String,
    /// Path inside the version directory, `/`-separated: `rules/amount_above_max.rhai`.
    pub file: String,
    /// 1-based line, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What is wrong: one line, lowercase, user text in backticks.
    pub message: String,
    /// A suggestion ("did you mean `term_months`?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where the file is stored, relative to the rules root, when that is not
    /// `<product>/<version>/<file>` (an inherited file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The offending source line, for a caret display; not serialized.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A problem in a file of one version.
    pub fn new(product: &str, version: &str, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            product: product.to_owned(),
            version: version.to_owned(),
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            origin: None,
            source_line: None,
        }
    }

    /// Names where the file is stored, relative to the rules root.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Diagnostic {
        self.origin = Some(origin.into());
        self
    }

    /// Points the diagnostic at a position in `source` (1-based line and column).
    ///
    /// A position past the last line (where a parser reports a script that ends too early)
    /// is shown just after the end of the last line that has text.
    pub fn at(mut self, source: &str, line: Option<usize>, column: Option<usize>) -> Diagnostic {
        let (line, column) = match line {
            Some(l) if l > 1 && source.lines().nth(l - 1).is_none() => source
                .lines()
                .enumerate()
                .filter(|(_, text)| !text.trim().is_empty())
                .last()
                .map_or((line, column), |(i, text)| {
                    (Some(i + 1), Some(text.chars().count() + 1))
                }),
            _ => (line, column),
        };
        self.line = line;
        self.column = column;
        self.source_line = line
            .and_then(|l| source.lines().nth(l.saturating_sub(1)))
            .map(str::to_owned);
        self
    }

    /// Adds a suggestion.
    pub fn with_help(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// `impulskrediet/2025-01-01/rules/amount_above_max.rhai:3:5`
    pub fn location(&self) -> String {
        let mut s = match &self.origin {
            Some(origin) => origin.clone(),
            None => format!("{}/{}/{}", self.product, self.version, self.file),
        };
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                s.push_str(&format!(":{column}"));
            }
        }
        s
    }

    /// The source line with a caret under the column, as a compiler shows it.
    pub fn snippet(&self) -> Option<String> {
        let (line, text) = (self.line?, self.source_line.as_ref()?);
        let width = line.to_string().len();
        let caret = self
            .column
            .map(|c| format!("\n{:width$} | {}^", "", " ".repeat(c.saturating_sub(1))));
        Some(format!(
            "{:width$} |\n{line} | {text}{}",
            "",
            caret.unwrap_or_default()
        ))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found while loading rule sets (all of them, not only the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// Every problem, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in &self.diagnostics {
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> LoadError {
        LoadError {
            diagnostics: vec![d],
        }
    }
}

/// The 1-based line and column (in characters) of byte offset `at` in `text`, as every
/// diagnostic counts them; `None` when `at` is not on a character boundary of `text`.
pub fn line_column(text: &str, at: usize) -> Option<(usize, usize)> {
    let before = text.get(..at)?;
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// serde's message without the ` at line L column C` it appends: every face reports the
/// position in its own fields (a diagnostic's line and column, an error body's).
pub(crate) fn without_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .and_then(|i| message.get(..i))
        .unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["term_months", "amount_requested_eur", "region"];
        assert_eq!(nearest("term_month", names), Some("term_months"));
        assert_eq!(
            nearest("amount_requestd_eur", names),
            Some("amount_requested_eur")
        );
        assert_eq!(nearest("colour", names), None);
    }

    #[test]
    fn snippet_has_a_caret_under_the_column() {
        let d = Diagnostic::new("p", "v", "rules/x.rhai", "boom").at(
            "a\n  bad thing\n",
            Some(2),
            Some(3),
        );
        assert_eq!(
            d.snippet().as_deref(),
            Some("  |\n2 |   bad thing\n  |   ^")
        );
        assert_eq!(d.to_string(), "p/v/rules/x.rhai:2:3: boom");
    }
}
