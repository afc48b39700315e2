//! The evaluation loop: one version, one application → one decision. Validate, compute the
//! indicative instalment, run every rule whose fields are there, order the reasons; for an
//! `ineligible` or `review` outcome, search what the applicant could change ([`crate::suggest`]).

use crate::api::{ErrorCode, RequestError};
use crate::date::Date;
use crate::json::Json;
use crate::model::{Answer, Decision, Indicative, Language, Outcome, Reason, RuleSetRef, Skipped};
use crate::money::{Money, Plain};
use crate::ruleset::RuleSet;
use crate::script::{Value, Verdict};
use crate::validate::{Validated, validate};
use std::borrow::Cow;

/// Runs one version on one application (the borrowed tree the JSON entry points read).
/// `suggest`: search the changes that would help (CONTRACT.md §8) when the outcome is
/// `ineligible` or `review`.
pub(crate) fn decide<'a>(
    rs: &'a RuleSet,
    application: &Json<'_>,
    as_of: Date,
    language: Language,
    score: bool,
    suggest: bool,
) -> Result<Decision<'a>, RequestError> {
    let mut decision = evaluate(
        rs,
        validate(application, rs, language),
        as_of,
        language,
        score,
    )?;
    if suggest && matches!(decision.outcome, Outcome::Ineligible | Outcome::Review) {
        // Validated again rather than cloned up front: the common path pays nothing.
        let base = validate(application, rs, language);
        decision.suggestions = Some(crate::suggest::search(
            rs, &base, &decision, as_of, language,
        )?);
    }
    Ok(decision)
}

/// Runs the rules on a validated application: the decision without suggestions. Never inlined:
/// one copy serves the decision and every suggestion candidate (the page's wasm is budgeted).
#[inline(never)]
pub(crate) fn evaluate<'a>(
    rs: &'a RuleSet,
    mut v: Validated<'a>,
    as_of: Date,
    language: Language,
    score: bool,
) -> Result<Decision<'a>, RequestError> {
    let indicative = match (v.normalized.amount(), v.normalized.term_months()) {
        (Some(amount), Some(term)) => u32::try_from(term)
            .ok()
            .and_then(|n| rs.annuities.annuity(amount, n)),
        _ => None,
    };
    let mut decision = Decision {
        outcome: Outcome::Eligible,
        product: &rs.product,
        rule_set: RuleSetRef {
            version: &rs.version,
            effective_from: rs.effective_from,
            hash: &rs.hash,
        },
        as_of,
        language,
        reasons: Vec::with_capacity(4),
        errors: Vec::new(),
        skipped: Vec::with_capacity(rs.rules.len()),
        warnings: std::mem::take(&mut v.warnings),
        indicative: indicative.map(|a| Indicative {
            annual_rate: Plain(a.annual_rate),
            monthly_instalment_eur: Money(a.monthly_instalment),
            total_repayable_eur: Money(a.total_repayable),
        }),
        #[cfg(feature = "native")]
        score: None,
        suggestions: None,
        normalized: Default::default(),
    };
    if !v.errors.is_empty() {
        decision.outcome = Outcome::Invalid;
        decision.errors = std::mem::take(&mut v.errors);
        decision.normalized = v.normalized;
        return Ok(decision);
    }

    let inputs_spec = rs.program.inputs();
    let mut inputs = std::mem::take(&mut v.inputs);
    if let Some(a) = indicative
        && let Some(x) = inputs.get_mut(inputs_spec.instalment_slot())
    {
        *x = Value::from_decimal(a.monthly_instalment);
    }
    let missing: Vec<Value> = v
        .missing_required
        .iter()
        .map(|f| Value::from(crate::script::ImmutableString::from(*f)))
        .collect();
    if let Some(x) = inputs.get_mut(inputs_spec.missing_required_slot()) {
        *x = Value::from_array(missing);
    }
    if let Some(field) = inputs_spec.business_start_field()
        && let Some(Answer::Date(start)) = v.normalized.get(field)
        && let Some(x) = inputs.get_mut(inputs_spec.months_active_slot())
    {
        *x = Value::from_int(start.whole_months_until(as_of));
    }
    // Bit i set: input i has a value. Rules read at most 128 inputs by slot; a slot beyond
    // counts as present only if its value is.
    let present = Present::new(&inputs);

    let mut run = rs.program.start(inputs);
    for rule in &rs.rules {
        let compiled = &rule.compiled;
        let absent = compiled
            .read_slots
            .iter()
            .filter(|s| !present.has(**s))
            .count();
        if absent > 0 {
            let missing = if absent == compiled.reads.len() {
                // The common case (a one-field rule): borrow, no allocation.
                Cow::Borrowed(compiled.reads.as_slice())
            } else {
                let fields = compiled.read_slots.iter().zip(&compiled.reads);
                Cow::Owned(
                    fields
                        .filter(|(s, _)| !present.has(**s))
                        .map(|(_, f)| f.clone())
                        .collect(),
                )
            };
            decision.skipped.push(Skipped {
                id: &compiled.id,
                missing,
            });
            continue;
        }
        let verdict = run.eval(compiled).map_err(rule_error)?;
        let fields = match verdict {
            Verdict::Pass => continue,
            Verdict::Fire => Cow::Borrowed(compiled.reads.as_slice()),
            Verdict::FireWith(f) => Cow::Owned(f),
        };
        let text = rule.text(language);
        decision.reasons.push(Reason {
            id: &compiled.id,
            severity: compiled.severity,
            message: &text.message_json,
            fields,
            message_text: &text.message,
        });
    }
    #[cfg(feature = "native")]
    if score && let Some(card) = &rs.scorecard {
        decision.score = Some(
            card.score(&mut run, |slot| present.has(slot), language)
                .map_err(rule_error)?,
        );
    }
    #[cfg(not(feature = "native"))]
    let _ = score;
    decision
        .reasons
        .sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(b.id)));
    decision.skipped.sort_by(|a, b| a.id.cmp(b.id));
    decision.outcome = decision
        .reasons
        .first()
        .map_or(Outcome::Eligible, |r| r.severity.outcome());
    decision.normalized = v.normalized;
    Ok(decision)
}

/// A rule (or scorecard attribute) that failed at run time: the rule set is broken.
fn rule_error(d: Box<crate::Diagnostic>) -> RequestError {
    let mut e = RequestError::new(ErrorCode::RuleError, format!("the rule set is broken: {d}"));
    e.diagnostic = Some(d);
    e
}

/// Which inputs have a value: a bit set, without allocating for up to 128 inputs.
struct Present {
    low: u128,
    rest: Vec<bool>,
}

impl Present {
    fn new(inputs: &[Value]) -> Present {
        let mut low = 0u128;
        let mut rest = Vec::new();
        for (i, x) in inputs.iter().enumerate() {
            let has = !x.is_unit();
            if i < 128 {
                if has {
                    low |= 1u128 << i;
                }
            } else {
                rest.push(has);
            }
        }
        Present { low, rest }
    }
    fn has(&self, slot: usize) -> bool {
        if slot < 128 {
            self.low & (1u128 << slot) != 0
        } else {
            self.rest.get(slot - 128).copied().unwrap_or(false)
        }
    }
}
