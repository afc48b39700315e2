//! The load-time checks rhai leaves to run time, for rule authors: unknown functions (with
//! the nearest known name), a field read but not declared in `READS`, an unknown list, a `for`
//! over what cannot be walked. Native builds only: the browser runs rule sets that the native
//! tools (and CI) have loaded and checked, and leaving these checks and rhai's metadata out keeps
//! the page's wasm small.

use super::types::Ty;
use super::{META, Program, ProgramSpec, Role, RuleSource, host, inputs, types};
use crate::diag::{Diagnostic, did_you_mean};
use rhai::{AST, ASTNode, Dynamic, Engine, Expr, Position, Stmt};
use std::collections::BTreeSet;

/// Keyword-like functions rhai handles itself; always allowed.
const BUILTIN_CALLS: [&str; 8] = [
    "type_of",
    "Fn",
    "call",
    "curry",
    "is_shared",
    "is_def_fn",
    "is_def_var",
    "this",
];

/// Why `for` cannot walk over `expr`, where the AST shows it: rules run without rhai's
/// iterator package, so only lists and strings can be walked, and rhai would find out only when
/// the rule runs ("for loop expects iterable type"), on some application. Anything the AST
/// does not show (a local variable, a call) is left to run time.
fn not_walkable(expr: &Expr, spec: &ProgramSpec<'_>) -> Option<(Position, String, Option<String>)> {
    let at = expr.start_position();
    let what = match expr {
        Expr::FnCall(call, _)
            if call.op_token.is_some() && matches!(call.name.as_str(), ".." | "..=") =>
        {
            let from = call.args.first().map_or(at, Expr::start_position);
            return Some((
                from,
                "a range".to_owned(),
                Some("rules have no ranges to walk: write the list, e.g. `[1, 2, 3]`, or compare, e.g. `x >= 1 && x <= 3`".to_owned()),
            ));
        }
        // rhai's parser refuses the other literals (`for x in 3`) itself.
        Expr::DynamicConstant(value, _) => describe(value)?.to_owned(),
        // Not a local (those have an index): an input or a parameter.
        Expr::Variable(v, ..) if v.0.is_none() => {
            let name = v.1.as_str();
            if let Some(input) = spec.inputs.iter().find(|i| i.name == name) {
                let kind = match input.shape {
                    inputs::Shape::Text | inputs::Shape::List => return None,
                    inputs::Shape::Integer => "a whole number",
                    inputs::Shape::Decimal => "an amount",
                    inputs::Shape::Boolean => "`true` or `false`",
                    inputs::Shape::Purposes => {
                        return Some((
                            at,
                            format!("`{name}`"),
                            Some(format!(
                                "read `{name}` with its methods: `len()`, `total()`, `amount_for(\"…\")`, `has(\"…\")`, `count_in(\"…\")`"
                            )),
                        ));
                    }
                };
                format!("`{name}`, {kind}")
            } else {
                let (_, value) = spec.constants.iter().find(|(n, _)| n == name)?;
                format!("`{name}`, {}", describe(value)?)
            }
        }
        _ => return None,
    };
    Some((at, what, None))
}

/// What a constant value is, when `for` cannot walk over it.
fn describe(value: &Dynamic) -> Option<&'static str> {
    if value.is_int() {
        Some("a number")
    } else if value.is::<rust_decimal::Decimal>() {
        Some("a decimal number")
    } else if value.is_bool() {
        Some("`true` or `false`")
    } else if value.is_unit() {
        Some("`()`")
    } else {
        None
    }
}

/// Names of every function callable on this engine (packages and host functions), from rhai's
/// metadata. Native builds only: the browser runs published rule sets that the native tools
/// (and CI) have already checked, and leaving rhai's metadata out keeps the wasm small.
pub(super) fn known_functions(engine: &Engine) -> Option<BTreeSet<String>> {
    let mut names: BTreeSet<String> = engine
        .gen_fn_signatures(true)
        .iter()
        .filter_map(|sig| {
            let sig = sig.strip_prefix("fn ").unwrap_or(sig);
            let name = sig.split('(').next()?;
            let name = name
                .strip_prefix("get$")
                .or_else(|| name.strip_prefix("set$"))
                .unwrap_or(name);
            Some(name.to_owned())
        })
        .collect();
    names.extend(host::HOST_FUNCTIONS.iter().map(|s| (*s).to_owned()));
    Some(names)
}

impl Program {
    /// A rule's last statement is its result: a condition, or a list of field names. Where the
    /// AST shows it is something else (a number, a string, a `let`), the rule set does not load.
    fn check_result(
        &self,
        ast: &AST,
        locals: &types::Locals,
        file: &RuleSource<'_>,
        spec: &ProgramSpec<'_>,
        role: Role,
        problems: &mut Vec<Diagnostic>,
    ) {
        let what = match ast.statements().last() {
            Some(Stmt::Expr(expr)) => {
                let what = match (role, locals.type_of(expr, spec)) {
                    (_, types::Ty::Number) => "a number",
                    (Role::Rule, types::Ty::Text) => "a string",
                    (_, types::Ty::Purposes) => "`funding_purposes`",
                    (Role::Attribute, types::Ty::Boolean) => "`true` or `false`",
                    (Role::Attribute, types::Ty::List) => "a list",
                    _ => return,
                };
                Some((expr.position(), what))
            }
            Some(stmt @ Stmt::Var(x, ..)) if !META.contains(&x.0.name.as_str()) => {
                Some((stmt.position(), "a `let`"))
            }
            Some(stmt @ Stmt::Assignment(..)) => Some((stmt.position(), "an assignment")),
            _ => None,
        };
        if let Some((pos, what)) = what {
            let (must, help) = match role {
                Role::Rule => (
                    "rule must end with `true` or `false`",
                    "or with a list of field names, fired when it is not empty",
                ),
                Role::Attribute => (
                    "attribute must end with a level (a string)",
                    "a level its points table lists, e.g. `if x >= 3 { \"3_years\" } else { \"less\" }`",
                ),
            };
            problems.push(
                self.diag_at(file, pos, format!("{must}, not {what}"))
                    .with_help(Some(help.to_owned())),
            );
        }
    }

    /// Load-time checks rhai leaves to run time: unknown functions, undeclared reads, list names.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site, each argument a different part of one rule's compilation"
    )]
    pub(super) fn check_ast(
        &self,
        ast: &AST,
        locals: &types::Locals,
        file: &RuleSource<'_>,
        spec: &ProgramSpec<'_>,
        known_fns: &Option<BTreeSet<String>>,
        reads: &[String],
        role: Role,
        problems: &mut Vec<Diagnostic>,
    ) {
        self.check_result(ast, locals, file, spec, role, problems);
        let mut undeclared = BTreeSet::new();
        ast.walk(&mut |path: &[ASTNode]| {
            let Some(node) = path.last() else { return true };
            let call = match node {
                ASTNode::Expr(Expr::FnCall(call, pos) | Expr::MethodCall(call, pos)) => Some((call, *pos)),
                ASTNode::Stmt(Stmt::FnCall(call, pos)) => Some((call, *pos)),
                _ => None,
            };
            if let Some((call, pos)) = call {
                let name = call.name.as_str();
                let is_identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_');
                if let Some(known_fns) = known_fns
                    && call.op_token.is_none()
                    && is_identifier
                    && !known_fns.contains(name)
                    && !BUILTIN_CALLS.contains(&name)
                {
                    let candidates = known_fns.iter().map(String::as_str);
                    problems.push(
                        self.diag_at(file, pos, format!("unknown function `{name}`"))
                            .with_help(did_you_mean(name, candidates)),
                    );
                }
                if matches!(name, "in_list" | "count_in") {
                    let list_arg = if name == "in_list" { call.args.first() } else { call.args.get(1) };
                    if let Some(Expr::StringConstant(list, lpos)) = list_arg
                        && let Err(message) = host::check_list_name(list, &spec.lists)
                    {
                        problems.push(self.diag_at(file, *lpos, message));
                    }
                }
            }
            if let ASTNode::Expr(Expr::FnCall(call, pos)) = node
                && call.op_token.is_some()
                && matches!(call.name.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=")
                && let [left, right] = call.args.as_ref()
                && let (l, r) = (locals.type_of(left, spec), locals.type_of(right, spec))
                && l != Ty::Unknown
                && r != Ty::Unknown
                && l != r
            {
                let always = if call.name.as_str() == "!=" { "true" } else { "false" };
                let describe = |expr: &Expr, ty: Ty| {
                    value_type(expr, spec).unwrap_or_else(|| what_type(ty).to_owned())
                };
                problems.push(
                    self.diag_at(
                        file,
                        *pos,
                        format!(
                            "`{}` compares {} with {}: values of different types never compare, so it is always `{always}`",
                            call.name,
                            describe(left, l),
                            describe(right, r)
                        ),
                    )
                    .with_help(Some(match (l, r) {
                        (Ty::Number, Ty::Text) | (Ty::Text, Ty::Number) => {
                            "write the number without quotes: `amount_requested_eur > 25000.00`".to_owned()
                        }
                        _ => "compare values of the same type".to_owned(),
                    })),
                );
            }
            if let ASTNode::Stmt(Stmt::For(x, _)) = node
                && let Some((pos, what, help)) = not_walkable(&x.2.expr, spec)
            {
                problems.push(
                    self.diag_at(file, pos, format!("`for` walks over a list or a string, not {what}"))
                        .with_help(help),
                );
            }
            if let ASTNode::Expr(Expr::Variable(v, _, pos)) = node {
                let name = v.1.as_str();
                if let Some(input) = spec.inputs.iter().find(|i| i.name == name) {
                    for f in &input.fields {
                        if !reads.iter().any(|r| r == f) && undeclared.insert(f.as_str()) {
                            problems.push(
                                self.diag_at(file, *pos, format!("{} reads `{name}` but `READS` does not list `{f}`", if role == Role::Rule { "rule" } else { "attribute" }))
                                    .with_help(Some(format!(
                                        "add \"{f}\" to READS, so the rule is skipped when `{f}` is missing"
                                    ))),
                            );
                        }
                    }
                }
            }
            true
        });
    }
}

/// The most units of work one run of a rule can cost, when its text bounds it: with no loop
/// (and no script functions, which rhai is built without) every expression runs at most
/// once, and each container walk costs at most the largest container (see
/// [`super::budget`]). `None` when the rule loops. The server decides small requests on its
/// async workers when every version's rules are bounded this low (`Kredo::decisions_are_quick`).
pub(super) fn work_bound(ast: &AST, locals: &types::Locals, spec: &ProgramSpec<'_>) -> Option<u64> {
    let limits = &spec.limits;
    let walk = u64::try_from(limits.max_string_size.max(limits.max_array_size)).unwrap_or(u64::MAX);
    let container =
        u64::try_from(limits.max_array_size.max(limits.max_map_size)).unwrap_or(u64::MAX);
    let mut units: u64 = 0;
    let mut loops = false;
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(node) = path.last() else { return true };
        units = units.saturating_add(1);
        match node {
            ASTNode::Stmt(Stmt::While(..) | Stmt::Do(..) | Stmt::For(..)) => loops = true,
            ASTNode::Expr(Expr::FnCall(call, _) | Expr::MethodCall(call, _)) => {
                let name = call.name.as_str();
                let cost = match name {
                    "contains" | "index_of" => walk,
                    "==" | "!=" => match call.args.as_ref() {
                        [a, b]
                            if [a, b].iter().all(|e| {
                                !matches!(locals.type_of(e, spec), Ty::List | Ty::Unknown)
                            }) =>
                        {
                            0
                        }
                        _ => container,
                    },
                    _ => 0,
                };
                units = units.saturating_add(cost);
            }
            _ => {}
        }
        true
    });
    (!loops).then_some(units)
}

/// A type as a diagnostic names it, for a side that is neither a literal nor a variable.
fn what_type(ty: Ty) -> &'static str {
    match ty {
        Ty::Number => "a number",
        Ty::Text => "a string",
        Ty::Boolean => "`true` or `false`",
        Ty::List => "a list",
        Ty::Purposes => "the funding purposes",
        Ty::Unknown => "a value",
    }
}

/// How a diagnostic names a literal, an input or a parameter; `None` for anything else (a
/// local, a call), which [`what_type`] names by its type.
fn value_type(expr: &Expr, spec: &ProgramSpec<'_>) -> Option<String> {
    match expr {
        Expr::StringConstant(s, _) => Some(format!("the string `\"{s}\"`")),
        Expr::IntegerConstant(i, _) => Some(format!("the number `{i}`")),
        Expr::BoolConstant(b, _) => Some(format!("`{b}`")),
        Expr::DynamicConstant(value, _) => Some(format!("`{value}`")),
        // Not a local (those have an index): an input or a parameter.
        Expr::Variable(v, ..) if v.0.is_none() => {
            let name = v.1.as_str();
            if let Some(input) = spec.inputs.iter().find(|i| i.name == name) {
                let what = match input.shape {
                    inputs::Shape::Integer => "a whole number",
                    inputs::Shape::Decimal => "an amount",
                    inputs::Shape::Text => "a string",
                    inputs::Shape::Boolean => "`true` or `false`",
                    inputs::Shape::List => "a list",
                    inputs::Shape::Purposes => "the funding purposes",
                };
                Some(format!("`{name}` ({what})"))
            } else {
                spec.constants
                    .iter()
                    .any(|(n, _)| n == name)
                    .then(|| format!("`{name}`"))
            }
        }
        _ => None,
    }
}
