//! The native side of the web parity test and budget: reads request JSON texts, one a line, and
//! prints the facade's answer for each, one a line (the decision JSON, or `{"error":{…}}`).
//!
//! `web-native FILE TODAY` prints the answers; `web-native --bench N FILE TODAY` prints the mean
//! time of one decision over N rounds of the file's requests, in microseconds;
//! `web-native --cases PRODUCT FILE` prints a request for each case of a cases file in each
//! language, keeping the application's JSON exactly as written (numbers included);
//! `web-native --schemas` prints the schema of every product and version, one a line.

use kredo::{Date, Kredo};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["--schemas"] {
        return schemas();
    }
    if let [flag, product, file] = args.as_slice()
        && flag == "--cases"
    {
        return cases(product, file);
    }
    let (rounds, rest) = match args.split_first() {
        Some((flag, rest)) if flag == "--bench" => match rest.split_first() {
            Some((n, rest)) => (n.parse::<u32>().ok(), rest),
            None => (None, rest),
        },
        _ => (None, args.as_slice()),
    };
    let (Some(file), Some(today)) = (rest.first(), rest.get(1).and_then(|t| Date::parse(t))) else {
        eprintln!("usage: web-native [--bench N] FILE YYYY-MM-DD");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("web-native: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let kredo = match Kredo::embedded() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("web-native: {e}");
            return ExitCode::from(2);
        }
    };
    let requests: Vec<&str> = text.lines().collect();
    let answer = |line: &str| match kredo.evaluate_json(line, today) {
        Ok(decision) => decision,
        Err(e) => e.to_json(),
    };
    if let Some(rounds) = rounds {
        for line in &requests {
            std::hint::black_box(answer(line));
        }
        let start = Instant::now();
        for _ in 0..rounds {
            for line in &requests {
                std::hint::black_box(answer(line));
            }
        }
        let n = f64::from(rounds) * requests.len() as f64;
        println!("{:.2}", start.elapsed().as_secs_f64() * 1e6 / n.max(1.0));
        return ExitCode::SUCCESS;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in &requests {
        if writeln!(out, "{}", answer(line)).is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Requests for every case of a cases file (`[{name, as_of, application, …}]`), in nl, fr, en.
fn cases(product: &str, file: &str) -> ExitCode {
    let parsed = std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|t| {
            serde_json::from_str::<Vec<serde_json::Value>>(&t).map_err(|e| e.to_string())
        });
    let list = match parsed {
        Ok(list) => list,
        Err(e) => {
            eprintln!("web-native: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for case in &list {
        for language in ["nl", "fr", "en"] {
            let mut request = serde_json::Map::new();
            request.insert("product".into(), product.into());
            if let Some(as_of) = case.get("as_of") {
                request.insert("as_of".into(), as_of.clone());
            }
            request.insert("language".into(), language.into());
            request.insert(
                "application".into(),
                case.get("application").cloned().unwrap_or_default(),
            );
            let line = serde_json::Value::Object(request).to_string();
            if writeln!(out, "{line}").is_err() {
                return ExitCode::from(2);
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Every version's schema as the native facade serializes it, for the wasm's `schema()`.
fn schemas() -> ExitCode {
    let kredo = match Kredo::embedded() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("web-native: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for set in kredo.rulesets() {
        let line = kredo
            .schema(&set.product, &set.version)
            .and_then(|s| serde_json::to_string(&s).ok());
        match line {
            Some(line) if writeln!(out, "{line}").is_ok() => {}
            _ => return ExitCode::from(2),
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
