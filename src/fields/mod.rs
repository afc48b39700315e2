//! The application's fields as rule-set data: every field declared once, in `fields/*.json`,
//! with its kind, bounds, aliases and the texts people see in nl, fr and en.
//!
//! Everything else derives from these declarations: validation and its errors
//! ([`crate::validate`]), the variables rules may read and their `READS` check
//! ([`crate::script`]), the order of `normalized`, the CSV column kinds, the OpenAPI schema and
//! the self-check page's questions (through [`Fields::schema`]). Rust keeps one parser per
//! *kind*; a new field of a known kind needs no Rust.

use crate::diag::did_you_mean;
use crate::model::Language;
use crate::money::parse_money;
use crate::script::ImmutableString;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

mod decl;
use decl::FieldsFile;
pub use decl::{FieldDecl, FieldText, OptionDecl, PageDecl, PageText};

/// The fields the engine itself computes with (the indicative instalment); every product's
/// declarations must define them with these kinds.
pub const AMOUNT_FIELD: &str = "amount_requested_eur";
/// See [`AMOUNT_FIELD`].
pub const TERM_FIELD: &str = "term_months";

/// The longest term the engine computes an instalment for, in months: the annuity table's size.
pub const MAX_TERM_MONTHS: u32 = 600;

/// Canonical values of one enum and the folded spellings that lead to them.
#[derive(Debug, Clone, Default)]
pub struct EnumTable {
    values: Vec<(String, ImmutableString)>,
    /// A `BTreeMap`, not a `HashMap`: no random hash keys in the core, and for a few dozen
    /// short keys it is as fast.
    lookup: BTreeMap<String, usize>,
}

impl EnumTable {
    /// Looks up a raw answer: trimmed, inner whitespace folded, case-folded.
    pub fn lookup(&self, raw: &str) -> Option<usize> {
        if let Some(i) = self.lookup.get(raw) {
            return Some(*i);
        }
        self.lookup.get(&fold(raw)).copied()
    }
    /// The canonical spelling of value `index`.
    pub fn canonical(&self, index: usize) -> Option<&str> {
        self.values.get(index).map(|(s, _)| s.as_str())
    }
    /// The canonical value as a shared script string (no allocation per decision).
    pub fn script_value(&self, index: usize) -> Option<ImmutableString> {
        self.values.get(index).map(|(_, s)| s.clone())
    }
    /// The canonical values, in declaration order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(s, _)| s.as_str())
    }
}

/// Trim, fold inner whitespace to one space, lower-case the Latin letters ([`latin_lower`]).
///
/// A letter followed by a combining accent (`o` + U+0308, as some keyboards and PDFs write
/// `ö`) is composed first, the way Unicode's NFC does for the accented Latin letters of Dutch
/// and French, so a decomposed `Coöperatieve vennootschap` finds its alias. (Full NFC tables
/// would cost the page more than all of Kredo's own code for letters no alias uses.)
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().map(latin_lower) {
            match out.pop() {
                Some(base) => match compose(base, c) {
                    Some(composed) => out.push(composed),
                    None => {
                        out.push(base);
                        out.push(c);
                    }
                },
                None => out.push(c),
            }
        }
    }
    out
}

/// Lower case for the letters of the Latin alphabets (ASCII, Latin-1, Latin Extended-A: every
/// letter of Dutch, French, German and the other languages an alias is written in); any other
/// character is kept as it is. Unicode's full case tables would cost the page 9 KB brotli.
fn latin_lower(c: char) -> char {
    let code = c as u32;
    let lower = match c {
        'A'..='Z' | 'À'..='Ö' | 'Ø'..='Þ' => code + 32,
        // U+0130 (İ) lower-cases to two characters in Unicode; it stays as it is.
        '\u{100}'..='\u{12f}' | '\u{132}'..='\u{137}' | '\u{14a}'..='\u{177}'
            if code.is_multiple_of(2) =>
        {
            code + 1
        }
        '\u{139}'..='\u{148}' | '\u{179}'..='\u{17e}' if !code.is_multiple_of(2) => code + 1,
        'Ÿ' => 'ÿ' as u32,
        _ => code,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// A lower-case Latin letter and a combining accent, as one character.
fn compose(base: char, mark: char) -> Option<char> {
    let row: &[(char, char)] = match mark {
        '\u{300}' => &[('a', 'à'), ('e', 'è'), ('i', 'ì'), ('o', 'ò'), ('u', 'ù')],
        '\u{301}' => &[
            ('a', 'á'),
            ('e', 'é'),
            ('i', 'í'),
            ('o', 'ó'),
            ('u', 'ú'),
            ('y', 'ý'),
        ],
        '\u{302}' => &[('a', 'â'), ('e', 'ê'), ('i', 'î'), ('o', 'ô'), ('u', 'û')],
        '\u{303}' => &[('a', 'ã'), ('n', 'ñ'), ('o', 'õ')],
        '\u{308}' => &[
            ('a', 'ä'),
            ('e', 'ë'),
            ('i', 'ï'),
            ('o', 'ö'),
            ('u', 'ü'),
            ('y', 'ÿ'),
        ],
        '\u{30a}' => &[('a', 'å')],
        '\u{327}' => &[('c', 'ç')],
        _ => return None,
    };
    row.iter().find(|(b, _)| *b == base).map(|(_, c)| *c)
}

/// What a field holds, with the bounds its declaration gives; each kind has one parser in
/// [`crate::validate`].
#[derive(Debug, Clone)]
pub enum Kind {
    /// Exact decimal money within the contract's ±1,000,000.00.
    Money {
        /// Must be more than 0.
        positive: bool,
        /// The smallest amount allowed, if any.
        min: Option<Decimal>,
    },
    /// A whole number in `min..=max`.
    Integer {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
    },
    /// One of the canonical values, or an alias of one.
    Enum {
        /// The values and aliases.
        table: EnumTable,
        /// A JSON number is read as its text.
        accept_number: bool,
    },
    /// JSON `true` or `false`.
    Boolean,
    /// Free text up to a length.
    Text {
        /// The most characters.
        max_length: usize,
    },
    /// NACE-BEL code, canonical `dd.ddd`.
    NaceCode,
    /// KBO/BCE enterprise number, canonical `0566.988.259`.
    EnterpriseNumber,
    /// An ISO date, `2025-03-01`.
    Date,
    /// A list of `{category, amount_eur}`.
    Purposes {
        /// The categories.
        table: EnumTable,
    },
}

/// One field, compiled.
#[derive(Debug, Clone)]
pub struct Field {
    /// The application's key.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
    /// Whether a missing value fires `missing_required`.
    pub required: bool,
    /// Whether rules may read it.
    pub readable: bool,
    /// Why not, when not.
    pub note: Option<String>,
}

/// Every field of one rule-set version, in declaration order (the order of `normalized`).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    list: Vec<Field>,
    /// (name, index), sorted by length, then bytes: a look-up compares lengths (one integer)
    /// at each step and bytes only between names of equal length.
    sorted: Vec<(String, usize)>,
    pages: Vec<PageDecl>,
    decls: Vec<FieldDecl>,
    amount: usize,
    term: usize,
}

/// A problem in a declaration file: the file, a message, and the text to point at if found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclProblem {
    /// `fields/contract.json`.
    pub file: String,
    /// What is wrong.
    pub message: String,
    /// A suggestion.
    pub help: Option<String>,
    /// A snippet of the file near the problem (a field's `"name": "…"`), to find its line.
    pub near: Option<String>,
}

const KINDS: [&str; 9] = [
    "money",
    "integer",
    "enum",
    "boolean",
    "text",
    "nace_code",
    "enterprise_number",
    "date",
    "purposes",
];

fn is_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Fields {
    /// Reads and checks the declaration files of one version, in path order; a later file
    /// adds fields and pages (or fields to an earlier page of the same id).
    pub fn compile(files: &[(&str, &str)]) -> Result<Fields, Vec<DeclProblem>> {
        let mut problems = Vec::new();
        let mut out = Fields::default();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        let mut page_of: BTreeMap<String, String> = BTreeMap::new();
        for (path, text) in files {
            let file: FieldsFile = match serde_json::from_str(text) {
                Ok(f) => f,
                Err(e) => {
                    // Syntax errors are reported with line and column by the caller, which
                    // parses the file first; this only guards the shape.
                    problems.push(DeclProblem {
                        file: (*path).to_owned(),
                        message: e.to_string(),
                        help: None,
                        near: None,
                    });
                    continue;
                }
            };
            for decl in file.fields {
                let mut push = |message: String, help: Option<String>| {
                    problems.push(DeclProblem {
                        file: (*path).to_owned(),
                        message,
                        help,
                        near: Some(format!("\"{}\"", decl.name)),
                    });
                };
                if !is_name(&decl.name) {
                    push(
                        format!(
                            "field name `{}` must be lower snake case, like `term_months`",
                            decl.name
                        ),
                        None,
                    );
                }
                for lang in Language::ALL {
                    if !decl.text.contains_key(lang.as_str()) {
                        push(
                            format!("field `{}` has no `text` in `{}`", decl.name, lang.as_str()),
                            None,
                        );
                    }
                }
                for key in decl.text.keys() {
                    if Language::parse(key).is_none() {
                        push(
                            format!(
                                "field `{}`: unknown language `{key}` in `text`; use `nl`, `fr` and `en`",
                                decl.name
                            ),
                            None,
                        );
                    }
                }
                if let Some(first) = origin.get(&decl.name) {
                    push(
                        format!("field `{}` is declared in `{first}` too", decl.name),
                        None,
                    );
                    continue;
                }
                let kind = match kind_of(&decl) {
                    Ok(kind) => kind,
                    Err((message, help)) => {
                        push(message, help);
                        continue;
                    }
                };
                origin.insert(decl.name.clone(), (*path).to_owned());
                out.list.push(Field {
                    name: decl.name.clone(),
                    kind,
                    required: decl.required,
                    readable: decl.readable,
                    note: decl.note.clone(),
                });
                out.decls.push(decl);
            }
            for page in file.pages {
                for field in &page.fields {
                    if let Some(other) = page_of.insert(field.clone(), page.id.clone()) {
                        problems.push(DeclProblem {
                            file: (*path).to_owned(),
                            message: format!(
                                "field `{field}` is on page `{other}` and on page `{}`",
                                page.id
                            ),
                            help: None,
                            near: Some(format!("\"{}\"", page.id)),
                        });
                    }
                }
                match out.pages.iter_mut().find(|p| p.id == page.id) {
                    Some(existing) => existing.fields.extend(page.fields),
                    None => {
                        if page.text.len() != 3 {
                            problems.push(DeclProblem {
                                file: (*path).to_owned(),
                                message: format!(
                                    "page `{}` needs a `text` with a `title` in `nl`, `fr` and `en`",
                                    page.id
                                ),
                                help: None,
                                near: Some(format!("\"{}\"", page.id)),
                            });
                        }
                        out.pages.push(page);
                    }
                }
            }
        }
        for (field, page) in &page_of {
            if !origin.contains_key(field) {
                problems.push(DeclProblem {
                    file: files.last().map(|f| f.0).unwrap_or_default().to_owned(),
                    message: format!("page `{page}` asks for undeclared field `{field}`"),
                    help: did_you_mean(field, origin.keys().map(String::as_str)),
                    near: Some(format!("\"{field}\"")),
                });
            }
        }
        let position = |name: &str| out.list.iter().position(|f| f.name == name);
        match position(AMOUNT_FIELD) {
            Some(i) if matches!(out.list.get(i).map(|f| &f.kind), Some(Kind::Money { .. })) => {
                out.amount = i;
            }
            _ => problems.push(DeclProblem {
                file: files.first().map(|f| f.0).unwrap_or("fields/").to_owned(),
                message: format!(
                    "the fields must declare `{AMOUNT_FIELD}` as `money`: the engine computes the instalment from it"
                ),
                help: None,
                near: None,
            }),
        }
        match position(TERM_FIELD) {
            Some(i)
                if matches!(
                    out.list.get(i).map(|f| &f.kind),
                    Some(Kind::Integer { min, max }) if *min >= 1 && *max <= i64::from(MAX_TERM_MONTHS)
                ) =>
            {
                out.term = i;
            }
            _ => problems.push(DeclProblem {
                file: files.first().map(|f| f.0).unwrap_or("fields/").to_owned(),
                message: format!(
                    "the fields must declare `{TERM_FIELD}` as an `integer` within 1..{MAX_TERM_MONTHS}: the engine computes the instalment from it"
                ),
                help: None,
                near: None,
            }),
        }
        out.sorted = out
            .list
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        out.sorted.sort_by(|a, b| by_length_then_bytes(&a.0, &b.0));
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    /// The fields in declaration order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Field> {
        self.list.iter()
    }
    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }
    /// Whether there are none (never, once compiled).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// Field `index`.
    pub fn get(&self, index: usize) -> Option<&Field> {
        self.list.get(index)
    }
    /// The index of a field by name: every key of every application is looked up here.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.sorted
            .binary_search_by(|(n, _)| by_length_then_bytes(n, name))
            .ok()
            .and_then(|i| self.sorted.get(i))
            .map(|(_, index)| *index)
    }
    /// The index of the requested amount.
    pub fn amount_index(&self) -> usize {
        self.amount
    }
    /// The index of the term.
    pub fn term_index(&self) -> usize {
        self.term
    }
    /// The declarations as written (for the page, the OpenAPI schema and forms).
    pub fn declarations(&self) -> &[FieldDecl] {
        &self.decls
    }
    /// The question pages, in order.
    pub fn pages(&self) -> &[PageDecl] {
        &self.pages
    }
}

fn by_length_then_bytes(a: &str, b: &str) -> std::cmp::Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

fn decimal_of(v: &serde_json::Value) -> Option<Decimal> {
    match v {
        serde_json::Value::String(s) => parse_money(s).ok(),
        serde_json::Value::Number(n) => parse_money(n.as_str()).ok(),
        _ => None,
    }
}

fn int_of(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_str().parse().ok(),
        _ => None,
    }
}

fn table_of(decl: &FieldDecl) -> Result<EnumTable, (String, Option<String>)> {
    if decl.options.is_empty() {
        return Err((
            format!(
                "field `{}` of kind `{}` needs `options`",
                decl.name, decl.kind
            ),
            None,
        ));
    }
    let mut table = EnumTable::default();
    for (index, option) in decl.options.iter().enumerate() {
        let canonical = &option.value;
        if canonical.is_empty()
            || !canonical
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err((
                format!(
                    "field `{}`: option `{canonical}` may use only letters, digits and `_`",
                    decl.name
                ),
                None,
            ));
        }
        for lang in Language::ALL {
            if !option.label.contains_key(lang.as_str()) {
                return Err((
                    format!(
                        "field `{}`: option `{canonical}` has no label in `{}`",
                        decl.name,
                        lang.as_str()
                    ),
                    None,
                ));
            }
        }
        for spelling in std::iter::once(canonical).chain(option.aliases.iter()) {
            let key = fold(spelling);
            match table.lookup.get(&key) {
                Some(&other) if other != index => {
                    let other = table.canonical(other).unwrap_or_default().to_owned();
                    return Err((
                        format!(
                            "field `{}`: `{spelling}` leads to both `{other}` and `{canonical}`",
                            decl.name
                        ),
                        None,
                    ));
                }
                _ => {
                    table.lookup.insert(key, index);
                }
            }
        }
        table
            .values
            .push((canonical.clone(), ImmutableString::from(canonical.as_str())));
    }
    Ok(table)
}

fn kind_of(decl: &FieldDecl) -> Result<Kind, (String, Option<String>)> {
    let name = &decl.name;
    let bound = |what: &str| format!("field `{name}`: `{what}` must be a whole number");
    let unused = |what: &str| -> Result<(), (String, Option<String>)> {
        Err((
            format!(
                "field `{name}`: `{what}` does not apply to kind `{}`",
                decl.kind
            ),
            None,
        ))
    };
    if !matches!(decl.kind.as_str(), "enum" | "purposes") && !decl.options.is_empty() {
        unused("options")?;
    }
    if decl.kind != "money" && decl.positive {
        unused("positive")?;
    }
    if decl.kind != "enum" && decl.accept_number {
        unused("accept_number")?;
    }
    if decl.kind != "text" && decl.max_length.is_some() {
        unused("max_length")?;
    }
    if !matches!(decl.kind.as_str(), "money" | "integer") && decl.min.is_some() {
        unused("min")?;
    }
    if decl.kind != "integer" && decl.max.is_some() {
        unused("max")?;
    }
    Ok(match decl.kind.as_str() {
        "money" => Kind::Money {
            positive: decl.positive,
            min: match &decl.min {
                None => None,
                Some(v) => Some(decimal_of(v).ok_or_else(|| {
                    (
                        format!("field `{name}`: `min` must be an amount like \"0.00\""),
                        None,
                    )
                })?),
            },
        },
        "integer" => {
            let min = decl
                .min
                .as_ref()
                .map_or(Some(0), int_of)
                .ok_or_else(|| (bound("min"), None))?;
            let max = decl
                .max
                .as_ref()
                .map_or(Some(i64::MAX), int_of)
                .ok_or_else(|| (bound("max"), None))?;
            if min > max {
                return Err((format!("field `{name}`: `min` is above `max`"), None));
            }
            Kind::Integer { min, max }
        }
        "enum" => Kind::Enum {
            table: table_of(decl)?,
            accept_number: decl.accept_number,
        },
        "purposes" => Kind::Purposes {
            table: table_of(decl)?,
        },
        "boolean" => Kind::Boolean,
        "text" => Kind::Text {
            max_length: decl.max_length.ok_or_else(|| {
                (
                    format!("field `{name}` of kind `text` needs `max_length`"),
                    None,
                )
            })?,
        },
        "nace_code" => Kind::NaceCode,
        "enterprise_number" => Kind::EnterpriseNumber,
        "date" => Kind::Date,
        other => {
            return Err((
                format!("field `{name}` has unknown kind `{other}`"),
                did_you_mean(other, KINDS).or_else(|| {
                    Some(format!(
                        "use one of {}",
                        KINDS.map(|k| format!("`{k}`")).join(", ")
                    ))
                }),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn fold_composes_accents_like_nfc() {
        assert_eq!(
            fold("  Coo\u{308}perati\u{301}eve   Vennootschap "),
            "coöperatíeve vennootschap"
        );
        assert_eq!(fold("SOCIE\u{301}TE\u{301} ANONYME"), "société anonyme");
        assert_eq!(fold("franc\u{327}ais"), "français");
        // A mark that composes with nothing here stays as it is.
        assert_eq!(fold("x\u{308}"), "x\u{308}");
        assert_eq!(fold("\u{308}"), "\u{308}");
    }

    #[test]
    fn latin_letters_lower_case_as_unicode_says() {
        // Every letter the function maps is checked against the standard library's full
        // Unicode tables (which the page does without); anything else is left alone.
        for c in (0..0x250).filter_map(char::from_u32) {
            let mut unicode = c.to_lowercase();
            let (one, more) = (unicode.next(), unicode.next());
            let ours = super::latin_lower(c);
            if ours != c {
                assert_eq!((Some(ours), None), (one, more), "{c:?}");
            } else if c < '\u{180}' && c != '\u{130}' {
                assert_eq!(Some(c), one, "{c:?} should lower-case");
            }
        }
        assert_eq!(fold("ÉÉN ŒUVRE ÇA ŸSER"), "één œuvre ça ÿser");
    }
}
