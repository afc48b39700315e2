//! Raw JSON → the typed, canonical application, or every field error found (CONTRACT.md §2–§3).
//!
//! Which fields exist, and of what kind, is rule-set data ([`crate::fields`]); this module holds
//! the one parser of each kind. Validation also prepares the values rules read, one per field
//! in declaration order, so a decision converts each answer once.

use crate::date::Date;
use crate::fields::{EnumTable, Fields, Kind};
use crate::json::Json;
use crate::model::{Answer, FieldIssue, Language, Normalized, Purpose};
use crate::money::{Money, MoneyError, parse_money};
use crate::ruleset::RuleSet;
use crate::script::{ImmutableString, Purposes, Value};
use rust_decimal::Decimal;

/// The error and warning codes validation produces; each needs a message in every language
/// (`messages/*.json`, `errors` and `warnings`).
pub const ISSUE_CODES: [&str; 18] = [
    "missing",
    "invalid_type",
    "invalid_money",
    "money_out_of_range",
    "below_minimum",
    "not_positive",
    "invalid_integer",
    "integer_out_of_range",
    "unknown_value",
    "invalid_boolean",
    "invalid_enterprise_number",
    "enterprise_number_checksum",
    "invalid_nace_code",
    "invalid_date",
    "too_long",
    "invalid_purpose",
    "invalid_application",
    "unknown_field",
];

/// The placeholders an issue's message is given, by code; every other code's message gets none,
/// so a `{min}` there would reach the applicant as written.
pub fn issue_placeholders(code: &str) -> &'static [&'static str] {
    match code {
        "below_minimum" => &["min"],
        "money_out_of_range" | "too_long" => &["max"],
        "integer_out_of_range" => &["min", "max"],
        _ => &[],
    }
}

/// What validation found.
#[derive(Debug, Clone)]
pub struct Validated<'a> {
    /// The valid answers in canonical form.
    pub normalized: Normalized<'a>,
    /// Every error found.
    pub errors: Vec<FieldIssue>,
    /// Unknown fields.
    pub warnings: Vec<FieldIssue>,
    /// Required fields that are missing, in declaration order (filled only when there is no
    /// error: an invalid application runs no rule).
    pub missing_required: Vec<&'a str>,
    /// One value per field, in declaration order, then the engine's derived inputs; unit where
    /// the answer is missing or invalid.
    pub inputs: Vec<Value>,
}

struct V<'a> {
    rs: &'a RuleSet,
    lang: Language,
    out: Validated<'a>,
}

impl<'a> V<'a> {
    fn error(&mut self, field: String, code: &'static str) {
        self.error_range(field, code, None, None);
    }
    fn error_range(
        &mut self,
        field: String,
        code: &'static str,
        min: Option<&str>,
        max: Option<&str>,
    ) {
        let message = self.rs.issue_message(self.lang, code, min, max);
        self.out.errors.push(FieldIssue {
            field,
            code,
            message,
        });
    }
    fn warn(&mut self, field: String) {
        let message = self
            .rs
            .issue_message(self.lang, "unknown_field", None, None);
        self.out.warnings.push(FieldIssue {
            field,
            code: "unknown_field",
            message,
        });
    }
    fn set(&mut self, index: usize, answer: Answer<'a>, value: Value) {
        self.out.normalized.set(index, answer);
        if let Some(v) = self.out.inputs.get_mut(index) {
            *v = value;
        }
    }

    /// One answer of field `index`, by its kind.
    fn field(&mut self, index: usize, name: &str, value: &Json<'_>) {
        let rs = self.rs;
        let Some(field) = rs.fields.get(index) else {
            return;
        };
        match &field.kind {
            Kind::Enum {
                table,
                accept_number,
            } => {
                if let Some((canonical, script)) =
                    self.enum_value(name, table, *accept_number, value)
                {
                    self.set(index, Answer::Canonical(canonical), Value::from(script));
                }
            }
            Kind::Money { positive, min } => {
                if let Some(d) = self.money(|| name.to_owned(), value, *positive, *min) {
                    self.set(index, Answer::Money(Money(d)), Value::from_decimal(d));
                }
            }
            Kind::Integer { min, max } => {
                if let Some(i) = self.integer(name, value, *min, *max) {
                    self.set(index, Answer::Integer(i), Value::from_int(i));
                }
            }
            Kind::Boolean => match value {
                Json::Bool(b) => self.set(index, Answer::Bool(*b), Value::from_bool(*b)),
                _ => self.error(name.to_owned(), "invalid_boolean"),
            },
            Kind::EnterpriseNumber => match value {
                Json::String(s) => match parse_kbo_number(s) {
                    Ok(canonical) => {
                        let script = Value::from(canonical.clone());
                        self.set(index, Answer::Text(canonical), script);
                    }
                    Err(code) => self.error(name.to_owned(), code),
                },
                _ => self.error(name.to_owned(), "invalid_type"),
            },
            Kind::NaceCode => match value {
                Json::String(s) => match parse_nace(s) {
                    Some(canonical) => {
                        let script = Value::from(canonical.clone());
                        self.set(index, Answer::Text(canonical), script);
                    }
                    None => self.error(name.to_owned(), "invalid_nace_code"),
                },
                _ => self.error(name.to_owned(), "invalid_type"),
            },
            Kind::Date => match value {
                Json::String(s) => match Date::parse(s.trim()) {
                    Some(d) => {
                        let script = Value::from(d.to_string());
                        self.set(index, Answer::Date(d), script);
                    }
                    None => self.error(name.to_owned(), "invalid_date"),
                },
                _ => self.error(name.to_owned(), "invalid_type"),
            },
            Kind::Text { max_length } => match value {
                Json::String(s) if s.chars().count() > *max_length => {
                    self.error_range(
                        name.to_owned(),
                        "too_long",
                        None,
                        Some(&max_length.to_string()),
                    );
                }
                Json::String(s) => {
                    // Rules read text only where the declaration allows it.
                    let script = if field.readable {
                        Value::from(ImmutableString::from(s.as_ref()))
                    } else {
                        Value::UNIT
                    };
                    self.set(index, Answer::Text(s.to_string()), script);
                }
                _ => self.error(name.to_owned(), "invalid_type"),
            },
            Kind::Purposes { table } => {
                if let Some((list, script)) = self.purposes(name, table, value) {
                    self.set(index, Answer::Purposes(list), Value::from(script));
                }
            }
        }
    }

    fn enum_value(
        &mut self,
        name: &str,
        table: &'a EnumTable,
        accept_number: bool,
        value: &Json,
    ) -> Option<(&'a str, ImmutableString)> {
        let text: std::borrow::Cow<'_, str> = match value {
            Json::String(s) => s.as_ref().into(),
            Json::Number(n) if accept_number => n.as_ref().into(),
            _ => {
                self.error(name.to_owned(), "invalid_type");
                return None;
            }
        };
        match table.lookup(&text) {
            Some(i) => Some((table.canonical(i)?, table.script_value(i)?)),
            None => {
                self.error(name.to_owned(), "unknown_value");
                None
            }
        }
    }

    /// `name` builds the field path only when there is an error to report.
    fn money(
        &mut self,
        name: impl FnOnce() -> String,
        value: &Json,
        positive: bool,
        min: Option<Decimal>,
    ) -> Option<Decimal> {
        let parsed = match value {
            // The number's source text (serde_json's `arbitrary_precision`): never a float.
            Json::Number(n) => parse_money(n),
            Json::String(s) => parse_money(s.trim()),
            _ => {
                self.error(name(), "invalid_type");
                return None;
            }
        };
        match parsed {
            Ok(d) if positive && d <= Decimal::ZERO => {
                self.error(name(), "not_positive");
                None
            }
            Ok(d) => match min {
                Some(min) if d < min => {
                    let shown = Money(min).to_string();
                    self.error_range(name(), "below_minimum", Some(&shown), None);
                    None
                }
                _ => Some(d),
            },
            Err(MoneyError::Format) => {
                self.error(name(), "invalid_money");
                None
            }
            Err(MoneyError::OutOfRange) => {
                self.error_range(name(), "money_out_of_range", None, Some("1,000,000.00"));
                None
            }
        }
    }

    fn integer(&mut self, name: &str, value: &Json<'_>, min: i64, max: i64) -> Option<i64> {
        let text: &str = match value {
            Json::Number(n) => n,
            Json::String(s)
                if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.trim()
            }
            Json::String(_) => {
                self.error(name.to_owned(), "invalid_integer");
                return None;
            }
            _ => {
                self.error(name.to_owned(), "invalid_type");
                return None;
            }
        };
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            self.error(name.to_owned(), "invalid_integer");
            return None;
        }
        match text.parse::<i64>() {
            Ok(i) if (min..=max).contains(&i) => Some(i),
            _ => {
                self.error_range(
                    name.to_owned(),
                    "integer_out_of_range",
                    Some(&min.to_string()),
                    Some(&max.to_string()),
                );
                None
            }
        }
    }

    fn purposes(
        &mut self,
        name: &str,
        table: &'a EnumTable,
        value: &Json<'_>,
    ) -> Option<(Vec<Purpose<'a>>, Purposes)> {
        let Json::Array(items) = value else {
            self.error(name.to_owned(), "invalid_type");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut script = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let Json::Object(entry) = item else {
                self.error(format!("{name}[{i}]"), "invalid_purpose");
                ok = false;
                continue;
            };
            let category = match entry.get("category") {
                None | Some(Json::Null) => {
                    self.error(format!("{name}[{i}].category"), "missing");
                    None
                }
                Some(Json::String(s)) if s.trim().is_empty() => {
                    self.error(format!("{name}[{i}].category"), "missing");
                    None
                }
                Some(Json::String(s)) => match table.lookup(s) {
                    Some(c) => table.canonical(c).zip(table.script_value(c)),
                    None => {
                        self.error(format!("{name}[{i}].category"), "unknown_value");
                        None
                    }
                },
                Some(_) => {
                    self.error(format!("{name}[{i}].category"), "invalid_type");
                    None
                }
            };
            let amount = match entry.get("amount_eur") {
                None | Some(Json::Null) => {
                    self.error(format!("{name}[{i}].amount_eur"), "missing");
                    None
                }
                Some(Json::String(s)) if s.trim().is_empty() => {
                    self.error(format!("{name}[{i}].amount_eur"), "missing");
                    None
                }
                Some(v) => self.money(|| format!("{name}[{i}].amount_eur"), v, true, None),
            };
            for key in entry.keys() {
                if key != "category" && key != "amount_eur" {
                    self.warn(format!("{name}[{i}].{key}"));
                }
            }
            match (category, amount) {
                (Some((category, script_category)), Some(amount)) => {
                    out.push(Purpose {
                        category,
                        amount_eur: Money(amount),
                    });
                    script.push((script_category, amount));
                }
                _ => ok = false,
            }
        }
        ok.then(|| (out, Purposes::new(script)))
    }
}

/// Whether a value counts as not given: `null`, a blank string or an empty list.
fn is_blank(value: &Json<'_>) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Validates and normalizes one application against a rule-set version's fields.
pub fn validate<'a>(application: &Json<'_>, rs: &'a RuleSet, lang: Language) -> Validated<'a> {
    let fields: &'a Fields = &rs.fields;
    let mut v = V {
        rs,
        lang,
        out: Validated {
            normalized: Normalized::new(fields),
            errors: Vec::new(),
            warnings: Vec::new(),
            missing_required: Vec::new(),
            inputs: vec![Value::UNIT; rs.program.inputs().len()],
        },
    };
    let Json::Object(object) = application else {
        v.error("application".to_owned(), "invalid_application");
        return v.out;
    };

    for (key, value) in object.iter() {
        let index = fields.index_of(key);
        if is_blank(value) {
            if index.is_none() {
                v.warn(key.to_owned());
            }
            continue;
        }
        match index {
            Some(i) => v.field(i, key, value),
            None => v.warn(key.to_owned()),
        }
    }

    // A version's defaults apply to fields not given (absent or blank).
    for default in &rs.defaults {
        let Some(field) = fields.get(default.field) else {
            continue;
        };
        let given = object.get(&field.name).is_some_and(|x| !is_blank(x));
        if given {
            continue;
        }
        if let Kind::Enum { table, .. } = &field.kind
            && let Some((canonical, script)) = table
                .canonical(default.option)
                .zip(table.script_value(default.option))
        {
            v.set(
                default.field,
                Answer::Canonical(canonical),
                Value::from(script),
            );
        }
    }

    if v.out.errors.is_empty() {
        for (i, field) in fields.iter().enumerate() {
            if field.required && v.out.normalized.get(i).is_none() {
                v.out.missing_required.push(field.name.as_str());
            }
        }
    }
    v.out
}

/// KBO/BCE number (§3.2): trim, upper-case, drop spaces, dots, hyphens, slashes and a leading
/// `BE`; ten digits starting with 0 or 1; the last two are 97 − (first eight mod 97).
/// Canonical form `0566.988.259`.
pub fn parse_kbo_number(raw: &str) -> Result<String, &'static str> {
    let upper = raw.trim().to_ascii_uppercase();
    let compact: String = upper
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '/'))
        .collect();
    let digits = compact.strip_prefix("BE").unwrap_or(&compact);
    if digits.len() != 10
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !digits.starts_with(['0', '1'])
    {
        return Err("invalid_enterprise_number");
    }
    let (head, check) = digits.split_at(8);
    let head: u64 = head.parse().map_err(|_| "invalid_enterprise_number")?;
    let check: u64 = check.parse().map_err(|_| "invalid_enterprise_number")?;
    if 97 - head % 97 != check {
        return Err("enterprise_number_checksum");
    }
    let part = |r: std::ops::Range<usize>| digits.get(r).unwrap_or_default();
    Ok(format!("{}.{}.{}", part(0..4), part(4..7), part(7..10)))
}

/// NACE-BEL code (§3.4): trim; `dd.ddd` or `ddddd`; canonical `dd.ddd`.
pub fn parse_nace(raw: &str) -> Option<String> {
    let t = raw.trim();
    let b = t.as_bytes();
    let digits: String = match b.len() {
        6 if b.get(2) == Some(&b'.') => t.chars().filter(|c| *c != '.').collect(),
        5 => t.to_owned(),
        _ => return None,
    };
    if digits.len() != 5 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{}.{}", digits.get(0..2)?, digits.get(2..5)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_numbers() {
        assert_eq!(
            parse_kbo_number("0566.988.259").as_deref(),
            Ok("0566.988.259")
        );
        assert_eq!(
            parse_kbo_number(" be 0566 988 259 ").as_deref(),
            Ok("0566.988.259")
        );
        assert_eq!(
            parse_kbo_number("BE0566-988/259").as_deref(),
            Ok("0566.988.259")
        );
        assert_eq!(
            parse_kbo_number("0566.988.258"),
            Err("enterprise_number_checksum")
        );
        assert_eq!(
            parse_kbo_number("2123.456.789"),
            Err("invalid_enterprise_number")
        );
        assert_eq!(
            parse_kbo_number("566.988.259"),
            Err("invalid_enterprise_number")
        );
        assert_eq!(
            parse_kbo_number("0566.988.25x"),
            Err("invalid_enterprise_number")
        );
        // 1-series: 97 - (10000000 mod 97) = 97 - 76 = 21.
        assert_eq!(
            parse_kbo_number("1000.000.021").as_deref(),
            Ok("1000.000.021")
        );
    }

    #[test]
    fn nace_codes() {
        assert_eq!(parse_nace(" 56.101 ").as_deref(), Some("56.101"));
        assert_eq!(parse_nace("56101").as_deref(), Some("56.101"));
        for bad in [
            "56.10", "5610", "56-101", "5.6101", "56.1011", "ab.cde", "", "561.01",
        ] {
            assert_eq!(parse_nace(bad), None, "{bad}");
        }
    }
}
