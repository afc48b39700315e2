//! Money as `rust_decimal`: exact parsing, the annuity, half-up rounding to the cent, display.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// The largest absolute money value the contract accepts (±1,000,000.00).
pub const MONEY_LIMIT: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 2);

/// Why a money text was refused; the validator maps these onto error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    /// Not `-?digits(.d{1,2})?`: a comma, a currency sign, an exponent, three decimals…
    Format,
    /// Outside ±1,000,000.00.
    OutOfRange,
}

/// Parses a money text exactly as written: `^-?\d+(\.\d{1,2})?$`, never through a float.
///
/// JSON numbers reach this function as their source text (serde_json's `arbitrary_precision`),
/// so `24999.999` keeps its three decimals and is refused.
pub fn parse_money(text: &str) -> Result<Decimal, MoneyError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (digits, None),
    };
    let int_ok = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
    let frac_ok =
        frac.is_none_or(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()));
    if !int_ok || !frac_ok {
        return Err(MoneyError::Format);
    }
    // More integer digits than a Decimal holds is certainly out of range.
    let significant = int.trim_start_matches('0');
    if significant.len() > 7 {
        return Err(MoneyError::OutOfRange);
    }
    let value: Decimal = text.parse().map_err(|_| MoneyError::Format)?;
    if value.abs() > MONEY_LIMIT {
        return Err(MoneyError::OutOfRange);
    }
    Ok(value)
}

/// Rounds half away from zero to the cent ("half-up" for money; rhai's `round` is banker's).
pub fn round_cent(value: Decimal) -> Decimal {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v
}

/// The indicative repayment of an annuity loan with constant monthly instalments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annuity {
    /// The rate it was computed at.
    pub annual_rate: Decimal,
    /// The monthly instalment, rounded half-up to the cent.
    pub monthly_instalment: Decimal,
    /// The instalment times the term.
    pub total_repayable: Decimal,
}

/// A = P·i / (1 − (1+i)^−n) with i = annual rate / 12, rounded half-up to the cent; total = A × n.
///
/// Returns `None` only on arithmetic overflow, which validated inputs (≤ 1,000,000.00,
/// ≤ 600 months, a rate below 100 %) cannot reach. The engine uses [`AnnuityTable`]; this direct
/// formula is the independent reference the table is tested against.
#[cfg(test)]
pub fn annuity(principal: Decimal, annual_rate: Decimal, months: u32) -> Option<Annuity> {
    if months == 0 {
        return None;
    }
    let n = Decimal::from(months);
    let raw = if annual_rate.is_zero() {
        principal.checked_div(n)?
    } else {
        let i = annual_rate.checked_div(Decimal::from(12))?;
        let growth = pow(Decimal::ONE.checked_add(i)?, months)?;
        // P·i·g / (g − 1) is the same as P·i / (1 − g^−n) and keeps full precision.
        principal
            .checked_mul(i)?
            .checked_mul(growth)?
            .checked_div(growth.checked_sub(Decimal::ONE)?)?
    };
    let monthly_instalment = round_cent(raw);
    let total_repayable = round_cent(monthly_instalment.checked_mul(n)?);
    Some(Annuity {
        annual_rate,
        monthly_instalment,
        total_repayable,
    })
}

/// The annuity factor i·g/(g−1) (1/n at a zero rate) for every term up to a maximum, computed
/// once per rule-set version: a decision then costs one multiplication instead of a power and a
/// division (5,000 instructions, a twelfth of a decision).
#[derive(Debug, Clone)]
pub struct AnnuityTable {
    annual_rate: Decimal,
    /// `factors[n - 1]` is the factor for `n` months.
    factors: Vec<Decimal>,
}

impl AnnuityTable {
    /// The annuity factors at one rate for every term up to `max_months`.
    pub fn new(annual_rate: Decimal, max_months: u32) -> AnnuityTable {
        let mut factors = Vec::with_capacity(usize::try_from(max_months).unwrap_or(0));
        let i = annual_rate
            .checked_div(Decimal::from(12))
            .unwrap_or(Decimal::ZERO);
        let step = Decimal::ONE + i;
        let mut growth = Decimal::ONE;
        for n in 1..=max_months {
            let factor = if i.is_zero() {
                Decimal::ONE.checked_div(Decimal::from(n))
            } else {
                growth = growth.checked_mul(step).unwrap_or(growth);
                i.checked_mul(growth)
                    .and_then(|x| x.checked_div(growth - Decimal::ONE))
            };
            factors.push(factor.unwrap_or(Decimal::ZERO));
        }
        AnnuityTable {
            annual_rate,
            factors,
        }
    }

    /// The same figures as the annuity formula (tested against it), from the table; `None` beyond its longest term.
    pub fn annuity(&self, principal: Decimal, months: u32) -> Option<Annuity> {
        let factor = *self
            .factors
            .get(usize::try_from(months).ok()?.checked_sub(1)?)?;
        // At a zero rate P/n can be an exact half cent (999.99 / 82 = 12.195): divide exactly
        // rather than multiply by a rounded 1/n.
        let raw = if self.annual_rate.is_zero() {
            principal.checked_div(Decimal::from(months))?
        } else {
            principal.checked_mul(factor)?
        };
        let monthly_instalment = round_cent(raw);
        let total_repayable = round_cent(monthly_instalment.checked_mul(Decimal::from(months))?);
        Some(Annuity {
            annual_rate: self.annual_rate,
            monthly_instalment,
            total_repayable,
        })
    }
}

#[cfg(test)]
fn pow(base: Decimal, mut exp: u32) -> Option<Decimal> {
    let (mut acc, mut b) = (Decimal::ONE, base);
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.checked_mul(b)?;
        }
        exp >>= 1;
        if exp > 0 {
            b = b.checked_mul(b)?;
        }
    }
    Some(acc)
}

/// Serializes a decimal as a string with exactly two decimals: `"25000.00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = self.0;
        if v.scale() <= 2 {
            v.rescale(2); // exact: only adds zeros
        } else {
            v = round_cent(v);
        }
        fmt::Display::fmt(&v, f)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Serializes a rate or factor in its shortest exact form: `"0.07"`, `"0.0675"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plain(pub Decimal);

impl serde::Serialize for Plain {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.normalize())
    }
}

/// Formats an amount the way a reader of `lang` expects: `25.000 EUR`, `25 000 EUR`, `25,000 EUR`.
/// Cents are shown only when there are any.
pub fn display_money(value: Decimal, lang: &str) -> String {
    format!("{} EUR", display_number(round_cent(value), lang, true))
}

/// Formats an amount with its cents always shown: `25.000,00 EUR`, `25 000,00 EUR`,
/// `25,000.00 EUR` (suggestions name the exact amount).
pub fn display_money_cents(value: Decimal, lang: &str) -> String {
    format!("{} EUR", display_number(round_cent(value), lang, false))
}

/// Formats a rate as a percentage: `7 %`, `6,75 %` (nl, fr) or `6.75%` (en).
pub fn display_percent(rate: Decimal, lang: &str) -> String {
    let pct = (rate * Decimal::from(100)).normalize();
    let n = display_number(pct, lang, false);
    if lang == "en" {
        format!("{n}%")
    } else {
        format!("{n}\u{a0}%")
    }
}

fn display_number(value: Decimal, lang: &str, money: bool) -> String {
    let (group, point) = match lang {
        "nl" => (".", ","),
        "fr" => ("\u{202f}", ","),
        _ => (",", "."),
    };
    let text = value.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 && int.len() > 4 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let frac = if money && frac.bytes().all(|b| b == b'0') {
        ""
    } else {
        frac
    };
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn contract_check_values() {
        let cases = [
            ("25000.00", "0.06", 60, "483.32"),
            ("25000.00", "0.07", 60, "495.03"),
            ("10000.00", "0.06", 36, "304.22"),
            ("10000.00", "0.07", 36, "308.77"),
        ];
        for (p, r, n, want) in cases {
            let a = annuity(d(p), d(r), n).map(|a| Money(a.monthly_instalment).to_string());
            assert_eq!(a.as_deref(), Some(want), "{p} {r} {n}");
        }
        let a = annuity(d("25000.00"), d("0.07"), 60).map(|a| Money(a.total_repayable).to_string());
        assert_eq!(a.as_deref(), Some("29701.80"));
    }

    #[test]
    fn the_table_gives_the_direct_formulas_figures() {
        for rate in ["0.0675", "0.07", "0.06", "0"] {
            let table = AnnuityTable::new(d(rate), 600);
            for months in 1..=600 {
                for amount in [
                    "0.01",
                    "1",
                    "999.99",
                    "9500.00",
                    "24999.99",
                    "25000.00",
                    "1000000.00",
                ] {
                    assert_eq!(
                        table.annuity(d(amount), months),
                        annuity(d(amount), d(rate), months),
                        "{rate} {months} {amount}"
                    );
                }
            }
            assert_eq!(table.annuity(d("1"), 601), None);
            assert_eq!(table.annuity(d("1"), 0), None);
        }
    }

    #[test]
    fn zero_rate_and_long_terms() {
        let a =
            annuity(d("1000"), Decimal::ZERO, 3).map(|a| Money(a.monthly_instalment).to_string());
        assert_eq!(a.as_deref(), Some("333.33"));
        assert!(annuity(d("1000000.00"), d("0.0675"), 600).is_some());
        assert!(annuity(d("1000"), d("0.07"), 0).is_none());
    }

    #[test]
    fn money_text_is_exact() {
        assert_eq!(parse_money("25000"), Ok(d("25000")));
        assert_eq!(parse_money("-12.5"), Ok(d("-12.5")));
        assert_eq!(parse_money("1000000.00"), Ok(d("1000000")));
        assert_eq!(parse_money("1000000.01"), Err(MoneyError::OutOfRange));
        assert_eq!(
            parse_money("0000000000000000000000000000000000001"),
            Ok(d("1"))
        );
        assert_eq!(
            parse_money("99999999999999999999999999999999999"),
            Err(MoneyError::OutOfRange)
        );
        for bad in [
            "24999.999",
            "25.000,00",
            "9500,00",
            "€ 500",
            "1e3",
            "",
            "-",
            ".5",
            "5.",
            "+5",
            " 5",
            "1_000",
        ] {
            assert_eq!(parse_money(bad), Err(MoneyError::Format), "{bad}");
        }
    }

    #[test]
    fn display_is_localised() {
        assert_eq!(display_money(d("25000"), "nl"), "25.000 EUR");
        assert_eq!(display_money(d("25000"), "en"), "25,000 EUR");
        assert_eq!(display_money(d("25000"), "fr"), "25\u{202f}000 EUR");
        assert_eq!(display_money(d("1234.5"), "en"), "1234.50 EUR");
        assert_eq!(display_percent(d("0.0675"), "nl"), "6,75\u{a0}%");
        assert_eq!(display_percent(d("0.07"), "en"), "7%");
    }
}
