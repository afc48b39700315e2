//! What the AST shows of the types a rule compares.
//!
//! rhai answers a comparison between values of different types with a silent `false` (`true`
//! for `!=`), so `amount_requested_eur > "25000"` would quietly never fire. The native
//! load-time checks refuse such a comparison where both sides' types are shown here. When a
//! comparison has a side whose type only running the rule would show (an item taken out of a
//! list, a variable assigned twice), its version runs with rhai's fast operators off and with
//! a function for each pair of different types that stops the rule with an error
//! ([`refuse_mixed_comparisons`]). Which mode a version runs in depends only on its rules, so
//! the browser and the server decide it alike; the published rules are all shown here, so
//! they keep the fast operators (a test pins this).

use super::ProgramSpec;
use super::host::Purposes;
use super::inputs::Shape;
use rhai::{
    AST, ASTNode, Array, Dynamic, Engine, EvalAltResult, Expr, INT, ImmutableString, Map,
    NativeCallContext, Stmt,
};
use rust_decimal::Decimal;
use std::any::TypeId;

/// A value's type as the AST shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    /// A whole number or an exact decimal: rhai compares these with each other.
    Number,
    /// A string.
    Text,
    /// `true` or `false`.
    Boolean,
    /// A list.
    List,
    /// The funding purposes.
    Purposes,
    /// Only running the rule would show it.
    Unknown,
}

const COMPARISONS: [&str; 6] = ["==", "!=", ">", ">=", "<", "<="];

/// The types of a rule's locals: a local declared once, whose every assignment keeps the type
/// of its initializer (`n += 1` on a number), has that type; any other is [`Ty::Unknown`].
pub(super) struct Locals(Vec<(String, Ty)>);

/// An assignment to a local: its name, the underlying operator of `+=` and friends (`None`
/// for `=`), and the assigned expression.
type Assignment = (String, Option<&'static str>, Expr);

impl Locals {
    /// Reads the declarations and assignments of a rule.
    pub(super) fn of(ast: &AST, spec: &ProgramSpec<'_>) -> Locals {
        let mut declarations: Vec<(String, Expr)> = Vec::new();
        let mut assignments: Vec<Assignment> = Vec::new();
        let mut unknown = Vec::new();
        ast.walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Stmt(Stmt::Var(x, ..))) => {
                    declarations.push((x.0.name.to_string(), x.1.clone()));
                }
                Some(ASTNode::Stmt(Stmt::Assignment(x))) => match &x.1.lhs {
                    Expr::Variable(v, ..) => {
                        let op = x.0.get_op_assignment_info().map(|info| info.5);
                        assignments.push((v.1.to_string(), op, x.1.rhs.clone()));
                    }
                    // `list[0] = …` and the like: what the local holds is no longer shown.
                    other => unknown.extend(root_variable(other)),
                },
                Some(ASTNode::Stmt(Stmt::For(x, ..))) => {
                    // The loop variable (and counter) are not declared with `let`.
                    unknown.push(x.0.name.to_string());
                    if let Some(counter) = &x.1 {
                        unknown.push(counter.name.to_string());
                    }
                }
                _ => {}
            }
            true
        });
        let mut locals = Locals(Vec::with_capacity(declarations.len()));
        // Pre-order: a declaration comes before the uses after it.
        for (name, init) in &declarations {
            let once = declarations.iter().filter(|(n, _)| n == name).count() == 1;
            let ty = if once && !unknown.contains(name) {
                locals.type_of(init, spec)
            } else {
                Ty::Unknown
            };
            locals.0.push((name.clone(), ty));
        }
        // An assignment of another type makes the local unknown, which may change what other
        // assignments yield: repeat until nothing changes (each turn loses at least one type).
        loop {
            let mut changed = false;
            for (name, op, rhs) in &assignments {
                let Some(ty) = locals.get(name) else {
                    continue;
                };
                let value = locals.type_of(rhs, spec);
                let result = match (op, ty, value) {
                    (None, t, v) if t == v => t,
                    (Some("+" | "-" | "*" | "/" | "%"), Ty::Number, Ty::Number) => Ty::Number,
                    (Some("+"), Ty::Text, Ty::Text) => Ty::Text,
                    _ => Ty::Unknown,
                };
                if result != ty {
                    for (n, t) in &mut locals.0 {
                        if n == name {
                            *t = Ty::Unknown;
                        }
                    }
                    changed = true;
                }
            }
            if !changed {
                return locals;
            }
        }
    }

    fn get(&self, name: &str) -> Option<Ty> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    /// The type of an expression, where the AST shows it.
    pub(super) fn type_of(&self, expr: &Expr, spec: &ProgramSpec<'_>) -> Ty {
        match expr {
            Expr::IntegerConstant(..) => Ty::Number,
            Expr::StringConstant(..) | Expr::InterpolatedString(..) => Ty::Text,
            Expr::BoolConstant(..) | Expr::And(..) | Expr::Or(..) => Ty::Boolean,
            Expr::Array(..) => Ty::List,
            Expr::DynamicConstant(value, _) => of_value(value),
            Expr::Variable(v, ..) => {
                let name = v.1.as_str();
                if let Some(ty) = self.get(name) {
                    return ty;
                }
                if let Some(input) = spec.inputs.iter().find(|i| i.name == name) {
                    return match input.shape {
                        Shape::Integer | Shape::Decimal => Ty::Number,
                        Shape::Text => Ty::Text,
                        Shape::Boolean => Ty::Boolean,
                        Shape::List => Ty::List,
                        Shape::Purposes => Ty::Purposes,
                    };
                }
                spec.constants
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(Ty::Unknown, |(_, value)| of_value(value))
            }
            Expr::FnCall(call, _) if call.op_token.is_some() => {
                let name = call.name.as_str();
                if COMPARISONS.contains(&name) || name == "!" {
                    return Ty::Boolean;
                }
                let sides: Vec<Ty> = call.args.iter().map(|a| self.type_of(a, spec)).collect();
                match (name, sides.as_slice()) {
                    ("+" | "-" | "*" | "/" | "%", [Ty::Number, Ty::Number])
                    | ("-", [Ty::Number]) => Ty::Number,
                    ("+", [Ty::Text, Ty::Text]) => Ty::Text,
                    ("in", _) => Ty::Boolean,
                    _ => Ty::Unknown,
                }
            }
            Expr::FnCall(call, _) => match call.name.as_str() {
                "in_list" | "contains" => Ty::Boolean,
                "nace_division" => Ty::Text,
                _ => Ty::Unknown,
            },
            Expr::Dot(x, ..) => match &x.rhs {
                Expr::MethodCall(call, _) => match call.name.as_str() {
                    "len" | "count_in" | "total" | "amount_for" | "index_of" => Ty::Number,
                    "has" | "contains" => Ty::Boolean,
                    _ => Ty::Unknown,
                },
                _ => Ty::Unknown,
            },
            _ => Ty::Unknown,
        }
    }

    /// Whether every comparison in the rule has both sides' types shown, and every
    /// search in a list looks for a value of the type the list is made of.
    pub(super) fn all_comparisons_shown(&self, ast: &AST, spec: &ProgramSpec<'_>) -> bool {
        let mut shown = true;
        ast.walk(&mut |path: &[ASTNode]| {
            let Some(ASTNode::Expr(expr)) = path.last() else {
                return true;
            };
            let (container, needle) = match expr {
                Expr::FnCall(call, _) => match call.args.as_ref() {
                    [a, b] if COMPARISONS.contains(&call.name.as_str()) => {
                        if self.type_of(a, spec) == Ty::Unknown
                            || self.type_of(b, spec) == Ty::Unknown
                        {
                            shown = false;
                        }
                        return shown;
                    }
                    // `x in list` is `contains(list, x)`.
                    [list, x] if matches!(call.name.as_str(), "contains" | "index_of") => (list, x),
                    _ => return true,
                },
                Expr::Dot(x, ..) => match &x.rhs {
                    Expr::MethodCall(call, _)
                        if matches!(call.name.as_str(), "contains" | "index_of") =>
                    {
                        match call.args.first() {
                            Some(needle) => (&x.lhs, needle),
                            None => return true,
                        }
                    }
                    _ => return true,
                },
                _ => return true,
            };
            let needle = self.type_of(needle, spec);
            let fits = match container {
                Expr::Array(items, _) => {
                    needle != Ty::Unknown && items.iter().all(|i| self.type_of(i, spec) == needle)
                }
                other => self.type_of(other, spec) == Ty::Text && needle == Ty::Text,
            };
            shown &= fits;
            shown
        });
        shown
    }
}

/// The local at the root of an assignment target (`list` in `list[0].x = …`).
fn root_variable(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Variable(v, ..) => Some(v.1.to_string()),
        Expr::Index(x, ..) | Expr::Dot(x, ..) => root_variable(&x.lhs),
        _ => None,
    }
}

fn of_value(value: &Dynamic) -> Ty {
    if value.is_int() || value.is_decimal() {
        Ty::Number
    } else if value.is_string() {
        Ty::Text
    } else if value.is_bool() {
        Ty::Boolean
    } else if value.is_array() {
        Ty::List
    } else {
        Ty::Unknown
    }
}

/// The value types a rule meets, as a diagnostic names them.
fn value_types() -> [(TypeId, &'static str); 9] {
    [
        (TypeId::of::<INT>(), "a whole number"),
        (TypeId::of::<Decimal>(), "an amount"),
        (TypeId::of::<ImmutableString>(), "a string"),
        (TypeId::of::<bool>(), "`true` or `false`"),
        (TypeId::of::<char>(), "a character"),
        (TypeId::of::<Array>(), "a list"),
        (TypeId::of::<Map>(), "a map"),
        (TypeId::of::<Purposes>(), "the funding purposes"),
        (TypeId::of::<()>(), "nothing"),
    ]
}

/// Turns rhai's fast operators off and registers, for each comparison and each pair of
/// different types, a function that stops the rule: found before rhai's built-in silent
/// answer. Whole numbers and amounts compare with each other; `==`/`!=` with nothing
/// (`x == ()`) stay a question whether a value is there.
pub(super) fn refuse_mixed_comparisons(engine: &mut Engine) {
    engine.set_fast_operators(false);
    let types = value_types();
    let numeric = |t: TypeId| t == TypeId::of::<INT>() || t == TypeId::of::<Decimal>();
    let unit = TypeId::of::<()>();
    for op in COMPARISONS {
        for &(a, _) in &types {
            for &(b, _) in &types {
                let asks_presence = matches!(op, "==" | "!=") && (a == unit || b == unit);
                if a == b || (numeric(a) && numeric(b)) || asks_presence {
                    continue;
                }
                engine.register_raw_fn(op, [a, b], mixed_comparison);
            }
        }
    }
}

fn mixed_comparison(
    ctx: NativeCallContext,
    args: &mut [&mut Dynamic],
) -> Result<bool, Box<EvalAltResult>> {
    let types = value_types();
    let name = |i: usize| {
        args.get(i)
            .and_then(|v| types.iter().find(|(t, _)| *t == v.type_id()))
            .map_or("a value", |(_, name)| name)
    };
    let message = format!(
        "`{}` compares {} with {}: values of different types never compare",
        ctx.fn_name(),
        name(0),
        name(1)
    );
    Err(EvalAltResult::ErrorRuntime(message.into(), ctx.call_position()).into())
}
