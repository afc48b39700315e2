//! Raw JSON → the typed, canonical application, or every field error found (CONTRACT.md §2–§3).
//!
//! Validation also prepares the values rules read, in [`crate::script::INPUTS`] order, so a
//! decision converts each answer once.

use crate::json::Json;
use crate::model::{FieldIssue, Language, Normalized, Purpose};
use crate::money::{Money, MoneyError, parse_money};
use crate::ruleset::{EnumTable, REQUIRED_FIELDS, RuleSet};
use crate::script::{ImmutableString, Purposes, Value};
use rust_decimal::Decimal;

/// Indices into [`crate::script::INPUTS`]; a unit test keeps them aligned.
pub mod slot {
    pub const LEGAL_FORM: usize = 0;
    pub const REGION: usize = 1;
    pub const BUSINESS_STATUS: usize = 2;
    pub const ACTIVITY_TYPE: usize = 3;
    pub const AMOUNT: usize = 4;
    pub const TERM: usize = 5;
    pub const PURPOSES: usize = 6;
    pub const IS_TAKEOVER: usize = 7;
    pub const ENTERPRISE_NUMBER: usize = 8;
    pub const NACE_CODE: usize = 9;
    pub const NACE_VERSION: usize = 10;
    pub const DEBT_SETTLEMENT: usize = 11;
    pub const BANKRUPTCY: usize = 12;
    pub const BANK_CREDIT: usize = 13;
    pub const ARREARS: usize = 14;
    pub const AGE: usize = 15;
    pub const CASHFLOW: usize = 16;
    pub const BUSINESS_PLAN: usize = 17;
    pub const PRODUCT_VARIANT: usize = 18;
    pub const INSTALMENT: usize = 19;
    pub const MISSING_REQUIRED: usize = 20;
    pub const COUNT: usize = 21;
}

/// The longest term the contract accepts, in months (§2: 1..600).
pub const MAX_TERM_MONTHS: u32 = 600;

/// The longest `project_description`, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// What validation found.
#[derive(Debug)]
pub struct Validated<'a> {
    pub normalized: Normalized<'a>,
    pub errors: Vec<FieldIssue>,
    pub warnings: Vec<FieldIssue>,
    /// Required fields that are missing, in contract order.
    pub missing_required: Vec<&'static str>,
    /// One value per script input; unit where the answer is missing or invalid.
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
    fn set(&mut self, slot: usize, value: Value) {
        if let Some(v) = self.out.inputs.get_mut(slot) {
            *v = value;
        }
    }

    fn enum_value(
        &mut self,
        name: &str,
        table_name: &str,
        value: &Json,
    ) -> Option<(&'a str, ImmutableString)> {
        let rs = self.rs;
        let table: &'a EnumTable = rs.enum_table(table_name)?;
        let text: std::borrow::Cow<'_, str> = match value {
            Json::String(s) => s.as_ref().into(),
            Json::Number(n) if name == "nace_version" => n.as_ref().into(),
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
            Ok(d) => Some(d),
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

    fn boolean(&mut self, name: &str, value: &Json<'_>) -> Option<bool> {
        match value {
            Json::Bool(b) => Some(*b),
            _ => {
                self.error(name.to_owned(), "invalid_boolean");
                None
            }
        }
    }

    fn purposes(&mut self, value: &Json<'_>) -> Option<Vec<Purpose<'a>>> {
        let Json::Array(items) = value else {
            self.error("funding_purposes".to_owned(), "invalid_type");
            return None;
        };
        let rs = self.rs;
        let table = rs.enum_table("funding_purposes.category")?;
        let mut out = Vec::with_capacity(items.len());
        let mut script = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let Json::Object(entry) = item else {
                self.error(format!("funding_purposes[{i}]"), "invalid_purpose");
                ok = false;
                continue;
            };
            let category = match entry.get("category") {
                None | Some(Json::Null) => {
                    self.error(format!("funding_purposes[{i}].category"), "missing");
                    None
                }
                Some(Json::String(s)) if s.trim().is_empty() => {
                    self.error(format!("funding_purposes[{i}].category"), "missing");
                    None
                }
                Some(Json::String(s)) => match table.lookup(s) {
                    Some(c) => table.canonical(c).zip(table.script_value(c)),
                    None => {
                        self.error(format!("funding_purposes[{i}].category"), "unknown_value");
                        None
                    }
                },
                Some(_) => {
                    self.error(format!("funding_purposes[{i}].category"), "invalid_type");
                    None
                }
            };
            let amount = match entry.get("amount_eur") {
                None | Some(Json::Null) => {
                    self.error(format!("funding_purposes[{i}].amount_eur"), "missing");
                    None
                }
                Some(Json::String(s)) if s.trim().is_empty() => {
                    self.error(format!("funding_purposes[{i}].amount_eur"), "missing");
                    None
                }
                Some(v) => self.money(|| format!("funding_purposes[{i}].amount_eur"), v, true),
            };
            for key in entry.keys() {
                if key != "category" && key != "amount_eur" {
                    self.warn(format!("funding_purposes[{i}].{key}"));
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
        if !ok {
            return None;
        }
        self.set(slot::PURPOSES, Value::from(Purposes::new(script)));
        Some(out)
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

/// Validates and normalizes one application against a rule-set version's tables.
pub fn validate<'a>(application: &Json<'_>, rs: &'a RuleSet, lang: Language) -> Validated<'a> {
    let mut v = V {
        rs,
        lang,
        out: Validated {
            normalized: Normalized::default(),
            errors: Vec::new(),
            warnings: Vec::new(),
            missing_required: Vec::new(),
            inputs: vec![Value::UNIT; slot::COUNT],
        },
    };
    let Json::Object(fields) = application else {
        v.error("application".to_owned(), "invalid_application");
        return v.out;
    };

    for (key, value) in fields.iter() {
        if is_blank(value) {
            if !is_known(key) {
                v.warn(key.to_owned());
            }
            continue;
        }
        match key {
            "legal_form"
            | "region"
            | "business_status"
            | "activity_type"
            | "nace_version"
            | "bankruptcy_status"
            | "bank_credit_status"
            | "business_plan_status"
            | "product_variant" => {
                if let Some((canonical, script)) = v.enum_value(key, key, value) {
                    let (field, slot) = match key {
                        "legal_form" => (&mut v.out.normalized.legal_form, slot::LEGAL_FORM),
                        "region" => (&mut v.out.normalized.region, slot::REGION),
                        "business_status" => {
                            (&mut v.out.normalized.business_status, slot::BUSINESS_STATUS)
                        }
                        "activity_type" => {
                            (&mut v.out.normalized.activity_type, slot::ACTIVITY_TYPE)
                        }
                        "nace_version" => (&mut v.out.normalized.nace_version, slot::NACE_VERSION),
                        "bankruptcy_status" => {
                            (&mut v.out.normalized.bankruptcy_status, slot::BANKRUPTCY)
                        }
                        "bank_credit_status" => {
                            (&mut v.out.normalized.bank_credit_status, slot::BANK_CREDIT)
                        }
                        "business_plan_status" => (
                            &mut v.out.normalized.business_plan_status,
                            slot::BUSINESS_PLAN,
                        ),
                        _ => (&mut v.out.normalized.product_variant, slot::PRODUCT_VARIANT),
                    };
                    *field = Some(canonical);
                    v.set(slot, Value::from(script));
                }
            }
            "amount_requested_eur" => {
                if let Some(d) = v.money(|| key.to_owned(), value, true) {
                    v.out.normalized.amount_requested_eur = Some(Money(d));
                    v.set(slot::AMOUNT, Value::from_decimal(d));
                }
            }
            "projected_monthly_net_cashflow_eur" => {
                if let Some(d) = v.money(|| key.to_owned(), value, false) {
                    v.out.normalized.projected_monthly_net_cashflow_eur = Some(Money(d));
                    v.set(slot::CASHFLOW, Value::from_decimal(d));
                }
            }
            "term_months" => {
                if let Some(i) = v.integer(key, value, 1, i64::from(MAX_TERM_MONTHS)) {
                    v.out.normalized.term_months = Some(i);
                    v.set(slot::TERM, Value::from_int(i));
                }
            }
            "applicant_age_years" => {
                if let Some(i) = v.integer(key, value, 0, 120) {
                    v.out.normalized.applicant_age_years = Some(i);
                    v.set(slot::AGE, Value::from_int(i));
                }
            }
            "is_takeover" | "in_collective_debt_settlement" | "has_tax_or_social_arrears" => {
                if let Some(b) = v.boolean(key, value) {
                    let (field, slot) = match key {
                        "is_takeover" => (&mut v.out.normalized.is_takeover, slot::IS_TAKEOVER),
                        "in_collective_debt_settlement" => (
                            &mut v.out.normalized.in_collective_debt_settlement,
                            slot::DEBT_SETTLEMENT,
                        ),
                        _ => (
                            &mut v.out.normalized.has_tax_or_social_arrears,
                            slot::ARREARS,
                        ),
                    };
                    *field = Some(b);
                    v.set(slot, Value::from_bool(b));
                }
            }
            "enterprise_number" => match value {
                Json::String(s) => match enterprise_number(s) {
                    Ok(canonical) => {
                        v.set(slot::ENTERPRISE_NUMBER, Value::from(canonical.clone()));
                        v.out.normalized.enterprise_number = Some(canonical);
                    }
                    Err(code) => v.error(key.to_owned(), code),
                },
                _ => v.error(key.to_owned(), "invalid_type"),
            },
            "nace_code" => match value {
                Json::String(s) => match nace_code(s) {
                    Some(canonical) => {
                        v.set(slot::NACE_CODE, Value::from(canonical.clone()));
                        v.out.normalized.nace_code = Some(canonical);
                    }
                    None => v.error(key.to_owned(), "invalid_nace_code"),
                },
                _ => v.error(key.to_owned(), "invalid_type"),
            },
            "project_description" => match value {
                Json::String(s) if s.chars().count() > MAX_DESCRIPTION_CHARS => {
                    v.error_range(
                        key.to_owned(),
                        "too_long",
                        None,
                        Some(&MAX_DESCRIPTION_CHARS.to_string()),
                    );
                }
                Json::String(s) => v.out.normalized.project_description = Some(s.to_string()),
                _ => v.error(key.to_owned(), "invalid_type"),
            },
            "funding_purposes" => {
                if let Some(p) = v.purposes(value) {
                    v.out.normalized.funding_purposes = Some(p);
                }
            }
            _ => v.warn(key.to_owned()),
        }
    }

    // The rule set's default NACE version applies when none is given.
    let nace_version_given = fields.get("nace_version").is_some_and(|x| !is_blank(x));
    if !nace_version_given {
        let table = rs.enum_table("nace_version");
        if let Some((canonical, script)) = table.and_then(|t| {
            t.canonical(rs.default_nace_version)
                .zip(t.script_value(rs.default_nace_version))
        }) {
            v.out.normalized.nace_version = Some(canonical);
            v.set(slot::NACE_VERSION, Value::from(script));
        }
    }

    for name in REQUIRED_FIELDS {
        let given = fields.get(name).is_some_and(|value| !is_blank(value));
        if !given {
            v.out.missing_required.push(name);
        }
    }
    v.out
}

fn is_known(key: &str) -> bool {
    matches!(
        key,
        "legal_form"
            | "region"
            | "business_status"
            | "activity_type"
            | "amount_requested_eur"
            | "term_months"
            | "funding_purposes"
            | "is_takeover"
            | "enterprise_number"
            | "nace_code"
            | "nace_version"
            | "in_collective_debt_settlement"
            | "bankruptcy_status"
            | "bank_credit_status"
            | "has_tax_or_social_arrears"
            | "applicant_age_years"
            | "projected_monthly_net_cashflow_eur"
            | "business_plan_status"
            | "product_variant"
            | "project_description"
    )
}

/// KBO/BCE number (§3.2): trim, upper-case, drop spaces, dots, hyphens, slashes and a leading
/// `BE`; ten digits starting with 0 or 1; the last two are 97 − (first eight mod 97).
/// Canonical form `0566.988.259`.
pub fn enterprise_number(raw: &str) -> Result<String, &'static str> {
    let upper = raw.trim().to_uppercase();
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
pub fn nace_code(raw: &str) -> Option<String> {
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
    use crate::script::INPUTS;

    #[test]
    fn slots_match_script_inputs() {
        let names = [
            (slot::LEGAL_FORM, "legal_form"),
            (slot::REGION, "region"),
            (slot::BUSINESS_STATUS, "business_status"),
            (slot::ACTIVITY_TYPE, "activity_type"),
            (slot::AMOUNT, "amount_requested_eur"),
            (slot::TERM, "term_months"),
            (slot::PURPOSES, "funding_purposes"),
            (slot::IS_TAKEOVER, "is_takeover"),
            (slot::ENTERPRISE_NUMBER, "enterprise_number"),
            (slot::NACE_CODE, "nace_code"),
            (slot::NACE_VERSION, "nace_version"),
            (slot::DEBT_SETTLEMENT, "in_collective_debt_settlement"),
            (slot::BANKRUPTCY, "bankruptcy_status"),
            (slot::BANK_CREDIT, "bank_credit_status"),
            (slot::ARREARS, "has_tax_or_social_arrears"),
            (slot::AGE, "applicant_age_years"),
            (slot::CASHFLOW, "projected_monthly_net_cashflow_eur"),
            (slot::BUSINESS_PLAN, "business_plan_status"),
            (slot::PRODUCT_VARIANT, "product_variant"),
            (slot::INSTALMENT, "monthly_instalment_eur"),
            (slot::MISSING_REQUIRED, "missing_required"),
        ];
        assert_eq!(names.len(), slot::COUNT);
        assert_eq!(INPUTS.len(), slot::COUNT);
        for (i, name) in names {
            assert_eq!(INPUTS[i].name, name);
        }
    }

    #[test]
    fn enterprise_numbers() {
        assert_eq!(
            enterprise_number("0566.988.259").as_deref(),
            Ok("0566.988.259")
        );
        assert_eq!(
            enterprise_number(" be 0566 988 259 ").as_deref(),
            Ok("0566.988.259")
        );
        assert_eq!(
            enterprise_number("BE0566-988/259").as_deref(),
            Ok("0566.988.259")
        );
        assert_eq!(
            enterprise_number("0566.988.258"),
            Err("enterprise_number_checksum")
        );
        assert_eq!(
            enterprise_number("2123.456.789"),
            Err("invalid_enterprise_number")
        );
        assert_eq!(
            enterprise_number("566.988.259"),
            Err("invalid_enterprise_number")
        );
        assert_eq!(
            enterprise_number("0566.988.25x"),
            Err("invalid_enterprise_number")
        );
        // 1-series: 97 - (10000000 mod 97) = 97 - 76 = 21.
        assert_eq!(
            enterprise_number("1000.000.021").as_deref(),
            Ok("1000.000.021")
        );
    }

    #[test]
    fn nace_codes() {
        assert_eq!(nace_code(" 56.101 ").as_deref(), Some("56.101"));
        assert_eq!(nace_code("56101").as_deref(), Some("56.101"));
        for bad in [
            "56.10", "5610", "56-101", "5.6101", "56.1011", "ab.cde", "", "561.01",
        ] {
            assert_eq!(nace_code(bad), None, "{bad}");
        }
    }
}
