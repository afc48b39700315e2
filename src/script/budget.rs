//! The work one decision may do. rhai counts operations — a loop turn, a call, an expression —
//! but a native call that walks a container counts as one, so `x in list` over a list of a
//! thousand items cost as little as `1 + 1`. Here the container walks rules use get charged one
//! unit per item, against the same per-decision budget as rhai's own operations. The charge
//! depends only on the rule and the application, never on the machine, so a decision that runs
//! out of budget does so identically in the browser and on the server.
//!
//! The charge lives in a thread-local counter: a decision runs start to finish on one thread
//! (natively and in the single-threaded wasm), and [`Charge`] resets it for each decision and
//! restores the previous value when the decision ends.

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, Map, NativeCallContext};
use std::cell::Cell;

thread_local! {
    /// Units charged by container walks in the current decision.
    static CHARGED: Cell<u64> = const { Cell::new(0) };
}

/// The charge of one decision: reset on creation, restored when dropped.
pub struct Charge {
    previous: u64,
}

impl Charge {
    /// Starts a decision's count at zero.
    pub fn start() -> Charge {
        Charge {
            previous: CHARGED.with(|c| c.replace(0)),
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        CHARGED.with(|c| c.set(self.previous));
    }
}

/// Charges `units` and fails like rhai's own limit when the decision's operations plus its
/// charges exceed `budget`. rhai checks its own count on every operation; charges are checked
/// here, so a decision does at most twice its budget in units of work.
fn charge(ctx: &NativeCallContext, units: usize, budget: u64) -> Result<(), Box<EvalAltResult>> {
    let units = u64::try_from(units).unwrap_or(u64::MAX);
    let charged = CHARGED.with(|c| {
        let total = c.get().saturating_add(units);
        c.set(total);
        total
    });
    let used = ctx
        .global_runtime_state()
        .num_operations()
        .saturating_add(charged);
    if used > budget {
        return Err(EvalAltResult::ErrorTooManyOperations(ctx.call_position()).into());
    }
    Ok(())
}

/// `item == value` as rhai's array functions decide it: no `==` between two types is `false`.
fn equals(
    ctx: &NativeCallContext,
    item: &mut Dynamic,
    value: &Dynamic,
) -> Result<bool, Box<EvalAltResult>> {
    let mut value = value.clone();
    match ctx.call_native_fn_raw("==", true, &mut [item, &mut value]) {
        Ok(result) => Ok(result.as_bool().unwrap_or(false)),
        Err(err) => match *err {
            EvalAltResult::ErrorFunctionNotFound(ref sig, ..)
                if sig.starts_with("==") && item.type_id() != value.type_id() =>
            {
                Ok(false)
            }
            _ => Err(err),
        },
    }
}

/// `a == b` for arrays, as rhai's array package decides it, charged by length.
fn arrays_equal(
    ctx: &NativeCallContext,
    a: &mut Array,
    mut b: Array,
    budget: u64,
) -> Result<bool, Box<EvalAltResult>> {
    if a.len() != b.len() {
        return Ok(false);
    }
    charge(ctx, a.len(), budget)?;
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        let same = match ctx.call_native_fn_raw("==", true, &mut [x, y]) {
            Ok(result) => result.as_bool().unwrap_or(false),
            Err(err) => match *err {
                EvalAltResult::ErrorFunctionNotFound(ref sig, ..)
                    if sig.starts_with("==") && x.type_id() != y.type_id() =>
                {
                    false
                }
                _ => return Err(err),
            },
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `a == b` for object maps, as rhai's map package decides it, charged by size.
fn maps_equal(
    ctx: &NativeCallContext,
    a: &mut Map,
    mut b: Map,
    budget: u64,
) -> Result<bool, Box<EvalAltResult>> {
    if a.len() != b.len() {
        return Ok(false);
    }
    charge(ctx, a.len(), budget)?;
    for (key, x) in a.iter_mut() {
        let Some(y) = b.get_mut(key) else {
            return Ok(false);
        };
        let same = ctx
            .call_native_fn_raw("==", true, &mut [x, y])?
            .as_bool()
            .unwrap_or(false);
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Registers charged versions of the container walks over the packages' own (a function
/// registered on the engine is found before a package's of the same signature): `contains`
/// (which the `in` operator calls) and `index_of` on arrays and strings, and `==`/`!=` on
/// arrays and maps (an element may itself be a container: each level is charged).
pub fn register(engine: &mut Engine, budget: u64) {
    engine.register_fn(
        "==",
        move |ctx: NativeCallContext, a: &mut Array, b: Array| arrays_equal(&ctx, a, b, budget),
    );
    engine.register_fn(
        "!=",
        move |ctx: NativeCallContext, a: &mut Array, b: Array| {
            arrays_equal(&ctx, a, b, budget).map(|same| !same)
        },
    );
    engine.register_fn("==", move |ctx: NativeCallContext, a: &mut Map, b: Map| {
        maps_equal(&ctx, a, b, budget)
    });
    engine.register_fn("!=", move |ctx: NativeCallContext, a: &mut Map, b: Map| {
        maps_equal(&ctx, a, b, budget).map(|same| !same)
    });
    engine.register_fn(
        "contains",
        move |ctx: NativeCallContext,
              array: &mut Array,
              value: Dynamic|
              -> Result<bool, Box<EvalAltResult>> {
            charge(&ctx, array.len(), budget)?;
            for item in array.iter_mut() {
                if equals(&ctx, item, &value)? {
                    return Ok(true);
                }
            }
            Ok(false)
        },
    );
    engine.register_fn(
        "index_of",
        move |ctx: NativeCallContext,
              array: &mut Array,
              value: Dynamic|
              -> Result<INT, Box<EvalAltResult>> {
            charge(&ctx, array.len(), budget)?;
            for (i, item) in array.iter_mut().enumerate() {
                if equals(&ctx, item, &value)? {
                    return Ok(INT::try_from(i).unwrap_or(INT::MAX));
                }
            }
            Ok(-1)
        },
    );
    engine.register_fn(
        "contains",
        move |ctx: NativeCallContext,
              string: &str,
              needle: &str|
              -> Result<bool, Box<EvalAltResult>> {
            charge(&ctx, string.len(), budget)?;
            Ok(string.contains(needle))
        },
    );
    engine.register_fn(
        "index_of",
        move |ctx: NativeCallContext,
              string: &str,
              needle: &str|
              -> Result<INT, Box<EvalAltResult>> {
            charge(&ctx, string.len(), budget)?;
            if string.is_empty() {
                return Ok(-1);
            }
            Ok(string.find(needle).map_or(-1, |at| {
                let chars = string.get(..at).map_or(0, |s| s.chars().count());
                INT::try_from(chars).unwrap_or(-1)
            }))
        },
    );
}
