//! `kredo synth N --seed S`: realistic synthetic applications, for demonstrations, load tests
//! and reports, never real people's answers.
//!
//! What an application looks like is rule-set data: a version's `synth.json` (inherited, not
//! hashed: it never changes a decision) gives a base of answers and weighted profiles that
//! override some of them, each answer a small generator (`pick`, `money`, `integer`,
//! `purposes`, with `omit`). Rust knows only these generator kinds, never a field: the columns
//! are the version's declared fields, in declaration order, that the file answers. The same
//! seed gives the same bytes; the generator is a SplitMix64 stream, no system randomness.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::cli_error::CliError;
use super::rules_arg::{RulesArg, compile};
use crate::fields::Kind;

/// The file a version's generator lives in.
pub const SYNTH_FILE: &str = "synth.json";

/// `kredo synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// How many applications.
    #[arg(value_name = "N")]
    count: usize,
    /// The seed: the same seed gives the same applications, byte for byte.
    #[arg(long)]
    seed: u64,
    /// `csv` (the batch format: one row an application) or `json` (an array of applications).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Product (rule-set id).
    #[arg(long, default_value = crate::api::DEFAULT_PRODUCT)]
    product: String,
    /// The version whose `synth.json` and fields to use. Default: the newest with a `synth.json`.
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// Where to write (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesArg,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One row an application, as `kredo batch` reads it.
    Csv,
    /// A JSON array of bare applications, as `kredo check` reads each.
    Json,
}

/// SplitMix64: small, fast, and the same stream on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (Lemire's multiply-shift; `n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }
    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.saturating_add_unsigned(self.below(span))
    }
    /// True with probability `p` (0 to 1, to a millionth).
    fn chance(&mut self, p: Decimal) -> bool {
        let millionths = (p * Decimal::from(1_000_000)).trunc();
        Decimal::from(self.below(1_000_000)) < millionths
    }
    /// An index by weight.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut at = self.below(total.max(1));
        for (i, w) in weights.iter().enumerate() {
            if at < *w {
                return i;
            }
            at -= w;
        }
        0
    }
}

/// One answer's generator.
#[derive(Debug, Clone)]
enum Gen {
    Pick(Vec<(Value, u64)>),
    /// Whole euros, `min..=max` in steps of `step`.
    Money(i64, i64, i64),
    Integer(i64, i64),
    /// Categories by weight, parts `min..=max`, and how far the parts may miss the amount.
    Purposes(Vec<(String, u64)>, (i64, i64), (i64, i64)),
}

#[derive(Debug, Clone)]
struct Answer {
    generator: Gen,
    omit: Decimal,
}

struct Profile {
    weight: u64,
    answers: BTreeMap<String, Answer>,
}

/// A version's generator, read and checked against its fields.
struct Spec {
    base: BTreeMap<String, Answer>,
    profiles: Vec<Profile>,
}

fn number(v: &Value) -> Option<i64> {
    v.as_i64()
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

fn pair(v: Option<&Value>) -> Option<(i64, i64)> {
    match v?.as_array()?.as_slice() {
        [a, b] => Some((number(a)?, number(b)?)).filter(|(a, b)| a <= b),
        _ => None,
    }
}

fn weights<T>(v: &Value, item: impl Fn(&Value) -> Option<T>) -> Option<Vec<(T, u64)>> {
    let list = v.as_array()?;
    let out: Option<Vec<(T, u64)>> = list
        .iter()
        .map(|entry| match entry.as_array()?.as_slice() {
            [value, weight] => Some((item(value)?, weight.as_u64().filter(|w| *w > 0)?)),
            _ => None,
        })
        .collect();
    out.filter(|o| !o.is_empty())
}

fn answer(v: &Value) -> Result<Answer, String> {
    let object = v.as_object().ok_or("an answer is an object")?;
    let omit = match object.get("omit") {
        None => Decimal::ZERO,
        Some(p) => decimal(p)
            .filter(|p| *p >= Decimal::ZERO && *p <= Decimal::ONE)
            .ok_or("`omit` is a probability from 0 to 1")?,
    };
    let generator = if let Some(list) = object.get("pick") {
        Gen::Pick(weights(list, |v| Some(v.clone())).ok_or("`pick` is `[[value, weight], …]`")?)
    } else if let Some(range) = object.get("money") {
        let (lo, hi) = pair(Some(range)).ok_or("`money` is `[min, max]` in whole euros")?;
        let step = match object.get("step") {
            None => 1,
            Some(s) => number(s)
                .filter(|s| *s > 0)
                .ok_or("`step` is a whole number of euros")?,
        };
        Gen::Money(lo, hi, step)
    } else if let Some(range) = object.get("integer") {
        let (lo, hi) = pair(Some(range)).ok_or("`integer` is `[min, max]`")?;
        Gen::Integer(lo, hi)
    } else if let Some(list) = object.get("purposes") {
        let categories = weights(list, |v| v.as_str().map(str::to_owned))
            .ok_or("`purposes` is `[[category, weight], …]`")?;
        let parts = pair(object.get("parts"))
            .filter(|(lo, _)| *lo >= 1)
            .ok_or("`parts` is `[min, max]`, at least 1")?;
        let off_by = match object.get("off_by") {
            None => (0, 0),
            Some(v) => pair(Some(v)).ok_or("`off_by` is `[min, max]` in whole euros")?,
        };
        Gen::Purposes(categories, parts, off_by)
    } else {
        return Err("an answer has `pick`, `money`, `integer` or `purposes`".to_owned());
    };
    let known = [
        "pick", "money", "integer", "purposes", "step", "parts", "off_by", "omit",
    ];
    if let Some(other) = object.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("unknown key `{other}`"));
    }
    Ok(Answer { generator, omit })
}

fn answers(
    v: Option<&Value>,
    at: &str,
    fields: &crate::fields::Fields,
) -> Result<BTreeMap<String, Answer>, String> {
    let mut out = BTreeMap::new();
    let Some(v) = v else {
        return Ok(out);
    };
    let object = v
        .as_object()
        .ok_or(format!("`{at}` is an object of answers"))?;
    for (field, spec) in object {
        if fields.index_of(field).is_none() {
            let help = crate::diag::did_you_mean(field, fields.iter().map(|f| f.name.as_str()))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            return Err(format!(
                "`{at}.{field}`: the version declares no field `{field}`{help}"
            ));
        }
        out.insert(
            field.clone(),
            answer(spec).map_err(|e| format!("`{at}.{field}`: {e}"))?,
        );
    }
    Ok(out)
}

impl Spec {
    fn read(text: &str, fields: &crate::fields::Fields) -> Result<Spec, String> {
        let doc: Value = serde_json::from_str(crate::ruleset::without_bom(text))
            .map_err(|e| format!("not valid JSON: {e}"))?;
        let base = answers(doc.get("base"), "base", fields)?;
        let mut profiles = Vec::new();
        for (i, p) in doc
            .get("profiles")
            .and_then(Value::as_array)
            .ok_or("`profiles` is a list")?
            .iter()
            .enumerate()
        {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let at = format!("profiles[{i}] ({name})");
            let weight = p
                .get("weight")
                .and_then(Value::as_u64)
                .filter(|w| *w > 0)
                .ok_or(format!("`{at}`: `weight` is a whole number above 0"))?;
            profiles.push(Profile {
                weight,
                answers: answers(p.get("answers"), &format!("{at}.answers"), fields)?,
            });
        }
        if profiles.is_empty() {
            return Err("`profiles` is empty".to_owned());
        }
        Ok(Spec { base, profiles })
    }
}

/// Whole euros (or cents) as the decimal text the contract takes: `9500.00`.
fn euros(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

/// One application: field → value, in the order of `columns`.
fn application(
    spec: &Spec,
    columns: &[(String, Kind)],
    amount_field: &str,
    rng: &mut Rng,
) -> Vec<(String, Value)> {
    let weights: Vec<u64> = spec.profiles.iter().map(|p| p.weight).collect();
    let profile = spec.profiles.get(rng.weighted(&weights));
    let mut out = Vec::new();
    // The amount, in cents, for the purposes that split it.
    let mut amount: Option<i64> = None;
    for (field, kind) in columns {
        let Some(answer) = profile
            .and_then(|p| p.answers.get(field))
            .or_else(|| spec.base.get(field))
        else {
            continue;
        };
        // Draw the omission first, so a profile's change of one answer leaves the others'.
        let omitted = rng.chance(answer.omit);
        let value = match &answer.generator {
            Gen::Pick(list) => {
                let w: Vec<u64> = list.iter().map(|(_, w)| *w).collect();
                list.get(rng.weighted(&w)).map(|(v, _)| v.clone())
            }
            Gen::Money(lo, hi, step) => {
                let steps = (hi - lo) / step;
                let euro = lo + rng.between(0, steps) * step;
                Some(Value::String(euros(euro * 100)))
            }
            Gen::Integer(lo, hi) => Some(Value::from(rng.between(*lo, *hi))),
            Gen::Purposes(categories, (min, max), (off_lo, off_hi)) => {
                let total = amount.unwrap_or(1_000_000);
                let parts = usize::try_from(rng.between(*min, *max)).unwrap_or(1);
                let w: Vec<u64> = categories.iter().map(|(_, w)| *w).collect();
                let mut left = total;
                let mut items = Vec::new();
                let mut used: Vec<usize> = Vec::new();
                for k in 0..parts {
                    let mut pick = rng.weighted(&w);
                    // Another category when this one is taken, if a few tries find one.
                    for _ in 0..4 {
                        if !used.contains(&pick) {
                            break;
                        }
                        pick = rng.weighted(&w);
                    }
                    used.push(pick);
                    let share = if k + 1 == parts {
                        left
                    } else {
                        // A share in whole 50 euros, leaving at least 50 euros a part.
                        let room =
                            (left / 5_000 - i64::try_from(parts - k - 1).unwrap_or(1)).max(1);
                        rng.between(1, room) * 5_000
                    };
                    left -= share;
                    let category = categories.get(pick).map_or("other", |(c, _)| c.as_str());
                    items.push((category.to_owned(), share));
                }
                let off = rng.between(*off_lo, *off_hi) * 100;
                if let Some(first) = items.first_mut() {
                    first.1 += off;
                }
                Some(Value::Array(
                    items
                        .into_iter()
                        .map(|(c, cents)| {
                            let mut m = Map::new();
                            m.insert("category".to_owned(), Value::String(c));
                            m.insert("amount_eur".to_owned(), Value::String(euros(cents)));
                            Value::Object(m)
                        })
                        .collect(),
                ))
            }
        };
        let Some(value) = value else { continue };
        if matches!(kind, Kind::Money { .. }) && field == amount_field {
            amount = value
                .as_str()
                .and_then(|s| s.parse::<Decimal>().ok())
                .and_then(|d| i64::try_from((d * Decimal::from(100)).trunc().mantissa()).ok());
        }
        if !omitted {
            out.push((field.clone(), value));
        }
    }
    out
}

/// A cell as the batch reads it: purposes as `category:amount;…`, strings as they are.
fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|p| {
                format!(
                    "{}:{}",
                    p.get("category")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    p.get("amount_eur")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

/// A version's generator, ready to draw applications: what `kredo synth` writes and
/// `kredo diff` runs.
pub struct Generator {
    spec: Spec,
    /// Every declared field the file answers, in declaration order.
    columns: Vec<(String, Kind)>,
    amount: String,
    /// Where the `synth.json` is stored, for messages and reports.
    pub file: String,
}

impl Generator {
    /// The generator of `product`'s `version`, or of its newest version with a `synth.json`.
    pub fn new(
        sources: &[crate::ruleset::RuleSetSource],
        kredo: &crate::api::Kredo,
        product: &str,
        version: Option<&str>,
    ) -> Result<Generator, CliError> {
        let with_file: Vec<&crate::ruleset::RuleSetSource> = sources
            .iter()
            .filter(|s| s.product == product && s.file(SYNTH_FILE).is_some())
            .collect();
        let source = match version {
            Some(v) => with_file.iter().find(|s| s.version == v),
            None => with_file.last(),
        };
        let Some(source) = source.copied() else {
            let have: Vec<&str> = with_file.iter().map(|s| s.version.as_str()).collect();
            return Err(CliError::Synth {
                file: product.to_owned(),
                message: match version {
                    Some(v) => format!(
                        "version `{v}` has no `{SYNTH_FILE}`; versions with one: {}",
                        if have.is_empty() {
                            "none".to_owned()
                        } else {
                            have.join(", ")
                        }
                    ),
                    None => format!("no version of `{product}` has a `{SYNTH_FILE}`"),
                },
            });
        };
        // Name the file where it is stored: an inherited `synth.json` lives in an earlier version.
        let file = source.origin(SYNTH_FILE).map_or_else(
            || format!("{}/{}/{SYNTH_FILE}", source.product, source.version),
            str::to_owned,
        );
        let rs = kredo
            .version(&source.product, &source.version)
            .ok_or_else(|| CliError::Synth {
                file: file.clone(),
                message: "the version did not load".to_owned(),
            })?;
        let text = source
            .file(SYNTH_FILE)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .unwrap_or_default();
        let spec = Spec::read(&text, &rs.fields).map_err(|message| CliError::Synth {
            file: file.clone(),
            message,
        })?;
        let amount = rs
            .fields
            .get(rs.fields.amount_index())
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let columns: Vec<(String, Kind)> = rs
            .fields
            .iter()
            .filter(|f| {
                spec.base.contains_key(&f.name)
                    || spec
                        .profiles
                        .iter()
                        .any(|p| p.answers.contains_key(&f.name))
            })
            .map(|f| (f.name.clone(), f.kind.clone()))
            .collect();
        Ok(Generator {
            spec,
            columns,
            amount,
            file,
        })
    }

    /// `count` applications from `seed`, each a JSON object: the same seed, the same objects.
    pub fn applications(&self, count: usize, seed: u64) -> Vec<Map<String, Value>> {
        let mut rng = Rng(seed);
        (0..count)
            .map(|_| {
                application(&self.spec, &self.columns, &self.amount, &mut rng)
                    .into_iter()
                    .collect()
            })
            .collect()
    }
}

/// `kredo synth`.
pub fn synth(args: &SynthArgs) -> Result<ExitCode, CliError> {
    let (sources, origin) = args.rules.sources()?;
    let kredo = compile(sources.clone(), &origin)?;
    let generator = Generator::new(&sources, &kredo, &args.product, args.version.as_deref())?;
    let (spec, columns, amount) = (&generator.spec, &generator.columns, &generator.amount);
    let mut rng = Rng(args.seed);
    let mut out: Vec<u8> = Vec::with_capacity(args.count.saturating_mul(300));
    match args.format {
        Format::Json => {
            out.push(b'[');
            for i in 0..args.count {
                out.extend_from_slice(if i == 0 { b"\n{" } else { b",\n{" });
                // In declaration order, as the CSV's columns (a JSON map would sort the keys).
                for (k, (field, value)) in application(spec, columns, amount, &mut rng)
                    .iter()
                    .enumerate()
                {
                    if k > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(Value::String(field.clone()).to_string().as_bytes());
                    out.push(b':');
                    out.extend_from_slice(value.to_string().as_bytes());
                }
                out.push(b'}');
            }
            out.extend_from_slice(b"\n]\n");
        }
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new().from_writer(&mut out);
            let write_err = |e: csv::Error| CliError::WriteStdout(std::io::Error::other(e));
            writer
                .write_record(columns.iter().map(|(name, _)| name.as_str()))
                .map_err(write_err)?;
            for _ in 0..args.count {
                let row = application(spec, columns, amount, &mut rng);
                let cells = columns.iter().map(|(name, _)| {
                    row.iter()
                        .find(|(field, _)| field == name)
                        .map(|(_, v)| cell(v))
                        .unwrap_or_default()
                });
                writer.write_record(cells).map_err(write_err)?;
            }
            writer
                .flush()
                .map_err(|e| CliError::WriteStdout(std::io::Error::other(e)))?;
        }
    }
    match &args.output {
        Some(path) => std::fs::write(path, &out).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?,
        None => std::io::stdout()
            .lock()
            .write_all(&out)
            .map_err(CliError::WriteStdout)?,
    }
    Ok(ExitCode::SUCCESS)
}
