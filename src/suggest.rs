//! What would change the outcome (CONTRACT.md §8): for an `ineligible` or `review` decision,
//! the nearest amount and the nearest term that give a better outcome under the same rules.
//!
//! Nothing here knows a rule. Candidates are the application with one answer changed (the
//! amount, its purposes scaled with it so that they still add up; or the term), re-validated
//! field by field and run through the same [`evaluate`] as any decision; a suggestion is
//! exactly that evaluation. The search is bounded and deterministic, so the wasm and the
//! native build find the same suggestions:
//! - A dimension is searched only when every reason of the worst severity read one of its
//!   fields (`fields` of the reason): a reason that reads neither the amount nor the purposes
//!   cannot stop firing when only they change.
//! - From the current value it probes outwards (the amount halving, then doubling only when
//!   no lower amount helps; the term 1, 2, 4, … months shorter and longer, nearest first)
//!   until a candidate is better, then bisects between the last candidate that was not and
//!   that one: the largest amount (to the cent) and the nearest term that are better, when
//!   the outcome changes once between two probes, as the rules' thresholds do.
//! - From a better value it goes on in the same direction while the outcome can improve
//!   further (a `review` reached from `ineligible`, then `eligible`).
//! - At most [`MAX_EVALUATIONS`] candidates are evaluated per decision.

use crate::api::RequestError;
use crate::date::Date;
use crate::decide::evaluate;
use crate::fields::Kind;
use crate::model::{Answer, Changes, Decision, Language, Outcome, Purpose, Suggestion};
use crate::money::{MONEY_LIMIT, Money, display_money_cents, round_cent};
use crate::ruleset::RuleSet;
use crate::script::{Purposes, Value};
use crate::validate::Validated;
use rust_decimal::Decimal;

/// The most candidate evaluations one decision's search may run.
pub const MAX_EVALUATIONS: u32 = 160;

/// Which answer a candidate changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// The amount, in cents (the purposes scaled with it).
    Amount(i64),
    /// The term, in months.
    Term(i64),
}

struct Search<'r, 'a> {
    rs: &'a RuleSet,
    base: &'r Validated<'a>,
    as_of: Date,
    language: Language,
    amount: usize,
    term: usize,
    purposes: Option<usize>,
    left: u32,
}

/// A found change with its evaluation.
struct Found<'a> {
    change: Change,
    /// How far from the current answer, relative to it, for ordering.
    distance: Decimal,
    decision: Decision<'a>,
}

/// The suggestions for `decision` (an `ineligible` or `review` outcome of `base`).
pub(crate) fn search<'a>(
    rs: &'a RuleSet,
    base: &Validated<'a>,
    decision: &Decision<'a>,
    as_of: Date,
    language: Language,
) -> Result<Vec<Suggestion<'a>>, RequestError> {
    let fields = &rs.fields;
    let mut s = Search {
        rs,
        base,
        as_of,
        language,
        amount: fields.amount_index(),
        term: fields.term_index(),
        purposes: fields
            .iter()
            .position(|f| matches!(f.kind, Kind::Purposes { .. })),
        left: MAX_EVALUATIONS,
    };
    let mut found: Vec<Found<'a>> = Vec::new();

    let current_amount = base.normalized.amount().and_then(to_cents);
    let current_term = base.normalized.term_months();
    if let Some(cents) = current_amount {
        let before = found.len();
        s.amount_direction(decision, cents, Direction::Down, &mut found)?;
        if found.len() == before {
            s.amount_direction(decision, cents, Direction::Up, &mut found)?;
        }
    }
    if let Some(term) = current_term {
        s.term(decision, term, &mut found)?;
    }

    // Best outcome first, then the smallest change; the amount before the term on a tie.
    // No two found changes compare equal (distinct values per dimension, then the dimension):
    // an unstable sort gives the same order, with less code in the page's wasm.
    found.sort_unstable_by(|a, b| {
        b.decision
            .outcome
            .cmp(&a.decision.outcome)
            .then_with(|| a.distance.cmp(&b.distance))
            .then_with(|| {
                matches!(a.change, Change::Term(_)).cmp(&matches!(b.change, Change::Term(_)))
            })
    });
    let purposes = s.purposes;
    Ok(found
        .into_iter()
        .map(|f| {
            let (changes, up) = match f.change {
                Change::Amount(cents) => {
                    let scaled = purposes
                        .and_then(|p| f.decision.normalized.get(p))
                        .and_then(|a| match a {
                            Answer::Purposes(list) => Some(list.clone()),
                            _ => None,
                        });
                    let changes = Changes {
                        amount_requested_eur: Some(Money(Decimal::new(cents, 2))),
                        funding_purposes: scaled,
                        term_months: None,
                    };
                    (changes, current_amount.is_some_and(|c| cents > c))
                }
                Change::Term(months) => {
                    let changes = Changes {
                        amount_requested_eur: None,
                        funding_purposes: None,
                        term_months: Some(months),
                    };
                    (changes, current_term.is_some_and(|c| months > c))
                }
            };
            Suggestion {
                changes,
                outcome: f.decision.outcome,
                message: message(language, f.change, up, &f.decision),
                reasons: f.decision.reasons,
                indicative: f.decision.indicative,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Down,
    Up,
}

/// Whether changing one of `fields` could make the worst reasons of `d` stop firing: every one
/// of them read one of the fields.
fn can_help(d: &Decision<'_>, fields: &[&str]) -> bool {
    matches!(d.outcome, Outcome::Ineligible | Outcome::Review)
        && d.reasons
            .iter()
            .filter(|r| r.severity.outcome() == d.outcome)
            .all(|r| r.fields.iter().any(|f| fields.contains(&f.as_str())))
}

fn to_cents(amount: Decimal) -> Option<i64> {
    let mut d = round_cent(amount);
    d.rescale(2);
    i64::try_from(d.mantissa()).ok()
}

impl<'a> Search<'_, 'a> {
    fn field_name(&self, index: usize) -> &'a str {
        self.rs
            .fields
            .get(index)
            .map(|f| f.name.as_str())
            .unwrap_or_default()
    }

    /// The fields a change of the amount changes.
    fn amount_fields(&self) -> [&'a str; 2] {
        [
            self.field_name(self.amount),
            self.purposes.map_or("", |p| self.field_name(p)),
        ]
    }

    /// The allowed range of the amount, in cents.
    fn amount_range(&self) -> (i64, i64) {
        let limit = to_cents(MONEY_LIMIT).unwrap_or(i64::MAX);
        match self.rs.fields.get(self.amount).map(|f| &f.kind) {
            Some(Kind::Money { positive, min }) => {
                let low = min
                    .and_then(to_cents)
                    .unwrap_or(if *positive { 1 } else { -limit });
                (low.max(if *positive { 1 } else { low }), limit)
            }
            _ => (1, limit),
        }
    }

    /// The allowed range of the term.
    fn term_range(&self) -> (i64, i64) {
        match self.rs.fields.get(self.term).map(|f| &f.kind) {
            Some(Kind::Integer { min, max }) => (*min, *max),
            _ => (1, 600),
        }
    }

    /// Evaluates the application with one answer changed; `None` when the budget is spent or
    /// the changed answers are not valid (a purpose scaled to nothing).
    fn eval(&mut self, change: Change) -> Result<Option<Decision<'a>>, RequestError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let mut v = self.base.clone();
        match change {
            Change::Amount(cents) => {
                let (low, high) = self.amount_range();
                if !(low..=high).contains(&cents) {
                    return Ok(None);
                }
                let amount = Decimal::new(cents, 2);
                let old = v.normalized.amount();
                set(
                    &mut v,
                    self.amount,
                    Answer::Money(Money(amount)),
                    Value::from_decimal(amount),
                );
                if let (Some(p), Some(old)) = (self.purposes, old)
                    && !scale_purposes(&mut v, p, old, amount)
                {
                    return Ok(None);
                }
            }
            Change::Term(months) => {
                let (low, high) = self.term_range();
                if !(low..=high).contains(&months) {
                    return Ok(None);
                }
                set(
                    &mut v,
                    self.term,
                    Answer::Integer(months),
                    Value::from_int(months),
                );
            }
        }
        let d = evaluate(self.rs, v, self.as_of, self.language, false)?;
        Ok((d.outcome != Outcome::Invalid).then_some(d))
    }

    /// Amounts below (or above) the current one, while each found one can still improve.
    fn amount_direction(
        &mut self,
        decision: &Decision<'a>,
        current: i64,
        direction: Direction,
        found: &mut Vec<Found<'a>>,
    ) -> Result<(), RequestError> {
        let fields = self.amount_fields();
        let (low, high) = self.amount_range();
        let mut from = current;
        let mut outcome = decision.outcome;
        let mut helps = can_help(decision, &fields);
        while helps && self.left > 0 {
            // Probe outwards until a candidate is better.
            let mut bad = from;
            let mut hit = None;
            loop {
                let probe = match direction {
                    Direction::Down => bad / 2,
                    Direction::Up => bad.saturating_mul(2).min(high),
                };
                if probe < low || probe == bad || self.left == 0 {
                    break;
                }
                match self.eval(Change::Amount(probe))? {
                    Some(d) if d.outcome > outcome => {
                        hit = Some((probe, d));
                        break;
                    }
                    _ => bad = probe,
                }
            }
            let Some((good, best)) = hit else {
                break;
            };
            // To the cent: the largest (nearest) better amount.
            let (good, best) = self.bisect(bad, good, best, outcome, Change::Amount)?;
            helps = can_help(&best, &fields);
            outcome = best.outcome;
            from = good;
            found.push(Found {
                change: Change::Amount(good),
                distance: relative(current, good),
                decision: best,
            });
        }
        Ok(())
    }

    /// Bisects between `bad` (not better than `outcome`) and `good` (better, evaluated as
    /// `best`): the better value nearest to `bad`, when the outcome changes once between them.
    fn bisect(
        &mut self,
        mut bad: i64,
        mut good: i64,
        mut best: Decision<'a>,
        outcome: Outcome,
        change: fn(i64) -> Change,
    ) -> Result<(i64, Decision<'a>), RequestError> {
        while (good - bad).abs() > 1 && self.left > 0 {
            let mid = bad + (good - bad) / 2;
            match self.eval(change(mid))? {
                Some(d) if d.outcome > outcome => {
                    good = mid;
                    best = d;
                }
                _ => bad = mid,
            }
        }
        Ok((good, best))
    }

    /// The nearest shorter or longer term that is better, and on from there.
    fn term(
        &mut self,
        decision: &Decision<'a>,
        current: i64,
        found: &mut Vec<Found<'a>>,
    ) -> Result<(), RequestError> {
        let name = self.field_name(self.term);
        let fields = [name];
        if !can_help(decision, &fields) {
            return Ok(());
        }
        let (low, high) = self.term_range();
        // Nearest first, shorter before longer at the same distance.
        let mut step = 1_i64;
        let mut hit = None;
        while hit.is_none() && self.left > 0 {
            let down = current - step;
            let up = current + step;
            if down < low && up > high {
                break;
            }
            for probe in [down, up] {
                if !(low..=high).contains(&probe) {
                    continue;
                }
                if let Some(d) = self.eval(Change::Term(probe))?
                    && d.outcome > decision.outcome
                {
                    hit = Some((probe, d));
                    break;
                }
            }
            if hit.is_none() {
                step = step.saturating_mul(2);
            }
        }
        let Some((first, first_decision)) = hit else {
            return Ok(());
        };
        let sign = if first > current { 1 } else { -1 };
        // The candidates between the last probe on that side and the hit were not probed.
        let mut bad = current + sign * (step / 2);
        let (mut good, mut best, mut outcome) = (first, first_decision, decision.outcome);
        loop {
            (good, best) = self.bisect(bad, good, best, outcome, Change::Term)?;
            let helps = can_help(&best, &fields);
            let reached = best.outcome;
            let at = good;
            found.push(Found {
                change: Change::Term(at),
                distance: relative(current, at),
                decision: best,
            });
            if !helps || self.left == 0 {
                return Ok(());
            }
            // On in the same direction, doubling the distance from `at`, for a better outcome
            // still.
            outcome = reached;
            bad = at;
            let mut step = 1_i64;
            let mut next = None;
            loop {
                let probe = at + sign * step;
                if !(low..=high).contains(&probe) || self.left == 0 {
                    break;
                }
                match self.eval(Change::Term(probe))? {
                    Some(d) if d.outcome > outcome => {
                        next = Some((probe, d));
                        break;
                    }
                    _ => {
                        bad = probe;
                        step = step.saturating_mul(2);
                    }
                }
            }
            let Some((probe, d)) = next else {
                return Ok(());
            };
            good = probe;
            best = d;
        }
    }
}

/// How far `to` is from `from`, relative to `from`.
fn relative(from: i64, to: i64) -> Decimal {
    let from = Decimal::from(from);
    if from.is_zero() {
        return Decimal::MAX;
    }
    (Decimal::from(to) - from).abs() / from.abs()
}

fn set<'a>(v: &mut Validated<'a>, index: usize, answer: Answer<'a>, value: Value) {
    v.normalized.set(index, answer);
    if let Some(x) = v.inputs.get_mut(index) {
        *x = value;
    }
}

/// Scales the purposes from `old` to `new`: each rounded half-up to the cent and, when they
/// added up to `old`, the rounding difference put on the largest so that they add up to
/// `new`. `false` when a purpose would come to nothing.
fn scale_purposes(v: &mut Validated<'_>, index: usize, old: Decimal, new: Decimal) -> bool {
    let Some(Answer::Purposes(list)) = v.normalized.get(index) else {
        return true;
    };
    if old.is_zero() {
        return false;
    }
    let mut list = list.clone();
    let sum: Decimal = list.iter().map(|p| p.amount_eur.0).sum();
    let mut amounts: Vec<Decimal> = list
        .iter()
        .map(|p| round_cent(p.amount_eur.0 * new / old))
        .collect();
    if sum == old {
        let scaled: Decimal = amounts.iter().sum();
        let largest = amounts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(i, _)| i);
        if let Some(x) = largest.and_then(|i| amounts.get_mut(i)) {
            *x += new - scaled;
        }
    }
    if amounts
        .iter()
        .any(|a| *a <= Decimal::ZERO || *a > MONEY_LIMIT)
    {
        return false;
    }
    for (p, a) in list.iter_mut().zip(&amounts) {
        *p = Purpose {
            category: p.category,
            amount_eur: Money(*a),
        };
    }
    let script = v
        .inputs
        .get(index)
        .and_then(|x| x.clone().try_cast::<Purposes>())
        .map(|p| p.with_amounts(&amounts));
    set(
        v,
        index,
        Answer::Purposes(list),
        script.map_or(Value::UNIT, Value::from),
    );
    true
}

/// The suggestion's sentence in `language`, with the new instalment when there is one; `up`:
/// the change raises the amount or lengthens the term.
fn message(language: Language, change: Change, up: bool, d: &Decision<'_>) -> String {
    let lang = language.as_str();
    let consequence = match (language, d.outcome) {
        (Language::Nl, Outcome::Review) => "kan een adviseur je aanvraag bekijken",
        (Language::Nl, _) => "kom je waarschijnlijk in aanmerking",
        (Language::Fr, Outcome::Review) => "un conseiller pourra examiner votre demande",
        (Language::Fr, _) => "vous pouvez probablement introduire une demande",
        (Language::En, Outcome::Review) => "an advisor can look at your application",
        (Language::En, _) => "you can probably apply",
    };
    let mut text = match change {
        Change::Amount(cents) => {
            let amount = display_money_cents(Decimal::new(cents, 2), lang);
            match (language, up) {
                (Language::Nl, false) => format!("Als je {amount} of minder vraagt, {consequence}"),
                (Language::Nl, true) => format!("Als je minstens {amount} vraagt, {consequence}"),
                (Language::Fr, false) => {
                    format!("Si vous demandez {amount} ou moins, {consequence}")
                }
                (Language::Fr, true) => {
                    format!("Si vous demandez au moins {amount}, {consequence}")
                }
                (Language::En, false) => format!("If you ask for {amount} or less, {consequence}"),
                (Language::En, true) => format!("If you ask for at least {amount}, {consequence}"),
            }
        }
        Change::Term(months) => match (language, up) {
            (Language::Nl, true) => {
                format!("Als je over {months} maanden of langer terugbetaalt, {consequence}")
            }
            (Language::Nl, false) => {
                format!("Als je over {months} maanden of korter terugbetaalt, {consequence}")
            }
            (Language::Fr, true) => {
                format!("Si vous remboursez en {months} mois ou plus, {consequence}")
            }
            (Language::Fr, false) => {
                format!("Si vous remboursez en {months} mois ou moins, {consequence}")
            }
            (Language::En, true) => {
                format!("If you repay over {months} months or more, {consequence}")
            }
            (Language::En, false) => {
                format!("If you repay over {months} months or fewer, {consequence}")
            }
        },
    };
    if let Some(ind) = &d.indicative {
        let instalment = display_money_cents(ind.monthly_instalment_eur.0, lang);
        text.push_str(&match language {
            Language::Nl => format!(" (indicatieve aflossing: {instalment} per maand)."),
            Language::Fr => format!(" (mensualité indicative : {instalment})."),
            Language::En => format!(" (indicative instalment: {instalment} a month)."),
        });
    } else {
        text.push('.');
    }
    text
}
