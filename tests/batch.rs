//! Batch screening, through `kredo batch` and `POST /api/v1/batch`: delimiters, encodings,
//! BOM, decimal commas, bad rows that carry their own errors, and the same answers as
//! `kredo check` for the same application.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod staff_support;

use staff_support::*;

const HEADER: &str = "legal_form,region,business_status,activity_type,amount_requested_eur,term_months,funding_purposes,project_description";

fn run_batch(dir: &TempDir, input: &[u8], extra: &[&str]) -> (std::process::Output, Vec<u8>) {
    let inp = dir.path("in.csv");
    let out = dir.path("out.csv");
    std::fs::write(&inp, input).unwrap();
    let mut args = vec![
        "batch",
        inp.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    let output = kredo(&args);
    let written = std::fs::read(&out).unwrap_or_default();
    (output, written)
}

fn read_csv(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}: {:?}", rows[0]))
}

#[test]
fn comma_utf8_batch_matches_kredo_check() {
    let dir = TempDir::new("batch-utf8");
    let input = format!(
        "{HEADER}\n\
         eenmanszaak,flanders,started,main,9500.00,36,investment:6000.00;working_capital:3500.00,\n\
         vzw,flanders,started,main,30000,36,investment:30000,\n\
         BV,brussels,started,main,10000,36,\"investment:5000;private_use:5000\",café\n"
    );
    let (out, written) = run_batch(&dir, input.as_bytes(), &["--lang", "en"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !written.starts_with(b"\xEF\xBB\xBF"),
        "plain UTF-8 in, plain UTF-8 out"
    );
    let rows = read_csv(&written, b',');
    assert_eq!(rows.len(), 4);
    let header: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    assert_eq!(
        header,
        HEADER
            .split(',')
            .chain([
                "outcome",
                "reason_ids",
                "messages",
                "monthly_instalment_eur",
                "errors"
            ])
            .collect::<Vec<_>>()
    );
    // Input columns are echoed unchanged.
    assert_eq!(rows[3][7], "café");
    let apps = [
        APPLICATION.to_owned(),
        r#"{"legal_form":"vzw","region":"flanders","business_status":"started","activity_type":"main","amount_requested_eur":"30000","term_months":"36","funding_purposes":[{"category":"investment","amount_eur":"30000"}]}"#.to_owned(),
        r#"{"legal_form":"BV","region":"brussels","business_status":"started","activity_type":"main","amount_requested_eur":"10000","term_months":"36","funding_purposes":[{"category":"investment","amount_eur":"5000"},{"category":"private_use","amount_eur":"5000"}],"project_description":"café"}"#.to_owned(),
    ];
    for (i, app) in apps.iter().enumerate() {
        let cli = kredo_stdin(
            &["check", "--as-of", AS_OF, "--lang", "en", "-"],
            app.as_bytes(),
        );
        let d: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
        let row = &rows[i + 1];
        assert_eq!(
            row[col(&rows, "outcome")],
            d["outcome"].as_str().unwrap(),
            "row {i}"
        );
        let ids: Vec<&str> = d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(row[col(&rows, "reason_ids")], ids.join(" "), "row {i}");
        let messages: Vec<&str> = d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"].as_str().unwrap())
            .collect();
        assert_eq!(row[col(&rows, "messages")], messages.join(" | "));
        assert_eq!(
            row[col(&rows, "monthly_instalment_eur")],
            d["indicative"]["monthly_instalment_eur"]
                .as_str()
                .unwrap_or("")
        );
        assert_eq!(row[col(&rows, "errors")], "");
    }
    assert_eq!(rows[1][col(&rows, "outcome")], "eligible");
    assert_eq!(rows[2][col(&rows, "outcome")], "ineligible");
    // No progress bar outside a terminal: one summary line only.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("screened 3 rows"), "{stderr}");
}

#[test]
fn belgian_excel_semicolons_windows_1252_decimal_commas() {
    let dir = TempDir::new("batch-excel");
    // Excel "CSV (;)" on a Belgian Windows: `;`, Windows-1252 (é = 0xE9), decimal commas.
    let mut input = b"legal_form;region;business_status;activity_type;amount_requested_eur;term_months;funding_purposes;is_takeover\r\n".to_vec();
    input.extend_from_slice(b"soci\xe9t\xe9 anonyme;Vlaanderen;gestart;hoofdberoep;9500,50;36;\"investment:6000,50;working_capital:3500\";ONWAAR\r\n");
    input.extend_from_slice(b"BV;flanders;started;main;25.000,00;36;investment:25000;FAUX\r\n");
    let (out, written) = run_batch(&dir, &input, &["--lang", "fr"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Windows-1252"));
    assert!(
        written.starts_with(b"\xEF\xBB\xBF"),
        "a BOM so that Excel reads the UTF-8 output"
    );
    let text = std::str::from_utf8(&written).unwrap();
    assert!(
        text.contains("société anonyme"),
        "the input is echoed, decoded: {text}"
    );
    let rows = read_csv(&written, b';');
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][col(&rows, "outcome")], "eligible", "{:?}", rows[1]);
    // Instalment with a decimal comma, as the input wrote its money.
    assert!(rows[1][col(&rows, "monthly_instalment_eur")].contains(','));
    // A thousands separator stays invalid (decimal commas only, CONTRACT §3).
    assert_eq!(rows[2][col(&rows, "outcome")], "invalid");
    let errors = &rows[2][col(&rows, "errors")];
    assert!(
        errors.starts_with("line 3: amount_requested_eur"),
        "{errors}"
    );
}

#[test]
fn bom_is_stripped_and_kept() {
    let dir = TempDir::new("batch-bom");
    let input = format!(
        "\u{feff}{HEADER}\neenmanszaak,flanders,started,main,9500.00,36,investment:6000.00;working_capital:3500.00,\n"
    );
    let (out, written) = run_batch(&dir, input.as_bytes(), &[]);
    assert!(out.status.success());
    assert!(written.starts_with(b"\xEF\xBB\xBF"));
    let rows = read_csv(&written, b',');
    assert_eq!(
        rows[0][0], "legal_form",
        "the BOM is not part of the first column's name"
    );
    assert_eq!(rows[1][col(&rows, "outcome")], "eligible");
}

#[test]
fn bad_rows_carry_their_own_errors_and_never_stop_the_batch() {
    let dir = TempDir::new("batch-bad");
    let input = format!(
        "{HEADER}\n\
         eenmanszaak,flanders,started,main,9500.00,36,investment:9500.00,\n\
         BV,flanders\n\
         \n\
         BV,flanders,started,main,-5,12 months,investment;nothing:abc,\n\
         BV,flanders,started,main,9500.00,36,investment:9500.00,,extra\n\
         eenmanszaak,flanders,started,main,9500.00,36,investment:9500.00,\n"
    );
    let (out, written) = run_batch(&dir, input.as_bytes(), &["--lang", "en"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = read_csv(&written, b',');
    assert_eq!(rows.len(), 6, "{rows:?}");
    let (o, e) = (col(&rows, "outcome"), col(&rows, "errors"));
    assert!(
        rows.iter().all(|r| r.len() == rows[0].len()),
        "every output row has the header's width"
    );
    assert_eq!(rows[1][o], "eligible");
    assert_eq!(rows[2][o], "error");
    assert!(rows[2][e].starts_with("line 3: "), "{}", rows[2][e]);
    assert_eq!(rows[3][o], "invalid");
    let errors = &rows[3][e];
    assert!(errors.starts_with("line 5: "), "{errors}");
    for field in [
        "amount_requested_eur",
        "term_months",
        "funding_purposes[0]",
        "funding_purposes[1]",
    ] {
        assert!(errors.contains(field), "{field} in {errors}");
    }
    assert_eq!(rows[4][o], "error");
    assert!(rows[4][e].starts_with("line 6: "));
    assert_eq!(rows[5][o], "eligible");
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 with errors"));
}

#[test]
fn batch_level_errors_stop_before_any_row() {
    let dir = TempDir::new("batch-fatal");
    let (out, _) = run_batch(
        &dir,
        format!("{HEADER}\nBV\n").as_bytes(),
        &["--product", "nope"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    let (out, _) = run_batch(&dir, b"", &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = kredo(&["batch", dir.path("missing.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // Standard input and output work too.
    let out = kredo_stdin(
        &["batch", "-", "--as-of", AS_OF],
        format!("{HEADER}\nBV,flanders\n").as_bytes(),
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn http_batch_gives_the_cli_bytes() {
    let dir = TempDir::new("batch-http");
    let db = dir.path("k.db");
    let token = staff_token(&db, "Kato");
    let server = Server::start(&db, &["--max-batch-bytes", "100000"]);
    let mut input = b"legal_form;region;business_status;activity_type;amount_requested_eur;term_months;funding_purposes\r\n".to_vec();
    for i in 0..200 {
        let amount = 1000 + i * 100;
        input.extend_from_slice(
            format!("BV;flanders;started;main;{amount},50;36;investment:{amount},50\r\n")
                .as_bytes(),
        );
    }
    input.extend_from_slice(
        b"entreprise individuelle;Bruxelles;gestart;bijberoep;abc;36;other:1\r\n",
    );
    let (cli, written) = run_batch(&dir, &input, &["--lang", "en"]);
    assert!(cli.status.success());
    let url = server.url(&format!("/api/v1/batch?as_of={AS_OF}&lang=en"));
    let answer = post_with(&agent(), &url, &input, Some(&token), "text/csv");
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(answer.content_type.starts_with("text/csv"));
    assert_eq!(answer.body, written);

    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch?product=nope"),
        &input,
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (422, "unknown_product")
    );
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch?as_of=yesterday"),
        &input,
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (400, "invalid_date")
    );
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch?colour=red"),
        &input,
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (400, "invalid_request")
    );
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch"),
        b"",
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (400, "invalid_csv")
    );
    let big = vec![b'a'; 200_000];
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch"),
        &big,
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (413, "body_too_large")
    );
}

#[test]
fn formula_cells_reach_the_output_inert_from_the_cli_and_the_server() {
    let dir = TempDir::new("batch-formulas");
    let db = dir.path("k.db");
    let token = staff_token(&db, "Kato");
    let server = Server::start(&db, &[]);
    // One row per leading character a spreadsheet runs as a formula, each in a free-text cell
    // and in the echoed header of an unknown column; a negative number stays a number.
    let leads = [
        "=HYPERLINK(\"http://x.test\")",
        "+1+1",
        "-1+1",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ];
    let mut input = format!("{HEADER},=evil_header,projected_monthly_net_cashflow_eur\n");
    for lead in leads {
        input.push_str(&format!(
            "eenmanszaak,flanders,started,main,9500.00,36,investment:9500.00,\"{}\",x,-200\n",
            lead.replace('"', "\"\"")
        ));
    }
    let (cli, written) = run_batch(&dir, input.as_bytes(), &["--lang", "en"]);
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let rows = read_csv(&written, b',');
    let desc = col(&rows, "project_description");
    assert_eq!(rows[0][8], "'=evil_header");
    for (row, lead) in rows[1..].iter().zip(leads) {
        assert_eq!(row[desc], format!("'{lead}"), "{lead:?}");
        assert_eq!(row[9], "-200", "a negative amount stays a number");
        // The screening is unchanged: cash flow -200 is below the instalment, whatever the text.
        assert_eq!(row[col(&rows, "outcome")], "review", "{lead:?}");
        assert_eq!(
            row[col(&rows, "reason_ids")],
            "REPAYMENT_CAPACITY_INSUFFICIENT",
            "{lead:?}"
        );
    }
    let url = server.url(&format!("/api/v1/batch?as_of={AS_OF}&lang=en"));
    let answer = post_with(&agent(), &url, input.as_bytes(), Some(&token), "text/csv");
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.body, written);
}

/// When a batch's request times out, its screening stops too: within a chunk, not after the
/// whole file. The server's log says how far it got (a count, never a row).
#[test]
fn timed_out_batch_stops_screening() {
    use std::time::{Duration, Instant};
    let dir = TempDir::new("batch-cancel");
    let db = dir.path("k.db");
    let token = staff_token(&db, "Lien");
    let server = Server::start(&db, &["--batch-timeout-ms", "1000"]);
    let rows = 100_000;
    let mut csv = String::from(
        "legal_form,region,business_status,activity_type,amount_requested_eur,term_months,funding_purposes\n",
    );
    for _ in 0..rows {
        csv.push_str("BV,flanders,started,main,9500,36,investment:9500\n");
    }
    let url = server.url(&format!("/api/v1/batch?as_of={AS_OF}"));
    let start = Instant::now();
    let answer = post_with(&agent(), &url, csv.as_bytes(), Some(&token), "text/csv");
    let answered = start.elapsed();
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (503, "timeout")
    );
    let line = server
        .wait_for_log("batch cancelled after", Duration::from_secs(5))
        .unwrap_or_else(|| panic!("the batch did not stop: {}", server.logs()));
    let stopped = start.elapsed();
    let screened: usize = line
        .split("batch cancelled after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(screened < rows, "{line}");
    // Nothing is left running: the server answers at once.
    let health = Instant::now();
    assert_eq!(get(&server.url("/healthz"), None).status, 200);
    let health = health.elapsed();
    eprintln!(
        "batch of {rows} rows: 503 after {answered:?}, stopped after {stopped:?} with {screened} rows screened; /healthz then took {health:?}"
    );
    assert!(health < Duration::from_millis(500), "{health:?}");
    #[cfg(target_os = "linux")]
    {
        // The server's CPU time (user + system, in clock ticks) over half a second.
        let ticks = || -> u64 {
            let stat =
                std::fs::read_to_string(format!("/proc/{}/stat", server.child.id())).unwrap();
            let after_name = &stat[stat.rfind(')').unwrap() + 2..];
            let fields: Vec<&str> = after_name.split(' ').collect();
            fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
        };
        let before = ticks();
        std::thread::sleep(Duration::from_millis(500));
        let used = ticks() - before;
        // A batch still running would use ~50 ticks a core over that time.
        assert!(used < 15, "the server used {used} ticks while idle");
    }
    for secret in ["9500", "flanders", "investment"] {
        assert!(!server.logs().contains(secret), "`{secret}` in the log");
    }
}

const ROW: &str =
    "eenmanszaak,flanders,started,main,9500.00,36,investment:6000.00;working_capital:3500.00,café";

#[test]
fn utf16_input_is_detected_with_or_without_a_bom() {
    let dir = TempDir::new("batch-utf16");
    let text = format!("{HEADER}\r\n{ROW}\r\n");
    let (out, utf8) = run_batch(&dir, text.as_bytes(), &["--lang", "fr"]);
    assert!(out.status.success());
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (input, name) in [
        ([b"\xFF\xFE".as_slice(), &le].concat(), "UTF-16LE"),
        (le, "UTF-16LE"),
        ([b"\xFE\xFF".as_slice(), &be].concat(), "UTF-16BE"),
    ] {
        let (out, written) = run_batch(&dir, &input, &["--lang", "fr"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("input {name} with `,`")),
            "{stderr}"
        );
        // UTF-8 out, with a BOM so that Excel reads the accents; otherwise the same bytes.
        assert_eq!(written.strip_prefix(b"\xEF\xBB\xBF"), Some(utf8.as_slice()));
        let rows = read_csv(&written, b',');
        assert_eq!(rows[1][col(&rows, "outcome")], "eligible", "{rows:?}");
        assert_eq!(rows[1][col(&rows, "project_description")], "café");
    }
}

#[test]
fn a_header_without_a_known_column_is_refused_and_unknown_columns_are_named() {
    let dir = TempDir::new("batch-columns");
    // The first row is data, not a header.
    let (out, _) = run_batch(&dir, format!("{ROW}\n{ROW}\n").as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the CSV header names no known field (`eenmanszaak`, `flanders`, `started`, `main`, `9500.00`, … 8 in all): the first row must name the columns, e.g. `amount_requested_eur`\n"
    );
    let (out, _) = run_batch(&dir, b"legal_form\tregion\nBV\tflanders\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the file seems separated by tabs"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let input = format!("{HEADER},Colour,,café\n{ROW},green,x,y\n");
    let (out, written) = run_batch(&dir, input.as_bytes(), &["--lang", "en"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with(
            "warning: unknown columns, ignored (no field of the rule set has their name): `Colour`, `café`\n"
        ),
        "{stderr}"
    );
    let rows = read_csv(&written, b',');
    assert_eq!(rows[1][col(&rows, "outcome")], "eligible");

    let db = dir.path("k.db");
    let token = staff_token(&db, "Mira");
    let server = Server::start(&db, &[]);
    let url = server.url(&format!("/api/v1/batch?as_of={AS_OF}&lang=en"));
    let response = agent()
        .post(&url)
        .header("Content-Type", "text/csv")
        .header("Authorization", &format!("Bearer {token}"))
        .send(input.as_bytes())
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("x-kredo-unknown-columns")
            .and_then(|v| v.to_str().ok()),
        Some("Colour, caf%C3%A9")
    );
    let answer = post_with(
        &agent(),
        &url,
        format!("{ROW}\n").as_bytes(),
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (400, "invalid_csv")
    );
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the CSV header names no known field")
    );
}

#[test]
fn an_unclosed_quote_is_reported_at_its_line_and_the_next_rows_are_screened() {
    let dir = TempDir::new("batch-quote");
    let input = format!(
        "{HEADER}\n\
         eenmanszaak,flanders,started,main,9500.00,36,investment:9500.00,\"Bakkerij De Zon\n\
         BV,flanders,started,main,9500.00,36,investment:9500.00,\n\
         eenmanszaak,flanders,started,main,9500.00,36,investment:9500.00,\"a \"\"quoted\"\" one\"\n\
         BV,flanders,started,main,9500.00,36,investment:9500.00,\"two\n\
         lines\"\n"
    );
    let (out, written) = run_batch(&dir, input.as_bytes(), &["--lang", "en"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = read_csv(&written, b',');
    let (o, e, d) = (
        col(&rows, "outcome"),
        col(&rows, "errors"),
        col(&rows, "project_description"),
    );
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(rows[1][o], "error");
    assert_eq!(
        rows[1][e],
        "line 2: the row has a quote (`\"`) that is not closed on its line"
    );
    assert_eq!(rows[1][d], "Bakkerij De Zon");
    assert_eq!(rows[2][o], "eligible", "the next line is a row of its own");
    assert_eq!(rows[3][o], "eligible");
    assert_eq!(rows[3][d], "a \"quoted\" one");
    assert_eq!(
        rows[4][o], "eligible",
        "a quoted cell over lines stays one cell"
    );
    assert_eq!(rows[4][d], "two\nlines");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 with errors"));
}
