//! Rules in rhai: the only module that imports rhai. Compiles a version's rule files once and
//! runs them against one application at a time.
//!
//! A rule file declares three literal constants and ends with its condition:
//!
//! ```text
//! const ID = "AMOUNT_ABOVE_MAX";
//! const SEVERITY = "ineligible";
//! const READS = ["amount_requested_eur"];
//!
//! amount_requested_eur > MAX_AMOUNT_EUR
//! ```
//!
//! The condition is `true`/`false`, or a list of field names (fired when not empty; the names
//! become the reason's `fields`). The declarations are read once at load time and stripped
//! from the compiled rule; the version's parameters are constants that rules read by name.

mod budget;
#[cfg(feature = "native")]
mod checks;
pub mod host;
mod inputs;
pub mod sandbox;
mod types;

use crate::diag::{Diagnostic, did_you_mean};
use crate::model::Severity;
use rhai::{
    AST, Dynamic, Engine, EvalAltResult, ParseError, ParseErrorType, Position, Scope, Stmt,
};
use std::collections::BTreeSet;
use std::sync::Arc;

pub use host::{Lists, Purposes};
pub use inputs::Inputs;
pub use rhai::{Dynamic as Value, ImmutableString};
pub use sandbox::Limits;

/// The declarations of a rule file (a scorecard attribute's have no `SEVERITY` and may add
/// `MAY_READ`).
const META: [&str; 4] = ["ID", "SEVERITY", "READS", "MAY_READ"];

/// What a script is: a rule, whose condition fires or passes, or a scorecard attribute, whose
/// result names the level its points table scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `rules/*.rhai`: `ID` in UPPER_SNAKE_CASE, `SEVERITY`, `READS`; ends with a condition.
    Rule,
    /// `scorecard/*.rhai`: `ID` in lower_snake_case, `READS` (the attribute is unknown when one
    /// is missing), optionally `MAY_READ` (read even when missing, as `()`); ends with a level.
    Attribute,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The rule id (`const ID`).
    pub id: String,
    /// Its severity (`const SEVERITY`).
    pub severity: Severity,
    /// The fields it reads (`const READS`).
    pub reads: Vec<String>,
    /// Slot in [`Inputs`] of each field in `reads`.
    pub read_slots: Vec<usize>,
    /// Attributes only: fields read when present, `()` when missing (`const MAY_READ`).
    pub may_read: Vec<String>,
    /// Attributes only: the input slot whose value is the whole result, when the script is
    /// nothing but that input's name (`market_evidence`): read directly, without rhai.
    pub passthrough: Option<usize>,
    /// Path inside the version directory.
    pub file: String,
    /// Where the file is stored, relative to the rules root (an inherited file).
    pub origin: Option<String>,
    source: Arc<str>,
    statements: Box<[Stmt]>,
    result_position: Position,
    /// Every comparison's types are shown by the AST (see [`types`]).
    comparisons_shown: bool,
    /// The most work one run can cost, when the text bounds it (native builds only).
    work_bound: Option<u64>,
}

impl CompiledRule {
    /// The most units of work one run of this rule can cost, when its text bounds it (no loop);
    /// `None` otherwise, and always in the browser build, which has no use for it.
    pub fn work_bound(&self) -> Option<u64> {
        self.work_bound
    }
}

/// The rule files of one version, compiled on one locked engine.
pub struct Program {
    product: String,
    version: String,
    engine: Engine,
    limits: Limits,
    inputs: Arc<Inputs>,
    /// Function-resolution caches kept between decisions: each call site is resolved once per
    /// cache instead of once per decision (a third of rhai's time on these short rules).
    caches: std::sync::Mutex<Vec<rhai::Caches>>,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("product", &self.product)
            .field("version", &self.version)
            .finish()
    }
}

/// A rule file to compile.
#[derive(Debug, Clone, Copy)]
pub struct RuleSource<'a> {
    /// Path inside the version directory.
    pub path: &'a str,
    /// The script.
    pub text: &'a str,
    /// Where it is stored, relative to the rules root, when inherited.
    pub origin: Option<&'a str>,
}

/// What [`Program::compile`] needs besides the rule files.
pub struct ProgramSpec<'a> {
    /// The product id, for diagnostics.
    pub product: &'a str,
    /// The version id, for diagnostics.
    pub version: &'a str,
    /// The version's parameters: constants rules read by name.
    pub constants: Vec<(String, Dynamic)>,
    /// The version's named lists.
    pub lists: Arc<Lists>,
    /// The sandbox limits.
    pub limits: Limits,
    /// The variables rules may read, from the version's fields.
    pub inputs: Arc<Inputs>,
}

/// The result of one rule on one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The condition was false (or an empty list).
    Pass,
    /// The condition was true.
    Fire,
    /// Fired, naming the fields itself (a rule that returns a list of field names).
    FireWith(Vec<String>),
}

/// Where `needle` is written in the declaration `const NAME = …;` of a rule's text, for a
/// diagnostic about the declared value: the line of the declaration, at the value. Falls back
/// to the declaration's start, then to the top of the file.
pub(crate) fn declared_at(text: &str, name: &str, needle: &str) -> Position {
    let declaration = format!("const {name}");
    let Some(start) = text.match_indices(&declaration).map(|(i, _)| i).find(|&i| {
        text.get(i + declaration.len()..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    }) else {
        return Position::new(1, 1);
    };
    let end = text
        .get(start..)
        .and_then(|rest| rest.find(';'))
        .map_or(text.len(), |e| start + e);
    let at = text
        .get(start..end)
        .and_then(|decl| decl.find(needle))
        .map_or(start, |i| start + i);
    let (line, column) = crate::diag::line_column(text, at).unwrap_or((1, 1));
    Position::new(
        u16::try_from(line).unwrap_or(u16::MAX),
        u16::try_from(column).unwrap_or(u16::MAX),
    )
}

impl Program {
    /// Compiles every rule file; returns every problem found, not only the first.
    pub fn compile(
        spec: ProgramSpec<'_>,
        files: &[RuleSource<'_>],
        attributes: &[RuleSource<'_>],
    ) -> Result<(Program, Vec<CompiledRule>, Vec<CompiledRule>), Vec<Diagnostic>> {
        let mut engine = sandbox::locked_engine(&spec.limits);
        host::register(&mut engine, spec.lists.clone());
        let inputs = spec.inputs.clone();
        let constants: Arc<[(String, Dynamic)]> = spec.constants.clone().into();
        #[expect(
            deprecated,
            reason = "rhai marks on_var volatile, not deprecated; it is the documented resolver hook"
        )]
        engine.on_var(move |name, index, context| {
            resolve_input(&inputs, &constants, name, index, context)
        });

        let mut scope = Scope::new();
        for input in spec.inputs.iter().filter(|i| i.readable) {
            scope.push_dynamic(input.name.clone(), Dynamic::UNIT);
        }
        for (name, value) in &spec.constants {
            scope.push_constant_dynamic(name.clone(), value.clone());
        }
        #[cfg(feature = "native")]
        let known_fns = checks::known_functions(&engine);
        #[cfg(not(feature = "native"))]
        let known_fns: Option<BTreeSet<String>> = None;

        let mut program = Program {
            product: spec.product.to_owned(),
            version: spec.version.to_owned(),
            engine,
            limits: spec.limits,
            inputs: spec.inputs.clone(),
            caches: std::sync::Mutex::new(Vec::new()),
        };
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let mut rules = Vec::with_capacity(files.len());
        let mut scored = Vec::with_capacity(attributes.len());
        for (role, file) in files
            .iter()
            .map(|f| (Role::Rule, f))
            .chain(attributes.iter().map(|f| (Role::Attribute, f)))
        {
            match program.compile_rule(&scope, &spec, &known_fns, file, role) {
                Ok(rule) => {
                    if !ids.insert(rule.id.clone()) {
                        let what = match role {
                            Role::Rule => "rule",
                            Role::Attribute => "attribute",
                        };
                        problems.push(program.diag_at(
                            file,
                            Position::NONE,
                            format!("{what} id `{}` is declared by another file too", rule.id),
                        ));
                    }
                    match role {
                        Role::Rule => rules.push(rule),
                        Role::Attribute => scored.push(rule),
                    }
                }
                Err(mut d) => problems.append(&mut d),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if rules.iter().chain(&scored).any(|r| !r.comparisons_shown) {
            types::refuse_mixed_comparisons(&mut program.engine);
        }
        Ok((program, rules, scored))
    }

    /// Whether this version runs with rhai's fast operators: every comparison of its rules has
    /// types the AST shows (see [`types`]).
    pub fn fast_operators(&self) -> bool {
        self.engine.fast_operators()
    }

    fn diag(&self, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.product, &self.version, file, message)
    }

    fn diag_at(
        &self,
        file: &RuleSource<'_>,
        pos: Position,
        message: impl Into<String>,
    ) -> Diagnostic {
        let d = self
            .diag(file.path, message)
            .at(file.text, pos.line(), pos.position());
        match file.origin {
            Some(origin) => d.with_origin(origin),
            None => d,
        }
    }

    fn compile_rule(
        &self,
        scope: &Scope<'_>,
        spec: &ProgramSpec<'_>,
        known_fns: &Option<BTreeSet<String>>,
        file: &RuleSource<'_>,
        role: Role,
    ) -> Result<CompiledRule, Vec<Diagnostic>> {
        let ast = self
            .engine
            .compile_with_scope(scope, file.text)
            .map_err(|e| vec![self.parse_error(file, scope, &e)])?;

        let mut problems = Vec::new();
        let meta: Vec<(String, Dynamic)> = ast
            .iter_literal_variables(true, false)
            .map(|(n, _, v)| (n.to_owned(), v))
            .collect();
        let get = |name: &str| meta.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let top = Position::new(1, 1);

        let id = match get("ID").and_then(|v| v.into_string().ok()) {
            Some(id) if role == Role::Rule && is_rule_id(&id) => id,
            Some(id) if role == Role::Attribute && is_attribute_id(&id) => id,
            Some(id) => {
                let (what, case) = match role {
                    Role::Rule => ("rule", "UPPER_SNAKE_CASE"),
                    Role::Attribute => ("attribute", "lower_snake_case"),
                };
                let at = declared_at(file.text, "ID", &format!("\"{id}\""));
                problems.push(self.diag_at(file, at, format!("{what} id `{id}` must be {case}")));
                id
            }
            None => {
                problems.push(
                    self.diag_at(file, top, "missing declaration `const ID = \"…\";`")
                        .with_help(Some(
                            "every rule file starts with its ID, SEVERITY and READS".into(),
                        )),
                );
                String::new()
            }
        };
        let severity = match get("SEVERITY").and_then(|v| v.into_string().ok()) {
            Some(_) if role == Role::Attribute => {
                problems.push(
                    self.diag_at(
                        file,
                        declared_at(file.text, "SEVERITY", "="),
                        "a scorecard attribute has no `SEVERITY`",
                    )
                    .with_help(Some(
                        "an attribute never changes the outcome: its level scores points"
                            .to_owned(),
                    )),
                );
                Severity::Info
            }
            None if role == Role::Attribute => Severity::Info,
            Some(s) => Severity::parse(&s).unwrap_or_else(|| {
                problems.push(
                    self.diag_at(
                        file,
                        declared_at(file.text, "SEVERITY", &format!("\"{s}\"")),
                        format!("unknown severity `{s}`"),
                    )
                    .with_help(
                        did_you_mean(&s, ["ineligible", "review", "flag", "info"]).or_else(|| {
                            Some("use one of `ineligible`, `review`, `flag`, `info`".into())
                        }),
                    ),
                );
                Severity::Info
            }),
            None => {
                problems.push(self.diag_at(
                    file,
                    top,
                    "missing declaration `const SEVERITY = \"…\";`",
                ));
                Severity::Info
            }
        };
        let mut reads = Vec::new();
        match get("READS").and_then(|v| v.into_array().ok()) {
            Some(items) => {
                for item in items {
                    match item.into_string() {
                        Ok(f) if spec.inputs.readable_fields().any(|r| r == f) => reads.push(f),
                        Ok(f) => problems.push(
                            self.diag_at(
                                file,
                                declared_at(file.text, "READS", &format!("\"{f}\"")),
                                format!("`READS` names unknown field `{f}`"),
                            )
                            .with_help(did_you_mean(&f, spec.inputs.readable_fields())),
                        ),
                        Err(_) => problems.push(self.diag_at(
                            file,
                            top,
                            "`READS` must list field names as strings",
                        )),
                    }
                }
            }
            None => problems.push(
                self.diag_at(file, top, "missing declaration `const READS = [\"…\"];`")
                    .with_help(Some(
                        "list the application fields the rule reads; `[]` if none".into(),
                    )),
            ),
        }

        let mut may_read = Vec::new();
        if let Some(list) = get("MAY_READ") {
            match (role, list.into_array()) {
                (Role::Attribute, Ok(items)) => {
                    for item in items {
                        match item.into_string() {
                            Ok(f) if spec.inputs.readable_fields().any(|r| r == f) => {
                                may_read.push(f);
                            }
                            Ok(f) => problems.push(
                                self.diag_at(
                                    file,
                                    declared_at(file.text, "MAY_READ", &format!("\"{f}\"")),
                                    format!("`MAY_READ` names unknown field `{f}`"),
                                )
                                .with_help(did_you_mean(&f, spec.inputs.readable_fields())),
                            ),
                            Err(_) => problems.push(self.diag_at(
                                file,
                                top,
                                "`MAY_READ` must list field names as strings",
                            )),
                        }
                    }
                }
                (Role::Attribute, Err(_)) => problems.push(self.diag_at(
                    file,
                    top,
                    "`MAY_READ` must list field names as strings",
                )),
                (Role::Rule, _) => problems.push(
                    self.diag_at(file, top, "`MAY_READ` is for scorecard attributes")
                        .with_help(Some(
                            "a rule lists what it reads in `READS` and is skipped when one is missing".to_owned(),
                        )),
                ),
            }
        }

        // Strip the declarations; what remains is the condition.
        let statements: Vec<Stmt> = ast
            .statements()
            .iter()
            .filter(|s| !matches!(s, Stmt::Var(x, ..) if META.contains(&x.0.name.as_str())))
            .cloned()
            .collect();
        let Some(last) = statements.last() else {
            problems.push(self.diag_at(file, top, "rule has no condition after its declarations"));
            return Err(problems);
        };
        let result_position = last.position();

        // The types the rule's text shows, read once for the checks, the choice of fast
        // operators and the work bound.
        let locals = types::Locals::of(&ast, spec);
        // The load-time checks rhai leaves to run time, for rule authors: native builds only.
        // The browser runs rule sets that the native tools (and CI) have loaded and checked.
        #[cfg(feature = "native")]
        {
            let readable: Vec<String> = reads.iter().chain(&may_read).cloned().collect();
            self.check_ast(
                &ast,
                &locals,
                file,
                spec,
                known_fns,
                &readable,
                role,
                &mut problems,
            );
        }
        #[cfg(not(feature = "native"))]
        let _ = known_fns;
        if !problems.is_empty() {
            return Err(problems);
        }

        let passthrough = match (role, statements.as_slice()) {
            (Role::Attribute, [Stmt::Expr(expr)]) => match expr.as_ref() {
                rhai::Expr::Variable(v, ..) if v.0.is_none() => spec.inputs.slot_of(v.1.as_str()),
                _ => None,
            },
            _ => None,
        };
        let statements = AST::new(statements);
        let comparisons_shown = locals.all_comparisons_shown(&statements, spec);
        #[cfg(feature = "native")]
        let work_bound = checks::work_bound(&statements, &locals, spec);
        #[cfg(not(feature = "native"))]
        let work_bound = None;
        let read_slots = reads
            .iter()
            .filter_map(|r| spec.inputs.slot_of(r))
            .collect();
        Ok(CompiledRule {
            id,
            severity,
            reads,
            read_slots,
            may_read,
            passthrough,
            file: file.path.to_owned(),
            origin: file.origin.map(str::to_owned),
            source: Arc::from(file.text),
            statements: statements.statements().to_vec().into_boxed_slice(),
            result_position,
            comparisons_shown,
            work_bound,
        })
    }

    fn parse_error(&self, file: &RuleSource<'_>, scope: &Scope<'_>, e: &ParseError) -> Diagnostic {
        let pos = e.position();
        let (message, help) = match e.err_type() {
            ParseErrorType::VariableUndefined(name)
                if let Some(input) =
                    self.inputs.iter().find(|i| &i.name == name && !i.readable) =>
            {
                (
                    format!("unknown variable `{name}`"),
                    Some(match &input.note {
                        Some(note) => format!("`{name}` is {note}"),
                        None => format!("`{name}` is not for rules: its declaration says so"),
                    }),
                )
            }
            ParseErrorType::VariableUndefined(name) => {
                let names: Vec<String> = scope.iter_raw().map(|(n, ..)| n.to_owned()).collect();
                (
                    format!("unknown variable `{name}`"),
                    did_you_mean(name, names.iter().map(String::as_str)),
                )
            }
            ParseErrorType::Reserved(word) | ParseErrorType::ForbiddenVariable(word)
                if sandbox::DISABLED_SYMBOLS.contains(&word.as_str()) =>
            {
                (
                    format!("`{word}` is not allowed in rules"),
                    Some("rules are pure conditions: no eval, no output".to_owned()),
                )
            }
            ParseErrorType::Reserved(word) if word == "fn" => (
                "`fn` is not available in rules".to_owned(),
                Some("a rule is one condition: name a part of it with `let`".to_owned()),
            ),
            ParseErrorType::ExprTooDeep => (
                format!(
                    "expression nested deeper than {} levels",
                    self.limits.max_expr_depth
                ),
                Some("split the condition with `let` variables".to_owned()),
            ),
            other => {
                let text = other.to_string();
                match sandbox::DISABLED_SYMBOLS
                    .iter()
                    .find(|w| text.contains(&format!("'{w}'")))
                {
                    Some(word) => (
                        format!("`{word}` is not allowed in rules"),
                        Some("rules are pure conditions: no eval, no output".to_owned()),
                    ),
                    None => (lower_first(&text), None),
                }
            }
        };
        self.diag_at(file, pos, message).with_help(help)
    }

    /// Starts the evaluation of one application: `values` holds one value per [`Inputs`] entry
    /// (unit for a missing one). The values live in the run's tag and reach rules through the
    /// engine's variable resolver ([`resolve_input`]), read-only, so no rule can change what
    /// the next one sees, and no scope has to be built per decision.
    pub fn start(&self, values: Vec<Dynamic>) -> Run<'_> {
        let scope = Scope::new();
        let caches = self
            .caches
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        let mut global = self.engine.new_global_runtime_state();
        global.tag = Dynamic::from_array(values);
        Run {
            _charge: budget::Charge::start(),
            program: self,
            base: scope.len(),
            scope,
            global,
            caches,
        }
    }
}

impl Drop for Run<'_> {
    fn drop(&mut self) {
        if let Ok(mut pool) = self.program.caches.lock() {
            // A handful is enough for the threads of one server; more would only hold memory.
            if pool.len() < 64 {
                pool.push(std::mem::take(&mut self.caches));
            }
        }
    }
}

/// The evaluation of one application: the inputs are pushed once and shared by every rule.
pub struct Run<'p> {
    /// This decision's charge for container walks (see [`budget`]), held for its `Drop`.
    _charge: budget::Charge,
    program: &'p Program,
    scope: Scope<'static>,
    base: usize,
    global: rhai::GlobalRuntimeState,
    caches: rhai::Caches,
}

impl Run<'_> {
    /// Runs a compiled script's statements on this decision's state and gives its result; an
    /// error names the product, version, file, line and column.
    #[inline(always)]
    fn run(&mut self, script: &CompiledRule) -> Result<Dynamic, Box<Diagnostic>> {
        // No reset of the operation count: the limit is per decision, across all its scripts.
        #[expect(
            deprecated,
            reason = "the supported way to run pre-split statements on a reused global state"
        )]
        let result = self.program.engine.eval_statements_raw(
            &mut self.global,
            &mut self.caches,
            &mut self.scope,
            &script.statements,
        );
        self.scope.rewind(self.base);
        result.map_err(|e| Box::new(self.program.runtime_error(script, *e)))
    }

    /// Runs one rule of this program; an error names the product, version, rule file, line and
    /// column.
    pub fn eval(&mut self, rule: &CompiledRule) -> Result<Verdict, Box<Diagnostic>> {
        let program = self.program;
        let value = self.run(rule)?;
        verdict(value).ok_or_else(|| {
            Box::new(
                program
                    .rule_diag(rule, "rule must end with `true` or `false`")
                    .at(
                        &rule.source,
                        rule.result_position.line(),
                        rule.result_position.position(),
                    )
                    .with_help(Some(
                        "or with a list of field names, fired when it is not empty".to_owned(),
                    )),
            )
        })
    }
}

impl Run<'_> {
    /// Runs one scorecard attribute: the level its result names, or `None` when it gives `()`
    /// (unknown). An error names the file, line and column, as a rule's does.
    pub fn level(
        &mut self,
        attribute: &CompiledRule,
    ) -> Result<Option<ImmutableString>, Box<Diagnostic>> {
        let program = self.program;
        if let Some(slot) = attribute.passthrough {
            let value = self
                .global
                .tag
                .read_lock::<rhai::Array>()
                .and_then(|values| values.get(slot).cloned())
                .unwrap_or(Dynamic::UNIT);
            if value.is_unit() {
                return Ok(None);
            }
            if let Ok(level) = value.into_immutable_string() {
                return Ok(Some(level));
            }
            // Not a string (a number, a boolean): rhai's run below says so, with the position.
        }
        let value = self.run(attribute)?;
        if value.is_unit() {
            return Ok(None);
        }
        value
            .into_immutable_string()
            .map(Some)
            .map_err(|type_name| {
                Box::new(
                    program
                        .rule_diag(
                            attribute,
                            format!("attribute must end with a level (a string), not {type_name}"),
                        )
                        .at(
                            &attribute.source,
                            attribute.result_position.line(),
                            attribute.result_position.position(),
                        ),
                )
            })
    }
}

/// The engine's variable resolver: an input's value for this run, or a parameter of the
/// version, read-only. Local variables (index > 0) and anything else fall through to rhai's
/// own scope.
fn resolve_input(
    inputs: &Inputs,
    constants: &[(String, Dynamic)],
    name: &str,
    index: usize,
    context: rhai::EvalContext,
) -> Result<Option<Dynamic>, Box<EvalAltResult>> {
    if index > 0 {
        return Ok(None);
    }
    let Some(slot) = inputs.slot_of(name) else {
        return Ok(constants
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone()));
    };
    let values = context.tag().read_lock::<rhai::Array>();
    Ok(values.and_then(|v| v.get(slot).cloned()))
}

fn verdict(value: Dynamic) -> Option<Verdict> {
    if let Ok(b) = value.as_bool() {
        return Some(if b { Verdict::Fire } else { Verdict::Pass });
    }
    let items = value.try_cast::<rhai::Array>()?;
    if items.is_empty() {
        return Some(Verdict::Pass);
    }
    let fields: Option<Vec<String>> = items.into_iter().map(|v| v.into_string().ok()).collect();
    fields.map(Verdict::FireWith)
}

impl Program {
    fn runtime_error(&self, rule: &CompiledRule, err: EvalAltResult) -> Diagnostic {
        let inner = err.unwrap_inner();
        let pos = inner.position();
        let limits = &self.limits;
        let message = match &inner {
            EvalAltResult::ErrorTooManyOperations(..) => {
                format!(
                    "rule stopped: the rules of one decision may do {} operations together, and this one used them up: does it loop forever?",
                    limits.max_operations
                )
            }
            EvalAltResult::ErrorDataTooLarge(what, ..) => {
                format!("rule stopped: {} over the limit", what.to_ascii_lowercase())
            }
            EvalAltResult::ErrorFunctionNotFound(sig, ..) => format!("no function `{sig}`"),
            EvalAltResult::ErrorVariableNotFound(name, ..) => format!("unknown variable `{name}`"),
            // A comparison between different types ([`types`]), or a rule's own `throw`.
            EvalAltResult::ErrorRuntime(value, ..) if value.is_string() => value.to_string(),
            other => {
                let text = other.to_string();
                lower_first(
                    text.rfind(" (line ")
                        .and_then(|i| text.get(..i))
                        .unwrap_or(&text),
                )
            }
        };
        self.rule_diag(rule, message)
            .at(&rule.source, pos.line(), pos.position())
    }

    fn rule_diag(&self, rule: &CompiledRule, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(&self.product, &self.version, &rule.file, message);
        match &rule.origin {
            Some(origin) => d.with_origin(origin.clone()),
            None => d,
        }
    }

    /// The product id.
    pub fn product(&self) -> &str {
        &self.product
    }
    /// The variables rules read, in slot order.
    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }
    /// The version id.
    pub fn version(&self) -> &str {
        &self.version
    }
}

fn is_rule_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_attribute_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => std::iter::once(c.to_ascii_lowercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}
