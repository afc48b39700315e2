//! The registry: every compiled version by product, in date order, and the version in force on
//! a date.

use super::{RuleSet, RuleSetSource, compile::compile, timeline};
use crate::date::Date;
use crate::diag::{Diagnostic, LoadError};
use std::collections::{BTreeMap, BTreeSet};

/// Every compiled version, by product, in date order.
#[derive(Debug, Default)]
pub struct Registry {
    products: BTreeMap<String, Vec<RuleSet>>,
}

impl Registry {
    /// Compiles every source; returns all problems of all versions at once.
    pub fn compile(sources: &[RuleSetSource]) -> Result<Registry, LoadError> {
        let mut problems = Vec::new();
        let mut products: BTreeMap<String, Vec<RuleSet>> = BTreeMap::new();
        for src in sources {
            match compile(src) {
                Ok(rs) => products.entry(rs.product.clone()).or_default().push(rs),
                Err(mut e) => problems.append(&mut e.diagnostics),
            }
        }
        for (product, versions) in &mut products {
            versions.sort_by_key(|v| v.effective_from);
            for pair in versions.windows(2) {
                if let [a, b] = pair
                    && a.effective_to.is_none_or(|to| to >= b.effective_from)
                {
                    // Sources resolved from a timeline never overlap; hand-made ones might.
                    problems.push(
                        Diagnostic::new(
                            product,
                            &b.version,
                            timeline::TIMELINE,
                            format!(
                                "in force from {} while version `{}` is still in force",
                                b.effective_from, a.version
                            ),
                        )
                        .with_origin(format!("{product}/{}", timeline::TIMELINE)),
                    );
                }
            }
        }
        // A broken inherited file breaks every version that inherits it: say so once.
        let mut seen = BTreeSet::new();
        problems.retain(|d| seen.insert(d.to_string()));
        if problems.is_empty() {
            Ok(Registry { products })
        } else {
            Err(LoadError {
                diagnostics: problems,
            })
        }
    }

    /// Every product with its versions, in date order.
    pub fn products(&self) -> impl Iterator<Item = (&str, &[RuleSet])> {
        self.products
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_slice()))
    }

    /// The versions of one product, in date order.
    pub fn versions(&self, product: &str) -> Option<&[RuleSet]> {
        self.products.get(product).map(Vec::as_slice)
    }

    /// The version in force on `date`: the last one that started on or before it, unless it
    /// had ended by then.
    pub fn in_force(&self, product: &str, date: Date) -> Option<&RuleSet> {
        let versions = self.products.get(product)?;
        let v = versions.iter().rev().find(|v| v.effective_from <= date)?;
        match v.effective_to {
            Some(to) if to < date => None,
            _ => Some(v),
        }
    }
}
