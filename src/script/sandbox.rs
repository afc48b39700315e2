//! The one place that builds a rhai engine: everything a rule may do is decided here.
//!
//! A rule is a pure predicate over one application. The engine starts from
//! [`Engine::new_raw`] (no packages at all), adds only the pure packages rules need, and then
//! locks it down: no `eval`, no `print`/`debug` output, no modules (the `no_module` feature),
//! no clock (`no_time`), no floats (`no_float`: decimal literals are `rust_decimal`), no script
//! functions (`no_function`: a rule is one condition, and the page is 22 KB brotli smaller
//! without them), no optimizer (`no_optimize`: 14 KB; parameters are read at run time), strict
//! variables, failing property access on maps, and hard limits on work and size so that a
//! hostile or mistaken rule stops in microseconds instead of hanging a browser tab or a server.

use rhai::Engine;
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicMapPackage, BasicStringPackage, LanguageCorePackage,
    LogicPackage, Package,
};

/// The limits every decision runs under. The work limit is per decision, across all its rules,
/// so a rule set of many slow rules is bounded as tightly as one; the size limits are per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations the rules of one decision may perform together (a loop turn, a call, an
    /// expression …, and one per item a container walk such as `x in list` visits).
    pub max_operations: u64,
    /// Nesting of expressions (checked when compiling).
    pub max_expr_depth: usize,
    /// Bytes in one string, items in one array, entries in one map.
    pub max_string_size: usize,
    /// Largest array.
    pub max_array_size: usize,
    /// Largest map.
    pub max_map_size: usize,
    /// Variables a rule may declare.
    pub max_variables: usize,
}

impl Limits {
    /// Generous for predicates (the 22 published rules need about 1,100 operations together),
    /// tight enough that the worst rule set that loads stops one decision in milliseconds.
    /// Arrays are held to 256 items: a rule's own lists are short (code lists live in
    /// `data/lists/` behind `in_list`), and an array's size bounds what one operation costs.
    pub const DEFAULT: Limits = Limits {
        max_operations: 20_000,
        max_expr_depth: 48,
        max_string_size: 4_096,
        max_array_size: 256,
        max_map_size: 256,
        max_variables: 128,
    };
}

/// Keywords a rule may not use: dynamic code and output.
pub const DISABLED_SYMBOLS: [&str; 3] = ["eval", "print", "debug"];

/// Builds the locked engine. Only the packages rules need are loaded — operators, comparisons,
/// strings, arrays, maps — which also keeps the page's wasm small (the extra string and math
/// packages cost 20 KB brotli and no rule used them). Host functions for a rule-set version are registered on top of it
/// by [`crate::script::host`].
pub fn locked_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    LanguageCorePackage::new().register_into_engine(&mut engine);
    ArithmeticPackage::new().register_into_engine(&mut engine);
    LogicPackage::new().register_into_engine(&mut engine);
    BasicStringPackage::new().register_into_engine(&mut engine);
    BasicArrayPackage::new().register_into_engine(&mut engine);
    BasicMapPackage::new().register_into_engine(&mut engine);
    // Container walks are charged by their size (registered after the packages, so found first).
    super::budget::register(&mut engine, limits.max_operations);

    for symbol in DISABLED_SYMBOLS {
        engine.disable_symbol(symbol);
    }
    // Belt and braces: even if a path to output existed, it would go nowhere.
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});

    engine
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true)
        .set_max_operations(limits.max_operations)
        .set_max_expr_depths(limits.max_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(limits.max_variables);
    engine
}
