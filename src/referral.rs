//! Every lender at once (CONTRACT.md §7): the answer to a request for product `*`, one
//! decision per product in force and the products that may help, ranked.
//!
//! A referral is only ever a product whose own rules found the applicant `eligible`,
//! `flagged` or `review`: the ranking reads the decisions, it adds no judgement of its own.

use crate::date::Date;
use crate::model::{Decision, Language, Outcome};
use crate::ruleset::RuleSet;

/// One product that may help, as the answer lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral<'a> {
    /// The product id.
    pub product: &'a str,
    /// The lender's name (or the product's title when its timeline names no lender).
    pub title: &'a str,
    /// That product's outcome.
    pub outcome: Outcome,
    /// The lender's public page, when known.
    pub url: Option<&'a str>,
    /// Whom the lender helps, and what the outcome means there, in the request's language.
    pub message: String,
}

/// The referrals among `decisions`: best outcome first, then product id.
pub fn referrals<'a>(
    decisions: &[(&'a RuleSet, Decision<'a>)],
    language: Language,
) -> Vec<Referral<'a>> {
    let mut out: Vec<Referral<'a>> = decisions
        .iter()
        .filter(|(_, d)| {
            matches!(
                d.outcome,
                Outcome::Eligible | Outcome::Flagged | Outcome::Review
            )
        })
        .map(|(rs, d)| {
            let lender = rs.lender.as_deref();
            let about = lender.map(|l| l.about(language)).unwrap_or_default();
            let what = outcome_sentence(language, d.outcome);
            let message = if about.is_empty() {
                what.to_owned()
            } else {
                format!("{about} {what}")
            };
            Referral {
                product: rs.product.as_str(),
                title: lender.map_or(rs.title.as_str(), |l| l.name.as_str()),
                outcome: d.outcome,
                url: lender.map(|l| l.url.as_str()),
                message,
            }
        })
        .collect();
    // `Outcome` orders from most to least severe: the best outcome is the greatest.
    out.sort_by(|a, b| {
        b.outcome
            .cmp(&a.outcome)
            .then_with(|| a.product.cmp(b.product))
    });
    out
}

/// What a referral's outcome means for the applicant.
fn outcome_sentence(language: Language, outcome: Outcome) -> &'static str {
    match (language, outcome) {
        (Language::Nl, Outcome::Review) => {
            "Volgens de voorwaarden die wij kennen, moet een adviseur daar je aanvraag bekijken."
        }
        (Language::Nl, _) => {
            "Volgens de voorwaarden die wij kennen, kom je daar waarschijnlijk in aanmerking."
        }
        (Language::Fr, Outcome::Review) => {
            "D'après les conditions que nous connaissons, un conseiller devra y examiner votre demande."
        }
        (Language::Fr, _) => {
            "D'après les conditions que nous connaissons, vous y êtes probablement éligible."
        }
        (Language::En, Outcome::Review) => {
            "By the conditions we know, an advisor there would need to look at your application."
        }
        (Language::En, _) => "By the conditions we know, you can probably apply there.",
    }
}

/// The answer's bytes: `{"as_of":…,"language":…,"decisions":[…],"referrals":[…]}`, each
/// decision exactly as a request for its product alone would give it.
pub fn answer(decisions: &[(&RuleSet, Decision<'_>)], as_of: Date, language: Language) -> String {
    let mut out = String::with_capacity(2048 * decisions.len().max(1));
    out.push_str("{\"as_of\":\"");
    out.push_str(&as_of.to_string());
    out.push_str("\",\"language\":\"");
    out.push_str(language.as_str());
    out.push_str("\",\"decisions\":[");
    for (i, (_, d)) in decisions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&d.to_json());
    }
    out.push_str("],\"referrals\":[");
    for (i, r) in referrals(decisions, language).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"product\":");
        crate::encode::string(&mut out, r.product);
        out.push_str(",\"title\":");
        crate::encode::string(&mut out, r.title);
        out.push_str(",\"outcome\":\"");
        out.push_str(r.outcome.as_str());
        out.push('"');
        if let Some(url) = r.url {
            out.push_str(",\"url\":");
            crate::encode::string(&mut out, url);
        }
        out.push_str(",\"message\":");
        crate::encode::string(&mut out, &r.message);
        out.push('}');
    }
    out.push_str("]}");
    out
}
