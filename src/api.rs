//! THE facade: one request in, one decision out. The page (wasm), the CLI and the staff server
//! call only this module, so they give the same bytes for the same request.

use crate::date::Date;
use crate::decide::decide;
use crate::diag::{Diagnostic, LoadError, without_position};
use crate::fields::Kind;
use crate::json::{Json, Member, read_skipping_unknown};
use crate::model::{Decision, Language};
use crate::ruleset::{Registry, RuleSet, RuleSetSource, SourceFile, timeline};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Which rule set answers, and in which language: CONTRACT.md §1 without the application.
/// The one selection type of every face: a request's envelope, `kredo check`'s and
/// `kredo batch`'s options, the batch endpoint's query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Selection<'a> {
    /// The product id; default [`DEFAULT_PRODUCT`].
    #[serde(default, borrow)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub product: Option<Cow<'a, str>>,
    /// `YYYY-MM-DD`: the version in force on that day; default: the caller's today.
    #[serde(default, borrow)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub as_of: Option<Cow<'a, str>>,
    /// Pins an exact version.
    #[serde(default, borrow)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub version: Option<Cow<'a, str>>,
    /// `nl` (default), `fr` or `en`.
    #[serde(default, borrow)]
    #[cfg_attr(feature = "wasm", tsify(optional, type = "Language"))]
    pub language: Option<Cow<'a, str>>,
}

impl Selection<'_> {
    /// The same selection, owning its strings.
    pub fn into_owned(self) -> Selection<'static> {
        let own = |v: Option<Cow<'_, str>>| v.map(|c| Cow::Owned(c.into_owned()));
        Selection {
            product: own(self.product),
            as_of: own(self.as_of),
            version: own(self.version),
            language: own(self.language),
        }
    }
}

/// A typed request (CONTRACT.md §1): a selection and the application.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Which rule set, which language.
    pub selection: Selection<'static>,
    /// The application object (§2).
    pub application: serde_json::Value,
    /// Staff only (§6): add the scorecard's `score` to the decision, when the version has a
    /// scorecard and the application is not `invalid`.
    pub score: bool,
    /// Search `suggestions` for an `ineligible` or `review` outcome (§8). On for every request
    /// of the contract; off where no one reads them (the CSV batch has no column for them).
    pub suggest: bool,
}

/// Who asks for a decision. The public (the page, the public route) never gets a score: a
/// public request that asks for one is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// An applicant: the self-check page or `POST /api/v1/check`.
    Public,
    /// Intake staff: signed-in routes and the command line.
    Staff,
}

impl Request {
    /// A request for `application` with the default selection.
    pub fn new(application: serde_json::Value) -> Request {
        Request {
            selection: Selection::default(),
            application,
            score: false,
            suggest: true,
        }
    }
    /// Asks for the score (staff only).
    pub fn score(mut self, score: bool) -> Request {
        self.score = score;
        self
    }
    /// Sets `as_of`.
    pub fn as_of(mut self, date: &str) -> Request {
        self.selection.as_of = Some(Cow::Owned(date.to_owned()));
        self
    }
    /// Sets `language`.
    pub fn language(mut self, language: &str) -> Request {
        self.selection.language = Some(Cow::Owned(language.to_owned()));
        self
    }
    /// Sets `product`.
    pub fn product(mut self, product: &str) -> Request {
        self.selection.product = Some(Cow::Owned(product.to_owned()));
        self
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Request, D::Error> {
        let wire = Envelope::<serde_json::Value>::deserialize(d)?;
        Ok(Request {
            selection: wire.selection().into_owned(),
            score: wire.score.unwrap_or(false),
            suggest: true,
            application: wire.application,
        })
    }
}

/// A request as the JSON entry points read it: the envelope's fields spelled out once (serde's
/// `flatten` would buffer the application and lose the exact text of its numbers), with the
/// application as a borrowed tree (the JSON faces) or an owned value ([`Request`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a, A> {
    #[serde(default, borrow)]
    product: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    as_of: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(default)]
    application: A,
    /// Staff only: add the scorecard's `score` (CONTRACT.md §6).
    #[serde(default)]
    score: Option<bool>,
}

impl<'a, A> Envelope<'a, A> {
    fn selection(&self) -> Selection<'a> {
        Selection {
            product: self.product.clone(),
            as_of: self.as_of.clone(),
            version: self.version.clone(),
            language: self.language.clone(),
        }
    }
}

/// Whether to score: a public request with a `score` key is refused, so no face can leak a
/// score (and the public envelope stays exactly the contract's keys).
fn wants_score(asked: Option<bool>, audience: Audience) -> Result<bool, RequestError> {
    match (asked, audience) {
        (Some(_), Audience::Public) => Err(RequestError::new(
            ErrorCode::InvalidRequest,
            "`score` is for intake staff: ask for it on the staff routes or with `kredo check --score`",
        )
        .field("score")),
        (asked, _) => Ok(asked == Some(true)),
    }
}

/// The text after a UTF-8 byte-order mark, which Windows editors put before JSON they save.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// How a member of an application is read when unknown fields' values are skipped.
fn member(rs: &RuleSet, key: &str) -> Member {
    let fields = &rs.fields;
    match fields.index_of(key).and_then(|i| fields.get(i)) {
        None => Member::Unknown,
        Some(field) if matches!(field.kind, Kind::Purposes { .. }) => Member::Purposes,
        Some(_) => Member::Field,
    }
}

/// The product a request gets when it names none.
pub const DEFAULT_PRODUCT: &str = "impulskrediet";

/// The product id that asks every product in force at once (CONTRACT.md §7); `--product all`
/// on the command line.
pub const ALL_PRODUCTS: &str = "*";

/// Whether a selection asks for every product at once.
fn is_all(selection: &Selection<'_>) -> bool {
    selection.product.as_deref() == Some(ALL_PRODUCTS)
}

/// The engine: every rule-set version compiled once, ready for any number of decisions.
#[derive(Debug)]
pub struct Kredo {
    registry: Registry,
    /// See [`Kredo::decisions_are_quick`], worked out once.
    quick: bool,
}

/// Why no decision could be made, as a code every face maps exhaustively: an HTTP status, an
/// exit code, the wasm error object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The text is not JSON.
    InvalidJson,
    /// JSON, but not a request of contract v1.
    InvalidRequest,
    /// No such product.
    UnknownProduct,
    /// The product has no such version.
    UnknownVersion,
    /// No version is in force on `as_of`.
    NoVersionInForce,
    /// `as_of` is not a date.
    InvalidDate,
    /// Not `nl`, `fr` or `en`.
    InvalidLanguage,
    /// A rule failed at run time: the rule set is broken.
    RuleError,
}

impl ErrorCode {
    /// The code as it appears in an error body.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnknownProduct => "unknown_product",
            ErrorCode::UnknownVersion => "unknown_version",
            ErrorCode::NoVersionInForce => "no_version_in_force",
            ErrorCode::InvalidDate => "invalid_date",
            ErrorCode::InvalidLanguage => "invalid_language",
            ErrorCode::RuleError => "rule_error",
        }
    }
}

/// Why no decision could be made. Crosses every boundary as data:
/// `{"error":{"code":"unknown_version","message":"…","versions":["2020-07-03",…]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[error("{message}")]
pub struct RequestError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// One line for people.
    pub message: String,
    /// The request field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// For `invalid_json`: where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// For `invalid_json`: where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// For version errors: the versions there are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub versions: Vec<String>,
    /// For `rule_error`: the rule file at fault, with its line and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<Box<Diagnostic>>,
}

impl RequestError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> RequestError {
        RequestError {
            code,
            message: message.into(),
            field: None,
            line: None,
            column: None,
            versions: Vec::new(),
            diagnostic: None,
        }
    }
    /// Names the request field at fault.
    pub fn field(mut self, field: &'static str) -> RequestError {
        self.field = Some(field);
        self
    }
    fn json(e: &serde_json::Error) -> RequestError {
        let text = e.to_string();
        let mut err = RequestError::new(
            ErrorCode::InvalidJson,
            format!("not valid JSON: {}", without_position(&text)),
        );
        err.line = u32::try_from(e.line()).ok();
        err.column = u32::try_from(e.column()).ok();
        err
    }
    /// The error as the JSON body every face returns.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a RequestError,
        }
        serde_json::to_string(&Body { error: self })
            .unwrap_or_else(|_| String::from(r#"{"error":{"code":"internal"}}"#))
    }
}

/// A rule-set version as listed by `rulesets()`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct RuleSetInfo {
    /// Product id.
    pub product: String,
    /// Version id.
    pub version: String,
    /// The product's name.
    pub title: String,
    /// First day in force.
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub effective_from: Date,
    /// Last day in force, if a later version follows.
    #[cfg_attr(feature = "wasm", tsify(type = "string | null"))]
    pub effective_to: Option<Date>,
    /// SHA-256 of the resolved files.
    pub hash: String,
}

/// What a rule means for an applicant, in one language: for pages that explain a decision.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct RuleGuidance<'a> {
    /// Rule id.
    pub id: &'a str,
    /// Its severity.
    pub severity: crate::model::Severity,
    /// Why it fires.
    pub message: &'a str,
    /// What to do about it.
    pub next_step: &'a str,
}

/// A version's fields and question pages, for forms, the page and the OpenAPI schema.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Schema<'a> {
    /// Product id.
    pub product: &'a str,
    /// Version id.
    pub version: &'a str,
    /// The product's name.
    pub title: &'a str,
    /// The question pages, in order.
    pub pages: &'a [crate::fields::PageDecl],
    /// The fields, in declaration order.
    pub fields: &'a [crate::fields::FieldDecl],
    /// Who lends (from the product's timeline; not hashed), when the timeline names it.
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lender: Option<&'a crate::ruleset::timeline::Lender>,
    /// The product's limits, from the version's parameters: for applicants, before they answer.
    pub limits: Limits,
    /// The version's code lists that carry labels (NACE codes, …), for a search by words.
    pub code_lists: &'a [crate::ruleset::CodeList],
}

/// The product limits a version's parameters state, by their conventional names
/// (`MIN_AMOUNT_EUR`, `MAX_AMOUNT_EUR`, `MAX_TERM_MONTHS`): each absent when the version has no
/// such parameter. Validation bounds are not limits and are never listed here.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Limits {
    /// The smallest amount lent, in euros (`"500.00"`).
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_amount_eur: Option<String>,
    /// The largest amount lent, in euros (`"25000.00"`).
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_amount_eur: Option<String>,
    /// The longest term, in months.
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_term_months: Option<i64>,
}

impl Limits {
    /// The limits of a version, from its parameters.
    pub fn of(rs: &RuleSet) -> Limits {
        use crate::ruleset::ParamValue;
        let param = |name: &str| {
            rs.parameters
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.value)
        };
        let money = |name: &str| match param(name) {
            Some(ParamValue::Money(d) | ParamValue::Decimal(d)) => Some(d.to_string()),
            _ => None,
        };
        Limits {
            min_amount_eur: money("MIN_AMOUNT_EUR"),
            max_amount_eur: money("MAX_AMOUNT_EUR"),
            max_term_months: match param("MAX_TERM_MONTHS") {
                Some(ParamValue::Integer(n)) => Some(n),
                _ => None,
            },
        }
    }
}

/// The work under which a decision counts as quick ([`Kredo::decisions_are_quick`]): a few
/// hundred microseconds at most, as long as a request takes to read.
pub const QUICK_DECISION_UNITS: u64 = 4_096;

fn quick(registry: &Registry) -> bool {
    registry.products().all(|(_, versions)| {
        versions.iter().all(|rs| {
            let rules = rs.rules.iter().map(|r| &r.compiled);
            // A staff decision with a score runs the scorecard's attributes too.
            #[cfg(feature = "native")]
            let rules = rules.chain(
                rs.scorecard
                    .iter()
                    .flat_map(|c| c.pillars.iter())
                    .flat_map(|p| p.attributes.iter())
                    .map(|a| &a.script),
            );
            rules
                .map(|r| r.work_bound())
                .try_fold(0_u64, |sum, w| w.map(|w| sum.saturating_add(w)))
                .is_some_and(|total| total <= QUICK_DECISION_UNITS)
        })
    })
}

impl Kredo {
    /// The published rule sets compiled into this binary. The wasm carries none: the page loads
    /// the rule sets it is served with ([`Kredo::from_tree`] over [`crate::bundle::read`]).
    #[cfg(feature = "native")]
    pub fn embedded() -> Result<Kredo, LoadError> {
        Kredo::from_sources(crate::embedded::sources()?)
    }

    /// Compiles resolved versions; every problem of every version is reported at once.
    pub fn from_sources(sources: Vec<RuleSetSource>) -> Result<Kredo, LoadError> {
        let registry = Registry::compile(&sources)?;
        let quick = quick(&registry);
        Ok(Kredo { registry, quick })
    }

    /// Resolves a stored rules tree (paths relative to the rules root: `common/…`,
    /// `<product>/timeline.json`, `<product>/<version>/…`) and compiles it.
    pub fn from_tree(files: Vec<SourceFile>) -> Result<Kredo, LoadError> {
        Kredo::from_sources(timeline::resolve(files)?)
    }

    /// Every compiled version.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Whether every decision, in every version, costs at most [`QUICK_DECISION_UNITS`] units
    /// of work, as the rules' text shows (no loops; see `CompiledRule::work_bound`): then a
    /// server may decide a small request on its async workers instead of a blocking thread.
    pub fn decisions_are_quick(&self) -> bool {
        self.quick
    }

    /// Every product and version with its dates and hash.
    pub fn rulesets(&self) -> Vec<RuleSetInfo> {
        self.registry
            .products()
            .flat_map(|(_, versions)| versions.iter())
            .map(|rs| RuleSetInfo {
                product: rs.product.clone(),
                version: rs.version.clone(),
                title: rs.title.clone(),
                effective_from: rs.effective_from,
                effective_to: rs.effective_to,
                hash: rs.hash.clone(),
            })
            .collect()
    }

    /// One version by product and version id.
    pub fn version(&self, product: &str, version: &str) -> Option<&RuleSet> {
        self.registry
            .versions(product)?
            .iter()
            .find(|v| v.version == version)
    }

    /// Each rule's message and next step in one language, for a page explaining a decision.
    pub fn guidance(
        &self,
        product: &str,
        version: &str,
        language: Language,
    ) -> Option<Vec<RuleGuidance<'_>>> {
        let rs = self.version(product, version)?;
        Some(
            rs.rules
                .iter()
                .map(|r| {
                    let text = r.text(language);
                    RuleGuidance {
                        id: &r.compiled.id,
                        severity: r.compiled.severity,
                        message: &text.message,
                        next_step: &text.next_step,
                    }
                })
                .collect(),
        )
    }

    /// A version's fields and question pages.
    pub fn schema(&self, product: &str, version: &str) -> Option<Schema<'_>> {
        let rs = self.version(product, version)?;
        Some(Schema {
            product: &rs.product,
            version: &rs.version,
            title: &rs.title,
            pages: rs.fields.pages(),
            fields: rs.fields.declarations(),
            lender: rs.lender.as_deref(),
            limits: Limits::of(rs),
            code_lists: &rs.code_lists,
        })
    }

    /// Request JSON text → decision JSON text, for the public: `today` is the caller's date,
    /// used when the request has no `as_of`. A request with a `score` key is refused.
    pub fn evaluate_json(&self, request_json: &str, today: Date) -> Result<String, RequestError> {
        self.evaluate_json_for(request_json, today, Audience::Public)
    }

    /// Request JSON text → decision JSON text, for `audience`: staff may ask for the score.
    pub fn evaluate_json_for(
        &self,
        request_json: &str,
        today: Date,
        audience: Audience,
    ) -> Result<String, RequestError> {
        let request_json = without_bom(request_json);
        // serde would read a JSON array as a struct's fields in order; a request is an object.
        let start = request_json.trim_start().as_bytes().first();
        if start.is_some()
            && start != Some(&b'{')
            && serde_json::from_str::<serde::de::IgnoredAny>(request_json).is_ok()
        {
            return Err(RequestError::new(
                ErrorCode::InvalidRequest,
                "the request must be a JSON object",
            ));
        }
        let request: Envelope<'_, Json<'_>> = match serde_json::from_str(request_json) {
            Ok(request) => request,
            Err(e) if e.is_data() => {
                let text = e.to_string();
                return Err(RequestError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "the request does not fit contract v1: {}",
                        without_position(&text)
                    ),
                ));
            }
            Err(e) if e.is_syntax() => {
                return self
                    .evaluate_skipping_unknown(request_json, today, audience)
                    .unwrap_or_else(|| Err(RequestError::json(&e)));
            }
            Err(e) => return Err(RequestError::json(&e)),
        };
        let score = wants_score(request.score, audience)?;
        self.decide_json(&request.application, &request.selection(), today, score)
    }

    /// A request a full read refused, read again with the values of the application's unknown
    /// fields skipped unread (see [`read_skipping_unknown`]): an unknown field is only warned
    /// about, so what it holds must not cost the applicant a decision. `None` when the request
    /// does not read that way either; the full read's error then stands, so a request with no
    /// such field is refused exactly as before. Only refused requests take this path.
    fn evaluate_skipping_unknown(
        &self,
        request_json: &str,
        today: Date,
        audience: Audience,
    ) -> Option<Result<String, RequestError>> {
        let outline: Envelope<'_, Option<&RawValue>> = serde_json::from_str(request_json).ok()?;
        let score = match wants_score(outline.score, audience) {
            Ok(score) => score,
            Err(e) => return Some(Err(e)),
        };
        // The brackets stand for the request object around the application (nesting limit).
        let enclosed = format!("[{}]", outline.application?.get());
        self.decide_skipping_unknown(&enclosed, true, &outline.selection(), today, score)
    }

    /// Reads an application with its unknown fields' values skipped and decides it; `None`
    /// when it does not read that way either, or the selection names no version.
    fn decide_skipping_unknown(
        &self,
        application_json: &str,
        enclosed: bool,
        selection: &Selection<'_>,
        today: Date,
        score: bool,
    ) -> Option<Result<String, RequestError>> {
        if is_all(selection) {
            let (versions, _, _) = self.resolve_all(selection, today).ok()?;
            // Unknown to every product in force: only then is a field's value skipped unread.
            let application = read_skipping_unknown(application_json, enclosed, &|key| {
                versions
                    .iter()
                    .map(|rs| member(rs, key))
                    .find(|m| !matches!(m, Member::Unknown))
                    .unwrap_or(Member::Unknown)
            })
            .ok()?;
            return Some(self.decide_all(&application, selection, today, score));
        }
        let (rs, as_of, language) = self.resolve(selection, today).ok()?;
        let application =
            read_skipping_unknown(application_json, enclosed, &|key| member(rs, key)).ok()?;
        Some(decide(rs, &application, as_of, language, score, true).map(|d| d.to_json()))
    }

    /// Bare application JSON text → decision JSON text (`kredo check`, a CSV row); `score`
    /// adds the scorecard's score (staff tools only).
    pub fn check_json(
        &self,
        application_json: &str,
        selection: &Selection<'_>,
        today: Date,
        score: bool,
    ) -> Result<String, RequestError> {
        let application_json = without_bom(application_json);
        let application: Json<'_> = match serde_json::from_str(application_json) {
            Ok(application) => application,
            Err(e) if e.is_data() => {
                // Read as JSON, but not as an application: a key written twice.
                let text = e.to_string();
                let mut err = RequestError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "the application does not fit contract v1: {}",
                        without_position(&text)
                    ),
                );
                err.line = u32::try_from(e.line()).ok();
                err.column = u32::try_from(e.column()).ok();
                return Err(err);
            }
            Err(e) if e.is_syntax() => {
                // As in `evaluate_json`: read again with unknown fields' values skipped.
                return self
                    .decide_skipping_unknown(application_json, false, selection, today, score)
                    .unwrap_or_else(|| Err(RequestError::json(&e)));
            }
            Err(e) => return Err(RequestError::json(&e)),
        };
        self.decide_json(&application, selection, today, score)
    }

    /// A typed request → a typed decision (with the score when the request asks for it: the
    /// caller is staff).
    pub fn evaluate(&self, request: &Request, today: Date) -> Result<Decision<'_>, RequestError> {
        self.decide(
            &Json::from_value(&request.application),
            &request.selection,
            today,
            request.score,
            request.suggest,
        )
    }

    /// Runs one given version on an application, as of a date (for comparing versions and
    /// running cases); `score` adds the score (staff tools).
    pub fn decide_version<'a>(
        &'a self,
        rs: &'a RuleSet,
        application: &serde_json::Value,
        as_of: Date,
        language: Language,
        score: bool,
    ) -> Result<Decision<'a>, RequestError> {
        decide(
            rs,
            &Json::from_value(application),
            as_of,
            language,
            score,
            true,
        )
    }

    /// Picks the rule-set version for a request: `version` pins one, else the one in force
    /// on `as_of`.
    pub fn select(
        &self,
        product: &str,
        as_of: Date,
        version: Option<&str>,
    ) -> Result<&RuleSet, RequestError> {
        let Some(versions) = self.registry.versions(product) else {
            let known: Vec<String> = self
                .registry
                .products()
                .map(|(p, _)| p.to_owned())
                .collect();
            return Err(RequestError::new(
                ErrorCode::UnknownProduct,
                format!("unknown product `{product}`; known: {}", known.join(", ")),
            )
            .field("product"));
        };
        let list = || {
            versions
                .iter()
                .map(|v| v.version.clone())
                .collect::<Vec<_>>()
        };
        if let Some(v) = version {
            return versions.iter().find(|rs| rs.version == v).ok_or_else(|| {
                let mut e = RequestError::new(
                    ErrorCode::UnknownVersion,
                    format!(
                        "`{product}` has no version `{v}`; versions: {}",
                        list().join(", ")
                    ),
                )
                .field("version");
                e.versions = list();
                e
            });
        }
        self.registry.in_force(product, as_of).ok_or_else(|| {
            let spans: Vec<String> = versions
                .iter()
                .map(|v| match v.effective_to {
                    Some(to) => format!("{} ({} to {})", v.version, v.effective_from, to),
                    None => format!("{} (from {})", v.version, v.effective_from),
                })
                .collect();
            let mut e = RequestError::new(
                ErrorCode::NoVersionInForce,
                format!(
                    "no version of `{product}` is in force on {as_of}; versions: {}",
                    spans.join(", ")
                ),
            )
            .field("as_of");
            e.versions = list();
            e
        })
    }

    /// The version and language a selection names (`today` when it has no `as_of`).
    pub fn resolve(
        &self,
        selection: &Selection<'_>,
        today: Date,
    ) -> Result<(&RuleSet, Date, Language), RequestError> {
        let (language, as_of) = self.language_and_date(selection, today)?;
        let product = selection.product.as_deref().unwrap_or(DEFAULT_PRODUCT);
        if product == ALL_PRODUCTS {
            return Err(RequestError::new(
                ErrorCode::InvalidRequest,
                "`*` (every product at once) answers one application at a time, with `decisions` and `referrals`: name one product here",
            )
            .field("product"));
        }
        let rs = self.select(product, as_of, selection.version.as_deref())?;
        Ok((rs, as_of, language))
    }

    /// A selection's language and day (`today` when it has no `as_of`).
    fn language_and_date(
        &self,
        selection: &Selection<'_>,
        today: Date,
    ) -> Result<(Language, Date), RequestError> {
        let language = match selection.language.as_deref() {
            None => Language::default(),
            Some(l) => Language::parse(l).ok_or_else(|| {
                RequestError::new(
                    ErrorCode::InvalidLanguage,
                    format!("unknown language `{l}`; use `nl`, `fr` or `en`"),
                )
                .field("language")
            })?,
        };
        let as_of = match selection.as_of.as_deref() {
            None => today,
            Some(text) => Date::parse(text).ok_or_else(|| {
                RequestError::new(
                    ErrorCode::InvalidDate,
                    format!("`{text}` is not a date like 2026-11-22"),
                )
                .field("as_of")
            })?,
        };
        Ok((language, as_of))
    }

    fn decide(
        &self,
        application: &Json<'_>,
        selection: &Selection<'_>,
        today: Date,
        score: bool,
        suggest: bool,
    ) -> Result<Decision<'_>, RequestError> {
        let (rs, as_of, language) = self.resolve(selection, today)?;
        decide(rs, application, as_of, language, score, suggest)
    }

    /// The versions in force on a selection's day, one per product in product-id order, for
    /// a request for every product (`version` must be absent).
    pub fn resolve_all(
        &self,
        selection: &Selection<'_>,
        today: Date,
    ) -> Result<(Vec<&RuleSet>, Date, Language), RequestError> {
        if selection.version.is_some() {
            return Err(RequestError::new(
                ErrorCode::InvalidRequest,
                "`version` pins one product's version: leave it out when `product` is `*` (every product in force on `as_of`)",
            )
            .field("version"));
        }
        let (language, as_of) = self.language_and_date(selection, today)?;
        let versions: Vec<&RuleSet> = self
            .registry
            .products()
            .filter_map(|(product, _)| self.registry.in_force(product, as_of))
            .collect();
        if versions.is_empty() {
            return Err(RequestError::new(
                ErrorCode::NoVersionInForce,
                format!("no product has a version in force on {as_of}"),
            )
            .field("as_of"));
        }
        Ok((versions, as_of, language))
    }

    /// The answer's bytes for a read application: one product's decision, or every product's
    /// with the referrals when the selection asks for `*`.
    fn decide_json(
        &self,
        application: &Json<'_>,
        selection: &Selection<'_>,
        today: Date,
        score: bool,
    ) -> Result<String, RequestError> {
        if is_all(selection) {
            return self.decide_all(application, selection, today, score);
        }
        self.decide(application, selection, today, score, true)
            .map(|d| d.to_json())
    }

    /// Every product in force at once (CONTRACT.md §7): one decision per product, by product
    /// id, and the ranked referrals.
    fn decide_all(
        &self,
        application: &Json<'_>,
        selection: &Selection<'_>,
        today: Date,
        score: bool,
    ) -> Result<String, RequestError> {
        let (versions, as_of, language) = self.resolve_all(selection, today)?;
        let mut decisions = Vec::with_capacity(versions.len());
        for rs in versions {
            decisions.push((rs, decide(rs, application, as_of, language, score, true)?));
        }
        Ok(crate::referral::answer(&decisions, as_of, language))
    }
}
