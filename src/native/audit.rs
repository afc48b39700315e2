//! The audit trail's hash chain: how an entry is sealed, how the chain is verified, and what a
//! staff decision is.
//!
//! Each entry's hash is SHA-256 over a canonical serialization of the entry *and the previous
//! entry's hash*, so changing, removing or reordering any stored entry breaks every later link
//! and `kredo audit verify` names the first entry where the chain no longer holds.
//!
//! Canonical serialization (version `kredo-audit-v1`): the fields below, in this order, each
//! written as `<byte length in decimal>:<bytes>\n` (a netstring-like framing, so no field's
//! content can imitate a field boundary):
//! `kredo-audit-v1`, `seq` (decimal), `case_id`, `kind`, `recorded_at`, `staff_name`, `body`,
//! `prev_hash`. The hash is written `sha256:<64 lowercase hex digits>`; the first entry's
//! `prev_hash` is [`GENESIS_HASH`]. `body` is hashed exactly as stored (JSON text written once
//! by this module), so verification never depends on re-serializing JSON.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

const CANON_VERSION: &str = "kredo-audit-v1";

/// An entry before it is sealed into the chain.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The case the entry belongs to.
    pub case_id: String,
    /// `case` (a screened application) or `decision` (a staff member's decision).
    pub kind: &'static str,
    /// When it was recorded, UTC, microseconds.
    pub recorded_at: String,
    /// The staff member who recorded it.
    pub staff_name: String,
    /// JSON text, stored and hashed byte for byte.
    pub body: String,
}

/// One stored entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The case the entry belongs to.
    pub case_id: String,
    /// `case` (a screened application) or `decision` (a staff decision).
    pub kind: String,
    /// When it was recorded, UTC.
    pub recorded_at: String,
    /// Who recorded it.
    pub staff_name: String,
    /// The entry's JSON body, as hashed.
    pub body: String,
    /// The hash of the entry before it.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl Entry {
    /// Gives `new` its place (`seq`) and link (`prev_hash`) in the chain and computes its hash.
    pub fn seal(seq: i64, new: &NewEntry, prev_hash: String) -> Entry {
        let hash = entry_hash(
            seq,
            &new.case_id,
            new.kind,
            &new.recorded_at,
            &new.staff_name,
            &new.body,
            &prev_hash,
        );
        Entry {
            seq,
            case_id: new.case_id.clone(),
            kind: new.kind.to_owned(),
            recorded_at: new.recorded_at.clone(),
            staff_name: new.staff_name.clone(),
            body: new.body.clone(),
            prev_hash,
            hash,
        }
    }

    /// The hash this entry's content and link should have.
    pub fn expected_hash(&self) -> String {
        entry_hash(
            self.seq,
            &self.case_id,
            &self.kind,
            &self.recorded_at,
            &self.staff_name,
            &self.body,
            &self.prev_hash,
        )
    }

    /// The entry as JSON for the history endpoint; `body` is spliced in verbatim.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + 320);
        out.push_str("{\"seq\":");
        out.push_str(&self.seq.to_string());
        out.push_str(",\"kind\":");
        push_json_str(&mut out, &self.kind);
        out.push_str(",\"recorded_at\":");
        push_json_str(&mut out, &self.recorded_at);
        out.push_str(",\"staff\":");
        push_json_str(&mut out, &self.staff_name);
        out.push_str(",\"prev_hash\":");
        push_json_str(&mut out, &self.prev_hash);
        out.push_str(",\"hash\":");
        push_json_str(&mut out, &self.hash);
        out.push_str(",\"body\":");
        out.push_str(&self.body);
        out.push('}');
        out
    }
}

/// SHA-256 over the canonical serialization described in the module docs.
pub fn entry_hash(
    seq: i64,
    case_id: &str,
    kind: &str,
    recorded_at: &str,
    staff_name: &str,
    body: &str,
    prev_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    let seq = seq.to_string();
    for field in [
        CANON_VERSION,
        seq.as_str(),
        case_id,
        kind,
        recorded_at,
        staff_name,
        body,
        prev_hash,
    ] {
        hasher.update(field.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(field.as_bytes());
        hasher.update(b"\n");
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Appends `s` to `out` as a JSON string literal.
pub fn push_json_str(out: &mut String, s: &str) {
    // serde_json's string escaping cannot fail for a &str.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// The sequence number of the first entry that fails a check.
    pub seq: i64,
    /// The case of the first broken entry.
    pub case_id: String,
    /// What is wrong with it.
    pub reason: String,
}

/// What `kredo audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries that were checked and hold (all of them when the chain is intact).
    pub entries_ok: u64,
    /// The hash of the last entry read: note it to detect a later truncation.
    pub head_hash: String,
    /// The first entry that does not verify, if any.
    pub first_broken: Option<Broken>,
}

/// Checks the chain, entry by entry, in sequence order, and stops at the first broken one.
/// Checks: sequence numbers run 1, 2, 3, … without gaps; each `prev_hash` equals the previous
/// entry's `hash`; each `hash` equals the hash recomputed from the entry's stored content.
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    report: VerifyReport,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            report: VerifyReport {
                entries_ok: 0,
                head_hash: GENESIS_HASH.to_owned(),
                first_broken: None,
            },
        }
    }
}

impl Verifier {
    /// Checks the next entry; returns `false` once the chain is broken (no need to go on).
    pub fn check(&mut self, entry: &Entry) -> bool {
        let reason = if entry.seq != self.expected_seq {
            Some(format!(
                "sequence number {} where {} was expected: an entry is missing or was reordered",
                entry.seq, self.expected_seq
            ))
        } else if entry.prev_hash != self.prev_hash {
            Some(if entry.seq == 1 {
                "the first entry does not start from the genesis hash".to_owned()
            } else {
                format!(
                    "its prev_hash does not match the hash of entry {}: entry {} or this entry was altered",
                    entry.seq - 1,
                    entry.seq - 1
                )
            })
        } else if entry.expected_hash() != entry.hash {
            Some("its content does not match its hash: the entry was altered".to_owned())
        } else {
            None
        };
        match reason {
            Some(reason) => {
                self.report.first_broken = Some(Broken {
                    seq: entry.seq,
                    case_id: entry.case_id.clone(),
                    reason,
                });
                false
            }
            None => {
                self.report.entries_ok += 1;
                self.expected_seq = entry.seq + 1;
                self.prev_hash.clone_from(&entry.hash);
                self.report.head_hash.clone_from(&entry.hash);
                true
            }
        }
    }

    /// The report after the last entry.
    pub fn finish(self) -> VerifyReport {
        self.report
    }
}

/// The current time in UTC, RFC 3339 with microseconds (`2026-11-22T15:04:05.123456Z`).
/// Audit entries are stamped in UTC so that they sort and compare without a time zone table.
pub fn now_utc() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_utc(since.as_secs(), since.subsec_micros())
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC (civil-from-days, proleptic Gregorian).
pub fn format_utc(secs: u64, micros: u32) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Howard Hinnant's days_to_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{d:02}T{h:02}:{m:02}:{s:02}.{micros:06}Z")
}

/// A fresh, unguessable case id: `c_` and 16 hex digits from the OS's random source.
pub fn new_case_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(format!("c_{}", hex(&bytes)))
}

/// A staff member's own decision on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffDecision {
    /// Apply with this lender.
    Approve,
    /// Send the applicant to another lender.
    ReferElsewhere,
    /// Ask the applicant for more information.
    AskInformation,
    /// Decline.
    Decline,
}

impl StaffDecision {
    /// Every decision, as written.
    pub const ALL: [&'static str; 4] = ["approve", "refer_elsewhere", "ask_information", "decline"];

    /// The decision as written.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffDecision::Approve => "approve",
            StaffDecision::ReferElsewhere => "refer_elsewhere",
            StaffDecision::AskInformation => "ask_information",
            StaffDecision::Decline => "decline",
        }
    }

    /// Reads a decision as written.
    pub fn parse(s: &str) -> Option<StaffDecision> {
        match s.trim().to_ascii_lowercase().as_str() {
            "approve" => Some(StaffDecision::Approve),
            "refer_elsewhere" => Some(StaffDecision::ReferElsewhere),
            "ask_information" => Some(StaffDecision::AskInformation),
            "decline" => Some(StaffDecision::Decline),
            _ => None,
        }
    }

    /// Whether this decision goes against the engine's outcome, so it must be flagged as an
    /// override. The engine's `review` hands the case to a person, so nothing overrides it;
    /// approving what the engine found `ineligible` or `invalid`, or declining or referring
    /// elsewhere what it found `eligible` or `flagged`, does. Asking for information never
    /// overrides: it is not a decision against the applicant or the rules.
    pub fn is_override(self, engine_outcome: &str) -> bool {
        match self {
            StaffDecision::Approve => matches!(engine_outcome, "ineligible" | "invalid"),
            StaffDecision::Decline | StaffDecision::ReferElsewhere => {
                matches!(engine_outcome, "eligible" | "flagged")
            }
            StaffDecision::AskInformation => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_utc(951_782_400, 5), "2000-02-29T00:00:00.000005Z");
        assert_eq!(format_utc(1_795_359_845, 0), "2026-11-22T15:04:05.000000Z");
    }

    #[test]
    fn framing_separates_fields() {
        let a = entry_hash(1, "ab", "c", "t", "s", "{}", GENESIS_HASH);
        let b = entry_hash(1, "a", "bc", "t", "s", "{}", GENESIS_HASH);
        assert_ne!(a, b);
        assert!(a.starts_with("sha256:") && a.len() == 71);
    }

    #[test]
    fn verifier_names_first_broken_entry() {
        let mk = |seq, prev: &str| {
            Entry::seal(
                seq,
                &NewEntry {
                    case_id: "c_1".into(),
                    kind: "case",
                    recorded_at: "2026-11-22T00:00:00.000000Z".into(),
                    staff_name: "An".into(),
                    body: format!("{{\"n\":{seq}}}"),
                },
                prev.to_owned(),
            )
        };
        let e1 = mk(1, GENESIS_HASH);
        let e2 = mk(2, &e1.hash);
        let mut e3 = mk(3, &e2.hash);
        let mut v = Verifier::default();
        assert!(v.check(&e1) && v.check(&e2) && v.check(&e3));
        assert_eq!(v.finish().first_broken, None);
        e3.body = "{\"n\":4}".into();
        let mut v = Verifier::default();
        assert!(v.check(&e1) && v.check(&e2));
        assert!(!v.check(&e3));
        let report = v.finish();
        assert_eq!(report.entries_ok, 2);
        assert_eq!(report.first_broken.map(|b| b.seq), Some(3));
    }

    #[test]
    fn override_rules() {
        assert!(StaffDecision::Approve.is_override("ineligible"));
        assert!(!StaffDecision::Approve.is_override("review"));
        assert!(StaffDecision::Decline.is_override("eligible"));
        assert!(!StaffDecision::Decline.is_override("ineligible"));
        assert!(!StaffDecision::AskInformation.is_override("eligible"));
    }
}
