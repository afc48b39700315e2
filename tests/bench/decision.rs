//! Decision speed, end to end: request JSON text in, decision JSON text out, on one thread,
//! over the mix of every version's cases and the public cases. Prints median and p99 in µs per
//! decision, and the time to compile all rule sets. Run: `cargo bench --bench decision`.
//!
//! A bench, not a test: figures are printed, never asserted.

use kredo::{Date, Kredo, RuleSetSource};
use std::hint::black_box;
use std::time::Instant;

fn requests(sources: &[RuleSetSource]) -> Vec<String> {
    let mut out = Vec::new();
    for src in sources {
        let Some(file) = src.file("cases.json") else {
            continue;
        };
        let Ok(cases) = kredo::cases::parse(&String::from_utf8_lossy(&file.bytes)) else {
            continue;
        };
        for case in cases {
            let request = serde_json::json!({
                "product": src.product,
                "as_of": case.as_of,
                "language": "en",
                "application": case.application,
            });
            out.push(request.to_string());
        }
    }
    out
}

/// A request's selection (everything but the application).
fn strip(request: &serde_json::Value) -> serde_json::Value {
    let mut v = request.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("application");
    }
    v
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(f64::NAN)
}

fn main() {
    let sources =
        kredo::native::loader::load_dir(std::path::Path::new("rules")).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });

    let rounds: usize = std::env::var("KREDO_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    // Compile time: every version of every product, from plain data.
    let mut compile = Vec::new();
    let compiles: usize = if rounds < 10 { 1 } else { 20 };
    for _ in 0..compiles {
        let t = Instant::now();
        let k = Kredo::from_sources(sources.clone()).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2)
        });
        compile.push(t.elapsed().as_secs_f64() * 1e3);
        black_box(k);
    }
    compile.sort_by(f64::total_cmp);
    let versions = sources.len();

    let kredo = Kredo::from_sources(sources.clone()).unwrap_or_else(|_| std::process::exit(2));
    let reqs = requests(&sources);
    let today = Date::parse("2026-11-22").unwrap_or(Date::MIN);
    // Warm up.
    for r in &reqs {
        black_box(kredo.evaluate_json(r, today).ok());
    }
    let mut samples = Vec::with_capacity(rounds * reqs.len());
    for _ in 0..rounds {
        for r in &reqs {
            let t = Instant::now();
            let out = kredo.evaluate_json(black_box(r), today);
            samples.push(t.elapsed().as_secs_f64() * 1e6);
            black_box(out.ok());
        }
    }
    samples.sort_by(f64::total_cmp);
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    println!(
        "decision end-to-end (request JSON -> decision JSON), {} requests x {rounds} rounds, one thread:",
        reqs.len()
    );
    println!(
        "  median {:.2} us   p99 {:.2} us   mean {:.2} us",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        mean
    );
    // Where the time goes: parse, decide (typed), serialize.
    let parsed: Vec<kredo::Request> = reqs
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..50 {
            f();
        }
        t.elapsed().as_secs_f64() * 1e6 / (50.0 * reqs.len() as f64)
    };
    let parse = time(&mut || {
        for r in &reqs {
            black_box(serde_json::from_str::<kredo::Request>(r).ok());
        }
    });
    let decide = time(&mut || {
        for r in &parsed {
            black_box(kredo.evaluate(r, today).ok());
        }
    });
    let decisions: Vec<_> = parsed
        .iter()
        .filter_map(|r| kredo.evaluate(r, today).ok())
        .collect();
    let serialize = time(&mut || {
        for d in &decisions {
            black_box(d.to_json());
        }
    });
    println!(
        "  breakdown (mean): parse {parse:.2} us, decide {decide:.2} us, serialize {serialize:.2} us"
    );
    // The staff scorecard: the same requests of the versions that have one, decided for staff
    // with and without `"score": true`, interleaved so both see the same machine state.
    let scored: Vec<(String, String)> = reqs
        .iter()
        .filter_map(|r| {
            let mut v: serde_json::Value = serde_json::from_str(r).ok()?;
            let selection = strip(&v).to_string();
            let selection: kredo::Selection<'_> = serde_json::from_str(&selection).ok()?;
            let (rs, _, _) = kredo.resolve(&selection, today).ok()?;
            rs.scorecard.as_ref()?;
            v.as_object_mut()?
                .insert("score".to_owned(), serde_json::Value::Bool(true));
            Some((r.clone(), v.to_string()))
        })
        .collect();
    if !scored.is_empty() {
        let staff = kredo::api::Audience::Staff;
        let (mut plain, mut with) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            for (a, b) in &scored {
                let t = Instant::now();
                black_box(kredo.evaluate_json_for(black_box(a), today, staff).ok());
                plain.push(t.elapsed().as_secs_f64() * 1e6);
                let t = Instant::now();
                black_box(kredo.evaluate_json_for(black_box(b), today, staff).ok());
                with.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        plain.sort_by(f64::total_cmp);
        with.sort_by(f64::total_cmp);
        let (p, w) = (percentile(&plain, 0.5), percentile(&with, 0.5));
        println!(
            "staff scorecard, {} requests of scored versions x {rounds} rounds:",
            scored.len()
        );
        println!(
            "  median without score {p:.2} us   with score {w:.2} us   ratio {:.2}x",
            w / p
        );
    }
    // The common path: the requests decided `eligible` or `flagged`, which no search touches.
    let common: Vec<&String> = reqs
        .iter()
        .filter(|r| {
            kredo.evaluate_json(r, today).is_ok_and(|d| {
                d.starts_with("{\"outcome\":\"eligible\"")
                    || d.starts_with("{\"outcome\":\"flagged\"")
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(rounds * common.len());
    for _ in 0..rounds {
        for r in &common {
            let t = Instant::now();
            let out = kredo.evaluate_json(black_box(r), today);
            samples.push(t.elapsed().as_secs_f64() * 1e6);
            black_box(out.ok());
        }
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "eligible or flagged (the common path), {} requests x {rounds} rounds:",
        common.len()
    );
    println!(
        "  median {:.2} us   p99 {:.2} us",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99)
    );
    // v1.1 from here: suggestions and every product at once.
    // Suggestions (CONTRACT.md §8): the requests whose decision is `ineligible` or `review`,
    // decided with the search (as every JSON face does) and without it (the CSV batch's way),
    // interleaved.
    let searched: Vec<(kredo::Request, &String)> = reqs
        .iter()
        .filter_map(|r| {
            let mut typed: kredo::Request = serde_json::from_str(r).ok()?;
            typed.suggest = false;
            let d = kredo.evaluate(&typed, today).ok()?;
            matches!(
                d.outcome,
                kredo::model::Outcome::Ineligible | kredo::model::Outcome::Review
            )
            .then_some((typed, r))
        })
        .collect();
    let (mut plain, mut with) = (Vec::new(), Vec::new());
    let mut found = 0usize;
    for round in 0..rounds.max(1) {
        for (typed, text) in &searched {
            let t = Instant::now();
            black_box(
                kredo
                    .evaluate(black_box(typed), today)
                    .map(|d| d.to_json())
                    .ok(),
            );
            plain.push(t.elapsed().as_secs_f64() * 1e6);
            let t = Instant::now();
            let out = kredo.evaluate_json(black_box(text), today);
            with.push(t.elapsed().as_secs_f64() * 1e6);
            if round == 0 && out.as_ref().is_ok_and(|o| o.contains("\"suggestions\":[{")) {
                found += 1;
            }
            black_box(out.ok());
        }
    }
    plain.sort_by(f64::total_cmp);
    with.sort_by(f64::total_cmp);
    let (p, w) = (percentile(&plain, 0.5), percentile(&with, 0.5));
    println!(
        "suggestions, {} ineligible or review requests ({found} with at least one) x {rounds} rounds:",
        searched.len()
    );
    println!(
        "  median without the search {p:.2} us   with it {w:.2} us   ratio {:.2}x   p99 with {:.2} us",
        w / p,
        percentile(&with, 0.99)
    );
    // Every product at once (CONTRACT.md §7): each request for its own product, and the same
    // application for `*`, interleaved.
    let every: Vec<(&String, String)> = reqs
        .iter()
        .filter_map(|r| {
            let mut v: serde_json::Value = serde_json::from_str(r).ok()?;
            v.as_object_mut()?
                .insert("product".to_owned(), serde_json::Value::from("*"));
            Some((r, v.to_string()))
        })
        .collect();
    let (mut one, mut all) = (Vec::new(), Vec::new());
    for _ in 0..rounds.max(1) {
        for (a, b) in &every {
            let t = Instant::now();
            black_box(kredo.evaluate_json(black_box(a), today).ok());
            one.push(t.elapsed().as_secs_f64() * 1e6);
            let t = Instant::now();
            black_box(kredo.evaluate_json(black_box(b), today).ok());
            all.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    one.sort_by(f64::total_cmp);
    all.sort_by(f64::total_cmp);
    let (o, a) = (percentile(&one, 0.5), percentile(&all, 0.5));
    println!(
        "every product at once, {} requests x {rounds} rounds:",
        every.len()
    );
    println!(
        "  median one product {o:.2} us   all products {a:.2} us   ratio {:.2}x",
        a / o
    );
    println!("rule-set compile ({versions} versions, all rule files):");
    println!(
        "  median {:.2} ms   max {:.2} ms",
        percentile(&compile, 0.5),
        compile.last().copied().unwrap_or(f64::NAN)
    );
}
