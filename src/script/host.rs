//! Host functions rules may call: list look-ups and the funding-purposes helpers.
//!
//! They exist because the same work in script (a linear `in` over an array, a `for` loop over
//! maps) costs ten times more per decision, and because they keep rules readable.

use rhai::{Engine, EvalAltResult, INT, ImmutableString};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The named lists of one rule-set version (`data/lists/<name>.json`).
pub type Lists = BTreeMap<String, BTreeSet<String>>;

/// The application's funding purposes as rules see them: canonical category and amount.
/// Shared, because rhai clones a constant's value for every method call on it.
#[derive(Debug, Clone, Default)]
pub struct Purposes {
    items: Arc<[(ImmutableString, Decimal)]>,
}

impl Purposes {
    /// The purposes from (category, amount) pairs.
    pub fn new(items: Vec<(ImmutableString, Decimal)>) -> Purposes {
        Purposes {
            items: items.into(),
        }
    }
    /// The same categories with new amounts, in order (a suggestion's scaled purposes).
    pub fn with_amounts(&self, amounts: &[Decimal]) -> Purposes {
        Purposes::new(
            self.items
                .iter()
                .zip(amounts)
                .map(|((category, _), amount)| (category.clone(), *amount))
                .collect(),
        )
    }
}

fn unknown_list_message(name: &str, lists: &Lists) -> String {
    let help = crate::diag::did_you_mean(name, lists.keys().map(String::as_str))
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    format!("unknown list `{name}`{help}")
}

fn unknown_list(name: &str, lists: &Lists) -> Box<EvalAltResult> {
    unknown_list_message(name, lists).into()
}

fn get_list<'a>(lists: &'a Lists, name: &str) -> Result<&'a BTreeSet<String>, Box<EvalAltResult>> {
    lists.get(name).ok_or_else(|| unknown_list(name, lists))
}

fn len_int(n: usize) -> INT {
    INT::try_from(n).unwrap_or(INT::MAX)
}

/// The names of the functions registered here, for "unknown function" checks at load time.
#[cfg(feature = "native")]
pub const HOST_FUNCTIONS: [&str; 7] = [
    "in_list",
    "nace_division",
    "len",
    "total",
    "amount_for",
    "count_in",
    "has",
];

/// Registers the host functions of one rule-set version on its engine.
pub fn register(engine: &mut Engine, lists: Arc<Lists>) {
    let l = lists.clone();
    engine.register_fn(
        "in_list",
        move |list: &str, value: &str| -> Result<bool, Box<EvalAltResult>> {
            Ok(get_list(&l, list)?.contains(value))
        },
    );
    engine.register_fn("in_list", |_list: &str, _value: ()| -> bool { false });

    // "43.341" -> "43"; anything shorter gives "" (validation guarantees the canonical form).
    engine.register_fn("nace_division", |code: &str| -> ImmutableString {
        code.get(0..2).unwrap_or_default().into()
    });

    engine.register_type_with_name::<Purposes>("purposes");
    engine.register_fn("len", |p: &mut Purposes| -> INT { len_int(p.items.len()) });
    engine.register_fn("total", |p: &mut Purposes| -> Decimal {
        p.items.iter().map(|(_, a)| *a).sum()
    });
    engine.register_fn(
        "amount_for",
        |p: &mut Purposes, category: &str| -> Decimal {
            p.items
                .iter()
                .filter(|(c, _)| c.as_str() == category)
                .map(|(_, a)| *a)
                .sum()
        },
    );
    engine.register_fn("has", |p: &mut Purposes, category: &str| -> bool {
        p.items.iter().any(|(c, _)| c.as_str() == category)
    });
    let l = lists;
    engine.register_fn(
        "count_in",
        move |p: &mut Purposes, list: &str| -> Result<INT, Box<EvalAltResult>> {
            let set = get_list(&l, list)?;
            Ok(len_int(
                p.items
                    .iter()
                    .filter(|(c, _)| set.contains(c.as_str()))
                    .count(),
            ))
        },
    );
}

/// Checks, at load time, that a constant list name exists.
#[cfg(feature = "native")]
pub fn check_list_name(name: &str, lists: &Lists) -> Result<(), String> {
    if lists.contains_key(name) {
        Ok(())
    } else {
        Err(unknown_list_message(name, lists))
    }
}
