//! Versions as a timeline of overlays: what a maintainer's change does to the hashes and to the
//! periods of the versions around it.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

use kredo::{Date, Kredo, SourceFile};
use std::borrow::Cow;
use std::collections::BTreeMap;

fn tree() -> Vec<SourceFile> {
    kredo::embedded::tree()
}

fn replace(tree: &mut Vec<SourceFile>, path: &str, text: String) {
    tree.retain(|f| f.path != path);
    tree.push(SourceFile {
        path: path.to_owned(),
        bytes: Cow::Owned(text.into_bytes()),
    });
}

fn text(tree: &[SourceFile], path: &str) -> String {
    let f = tree.iter().find(|f| f.path == path).unwrap();
    String::from_utf8(f.bytes.to_vec()).unwrap()
}

/// Every version's hash: Impulskrediet's by version, the other products' as `product/version`.
fn hashes(kredo: &Kredo) -> BTreeMap<String, String> {
    kredo
        .rulesets()
        .into_iter()
        .map(|r| match r.product.as_str() {
            "impulskrediet" => (r.version, r.hash),
            _ => (format!("{}/{}", r.product, r.version), r.hash),
        })
        .collect()
}

/// The timeline with one more version, taking effect on `from`.
fn with_new_version(tree: &mut Vec<SourceFile>, version: &str, from: &str) {
    let timeline = text(tree, "impulskrediet/timeline.json");
    let mut t: serde_json::Value = serde_json::from_str(&timeline).unwrap();
    t["versions"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"version": version, "effective_from": from}));
    replace(tree, "impulskrediet/timeline.json", t.to_string());
}

#[test]
fn adding_a_version_leaves_every_earlier_hash_unchanged() {
    let before = hashes(&Kredo::embedded().unwrap());
    let mut t = tree();
    with_new_version(&mut t, "2028-01-01", "2028-01-01");
    let manifest = text(&t, "impulskrediet/2025-01-01/manifest.json").replace("0.07", "0.075");
    replace(&mut t, "impulskrediet/2028-01-01/manifest.json", manifest);
    let kredo = Kredo::from_tree(t).unwrap();
    let after = hashes(&kredo);
    for (version, hash) in &before {
        assert_eq!(&after[version], hash, "{version} changed its hash");
    }
    assert_eq!(after.len(), before.len() + 1);
    assert!(!before.values().any(|h| h == &after["2028-01-01"]));

    // The previous version now ends the day before; the new one has no end.
    let sets = kredo.rulesets();
    let prev = sets
        .iter()
        .find(|r| r.version == "2027-01-01" && r.product == "impulskrediet")
        .unwrap();
    let new = sets.iter().find(|r| r.version == "2028-01-01").unwrap();
    assert_eq!(prev.effective_to, Date::parse("2027-12-31"));
    assert_eq!(new.effective_to, None);
    // The new version inherits everything else and decides at its own rate.
    let d = kredo
        .evaluate_json(
            &serde_json::json!({"as_of": "2028-02-01", "application": {"amount_requested_eur": "10000", "term_months": 36}}).to_string(),
            Date::parse("2028-02-01").unwrap(),
        )
        .unwrap();
    let d: serde_json::Value = serde_json::from_str(&d).unwrap();
    assert_eq!(d["rule_set"]["version"], "2028-01-01");
    assert_eq!(d["indicative"]["annual_rate"], "0.075");
    assert_eq!(d["outcome"], "review");
}

#[test]
fn a_change_to_an_inherited_file_changes_every_version_that_inherits_it() {
    let before = hashes(&Kredo::embedded().unwrap());
    let mut t = tree();
    let path = "impulskrediet/2020-07-03/data/lists/risk_sector_nace_divisions.json";
    let list = text(&t, path).replace("\"41\"", "\"40\"");
    replace(&mut t, path, list);
    let after = hashes(&Kredo::from_tree(t).unwrap());
    for (version, hash) in &before {
        // Another product inherits nothing from Impulskrediet.
        let other = version.contains('/');
        assert_eq!(&after[version] == hash, other, "{version}");
    }

    // A change to the shared field declarations reaches every version of every product.
    let mut t = tree();
    let path = "common/fields/contract.json";
    let fields = text(&t, path).replace("\"max_length\": 2000", "\"max_length\": 1999");
    replace(&mut t, path, fields);
    let after = hashes(&Kredo::from_tree(t).unwrap());
    for (version, hash) in &before {
        assert_ne!(&after[version], hash, "{version} kept its hash");
    }
}

#[test]
fn an_overlay_replaces_a_file_for_its_version_and_the_later_ones_only() {
    let before = hashes(&Kredo::embedded().unwrap());
    let mut t = tree();
    let rule = text(&t, "impulskrediet/2020-07-03/rules/amount_above_max.rhai").replace(
        "amount_requested_eur > MAX_AMOUNT_EUR",
        "amount_requested_eur >= MAX_AMOUNT_EUR",
    );
    replace(
        &mut t,
        "impulskrediet/2021-02-01/rules/amount_above_max.rhai",
        rule,
    );
    let kredo = Kredo::from_tree(t).unwrap();
    let after = hashes(&kredo);
    assert_eq!(after["2020-07-03"], before["2020-07-03"]);
    assert_ne!(after["2021-02-01"], before["2021-02-01"]);
    assert_ne!(after["2025-01-01"], before["2025-01-01"]);
    let at_max = serde_json::json!({"legal_form": "BV", "region": "flanders", "business_status": "started", "activity_type": "main", "amount_requested_eur": "25000", "term_months": 36, "funding_purposes": [{"category": "investment", "amount_eur": "25000"}]});
    for (as_of, outcome) in [
        ("2020-12-01", "eligible"),
        ("2022-01-01", "ineligible"),
        ("2026-01-01", "ineligible"),
    ] {
        let d = kredo
            .evaluate_json(
                &serde_json::json!({"as_of": as_of, "application": at_max}).to_string(),
                Date::parse(as_of).unwrap(),
            )
            .unwrap();
        let d: serde_json::Value = serde_json::from_str(&d).unwrap();
        assert_eq!(d["outcome"], outcome, "{as_of}");
    }
}

#[test]
fn a_version_may_remove_an_inherited_rule() {
    let mut t = tree();
    let timeline = text(&t, "impulskrediet/timeline.json");
    let mut tl: serde_json::Value = serde_json::from_str(&timeline).unwrap();
    tl["versions"][2]["removes"] = serde_json::json!(["rules/region_brussels_check.rhai"]);
    replace(&mut t, "impulskrediet/timeline.json", tl.to_string());
    // Its messages stay in the inherited messages files: that is a load error, named.
    let err = Kredo::from_tree(t.clone()).unwrap_err().to_string();
    assert!(
        err.contains("`rules` has a message for unknown rule `REGION_BRUSSELS_CHECK`"),
        "{err}"
    );
    // Removing a path nothing has is an error that points into the timeline.
    tl["versions"][2]["removes"] = serde_json::json!(["rules/no_such_rule.rhai"]);
    replace(&mut t, "impulskrediet/timeline.json", tl.to_string());
    let err = Kredo::from_tree(t).unwrap_err().to_string();
    assert!(err.starts_with("impulskrediet/timeline.json:1:"), "{err}");
    assert!(
        err.contains(
            ": version `2025-01-01` removes `rules/no_such_rule.rhai`, which no earlier version has"
        ),
        "{err}"
    );
}
