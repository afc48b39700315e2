//! `kredo diff PRODUCT FROM TO`: what publishing a version would change, before it is published.
//! A corpus of applications goes through both versions, judged on the same day, and the report
//! says how many decisions change, the old → new outcome table, the reasons gained and lost, how
//! the indicative instalment moves, and examples of each change, as Markdown, JSON or one
//! self-contained HTML file with a chart.
//!
//! The default corpus is both versions' cases plus 10,000 applications drawn from the product's
//! newest `synth.json` (another product's when it has none: the contract's fields are shared),
//! with a fixed seed, so the same command gives the same report.

use super::cli_error::CliError;
// The outcomes in the order staff read them, as the batch report shows them; `error` is an
// application with no decision.
use super::report::OUTCOMES;
use super::rules_arg::{RulesArg, compile};
use crate::api::Kredo;
use crate::date::Date;
use crate::model::Language;
use crate::ruleset::RuleSet;
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// `kredo diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Product (rule-set id).
    product: String,
    /// The version now in use.
    from: String,
    /// The version to compare it with (a new, unpublished version, say).
    to: String,
    /// Run these applications instead of the default corpus: a JSON array of applications or
    /// of cases (`{"name", "application", …}`), or a CSV in the batch format.
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
    /// How to write the report.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// How many generated applications the default corpus adds to the cases.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    generated: usize,
    /// The generator's seed: the same seed, the same applications.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The day both versions judge on (YYYY-MM-DD). Default: the first day of TO.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// How many examples of each change.
    #[arg(long, value_name = "N", default_value_t = 3)]
    examples: usize,
    /// Language of the decisions (it changes no outcome; the examples' messages are in it).
    #[arg(long, default_value = "en", value_parser = ["nl", "fr", "en"])]
    lang: String,
    /// Where to write (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesArg,
}

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Markdown, for a pull request or the README.
    Md,
    /// JSON, for tools.
    Json,
    /// One self-contained HTML file with a chart: no script, nothing fetched.
    Html,
}

/// One application of the corpus and where it comes from.
struct Item {
    label: String,
    application: Value,
}

/// What one version said of one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The outcome, or `error` when there was no decision.
    pub outcome: String,
    /// The reason ids, in the decision's order.
    pub reasons: Vec<String>,
    /// The indicative monthly instalment, when the decision has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_instalment_eur: Option<String>,
}

/// A version compared.
#[derive(Debug, Serialize)]
pub struct VersionInfo {
    version: String,
    hash: String,
    effective_from: String,
}

/// Where the applications came from.
#[derive(Debug, Serialize)]
pub struct Corpus {
    /// Applications in all.
    total: usize,
    /// From the two versions' `cases.json`.
    cases: usize,
    /// Generated.
    generated: usize,
    /// The generator's file and seed, when some were generated.
    #[serde(skip_serializing_if = "Option::is_none")]
    generator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    /// The file given with `--cases`.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

/// How many applications went from one outcome to another.
#[derive(Debug, Serialize)]
pub struct Move {
    from: String,
    to: String,
    count: usize,
}

/// How often a reason id was gained or lost.
#[derive(Debug, Serialize)]
pub struct ReasonCount {
    id: String,
    count: usize,
}

/// How the indicative instalment moved, over the applications that have one in both.
#[derive(Debug, Serialize)]
pub struct Instalments {
    compared: usize,
    changed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    smallest_change_eur: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    median_change_eur: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    largest_change_eur: Option<String>,
}

/// One changed application, shown as an example of a change.
#[derive(Debug, Serialize)]
pub struct Example {
    /// The change it shows: `flagged → review`, `+REASON`, `-REASON` or `instalment`.
    change: String,
    /// Where the application comes from.
    label: String,
    application: Value,
    from: Side,
    to: Side,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    product: String,
    from: VersionInfo,
    to: VersionInfo,
    as_of: String,
    corpus: Corpus,
    changed: usize,
    unchanged: usize,
    /// Outcome counts under each version, in [`OUTCOMES`] order.
    outcomes_from: BTreeMap<String, usize>,
    outcomes_to: BTreeMap<String, usize>,
    /// Every old → new pair with its count, the unchanged ones included.
    moves: Vec<Move>,
    reasons_gained: Vec<ReasonCount>,
    reasons_lost: Vec<ReasonCount>,
    instalments: Instalments,
    examples: Vec<Example>,
}

/// `kredo diff`.
pub fn diff(args: &DiffArgs) -> Result<ExitCode, CliError> {
    let (sources, origin) = args.rules.sources()?;
    let kredo = compile(sources.clone(), &origin)?;
    let select = |version: &str| {
        kredo
            .select(&args.product, Date::MIN, Some(version))
            .map_err(|e| CliError::request(e, origin.root()))
    };
    let (from, to) = (select(&args.from)?, select(&args.to)?);
    let as_of = match &args.as_of {
        Some(text) => Date::parse(text).ok_or_else(|| {
            CliError::Paths(format!("`--as-of {text}` is not a date (YYYY-MM-DD)"))
        })?,
        None => to.effective_from,
    };
    let lang = Language::parse(&args.lang).unwrap_or_default();

    let mut items = Vec::new();
    let mut corpus = Corpus {
        total: 0,
        cases: 0,
        generated: 0,
        generator: None,
        seed: None,
        file: None,
    };
    match &args.cases {
        Some(path) => {
            items = read_corpus(path, to)?;
            corpus.file = Some(path.display().to_string());
        }
        None => {
            for version in [&args.from, &args.to] {
                let Some(src) = sources
                    .iter()
                    .find(|s| s.product == args.product && &s.version == version)
                else {
                    continue;
                };
                let Some(file) = src.file("cases.json") else {
                    continue;
                };
                let cases = crate::cases::parse(&String::from_utf8_lossy(&file.bytes)).map_err(
                    |message| CliError::Cases {
                        file: format!("{}/{}/cases.json", src.product, src.version),
                        message,
                    },
                )?;
                corpus.cases += cases.len();
                items.extend(cases.into_iter().map(|c| Item {
                    label: format!("case {version}/{}", c.name),
                    application: c.application,
                }));
            }
            if args.generated > 0 {
                let generator = generator(&sources, &kredo, &args.product)?;
                corpus.generator = Some(generator.file.clone());
                corpus.seed = Some(args.seed);
                corpus.generated = args.generated;
                items.extend(
                    generator
                        .applications(args.generated, args.seed)
                        .into_iter()
                        .enumerate()
                        .map(|(i, a)| Item {
                            label: format!("generated #{}", i + 1),
                            application: Value::Object(a),
                        }),
                );
            }
        }
    }
    corpus.total = items.len();

    let report = compare(&kredo, from, to, as_of, lang, corpus, &items, args.examples);
    let text = match args.format {
        Format::Md => markdown(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Html => html(&report),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?,
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(CliError::WriteStdout)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The product's newest generator, else the newest of any product.
fn generator(
    sources: &[crate::ruleset::RuleSetSource],
    kredo: &Kredo,
    product: &str,
) -> Result<super::synth::Generator, CliError> {
    super::synth::Generator::new(sources, kredo, product, None).or_else(|first| {
        let products: BTreeSet<&str> = sources
            .iter()
            .filter(|s| s.file(super::synth::SYNTH_FILE).is_some())
            .map(|s| s.product.as_str())
            .collect();
        products
            .into_iter()
            .find_map(|p| super::synth::Generator::new(sources, kredo, p, None).ok())
            .ok_or(first)
    })
}

/// `--cases FILE`: a JSON array of applications or cases, or a batch CSV.
fn read_corpus(path: &std::path::Path, to: &RuleSet) -> Result<Vec<Item>, CliError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: file.clone(),
        source,
    })?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let table = super::csv_in::read_table(&bytes).map_err(|e| CliError::Cases {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let kinds = super::csv_in::ColumnKinds::new(&table.keys, &to.fields);
        let mut items = Vec::new();
        for row in &table.rows {
            match row {
                Ok(row) => items.push(Item {
                    label: format!("row {}", row.line),
                    application: super::csv_in::row_to_value(&table.keys, &kinds, &row.fields),
                }),
                Err(e) => {
                    return Err(CliError::Cases {
                        file: format!("{file}:{}", e.line),
                        message: e.message.clone(),
                    });
                }
            }
        }
        return Ok(items);
    }
    let text = String::from_utf8_lossy(&bytes);
    let list: Vec<Value> =
        serde_json::from_str(crate::ruleset::without_bom(&text)).map_err(|e| CliError::Cases {
            file: format!("{file}:{}:{}", e.line(), e.column()),
            message: format!(
                "{} (a JSON array of applications or of cases)",
                crate::diag::without_position(&e.to_string())
            ),
        })?;
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(i, v)| match (v.get("application"), v.get("name")) {
            (Some(application), name) => Item {
                label: name
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("#{}", i + 1), |n| format!("case {n}")),
                application: application.clone(),
            },
            (None, _) => Item {
                label: format!("#{}", i + 1),
                application: v,
            },
        })
        .collect())
}

fn side(kredo: &Kredo, rs: &RuleSet, application: &Value, as_of: Date, lang: Language) -> Side {
    match kredo.decide_version(rs, application, as_of, lang, false) {
        Ok(d) => Side {
            outcome: d.outcome.as_str().to_owned(),
            reasons: d.reasons.iter().map(|r| r.id.to_owned()).collect(),
            monthly_instalment_eur: d
                .indicative
                .as_ref()
                .map(|i| i.monthly_instalment_eur.to_string()),
        },
        Err(_) => Side {
            outcome: "error".to_owned(),
            reasons: Vec::new(),
            monthly_instalment_eur: None,
        },
    }
}

#[expect(clippy::too_many_arguments, reason = "one call, each argument named")]
fn compare(
    kredo: &Kredo,
    from: &RuleSet,
    to: &RuleSet,
    as_of: Date,
    lang: Language,
    corpus: Corpus,
    items: &[Item],
    per_change: usize,
) -> Report {
    let mut outcomes_from: BTreeMap<String, usize> = BTreeMap::new();
    let mut outcomes_to: BTreeMap<String, usize> = BTreeMap::new();
    let mut moves: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut gained: BTreeMap<String, usize> = BTreeMap::new();
    let mut lost: BTreeMap<String, usize> = BTreeMap::new();
    let mut changes: Vec<Decimal> = Vec::new();
    let mut compared = 0usize;
    let mut changed = 0usize;
    let mut examples: Vec<Example> = Vec::new();
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    let rank = |o: &str| {
        OUTCOMES
            .iter()
            .position(|x| *x == o)
            .unwrap_or(OUTCOMES.len())
    };
    for item in items {
        let a = side(kredo, from, &item.application, as_of, lang);
        let b = side(kredo, to, &item.application, as_of, lang);
        *outcomes_from.entry(a.outcome.clone()).or_default() += 1;
        *outcomes_to.entry(b.outcome.clone()).or_default() += 1;
        *moves
            .entry((rank(&a.outcome), rank(&b.outcome)))
            .or_default() += 1;
        let old: BTreeSet<&String> = a.reasons.iter().collect();
        let new: BTreeSet<&String> = b.reasons.iter().collect();
        let mut kinds = Vec::new();
        if a.outcome != b.outcome {
            kinds.push(format!("{} → {}", a.outcome, b.outcome));
        }
        for id in new.difference(&old) {
            *gained.entry((*id).clone()).or_default() += 1;
            kinds.push(format!("+{id}"));
        }
        for id in old.difference(&new) {
            *lost.entry((*id).clone()).or_default() += 1;
            kinds.push(format!("-{id}"));
        }
        let money = |s: &Side| {
            s.monthly_instalment_eur
                .as_deref()
                .and_then(|m| m.parse::<Decimal>().ok())
        };
        if let (Some(x), Some(y)) = (money(&a), money(&b)) {
            compared += 1;
            if x != y {
                changes.push(y - x);
                if kinds.is_empty() {
                    kinds.push("instalment".to_owned());
                }
            }
        } else if a.monthly_instalment_eur != b.monthly_instalment_eur && kinds.is_empty() {
            kinds.push("instalment".to_owned());
        }
        if kinds.is_empty() {
            continue;
        }
        changed += 1;
        // The first change this application shows that still wants an example.
        if let Some(kind) = kinds
            .into_iter()
            .find(|k| shown.get(k).copied().unwrap_or(0) < per_change)
        {
            *shown.entry(kind.clone()).or_default() += 1;
            examples.push(Example {
                change: kind,
                label: item.label.clone(),
                application: item.application.clone(),
                from: a,
                to: b,
            });
        }
    }
    changes.sort();
    let instalments = Instalments {
        compared,
        changed: changes.len(),
        smallest_change_eur: changes.first().map(|d| signed(*d)),
        median_change_eur: changes.get(changes.len() / 2).map(|d| signed(*d)),
        largest_change_eur: changes.last().map(|d| signed(*d)),
    };
    let by_count = |m: BTreeMap<String, usize>| {
        let mut v: Vec<ReasonCount> = m
            .into_iter()
            .map(|(id, count)| ReasonCount { id, count })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
        v
    };
    // Outcome changes first, then reasons gained, reasons lost, instalments alone.
    let kind = |c: &str| match c.chars().next() {
        Some('+') => 1,
        Some('-') => 2,
        _ if c == "instalment" => 3,
        _ => 0,
    };
    examples.sort_by(|a, b| {
        kind(&a.change)
            .cmp(&kind(&b.change))
            .then_with(|| a.change.cmp(&b.change))
    });
    let info = |rs: &RuleSet| VersionInfo {
        version: rs.version.clone(),
        hash: rs.hash.clone(),
        effective_from: rs.effective_from.to_string(),
    };
    Report {
        product: from.product.clone(),
        from: info(from),
        to: info(to),
        as_of: as_of.to_string(),
        changed,
        unchanged: corpus.total - changed,
        corpus,
        outcomes_from,
        outcomes_to,
        moves: moves
            .into_iter()
            .map(|((f, t), count)| Move {
                from: OUTCOMES.get(f).copied().unwrap_or("?").to_owned(),
                to: OUTCOMES.get(t).copied().unwrap_or("?").to_owned(),
                count,
            })
            .collect(),
        reasons_gained: by_count(gained),
        reasons_lost: by_count(lost),
        instalments,
        examples,
    }
}

/// `+2.31`, `-0.40`, `0.00`: an instalment's change to the cent.
fn signed(d: Decimal) -> String {
    let d = d.round_dp(2);
    if d > Decimal::ZERO {
        format!("+{d:.2}")
    } else {
        format!("{d:.2}")
    }
}

/// `12.3 %` of `total`, to a tenth, in whole-number arithmetic.
fn percent(part: usize, total: usize) -> String {
    if total == 0 {
        return "0.0 %".to_owned();
    }
    let tenths = (part * 1000 + total / 2) / total;
    format!("{}.{} %", tenths / 10, tenths % 10)
}

/// The outcomes that occur under either version, in [`OUTCOMES`] order.
fn outcomes_seen(r: &Report) -> Vec<&'static str> {
    OUTCOMES
        .into_iter()
        .filter(|o| r.outcomes_from.contains_key(*o) || r.outcomes_to.contains_key(*o))
        .collect()
}

fn count(r: &Report, from: &str, to: &str) -> usize {
    r.moves
        .iter()
        .find(|m| m.from == from && m.to == to)
        .map_or(0, |m| m.count)
}

fn corpus_sentence(r: &Report) -> String {
    let c = &r.corpus;
    let mut parts = Vec::new();
    if let Some(file) = &c.file {
        parts.push(format!("the applications in `{file}`"));
    }
    if c.cases > 0 {
        parts.push(format!("{} cases of the two versions", c.cases));
    }
    if let (Some(generator), Some(seed)) = (&c.generator, c.seed) {
        parts.push(format!(
            "{} applications generated from `{generator}` with seed {seed}",
            c.generated
        ));
    }
    format!("{} applications: {}", c.total, parts.join(" and "))
}

fn side_text(s: &Side) -> String {
    let reasons = if s.reasons.is_empty() {
        "no reasons".to_owned()
    } else {
        s.reasons.join(", ")
    };
    match &s.monthly_instalment_eur {
        Some(m) => format!("{} ({reasons}; {m} EUR a month)", s.outcome),
        None => format!("{} ({reasons})", s.outcome),
    }
}

/// Each reason id gained or lost, with how many applications gain and lose it, by id.
fn reason_rows(r: &Report) -> Vec<(&str, usize, usize)> {
    let ids: BTreeSet<&str> = r
        .reasons_gained
        .iter()
        .chain(&r.reasons_lost)
        .map(|c| c.id.as_str())
        .collect();
    let n =
        |list: &[ReasonCount], id: &str| list.iter().find(|c| c.id == id).map_or(0, |c| c.count);
    ids.into_iter()
        .map(|id| (id, n(&r.reasons_gained, id), n(&r.reasons_lost, id)))
        .collect()
}

/// What happens to the indicative instalment, in one sentence.
fn instalment_sentence(r: &Report) -> String {
    let i = &r.instalments;
    match (
        &i.smallest_change_eur,
        &i.median_change_eur,
        &i.largest_change_eur,
    ) {
        (Some(lo), Some(mid), Some(hi)) => format!(
            "{} of the {} applications with an instalment under both versions get another one: from {lo} to {hi} EUR a month, median {mid}.",
            i.changed, i.compared
        ),
        _ => format!(
            "The instalment is the same under both versions for all {} applications that have one.",
            i.compared
        ),
    }
}

/// The report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let (f, t) = (&r.from.version, &r.to.version);
    let _ = writeln!(s, "# {}: {f} → {t}\n", r.product);
    let _ = writeln!(
        s,
        "Both versions judge on {} ({f}: `{}`; {t}: `{}`). Corpus: {}.\n",
        r.as_of,
        r.from.hash,
        r.to.hash,
        corpus_sentence(r)
    );
    let _ = writeln!(
        s,
        "**{} of {} decisions change ({}).**\n",
        r.changed,
        r.corpus.total,
        percent(r.changed, r.corpus.total)
    );
    let seen = outcomes_seen(r);
    let _ = writeln!(s, "## Outcomes\n");
    let _ = writeln!(s, "Rows: under {f}; columns: under {t}.\n");
    let _ = writeln!(s, "| {f} ↓ · {t} → | {} | total |", seen.join(" | "));
    let _ = writeln!(s, "|---|{}---:|", "---:|".repeat(seen.len()));
    for from in &seen {
        let cells: Vec<String> = seen
            .iter()
            .map(|to| {
                let n = count(r, from, to);
                if from != to && n > 0 {
                    format!("**{n}**")
                } else {
                    n.to_string()
                }
            })
            .collect();
        let total = r.outcomes_from.get(*from).copied().unwrap_or(0);
        let _ = writeln!(s, "| {from} | {} | {total} |", cells.join(" | "));
    }
    let totals: Vec<String> = seen
        .iter()
        .map(|o| r.outcomes_to.get(*o).copied().unwrap_or(0).to_string())
        .collect();
    let _ = writeln!(
        s,
        "| total | {} | {} |\n",
        totals.join(" | "),
        r.corpus.total
    );

    let _ = writeln!(s, "## Reasons\n");
    if r.reasons_gained.is_empty() && r.reasons_lost.is_empty() {
        let _ = writeln!(s, "No reason is gained or lost.\n");
    } else {
        let _ = writeln!(s, "| reason | applications that gain it | that lose it |");
        let _ = writeln!(s, "|---|---:|---:|");
        for (id, gained, lost) in reason_rows(r) {
            let _ = writeln!(s, "| `{id}` | {gained} | {lost} |");
        }
        s.push('\n');
    }

    let _ = writeln!(
        s,
        "## Indicative instalment\n\n{}\n",
        instalment_sentence(r)
    );

    let _ = writeln!(s, "## Examples\n");
    if r.examples.is_empty() {
        let _ = writeln!(s, "No decision changes.");
    }
    let mut last = "";
    for e in &r.examples {
        if e.change != last {
            let _ = writeln!(s, "### {}\n", e.change);
            last = &e.change;
        }
        let _ = writeln!(
            s,
            "- {}: {} → {}\n\n  ```json\n  {}\n  ```\n",
            e.label,
            side_text(&e.from),
            side_text(&e.to),
            e.application
        );
    }
    s
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Grouped bars: each outcome's count under FROM and under TO, on one scale.
fn chart(r: &Report) -> String {
    let seen = outcomes_seen(r);
    let max = r
        .outcomes_from
        .values()
        .chain(r.outcomes_to.values())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_w, bar_w, row_h) = (90usize, 420usize, 44usize);
    let height = seen.len() * row_h + 30;
    let mut s = format!(
        "<svg role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {} {height}\" width=\"100%\" style=\"max-width:{}px\"><title id=\"chart-title\">Outcomes under {} (upper bar) and {} (lower bar)</title>",
        label_w + bar_w + 70,
        label_w + bar_w + 70,
        esc(&r.from.version),
        esc(&r.to.version)
    );
    for (i, o) in seen.iter().enumerate() {
        let y = i * row_h + 4;
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{o}</text>",
            y + 22
        );
        for (k, (n, colour)) in [
            (r.outcomes_from.get(*o).copied().unwrap_or(0), "#505a5f"),
            (r.outcomes_to.get(*o).copied().unwrap_or(0), "#1d70b8"),
        ]
        .into_iter()
        .enumerate()
        {
            let w = n * bar_w / max;
            let by = y + k * 18;
            let _ = write!(
                s,
                "<rect x=\"{label_w}\" y=\"{by}\" width=\"{w}\" height=\"16\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{n}</text>",
                label_w + w + 4,
                by + 12
            );
        }
    }
    let ly = seen.len() * row_h + 16;
    let _ = write!(
        s,
        "<rect x=\"{label_w}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"#505a5f\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"#1d70b8\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text></svg>",
        ly - 10,
        label_w + 16,
        ly,
        esc(&r.from.version),
        label_w + 120,
        ly - 10,
        label_w + 136,
        ly,
        esc(&r.to.version)
    );
    s
}

/// The report as one self-contained HTML page.
pub fn html(r: &Report) -> String {
    let (f, t) = (esc(&r.from.version), esc(&r.to.version));
    let mut s = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{p}: {f} → {t}</title><style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#0b0c0c;line-height:1.45}}table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #b1b4b6;padding:.3rem .6rem;text-align:right}}th:first-child,td:first-child{{text-align:left}}.moved{{font-weight:700;background:#fff7bf}}pre{{white-space:pre-wrap;background:#f3f2f1;padding:.5rem;font-size:.85rem}}code{{font-size:.9em}}</style></head><body><h1>{p}: {f} → {t}</h1>",
        p = esc(&r.product)
    );
    let _ = write!(
        s,
        "<p>Both versions judge on {} ({f}: <code>{}</code>; {t}: <code>{}</code>). Corpus: {}.</p>",
        r.as_of,
        esc(&r.from.hash),
        esc(&r.to.hash),
        esc(&corpus_sentence(r)).replace('`', "")
    );
    let _ = write!(
        s,
        "<p><strong>{} of {} decisions change ({}).</strong></p><h2>Outcomes</h2>{}",
        r.changed,
        r.corpus.total,
        percent(r.changed, r.corpus.total),
        chart(r)
    );
    let seen = outcomes_seen(r);
    let _ = write!(
        s,
        "<table><caption>Rows: under {f}; columns: under {t}</caption><thead><tr><th scope=\"col\">{f} ↓ · {t} →</th>"
    );
    for o in &seen {
        let _ = write!(s, "<th scope=\"col\">{o}</th>");
    }
    s.push_str("<th scope=\"col\">total</th></tr></thead><tbody>");
    for from in &seen {
        let _ = write!(s, "<tr><th scope=\"row\">{from}</th>");
        for to in &seen {
            let n = count(r, from, to);
            let class = if from != to && n > 0 {
                " class=\"moved\""
            } else {
                ""
            };
            let _ = write!(s, "<td{class}>{n}</td>");
        }
        let _ = write!(
            s,
            "<td>{}</td></tr>",
            r.outcomes_from.get(*from).copied().unwrap_or(0)
        );
    }
    s.push_str("<tr><th scope=\"row\">total</th>");
    for o in &seen {
        let _ = write!(
            s,
            "<td>{}</td>",
            r.outcomes_to.get(*o).copied().unwrap_or(0)
        );
    }
    let _ = write!(s, "<td>{}</td></tr></tbody></table>", r.corpus.total);

    s.push_str("<h2>Reasons</h2>");
    let rows = reason_rows(r);
    if rows.is_empty() {
        s.push_str("<p>No reason is gained or lost.</p>");
    } else {
        s.push_str("<table><thead><tr><th scope=\"col\">reason</th><th scope=\"col\">applications that gain it</th><th scope=\"col\">that lose it</th></tr></thead><tbody>");
        for (id, gained, lost) in rows {
            let _ = write!(
                s,
                "<tr><td><code>{}</code></td><td>{gained}</td><td>{lost}</td></tr>",
                esc(id)
            );
        }
        s.push_str("</tbody></table>");
    }
    let _ = write!(
        s,
        "<h2>Indicative instalment</h2><p>{}</p>",
        esc(&instalment_sentence(r))
    );
    s.push_str("<h2>Examples</h2>");
    if r.examples.is_empty() {
        s.push_str("<p>No decision changes.</p>");
    }
    let mut last = "";
    for e in &r.examples {
        if e.change != last {
            let _ = write!(s, "<h3>{}</h3>", esc(&e.change));
            last = &e.change;
        }
        let _ = write!(
            s,
            "<details><summary>{}: {} → {}</summary><pre>{}</pre></details>",
            esc(&e.label),
            esc(&side_text(&e.from)),
            esc(&side_text(&e.to)),
            esc(&serde_json::to_string_pretty(&e.application).unwrap_or_default())
        );
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_to_a_tenth_without_floats() {
        assert_eq!(percent(1, 3), "33.3 %");
        assert_eq!(percent(2, 3), "66.7 %");
        assert_eq!(percent(0, 0), "0.0 %");
        assert_eq!(percent(10_131, 10_131), "100.0 %");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(signed(Decimal::new(231, 2)), "+2.31");
        assert_eq!(signed(Decimal::new(-4, 1)), "-0.40");
        assert_eq!(signed(Decimal::ZERO), "0.00");
    }
}
