//! The staff scorecard (CONTRACT.md §6): a version's points tables, bands and texts as data
//! (`scorecard/scorecard.json`), each attribute's level computed by a rhai script
//! (`scorecard/<attribute>.rhai`) on the same sandboxed engine as the rules. A score never
//! changes the outcome and is only given when staff ask for it. Native builds only: the
//! self-check page never shows a score, so the browser's engine leaves this out.

use crate::model::Language;
use crate::script::{CompiledRule, ImmutableString, Run};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The file that declares a version's scorecard.
pub const SCORECARD_FILE: &str = "scorecard/scorecard.json";

/// `scorecard/scorecard.json` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScorecardFile {
    #[serde(default)]
    #[allow(dead_code, reason = "for maintainers")]
    about: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "for maintainers: where the weights come from")]
    source: Option<String>,
    /// Each band and the least total it takes, any order.
    pub bands: BTreeMap<String, u32>,
    /// Per language: `unknown`, the text before an unknown attribute's advice, with `{fields}`.
    pub text: BTreeMap<String, BTreeMap<String, String>>,
    /// The pillars, in order, each with its attributes in order.
    pub pillars: Vec<PillarFile>,
}

/// One pillar as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PillarFile {
    pub id: String,
    pub attributes: Vec<AttributeFile>,
}

/// One attribute as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttributeFile {
    pub id: String,
    /// Level (what the attribute's script gives) → points.
    pub points: BTreeMap<String, u32>,
    /// Per language: what would raise the score.
    pub raise: BTreeMap<String, String>,
}

/// A version's compiled scorecard.
#[derive(Debug)]
pub struct Scorecard {
    pub(crate) product: String,
    pub(crate) version: String,
    pub(crate) pillars: Vec<Pillar>,
    /// (band, least total), highest first.
    pub(crate) bands: Vec<(String, u32)>,
    pub(crate) max: u32,
    /// How many attributes there are, for sizing a score's reasons once.
    pub(crate) attributes: usize,
}

/// One pillar.
#[derive(Debug)]
pub(crate) struct Pillar {
    pub id: String,
    pub max: u32,
    pub attributes: Vec<Attribute>,
}

/// One attribute: its script, its points table and its texts.
#[derive(Debug)]
pub(crate) struct Attribute {
    pub reason_id: String,
    pub max: u32,
    pub points: Vec<(ImmutableString, u32)>,
    /// Per language (nl, fr, en): what would raise the score.
    pub raise: [String; 3],
    /// Per language: the `unknown` template.
    pub unknown: [String; 3],
    /// Per language, per field of `READS`: its short label, for the `unknown` text.
    pub labels: [Vec<String>; 3],
    /// Per language, as JSON strings made once: `raise`, and the text when every field of
    /// `READS` is missing (the usual unknown), so a score copies them instead of writing them.
    pub raise_json: [Box<RawValue>; 3],
    /// The unknown texts made once, by which fields of `READS` are missing: index `m` has bit
    /// `i` set when field `i` is missing (up to [`PREPARED_READS`] fields; more are written
    /// per decision).
    pub unknown_json: Vec<[Box<RawValue>; 3]>,
    pub script: CompiledRule,
}

/// Attributes reading up to this many fields have every unknown text made at load time.
pub(crate) const PREPARED_READS: usize = 6;

/// A text as a JSON string value.
pub(crate) fn json_text(text: &str) -> Box<RawValue> {
    serde_json::to_string(text)
        .ok()
        .and_then(|t| RawValue::from_string(t).ok())
        .unwrap_or_else(|| {
            RawValue::from_string("\"\"".to_owned()).unwrap_or_else(|_| unreachable_empty())
        })
}

/// `""` always parses; this is never reached.
fn unreachable_empty() -> Box<RawValue> {
    serde_json::value::to_raw_value(&()).unwrap_or_default()
}

/// The score of one application (`score` in a staff decision).
#[derive(Debug, Clone, Serialize)]
pub struct Score<'a> {
    /// The points of every attribute.
    pub total: u32,
    /// The most points there are.
    pub max: u32,
    /// `A` ≥ 75, `B` 60–74, `C` 40–59, `D` < 40 (as the version's bands say).
    pub band: &'a str,
    /// Each pillar, in order.
    pub pillars: Vec<PillarScore<'a>>,
    /// One per attribute that lost points: by points lost, then pillar and attribute order.
    pub reasons: Vec<ScoreReason<'a>>,
}

/// One pillar's points.
#[derive(Debug, Clone, Serialize)]
pub struct PillarScore<'a> {
    /// The pillar id.
    pub id: &'a str,
    /// Its attributes' points.
    pub points: u32,
    /// The most it can give.
    pub max: u32,
    /// Each attribute, in order.
    pub attributes: Vec<AttributeScore<'a>>,
}

/// One attribute's points.
#[derive(Debug, Clone, Serialize)]
pub struct AttributeScore<'a> {
    /// The attribute id.
    pub id: &'a str,
    /// Its points (0 when unknown).
    pub points: u32,
    /// The most it can give.
    pub max: u32,
    /// Whether every field it needs was answered.
    pub known: bool,
}

/// Why the score is not higher.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReason<'a> {
    /// `SCORE_` and the attribute id in capitals.
    pub id: &'a str,
    /// Its maximum less its points.
    pub points_lost: u32,
    /// What would raise the score, in the decision's language (a JSON string).
    pub message: Cow<'a, RawValue>,
}

impl Scorecard {
    /// Scores one application whose rules have run in `run`; `present(slot)` says whether an
    /// input has a value. An attribute's script runs only when every field in its `READS` is
    /// there; otherwise it is unknown.
    pub(crate) fn score<'a>(
        &'a self,
        run: &mut Run<'_>,
        present: impl Fn(usize) -> bool,
        language: Language,
    ) -> Result<Score<'a>, Box<crate::Diagnostic>> {
        let lang = language as usize;
        let mut total = 0;
        let mut pillars = Vec::with_capacity(self.pillars.len());
        let mut reasons = Vec::with_capacity(self.attributes);
        for pillar in &self.pillars {
            let mut points_of_pillar = 0;
            let mut attributes = Vec::with_capacity(pillar.attributes.len());
            for a in &pillar.attributes {
                let slots = &a.script.read_slots;
                let absent = slots.iter().filter(|&&s| !present(s)).count();
                let level = if absent == 0 {
                    run.level(&a.script)?
                } else {
                    None
                };
                let points = match &level {
                    Some(level) => Some(a.points_of(level, self)?),
                    None => None,
                };
                let got = points.unwrap_or(0);
                points_of_pillar += got;
                attributes.push(AttributeScore {
                    id: &a.script.id,
                    points: got,
                    max: a.max,
                    known: points.is_some(),
                });
                if got < a.max {
                    let message = match points {
                        Some(_) => a.raise_json.get(lang).map(|m| Cow::Borrowed(&**m)),
                        None => {
                            // Which fields are missing; none when the script itself said
                            // unknown, and then the text names every field it reads.
                            let mut mask = 0usize;
                            for (i, &s) in slots.iter().enumerate().take(usize::BITS as usize - 1) {
                                if absent == 0 || !present(s) {
                                    mask |= 1 << i;
                                }
                            }
                            match a.unknown_json.get(mask).and_then(|m| m.get(lang)) {
                                Some(m) => Some(Cow::Borrowed(&**m)),
                                None => {
                                    Some(Cow::Owned(a.unknown_some(lang, |i| mask & (1 << i) != 0)))
                                }
                            }
                        }
                    };
                    reasons.push(ScoreReason {
                        id: &a.reason_id,
                        points_lost: a.max - got,
                        message: message.unwrap_or_else(|| Cow::Owned(json_text(""))),
                    });
                }
            }
            total += points_of_pillar;
            pillars.push(PillarScore {
                id: &pillar.id,
                points: points_of_pillar,
                max: pillar.max,
                attributes,
            });
        }
        // Stable: equal losses keep pillar and attribute order.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.points_lost));
        let band = self
            .bands
            .iter()
            .find(|(_, min)| total >= *min)
            .or(self.bands.last())
            .map_or("", |(band, _)| band.as_str());
        Ok(Score {
            total,
            max: self.max,
            band,
            pillars,
            reasons,
        })
    }
}

impl Attribute {
    /// The unknown text naming the fields of `READS` that `missing(i)` says are missing.
    pub(crate) fn unknown_some(
        &self,
        lang: usize,
        missing: impl Fn(usize) -> bool,
    ) -> Box<RawValue> {
        let named: Vec<&str> = self
            .labels
            .get(lang)
            .map(|l| {
                l.iter()
                    .enumerate()
                    .filter(|(i, _)| missing(*i))
                    .map(|(_, label)| label.as_str())
                    .collect()
            })
            .unwrap_or_default();
        json_text(&self.unknown_text(lang, &named.join(", ")))
    }

    /// The `unknown` template with `fields` filled in, then what would raise the score.
    pub(crate) fn unknown_text(&self, lang: usize, fields: &str) -> String {
        let unknown = self.unknown.get(lang).map_or("", String::as_str);
        let raise = self.raise.get(lang).map_or("", String::as_str);
        format!("{} {raise}", unknown.replace("{fields}", fields))
    }

    fn points_of(&self, level: &str, card: &Scorecard) -> Result<u32, Box<crate::Diagnostic>> {
        self.points
            .iter()
            .find(|(l, _)| l.as_str() == level)
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                let levels: Vec<&str> = self.points.iter().map(|(l, _)| l.as_str()).collect();
                Box::new(crate::Diagnostic::new(
                    &card.product,
                    &card.version,
                    &self.script.file,
                    format!(
                        "attribute `{}` gave level `{level}`, which `{SCORECARD_FILE}` does not score; its levels: {}",
                        self.script.id,
                        levels.join(", ")
                    ),
                ))
            })
    }
}
