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
//!
//! The chain alone cannot show that its newest entries were deleted, or that every hash from
//! some entry on was recomputed: what is left is still a valid chain. A *checkpoint* anchors it
//! from outside the database: the chain's head (`seq`, `hash`) and the time, signed with an
//! operator's Ed25519 key (RFC 8032, pure Ed25519) and kept in a file elsewhere. The signed
//! bytes use the same framing as an entry, over the fields `kredo-audit-checkpoint-v1`, `seq`
//! (decimal), `hash`, `recorded_at`. A checkpoint file holds one JSON object a line:
//! `{"seq":…,"hash":"sha256:…","recorded_at":"…Z","public_key":"ed25519:<64 hex>",
//! "signature":"ed25519:<128 hex>"}`. Its `public_key` only says which key signed it: a
//! checkpoint is checked against a public key the verifier already holds, never against the one
//! it carries, which anyone who rewrote the file could have replaced with their own.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

const CANON_VERSION: &str = "kredo-audit-v1";

/// The first field of a checkpoint's signed bytes: a signature over an entry, or over anything
/// else this key might one day sign, can never pass for a checkpoint's.
pub const CHECKPOINT_DOMAIN: &str = "kredo-audit-checkpoint-v1";

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
    /// What the checkpoints showed, when the chain was verified against some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<CheckpointReport>,
}

impl VerifyReport {
    /// Whether the chain holds and agrees with every checkpoint it was verified against.
    pub fn is_ok(&self) -> bool {
        self.first_broken.is_none() && self.checkpoint.as_ref().is_none_or(|c| c.failure.is_none())
    }
}

/// The chain compared with a file of signed checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointReport {
    /// Checkpoints in the file.
    pub checked: usize,
    /// Checkpoints the chain was compared with and agrees with (fewer than `checked` only when
    /// something failed first).
    pub held: usize,
    /// The checkpoint with the highest `seq`: how far the chain is anchored.
    pub newest: Option<Anchor>,
    /// The first checkpoint that does not hold, if any.
    pub failure: Option<CheckpointFailure>,
}

/// What a checkpoint says about the chain, once its signature is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// Its line in the checkpoint file, from 1.
    pub line: usize,
    /// The chain's last entry when it was signed (0: the chain was empty).
    pub seq: i64,
    /// That entry's hash ([`GENESIS_HASH`] for an empty chain).
    pub hash: String,
    /// When it was signed, UTC.
    pub recorded_at: String,
}

/// How a checkpoint fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointProblem {
    /// The signature does not verify with the pinned public key: the checkpoint was altered,
    /// or another key signed it.
    Signature,
    /// The chain ends before the checkpoint's entry: entries were deleted from its end.
    Truncated,
    /// The chain's entry at the checkpoint's `seq` has another hash: an entry up to it was
    /// altered and the hashes recomputed.
    Rewritten,
}

/// The first checkpoint that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointFailure {
    /// Which way it fails.
    pub problem: CheckpointProblem,
    /// The checkpoint.
    pub anchor: Anchor,
    /// What is wrong, in words.
    pub reason: String,
}

/// Checks the chain, entry by entry, in sequence order, and stops at the first broken one.
/// Checks: sequence numbers run 1, 2, 3, … without gaps; each `prev_hash` equals the previous
/// entry's `hash`; each `hash` equals the hash recomputed from the entry's stored content; and,
/// when anchored to checkpoints, that the chain reaches each checkpoint's entry with its hash.
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    report: VerifyReport,
    /// Checkpoints not yet reached, highest `seq` first (the next one is popped off the end).
    pending: Vec<Anchor>,
    /// A checkpoint disagreed with the chain: nothing after it needs reading.
    stopped: bool,
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
                checkpoint: None,
            },
            pending: Vec::new(),
            stopped: false,
        }
    }
}

impl Verifier {
    /// A verifier that also compares the chain with `checkpoints`. When one of their signatures
    /// failed, none of them is trusted, so the chain is only checked on its own.
    pub fn anchored(checkpoints: Checkpoints) -> Verifier {
        let mut verifier = Verifier::default();
        let Checkpoints {
            count,
            mut anchors,
            bad_signature,
        } = checkpoints;
        let newest = anchors.iter().max_by_key(|a| a.seq).cloned();
        verifier.report.checkpoint = Some(CheckpointReport {
            checked: count,
            held: 0,
            newest,
            failure: bad_signature,
        });
        if bad_signature_found(&verifier.report) {
            return verifier;
        }
        anchors.sort_by_key(|a| std::cmp::Reverse(a.seq));
        verifier.pending = anchors;
        // Checkpoints of the empty chain are reached before the first entry.
        verifier.reach(0, GENESIS_HASH);
        verifier
    }

    /// Compares the checkpoints of entries up to `seq` (which has `hash`) with the chain.
    fn reach(&mut self, seq: i64, hash: &str) {
        let Some(report) = self.report.checkpoint.as_mut() else {
            return;
        };
        while self.pending.last().is_some_and(|a| a.seq <= seq) {
            let Some(anchor) = self.pending.pop() else {
                break;
            };
            if anchor.seq == seq && anchor.hash == hash {
                report.held += 1;
                continue;
            }
            let reason = if anchor.seq == seq {
                format!(
                    "entry {seq} has hash {hash}, but the checkpoint of {} (line {}) signed {} for it: an entry at or before {seq} was altered and the hashes from it on recomputed",
                    anchor.recorded_at, anchor.line, anchor.hash
                )
            } else {
                // Only a signed checkpoint with a negative seq gets here: none this code makes.
                format!(
                    "the checkpoint of {} (line {}) names entry {}, which no chain has",
                    anchor.recorded_at, anchor.line, anchor.seq
                )
            };
            report.failure = Some(CheckpointFailure {
                problem: CheckpointProblem::Rewritten,
                anchor,
                reason,
            });
            self.pending.clear();
            self.stopped = true;
            return;
        }
    }

    /// Checks the next entry; returns `false` once the chain is broken (no need to go on).
    pub fn check(&mut self, entry: &Entry) -> bool {
        if self.stopped {
            return false;
        }
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
                self.reach(entry.seq, &entry.hash);
                !self.stopped
            }
        }
    }

    /// The report after the last entry: a checkpoint beyond the end of an intact chain means
    /// that entries were deleted from its end.
    pub fn finish(mut self) -> VerifyReport {
        let head = self.expected_seq - 1;
        if self.report.first_broken.is_none()
            && let Some(report) = self.report.checkpoint.as_mut()
            && report.failure.is_none()
            && let Some(anchor) = self.pending.pop()
        {
            report.failure = Some(CheckpointFailure {
                problem: CheckpointProblem::Truncated,
                reason: format!(
                    "the checkpoint of {} (line {}) signed entry {} with hash {}, but the chain ends at entry {head}: entries were deleted from its end",
                    anchor.recorded_at, anchor.line, anchor.seq, anchor.hash
                ),
                anchor,
            });
        }
        self.report
    }
}

fn bad_signature_found(report: &VerifyReport) -> bool {
    report
        .checkpoint
        .as_ref()
        .is_some_and(|c| c.failure.is_some())
}

/// An operator's Ed25519 signing key: signs checkpoints. Its file holds one line,
/// `ed25519-secret:` and the 32-byte secret seed in hex; it is never printed.
pub struct OperatorKey(SigningKey);

/// The prefix of an operator key file's line.
const SECRET_PREFIX: &str = "ed25519-secret:";
/// The prefix of a public key and of a signature.
const ED25519_PREFIX: &str = "ed25519:";

impl OperatorKey {
    /// A new key from the OS's random source.
    pub fn generate() -> Result<OperatorKey, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        let key = OperatorKey(SigningKey::from_bytes(&seed));
        seed.fill(0);
        Ok(key)
    }

    /// Reads a key file's text.
    pub fn parse(text: &str) -> Option<OperatorKey> {
        let seed = unhex::<32>(text.trim().strip_prefix(SECRET_PREFIX)?)?;
        Some(OperatorKey(SigningKey::from_bytes(&seed)))
    }

    /// The key file's text, with a final newline.
    pub fn to_file_text(&self) -> String {
        format!("{SECRET_PREFIX}{}\n", hex(&self.0.to_bytes()))
    }

    /// The public key that verifies its checkpoints.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs the chain's head: `seq` and `hash` of its last entry, at `recorded_at`.
    pub fn checkpoint(&self, seq: i64, hash: &str, recorded_at: &str) -> Checkpoint {
        let signature = self.0.sign(&checkpoint_message(seq, hash, recorded_at));
        Checkpoint {
            seq,
            hash: hash.to_owned(),
            recorded_at: recorded_at.to_owned(),
            public_key: self.public_key().to_string(),
            signature: format!("{ED25519_PREFIX}{}", hex(&signature.to_bytes())),
        }
    }
}

/// An Ed25519 public key, written `ed25519:` and 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Reads `ed25519:<64 hex>` or the 64 hex digits alone; `None` when it is not a valid key.
    pub fn parse(text: &str) -> Option<PublicKey> {
        let text = text.trim();
        let digits = text.strip_prefix(ED25519_PREFIX).unwrap_or(text);
        VerifyingKey::from_bytes(&unhex::<32>(digits)?)
            .ok()
            .map(PublicKey)
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{ED25519_PREFIX}{}", hex(&self.0.to_bytes()))
    }
}

/// The bytes a checkpoint's signature covers: the entry framing over the domain, `seq`, `hash`
/// and `recorded_at`, so that no field can be stretched into another.
pub fn checkpoint_message(seq: i64, hash: &str, recorded_at: &str) -> Vec<u8> {
    let seq = seq.to_string();
    let mut out = Vec::with_capacity(160);
    for field in [CHECKPOINT_DOMAIN, seq.as_str(), hash, recorded_at] {
        out.extend_from_slice(field.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(field.as_bytes());
        out.push(b'\n');
    }
    out
}

/// One line of a checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The chain's last entry when it was signed (0: the chain was empty).
    pub seq: i64,
    /// That entry's hash.
    pub hash: String,
    /// When it was signed, UTC.
    pub recorded_at: String,
    /// The key that signed it, for the reader: verification uses the key it is given.
    pub public_key: String,
    /// `ed25519:` and the 64-byte signature in hex.
    pub signature: String,
}

impl Checkpoint {
    /// Whether `key` signed exactly this `seq`, `hash` and `recorded_at`.
    pub fn is_signed_by(&self, key: &PublicKey) -> bool {
        let Some(bytes) = self
            .signature
            .strip_prefix(ED25519_PREFIX)
            .and_then(unhex::<64>)
        else {
            return false;
        };
        let message = checkpoint_message(self.seq, &self.hash, &self.recorded_at);
        // Strict: no malleable signature and no weak key passes.
        key.0
            .verify_strict(&message, &Signature::from_bytes(&bytes))
            .is_ok()
    }

    /// The checkpoint as one line of its file (without the newline).
    pub fn to_line(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    fn anchor(&self, line: usize) -> Anchor {
        Anchor {
            line,
            seq: self.seq,
            hash: self.hash.clone(),
            recorded_at: self.recorded_at.clone(),
        }
    }
}

/// The checkpoints of a file, their signatures checked against a pinned key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoints {
    /// How many the file holds.
    pub count: usize,
    /// Those whose signature verifies.
    pub anchors: Vec<Anchor>,
    /// The first whose signature does not.
    pub bad_signature: Option<CheckpointFailure>,
}

impl Checkpoints {
    /// Reads a checkpoint file (one JSON object a line; blank lines are skipped) and checks
    /// every signature with `key`. `Err` when the text is not a checkpoint file at all.
    pub fn read(text: &str, key: &PublicKey) -> Result<Checkpoints, String> {
        let mut out = Checkpoints {
            count: 0,
            anchors: Vec::new(),
            bad_signature: None,
        };
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let checkpoint: Checkpoint = serde_json::from_str(line)
                .map_err(|e| format!("line {}: not a checkpoint: {e}", i + 1))?;
            let anchor = checkpoint.anchor(i + 1);
            out.count += 1;
            if checkpoint.is_signed_by(key) {
                out.anchors.push(anchor);
            } else if out.bad_signature.is_none() {
                let names = if checkpoint.public_key == key.to_string() {
                    String::new()
                } else {
                    format!("; it names another key, {}", checkpoint.public_key)
                };
                out.bad_signature = Some(CheckpointFailure {
                    problem: CheckpointProblem::Signature,
                    reason: format!(
                        "the signature of the checkpoint on line {} (entry {}, hash {}, {}) does not verify with the public key {key}{names}: the checkpoint was altered, or that key did not sign it",
                        i + 1,
                        checkpoint.seq,
                        checkpoint.hash,
                        checkpoint.recorded_at
                    ),
                    anchor,
                });
            }
        }
        if out.count == 0 {
            return Err("it holds no checkpoint".to_owned());
        }
        Ok(out)
    }
}

/// `N` bytes from exactly `2 * N` hex digits (either case).
fn unhex<const N: usize>(digits: &str) -> Option<[u8; N]> {
    if digits.len() != 2 * N || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.as_bytes().chunks_exact(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
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

/// Whether a motivation says anything a reader can see: at least one character that is not
/// white space, a control character or an invisible format character (zero-width spaces and
/// joiners, direction marks, the BOM, soft hyphens, variation selectors, tags, Hangul fillers,
/// the blank Braille pattern). A motivation of only such characters looks written in a form
/// but records nothing. Every place that takes a motivation asks this.
pub fn has_visible_text(motivation: &str) -> bool {
    motivation.chars().any(|c| !is_invisible(c))
}

/// White space, control characters, and Unicode's default-ignorable code points plus the
/// characters that render as blanks.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_motivation_needs_visible_text() {
        for blank in [
            "",
            " \t\n",
            "\u{200B}\u{200C}\u{200D}\u{2060}",
            "\u{FEFF}\u{00A0}\u{3000}",
            "\u{0007}\u{0000}\u{001B}",
            "\u{202E}\u{2800}\u{3164}\u{FE0F}\u{E0041}",
        ] {
            assert!(!has_visible_text(blank), "{blank:?}");
        }
        for written in ["x", "\u{200B}ok", "é", "漢", "🙂", "-"] {
            assert!(has_visible_text(written), "{written:?}");
        }
    }

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

    fn chain(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
            out.push(Entry::seal(
                seq,
                &NewEntry {
                    case_id: format!("c_{seq}"),
                    kind: "case",
                    recorded_at: "2026-11-22T00:00:00.000000Z".into(),
                    staff_name: "An".into(),
                    body: format!("{{\"n\":{seq}}}"),
                },
                prev,
            ));
        }
        out
    }

    fn verify(entries: &[Entry], checkpoints: Checkpoints) -> VerifyReport {
        let mut v = Verifier::anchored(checkpoints);
        for e in entries {
            if !v.check(e) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn checkpoints_sign_and_anchor_the_head() {
        let key = OperatorKey::generate().unwrap();
        let public = key.public_key();
        assert_eq!(
            OperatorKey::parse(&key.to_file_text())
                .unwrap()
                .public_key(),
            public
        );
        assert_eq!(PublicKey::parse(&public.to_string()), Some(public.clone()));
        let entries = chain(4);
        let head = &entries[2];
        let cp = key.checkpoint(3, &head.hash, "2026-11-22T10:00:00.000000Z");
        assert!(cp.is_signed_by(&public));
        let empty = key.checkpoint(0, GENESIS_HASH, "2026-11-22T09:00:00.000000Z");
        let text = format!(
            "{}\n\n{}\n",
            empty.to_line().unwrap(),
            cp.to_line().unwrap()
        );
        let read = || Checkpoints::read(&text, &public).unwrap();

        // The chain equals or extends the checkpoint.
        let r = verify(&entries[..3], read());
        assert!(r.is_ok(), "{r:?}");
        let r = verify(&entries, read());
        assert!(r.is_ok(), "{r:?}");
        let c = r.checkpoint.unwrap();
        assert_eq!(
            (c.checked, c.held, c.newest.map(|a| a.seq)),
            (2, 2, Some(3))
        );

        // Truncated: the chain ends before the checkpoint's entry.
        let r = verify(&entries[..2], read());
        assert_eq!(r.first_broken, None);
        let f = r.checkpoint.unwrap().failure.unwrap();
        assert_eq!(
            (f.problem, f.anchor.seq, f.anchor.line),
            (CheckpointProblem::Truncated, 3, 3)
        );

        // Rewritten: entry 2 altered and every hash after it recomputed.
        let mut forged = entries[..1].to_vec();
        for e in &entries[1..] {
            let mut new = NewEntry {
                case_id: e.case_id.clone(),
                kind: "case",
                recorded_at: e.recorded_at.clone(),
                staff_name: e.staff_name.clone(),
                body: e.body.clone(),
            };
            if e.seq == 2 {
                new.body = "{\"n\":20}".into();
            }
            let prev = forged.last().unwrap().hash.clone();
            forged.push(Entry::seal(e.seq, &new, prev));
        }
        let mut plain = Verifier::default();
        assert!(forged.iter().all(|e| plain.check(e)));
        let r = verify(&forged, read());
        assert_eq!(r.first_broken, None);
        let f = r.checkpoint.unwrap().failure.unwrap();
        assert_eq!((f.problem, f.anchor.seq), (CheckpointProblem::Rewritten, 3));
        assert!(f.reason.contains(&forged[2].hash), "{}", f.reason);
    }

    #[test]
    fn a_tampered_checkpoint_or_another_key_fails_its_signature() {
        let key = OperatorKey::generate().unwrap();
        let entries = chain(3);
        let cp = key.checkpoint(3, &entries[2].hash, "2026-11-22T10:00:00.000000Z");
        let mut moved = cp.clone();
        moved.seq = 2;
        moved.hash.clone_from(&entries[1].hash);
        assert!(!moved.is_signed_by(&key.public_key()));
        let other = OperatorKey::generate().unwrap().public_key();
        assert!(!cp.is_signed_by(&other));
        let read = Checkpoints::read(&moved.to_line().unwrap(), &key.public_key()).unwrap();
        let r = verify(&entries, read);
        assert!(!r.is_ok());
        let f = r.checkpoint.unwrap().failure.unwrap();
        assert_eq!(f.problem, CheckpointProblem::Signature);
        // The chain itself is still checked and reported.
        assert_eq!(r.entries_ok, 3);
        assert!(Checkpoints::read("\n", &other).is_err());
        assert!(Checkpoints::read("{\"seq\":1}", &other).is_err());
        assert_eq!(PublicKey::parse("ed25519:+f"), None);
        assert_eq!(PublicKey::parse(&"g".repeat(64)), None);
    }

    #[test]
    fn checkpoint_message_is_framed_and_domain_separated() {
        assert_eq!(
            checkpoint_message(7, "sha256:ab", "T"),
            b"25:kredo-audit-checkpoint-v1\n1:7\n9:sha256:ab\n1:T\n".to_vec()
        );
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
