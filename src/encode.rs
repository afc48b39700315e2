//! The decision's bytes, written directly: the same bytes `serde_json::to_string` produces for
//! the derived `Serialize` (a test holds the two together), at a third of the cost, because
//! keys and the rule set's own strings are known not to need escaping.

use crate::model::{
    Answer, Decision, FieldIssue, Indicative, Normalized, Purpose, Reason, Suggestion,
};
use std::fmt::Write as _;

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Nearly every string needs no escape: copy it whole.
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

fn key(out: &mut String, first: &mut bool, name: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

fn plains<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>) {
    out.push('[');
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        plain(out, s);
    }
    out.push(']');
}

fn issues(out: &mut String, items: &[FieldIssue]) {
    out.push('[');
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"field\":");
        string(out, &e.field);
        out.push_str(",\"code\":");
        string(out, e.code);
        out.push_str(",\"message\":");
        string(out, &e.message);
        out.push('}');
    }
    out.push(']');
}

fn display(out: &mut String, v: impl std::fmt::Display) {
    out.push('"');
    let _ = write!(out, "{v}");
    out.push('"');
}

/// Appends the decimal digits of `n`, at least `min_width` of them (zero-padded).
///
/// Works in `u64`: a money value's cents fit in it many times over, and 128-bit division is a
/// library call in WebAssembly. The rare value above `u64::MAX` is split into 19-digit halves.
fn digits(out: &mut String, n: u128, min_width: usize) {
    const TEN19: u128 = 10_000_000_000_000_000_000;
    match u64::try_from(n) {
        Ok(small) => digits64(out, small, min_width),
        Err(_) => {
            digits(out, n / TEN19, min_width.saturating_sub(19));
            // n % 10^19 < 10^19 <= u64::MAX.
            digits64(out, u64::try_from(n % TEN19).unwrap_or_default(), 19);
        }
    }
}

fn digits64(out: &mut String, mut n: u64, min_width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while n > 0 || buf.len() - i < min_width.min(buf.len()) {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // n % 10 < 10, so the cast is exact.
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
    }
    out.push_str(std::str::from_utf8(buf.get(i..).unwrap_or_default()).unwrap_or_default());
}

/// A money value as `"1234.50"`: the same text as `Money`'s `Display`, without `fmt`.
fn money(out: &mut String, m: crate::money::Money) {
    let mut v = m.0;
    if v.scale() <= 2 {
        v.rescale(2);
    } else {
        v = crate::money::round_cent(v);
    }
    let mantissa = v.mantissa();
    out.push('"');
    if mantissa < 0 {
        out.push('-');
    }
    let abs = mantissa.unsigned_abs();
    let (units, cents) = match u64::try_from(abs) {
        Ok(a) => (u128::from(a / 100), u128::from(a % 100)),
        Err(_) => (abs / 100, abs % 100),
    };
    digits(out, units, 1);
    out.push('.');
    digits(out, cents, 2);
    out.push('"');
}

/// A date as `"2026-11-22"`.
fn date(out: &mut String, d: crate::date::Date) {
    out.push('"');
    digits(out, u128::from(d.year()), 4);
    out.push('-');
    digits(out, u128::from(d.month()), 2);
    out.push('-');
    digits(out, u128::from(d.day()), 2);
    out.push('"');
}

/// Appends a string the rule set guarantees needs no escaping (ids, field names, canonical
/// values: checked when the rule set loads).
fn plain(out: &mut String, s: &str) {
    out.push('"');
    out.push_str(s);
    out.push('"');
}

fn purposes(out: &mut String, list: &[Purpose<'_>]) {
    out.push('[');
    for (k, p) in list.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str("{\"category\":");
        plain(out, p.category);
        out.push_str(",\"amount_eur\":");
        money(out, p.amount_eur);
        out.push('}');
    }
    out.push(']');
}

fn normalized(out: &mut String, n: &Normalized<'_>) {
    out.push('{');
    let mut first = true;
    for (name, answer) in n.iter() {
        // Field names are lower snake case (checked when the rule set loads).
        key(out, &mut first, name);
        match answer {
            Answer::Canonical(v) => plain(out, v),
            Answer::Text(v) => string(out, v),
            Answer::Money(m) => money(out, *m),
            Answer::Integer(i) => {
                let _ = write!(out, "{i}");
            }
            Answer::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Answer::Date(d) => date(out, *d),
            Answer::Purposes(list) => purposes(out, list),
        }
    }
    out.push('}');
}

/// `[{"id":…,"severity":…,"message":…,"fields":[…]},…]`.
fn reasons(out: &mut String, list: &[Reason<'_>]) {
    out.push('[');
    for (i, r) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        plain(out, r.id);
        out.push_str(",\"severity\":\"");
        out.push_str(r.severity.as_str());
        out.push_str("\",\"message\":");
        out.push_str(r.message.get());
        out.push_str(",\"fields\":");
        plains(out, r.fields.iter().map(String::as_str));
        out.push('}');
    }
    out.push(']');
}

/// `,"indicative":{…}`.
fn indicative(out: &mut String, ind: &Indicative) {
    out.push_str(",\"indicative\":{\"annual_rate\":");
    display(out, ind.annual_rate.0.normalize());
    out.push_str(",\"monthly_instalment_eur\":");
    money(out, ind.monthly_instalment_eur);
    out.push_str(",\"total_repayable_eur\":");
    money(out, ind.total_repayable_eur);
    out.push('}');
}

/// `,"suggestions":[…]` (CONTRACT.md §8).
fn suggestions(out: &mut String, list: &[Suggestion<'_>]) {
    out.push_str(",\"suggestions\":[");
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"changes\":{");
        let mut first = true;
        if let Some(amount) = s.changes.amount_requested_eur {
            key(out, &mut first, "amount_requested_eur");
            money(out, amount);
        }
        if let Some(list) = &s.changes.funding_purposes {
            key(out, &mut first, "funding_purposes");
            purposes(out, list);
        }
        if let Some(term) = s.changes.term_months {
            key(out, &mut first, "term_months");
            let _ = write!(out, "{term}");
        }
        out.push_str("},\"outcome\":\"");
        out.push_str(s.outcome.as_str());
        out.push_str("\",\"reasons\":");
        reasons(out, &s.reasons);
        out.push_str(",\"message\":");
        string(out, &s.message);
        if let Some(ind) = &s.indicative {
            indicative(out, ind);
        }
        out.push('}');
    }
    out.push(']');
}

/// The decision as compact JSON, fields in contract order.
pub fn decision(d: &Decision<'_>) -> String {
    // A score adds about 3 KB (its reasons' texts): reserve it once rather than grow twice.
    #[cfg(feature = "native")]
    let capacity = if d.score.is_some() { 6144 } else { 2048 };
    #[cfg(not(feature = "native"))]
    let capacity = 2048;
    let mut out = String::with_capacity(capacity);
    out.push_str("{\"outcome\":\"");
    out.push_str(d.outcome.as_str());
    out.push_str("\",\"product\":");
    string(&mut out, d.product);
    out.push_str(",\"rule_set\":{\"version\":");
    string(&mut out, d.rule_set.version);
    out.push_str(",\"effective_from\":");
    date(&mut out, d.rule_set.effective_from);
    out.push_str(",\"hash\":");
    string(&mut out, d.rule_set.hash);
    out.push_str("},\"as_of\":");
    date(&mut out, d.as_of);
    out.push_str(",\"language\":\"");
    out.push_str(d.language.as_str());
    out.push_str("\",\"reasons\":");
    reasons(&mut out, &d.reasons);
    out.push_str(",\"errors\":");
    issues(&mut out, &d.errors);
    out.push_str(",\"skipped\":[");
    for (i, s) in d.skipped.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        plain(&mut out, s.id);
        out.push_str(",\"missing\":");
        plains(&mut out, s.missing.iter().map(String::as_str));
        out.push('}');
    }
    out.push_str("],\"warnings\":");
    issues(&mut out, &d.warnings);
    if let Some(ind) = &d.indicative {
        indicative(&mut out, ind);
    }
    #[cfg(feature = "native")]
    if let Some(score) = &d.score {
        self::score(&mut out, score);
    }
    if let Some(list) = &d.suggestions {
        suggestions(&mut out, list);
    }
    out.push_str(",\"normalized\":");
    normalized(&mut out, &d.normalized);
    out.push('}');
    out
}

/// `,"score":{…}`: ids are the rule set's (checked when it loads), messages are JSON already.
/// Numbers go through [`digits64`], not `fmt`: a score has some seventy of them.
#[cfg(feature = "native")]
fn score(out: &mut String, s: &crate::scorecard::Score<'_>) {
    let uint = |out: &mut String, n: u32| digits64(out, u64::from(n), 1);
    out.push_str(",\"score\":{\"total\":");
    uint(out, s.total);
    out.push_str(",\"max\":");
    uint(out, s.max);
    out.push_str(",\"band\":");
    string(out, s.band);
    out.push_str(",\"pillars\":[");
    for (i, p) in s.pillars.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        plain(out, p.id);
        out.push_str(",\"points\":");
        uint(out, p.points);
        out.push_str(",\"max\":");
        uint(out, p.max);
        out.push_str(",\"attributes\":[");
        for (k, a) in p.attributes.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            plain(out, a.id);
            out.push_str(",\"points\":");
            uint(out, a.points);
            out.push_str(",\"max\":");
            uint(out, a.max);
            out.push_str(if a.known {
                ",\"known\":true}"
            } else {
                ",\"known\":false}"
            });
        }
        out.push_str("]}");
    }
    out.push_str("],\"reasons\":[");
    for (i, r) in s.reasons.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        plain(out, r.id);
        out.push_str(",\"points_lost\":");
        uint(out, r.points_lost);
        out.push_str(",\"message\":");
        out.push_str(r.message.get());
        out.push('}');
    }
    out.push_str("]}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_and_dates_match_display() {
        for text in [
            "0",
            "0.5",
            "-0.5",
            "12.3",
            "25000",
            "1000000.00",
            "-120.55",
            "0.004",
            "0.005",
            "999.995",
            "18446744073709551.61",
            "18446744073709551.62",
            "792281625142643375935439503.35",
            "-10000000000000000000000.01",
        ] {
            let m = crate::money::Money(text.parse().unwrap());
            let mut out = String::new();
            super::money(&mut out, m);
            assert_eq!(out, format!("\"{m}\""), "{text}");
        }
        let d = crate::date::Date::parse("0987-01-09").unwrap();
        let mut out = String::new();
        super::date(&mut out, d);
        assert_eq!(out, "\"0987-01-09\"");
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for s in [
            "plain",
            "quote \" back \\ slash",
            "ctl \u{1} \u{1f} \u{7f} \n\r\t\u{8}\u{c}",
            "é € 😀 </script>",
            "",
        ] {
            let mut out = String::new();
            super::string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }
}
