//! The batch report (`kredo batch IN.csv --report report.html`): one self-contained HTML file
//! with inline SVG bar charts, no script and nothing fetched, so it opens anywhere, prints, and
//! can be mailed. Outcome counts, reason frequency, the score by band and the amounts requested.
//! Only counts: no applicant's answers are in it.

use std::fmt::Write as _;

use super::batch::{AMOUNT_BUCKETS, BatchOutput, Summary};
use crate::model::Language;

/// The outcomes in order of severity, the way staff read them, with `error` (no decision) last.
pub(crate) const OUTCOMES: [&str; 6] = [
    "eligible",
    "flagged",
    "review",
    "ineligible",
    "invalid",
    "error",
];
/// Bar colours (WCAG contrast ≥ 3:1 against white for each, as graphics need).
const COLOURS: [&str; 6] = [
    "#00703c", "#6f5b00", "#1d70b8", "#b10e1e", "#5a2d82", "#505a5f",
];
const BANDS: [&str; 4] = ["A", "B", "C", "D"];

/// The report's words in one language.
struct Words {
    title: &'static str,
    rows: &'static str,
    outcomes: &'static str,
    outcome_names: [&'static str; 6],
    reasons: &'static str,
    no_reasons: &'static str,
    bands: &'static str,
    no_scores: &'static str,
    amounts: &'static str,
    mean: &'static str,
    count: &'static str,
    share: &'static str,
    reason: &'static str,
    above: &'static str,
    up_to: &'static str,
    rule_set: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Nl => Words {
            title: "Batchrapport",
            rows: "rijen",
            outcomes: "Uitkomsten",
            outcome_names: [
                "waarschijnlijk in aanmerking",
                "in aanmerking, met aandachtspunten",
                "een medewerker kijkt",
                "waarschijnlijk niet",
                "onvolledig of fout",
                "niet leesbaar",
            ],
            reasons: "Redenen, van vaak naar zelden",
            no_reasons: "Geen enkele regel sloeg aan.",
            bands: "Score per klasse",
            no_scores: "Geen scores: screen met --score, op een versie met een scorecard.",
            amounts: "Gevraagde bedragen",
            mean: "gemiddeld gevraagd bedrag",
            count: "aantal",
            share: "aandeel",
            reason: "reden",
            above: "meer dan",
            up_to: "tot",
            rule_set: "regelset",
        },
        Language::Fr => Words {
            title: "Rapport de lot",
            rows: "lignes",
            outcomes: "Résultats",
            outcome_names: [
                "probablement éligible",
                "éligible, avec des points d’attention",
                "à examiner par une personne",
                "probablement pas éligible",
                "incomplet ou erroné",
                "illisible",
            ],
            reasons: "Motifs, du plus au moins fréquent",
            no_reasons: "Aucune règle ne s’est appliquée.",
            bands: "Score par classe",
            no_scores: "Pas de scores : lancez avec --score, sur une version qui a une grille de score.",
            amounts: "Montants demandés",
            mean: "montant moyen demandé",
            count: "nombre",
            share: "part",
            reason: "motif",
            above: "plus de",
            up_to: "jusqu’à",
            rule_set: "jeu de règles",
        },
        Language::En => Words {
            title: "Batch report",
            rows: "rows",
            outcomes: "Outcomes",
            outcome_names: [
                "probably eligible",
                "eligible, with points to watch",
                "a person must look",
                "probably not eligible",
                "incomplete or wrong",
                "unreadable",
            ],
            reasons: "Reasons, most frequent first",
            no_reasons: "No rule fired.",
            bands: "Score by band",
            no_scores: "No scores: screen with --score, on a version with a scorecard.",
            amounts: "Amounts requested",
            mean: "mean amount requested",
            count: "count",
            share: "share",
            reason: "reason",
            above: "above",
            up_to: "up to",
            rule_set: "rule set",
        },
    }
}

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1234567` as `1 234 567` (a thin space groups digits in every language).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// `n / total` as a percentage with one decimal, in whole arithmetic.
fn percent(n: usize, total: usize) -> String {
    if total == 0 {
        return "0.0 %".to_owned();
    }
    let tenths = (n * 1000 + total / 2) / total;
    format!("{}.{} %", tenths / 10, tenths % 10)
}

/// A horizontal bar chart: one bar a row, labelled, with its count; described for screen
/// readers by the table next to it (`aria-hidden` on the drawing).
fn bars(out: &mut String, rows: &[(String, usize, &str)]) {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let row_height = 26;
    // Wide enough for the longest label at ~7 px a character (13 px text).
    let longest = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let label_width = (longest * 7 + 16).clamp(80, 420);
    let bar_width = 380;
    let height = row_height * rows.len().max(1) + 4;
    let width = label_width + bar_width + 80;
    let _ = write!(
        out,
        r#"<svg class="chart" aria-hidden="true" viewBox="0 0 {width} {height}" width="{width}" height="{height}">"#
    );
    for (i, (label, n, colour)) in rows.iter().enumerate() {
        let y = i * row_height + 2;
        let w = n * bar_width / max;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" class="label">{}</text><rect x="{label_width}" y="{}" width="{w}" height="{}" fill="{colour}"/><text x="{}" y="{}" class="value">{}</text>"#,
            label_width - 8,
            y + 17,
            esc(label),
            y + 3,
            row_height - 8,
            label_width + w + 6,
            y + 17,
            thousands(*n)
        );
    }
    out.push_str("</svg>");
}

/// A table with the same data as the chart, for screen readers, printing and copying.
fn table(out: &mut String, head: [&str; 3], rows: &[(String, usize)], total: usize) {
    let _ = write!(
        out,
        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
        esc(head[0]),
        esc(head[1]),
        esc(head[2])
    );
    for (label, n) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(label),
            thousands(*n),
            percent(*n, total)
        );
    }
    out.push_str("</tbody></table>");
}

/// The report as one HTML document. `source` names the input (a file name) and `rule_set` the
/// version that decided, both shown in the heading.
pub fn html(
    output: &BatchOutput,
    summary: &Summary,
    lang: Language,
    source: &str,
    rule_set: &str,
) -> String {
    let w = words(lang);
    let total = output.rows;
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — {source}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#0b0c0c;margin:0 auto;max-width:60rem;padding:1.5rem;line-height:1.4}}
h1{{font-size:1.6rem;margin:0 0 .25rem}} h2{{font-size:1.2rem;margin:2rem 0 .5rem;border-top:1px solid #b1b4b6;padding-top:1rem}}
.meta{{color:#505a5f;margin:0;overflow-wrap:anywhere}} .chart{{max-width:100%;height:auto;display:block;margin:.5rem 0}}
.label{{font-size:13px;fill:#0b0c0c}} .value{{font-size:13px;fill:#0b0c0c;font-variant-numeric:tabular-nums}}
table{{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}} th,td{{text-align:left;padding:.25rem .75rem .25rem 0;border-bottom:1px solid #e5e6e7;vertical-align:top}}
.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}} code{{font-size:.9em}}
@media print{{h2{{break-after:avoid}} .chart{{break-inside:avoid}}}}
</style></head><body>
<h1>{title}</h1>
<p class="meta">{source} · {rows} {rows_word} · {rule_set_word} {rule_set}</p>
"#,
        lang = lang.as_str(),
        title = esc(w.title),
        source = esc(source),
        rows = thousands(total),
        rows_word = esc(w.rows),
        rule_set_word = esc(w.rule_set),
        rule_set = esc(rule_set),
    );

    // Outcomes.
    let _ = write!(out, "<h2>{}</h2>", esc(w.outcomes));
    let outcome_rows: Vec<(String, usize, &str)> = OUTCOMES
        .iter()
        .zip(w.outcome_names)
        .zip(COLOURS)
        .filter_map(|((id, name), colour)| {
            let n = summary.outcomes.get(*id).copied().unwrap_or(0);
            (n > 0 || *id != "error").then(|| (format!("{name} ({id})"), n, colour))
        })
        .collect();
    bars(&mut out, &outcome_rows);
    let rows: Vec<(String, usize)> = outcome_rows
        .iter()
        .map(|(l, n, _)| (l.clone(), *n))
        .collect();
    table(&mut out, [w.outcomes, w.count, w.share], &rows, total);

    // Reasons.
    let _ = write!(out, "<h2>{}</h2>", esc(w.reasons));
    let mut reasons: Vec<(&String, &(usize, String))> = summary.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    if reasons.is_empty() {
        let _ = write!(out, "<p>{}</p>", esc(w.no_reasons));
    } else {
        let chart: Vec<(String, usize, &str)> = reasons
            .iter()
            .map(|(id, (n, _))| ((*id).clone(), *n, "#1d70b8"))
            .collect();
        bars(&mut out, &chart);
        let _ = write!(
            out,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>",
            esc(w.reason),
            esc(w.count),
            esc(w.share)
        );
        for (id, (n, message)) in &reasons {
            let _ = write!(
                out,
                "<tr><td><code>{}</code><br>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(id),
                esc(message),
                thousands(*n),
                percent(*n, total)
            );
        }
        out.push_str("</tbody></table>");
    }

    // Score bands.
    let _ = write!(out, "<h2>{}</h2>", esc(w.bands));
    let scored: usize = summary.bands.values().sum();
    if scored == 0 {
        let _ = write!(out, "<p>{}</p>", esc(w.no_scores));
    } else {
        let band_colours = ["#00703c", "#1d70b8", "#6f5b00", "#b10e1e"];
        let chart: Vec<(String, usize, &str)> = BANDS
            .iter()
            .zip(band_colours)
            .map(|(b, c)| {
                (
                    (*b).to_owned(),
                    summary.bands.get(*b).copied().unwrap_or(0),
                    c,
                )
            })
            .collect();
        bars(&mut out, &chart);
        let rows: Vec<(String, usize)> = chart.iter().map(|(l, n, _)| (l.clone(), *n)).collect();
        table(&mut out, [w.bands, w.count, w.share], &rows, scored);
    }

    // Amounts.
    let _ = write!(out, "<h2>{}</h2>", esc(w.amounts));
    let euros = |n: u32| thousands(usize::try_from(n).unwrap_or(usize::MAX));
    let mut labels: Vec<String> = AMOUNT_BUCKETS
        .iter()
        .map(|upper| format!("{} {} EUR", w.up_to, euros(*upper)))
        .collect();
    let last = AMOUNT_BUCKETS.last().copied().unwrap_or(0);
    labels.push(format!("{} {} EUR", w.above, euros(last)));
    let chart: Vec<(String, usize, &str)> = labels
        .into_iter()
        .zip(summary.amounts)
        .map(|(l, n)| (l, n, "#505a5f"))
        .collect();
    bars(&mut out, &chart);
    let rows: Vec<(String, usize)> = chart.iter().map(|(l, n, _)| (l.clone(), *n)).collect();
    table(
        &mut out,
        [w.amounts, w.count, w.share],
        &rows,
        summary.amount_rows,
    );
    if summary.amount_rows > 0 {
        let mean = summary.amount_total / rust_decimal::Decimal::from(summary.amount_rows);
        let _ = write!(out, "<p>{}: {} EUR</p>", esc(w.mean), mean.round_dp(2));
    }
    out.push_str("</body></html>\n");
    out
}
