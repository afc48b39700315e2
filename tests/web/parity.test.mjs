// Native vs wasm parity: every case of every rule-set version (in nl, fr and en) and 1,200
// generated applications go through the native library (tests/web/native.rs) and through the
// wasm in Node; the answers must be the same bytes.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeEngine } from './browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TODAY = '2026-11-22';
const SEED = 20261122;
const GENERATED = 1200;

let wasm;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kredo-parity-'));

/** Runs the native side; the example is built once by the first call. */
function native(...args) {
  return execFileSync('cargo', ['run', '--locked', '--quiet', '--example', 'web-native', '--', ...args], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function lines(text) {
  return text.split('\n').filter((l) => l.length > 0);
}

before(async () => {
  wasm = await nodeEngine();
});

// ---------------------------------------------------------------- generator (fixed seed)

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generate(count, seed = SEED) {
  const rnd = mulberry32(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const chance = (p) => rnd() < p;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const money = () => pick([
    () => int(1, 30000),
    () => `${int(1, 30000)}`,
    () => `${int(0, 30000)}.${String(int(0, 99)).padStart(2, '0')}`,
    () => Number(`${int(1, 26000)}.${int(0, 9)}${int(0, 9)}`),
    () => pick(['25000', '25000.00', '25000.01', '24999.99', ' 1000 ', '10000.5']),
    () => pick(['25.000,00', '€ 500', '1000.123', '1e3', '', '   ', '-5', '0', 'abc', '1,000']),
    () => pick([24999.999, 0, -100, 1000000.01, true, null, [], {}]),
  ])();
  const alias = {
    legal_form: ['eenmanszaak', 'BV', 'NV', 'CV', 'VOF', 'CommV', 'maatschap', 'vzw', 'ivzw', 'stichting', 'other',
      'natuurlijk persoon', ' Personne   Physique ', 'srl', 'S.R.L.', 'bvba', 'sa', 'asbl', 'Fondation privée', 'andere', 'plc', ''],
    region: ['flanders', 'brussels', 'wallonia', 'outside_belgium', 'Vlaanderen', 'bruxelles', 'Wallonië', 'abroad', 'étranger', 'mars'],
    business_status: ['not_started', 'started', 'nog niet gestart', 'GESTART', 'maybe'],
    activity_type: ['main', 'side', 'hoofdberoep', 'Bijberoep', 'complémentaire', 'hobby'],
    bankruptcy_status: ['none', 'closed_discharged', 'closed_not_discharged', 'ongoing', 'yes'],
    bank_credit_status: ['refused', 'not_applied', 'offered_acceptable', 'unknown', 'no'],
    business_plan_status: ['none', 'draft', 'complete', 'finished'],
    nace_version: ['2008', '2025', 2008, '1999'],
    product_variant: ['GO', 'START', 'PART', 'COOP', 'X'],
  };
  const categories = ['investment', 'working_capital', 'takeover', 'own_contribution_startlening', 'refinancing_existing_debt',
    'tax_or_social_security_debt', 'private_use', 'other', 'holiday'];
  const naces = ['62.010', '56101', ' 56.101 ', '41.201', '49.410', '90.011', '59.111', '01.110', '56.10', '5610', '56-101', '99.999'];
  const kbos = ['0566.988.259', 'BE 0566 988 259', '0566988259', '0566.988.258', '1000.000.000', '12345'];
  const out = [];
  for (let i = 0; i < count; i += 1) {
    if (chance(0.45)) {
      out.push(JSON.stringify(plausible()));
      continue;
    }
    const app = {};
    for (const field of ['legal_form', 'region', 'business_status', 'activity_type']) {
      if (chance(0.93)) app[field] = pick(alias[field]);
    }
    const amount = money();
    if (chance(0.95)) app.amount_requested_eur = amount;
    if (chance(0.95)) app.term_months = pick([int(1, 72), int(1, 72), `${int(1, 72)}`, 36.5, -1, '12 months', 0, 601, '60']);
    if (chance(0.9)) {
      const n = pick([1, 1, 1, 2, 2, 3, 0]);
      const list = [];
      for (let k = 0; k < n; k += 1) {
        if (chance(0.03)) { list.push(pick(['investment', 7, null, { category: 'investment' }])); continue; }
        list.push({ category: pick(categories), amount_eur: n === 1 && chance(0.7) ? amount : money() });
      }
      app.funding_purposes = list;
    }
    if (chance(0.3)) app.is_takeover = pick([true, false, 'ja']);
    if (chance(0.3)) app.enterprise_number = pick(kbos);
    if (chance(0.6)) app.nace_code = pick(naces);
    if (chance(0.2)) app.nace_version = pick(alias.nace_version);
    if (chance(0.5)) app.in_collective_debt_settlement = pick([false, false, false, true, 1]);
    if (chance(0.5)) app.bankruptcy_status = pick(alias.bankruptcy_status);
    if (chance(0.5)) app.bank_credit_status = pick(alias.bank_credit_status);
    if (chance(0.5)) app.has_tax_or_social_arrears = pick([false, true]);
    if (chance(0.5)) app.applicant_age_years = pick([int(16, 70), `${int(16, 70)}`, 17, 121, -1, 30.5]);
    if (chance(0.6)) app.projected_monthly_net_cashflow_eur = pick([money, () => -int(0, 500), () => `${int(100, 1200)}.${int(10, 99)}`])();
    if (chance(0.5)) app.business_plan_status = pick(alias.business_plan_status);
    if (chance(0.1)) app.product_variant = pick(alias.product_variant);
    if (chance(0.1)) app.project_description = pick(['Een bakkerij in Gent', 'x'.repeat(2001), 'Café "De Hoek"\n€ ünïcödé']);
    if (chance(0.05)) app[pick(['sex', 'nationality', 'colour'])] = 'x';
    const request = { application: app };
    if (chance(0.9)) request.product = pick(['impulskrediet', 'impulskrediet', 'impulskrediet', 'startlening', '*', '*', 'microstart', 'credal', 'brusoc']);
    const r = rnd();
    if (r < 0.85) request.as_of = `${int(2019, 2027)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
    else if (r < 0.88) request.as_of = pick(['2026-13-01', '22/11/2026', '2020-07-02', '2020-07-03', '2021-01-31', '2024-12-31', '2025-01-01']);
    else if (r < 0.9) request.version = pick(['2021-02-01', '2025-01-01', '2030-01-01']);
    if (chance(0.95)) request.language = pick(['nl', 'fr', 'en', 'nl', 'fr', 'en', 'de']);
    out.push(JSON.stringify(request));
  }
  // An application as a real applicant would give it: canonical values, amounts that add up.
  function plausible() {
    const amount = int(5, 300) * 100;
    const term = pick([12, 24, 36, 48, 60, 60, 72]);
    const split = chance(0.3) ? int(1, amount / 100 - 1) * 100 : amount;
    const purposes = [{ category: pick(['investment', 'working_capital', 'takeover', 'own_contribution_startlening']), amount_eur: `${split}.00` }];
    if (split < amount) purposes.push({ category: pick(['investment', 'working_capital', 'private_use', 'other']), amount_eur: `${amount - split}` });
    const app = {
      legal_form: pick(['eenmanszaak', 'eenmanszaak', 'BV', 'CV', 'VOF', 'vzw', 'other']),
      region: pick(['flanders', 'flanders', 'flanders', 'brussels', 'wallonia']),
      business_status: pick(['not_started', 'started']),
      activity_type: pick(['main', 'side']),
      amount_requested_eur: chance(0.5) ? amount : `${amount}.00`,
      term_months: term,
      funding_purposes: purposes,
    };
    if (chance(0.7)) app.nace_code = pick(['62.010', '47.111', '56.101', '43.221', '90.011', '96.021']);
    if (chance(0.7)) app.bankruptcy_status = pick(['none', 'none', 'closed_discharged', 'ongoing']);
    if (chance(0.7)) app.in_collective_debt_settlement = chance(0.1);
    if (chance(0.7)) app.has_tax_or_social_arrears = chance(0.15);
    if (chance(0.7)) app.bank_credit_status = pick(['refused', 'not_applied', 'unknown', 'offered_acceptable']);
    if (chance(0.7)) app.business_plan_status = pick(['complete', 'draft', 'none']);
    if (chance(0.7)) app.projected_monthly_net_cashflow_eur = `${int(0, 1500)}`;
    if (chance(0.5)) app.applicant_age_years = int(17, 65);
    if (chance(0.4)) app.business_start_date = `${int(2015, 2026)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
    if (chance(0.4)) app.co_financing_eur = `${int(0, 3000)}.00`;
    return { product: pick(['impulskrediet', '*', '*', 'microstart', 'credal', 'brusoc']), as_of: `${int(2020, 2026)}-${String(int(1, 12)).padStart(2, '0')}-15`, language: pick(['nl', 'fr', 'en']), application: app };
  }

  // A few texts that are not requests at all.
  out.push('{', '[]', 'null', '{"application": 1}', '{"application": {}, "extra": true}', '"text"');
  return out;
}

// ---------------------------------------------------------------- tests

function compare(name, requests) {
  const file = path.join(tmp, `${name}.jsonl`);
  fs.writeFileSync(file, `${requests.join('\n')}\n`);
  const expected = lines(native(file, TODAY));
  assert.equal(expected.length, requests.length, 'the native side answered every request');
  const mismatches = [];
  requests.forEach((request, i) => {
    const got = wasm.evaluate_json(request, TODAY);
    // The native side prints one answer a line. A decision leaves every face (CLI, server,
    // wasm) with one final newline; an error body, as the server sends it, has none.
    const want = 'error' in JSON.parse(expected[i]) ? expected[i] : `${expected[i]}\n`;
    if (got !== want) mismatches.push({ request, native: want, wasm: got });
  });
  if (mismatches.length) {
    fs.writeFileSync(path.join(tmp, `${name}.mismatches.json`), JSON.stringify(mismatches, null, 2));
  }
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${requests.length} answers differ; first: ${JSON.stringify(mismatches[0])}`);
  return expected;
}

function caseFiles() {
  const files = [];
  const rules = path.join(ROOT, 'rules');
  for (const product of fs.readdirSync(rules).sort()) {
    const dir = path.join(rules, product);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const version of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, version, 'cases.json');
      if (fs.existsSync(file)) files.push({ product, file });
    }
  }
  const pub = path.join(ROOT, 'tests/public_cases');
  if (fs.existsSync(pub)) {
    for (const f of fs.readdirSync(pub).filter((n) => n.endsWith('.json')).sort()) {
      files.push({ product: path.basename(f, '.json'), file: path.join(pub, f) });
    }
  }
  return files;
}

test('every case of every rule-set version gives the same bytes in wasm and native', () => {
  const files = caseFiles();
  assert.ok(files.length >= 3, 'case files found');
  const requests = files.flatMap(({ product, file }) => lines(native('--cases', product, file)));
  const answers = compare('cases', requests);
  assert.ok(answers.some((a) => a.includes('"outcome":"eligible"')), 'some cases are eligible');
  console.log(`# parity: ${requests.length} case requests from ${files.length} files`);
});

test(`${GENERATED} generated applications (seed ${SEED}) give the same bytes in wasm and native`, () => {
  const requests = generate(GENERATED);
  const answers = compare('generated', requests);
  const outcomes = {};
  for (const a of answers) {
    const m = /^\{"outcome":"(\w+)"/.exec(a) ?? /^\{"error":\{"code":"(\w+)"/.exec(a);
    const k = a.startsWith('{"as_of"') ? 'all_products' : m ? m[1] : 'other';
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  console.log(`# parity: generated answers by outcome or error: ${JSON.stringify(outcomes)}`);
  for (const o of ['eligible', 'flagged', 'review', 'ineligible', 'invalid', 'all_products']) assert.ok(outcomes[o] > 0, `some generated answers are ${o}`);
  const suggested = answers.filter((a) => a.includes('"suggestions":[{')).length;
  const referred = answers.filter((a) => a.includes('"referrals":[{')).length;
  console.log(`# parity: answers with suggestions ${suggested}, with referrals ${referred}`);
  assert.ok(suggested > 0 && referred > 0, 'suggestions and referrals cross the boundary too');
});

test('evaluate(object) returns the same decision as evaluate_json, as data', () => {
  const requests = generate(200, SEED + 1).filter((t) => t.startsWith('{"application"') || t.startsWith('{"product"') || t.startsWith('{"'));
  for (const text of requests) {
    let request;
    try { request = JSON.parse(text); } catch { continue; }
    const viaText = wasm.evaluate_json(text, TODAY);
    const result = wasm.evaluate(request, TODAY);
    assert.equal(typeof result.ok, 'boolean');
    if (result.ok) assert.equal(JSON.stringify(result.decision), JSON.stringify(JSON.parse(viaText)));
    else assert.deepEqual({ error: result.error }, JSON.parse(viaText));
  }
});

test('errors come back as data, never thrown', () => {
  const odd = [undefined, null, 42, 'text', { application: {}, language: 'de' }, { as_of: '1999-01-01', application: {} }, 10n];
  for (const value of odd) {
    const result = wasm.evaluate(value, TODAY);
    assert.equal(result.ok, false, `not ok for ${typeof value === 'bigint' ? value : JSON.stringify(value)}`);
    assert.equal(typeof result.error.code, 'string');
    assert.equal(typeof result.error.message, 'string');
  }
  const cyclic = { application: {} };
  cyclic.self = cyclic;
  assert.equal(wasm.evaluate(cyclic, TODAY).ok, false);
  assert.equal(wasm.evaluate({ application: {} }, 'yesterday').error.code, 'invalid_date');
  const today = wasm.evaluate({ application: {} });
  assert.equal(today.ok, true, 'without today, the device date is used');
  assert.match(today.decision.as_of, /^\d{4}-\d{2}-\d{2}$/);
  const sets = wasm.rulesets();
  assert.equal(sets.ok, true);
  assert.ok(sets.rulesets.every((s) => /^sha256:[0-9a-f]{64}$/.test(s.hash)));
  const guidance = wasm.guidance('impulskrediet', sets.rulesets[0].version, 'fr');
  assert.equal(guidance.ok, true);
  assert.ok(guidance.rules.length > 10);
  assert.equal(wasm.guidance('impulskrediet', 'nope', 'fr').ok, false);
  assert.equal(wasm.guidance('impulskrediet', sets.rulesets[0].version, 'de').error.code, 'invalid_language');
});

test('the page never gets a score: the browser engine refuses to give one, as the public route does', () => {
  const application = { legal_form: 'eenmanszaak', region: 'flanders', business_status: 'started', activity_type: 'main',
    amount_requested_eur: '10000', term_months: 36, funding_purposes: [{ category: 'investment', amount_eur: '10000' }],
    market_evidence: 'strong', accepts_coaching: true };
  for (const score of [true, false]) {
    const text = JSON.stringify({ as_of: '2026-12-01', score, application });
    const answer = JSON.parse(wasm.evaluate_json(text, TODAY));
    assert.deepEqual([answer.error?.code, answer.error?.field], ['invalid_request', 'score']);
    const viaObject = wasm.evaluate({ as_of: '2026-12-01', score, application }, TODAY);
    assert.equal(viaObject.ok, false);
    assert.equal(viaObject.error.field, 'score');
  }
  // Without asking, on the version with a scorecard: a decision, and no score in it.
  const plain = wasm.evaluate_json(JSON.stringify({ as_of: '2026-12-01', application }), TODAY);
  assert.equal(JSON.parse(plain).rule_set.version, '2026-12-01');
  assert.ok(!plain.includes('"score"'));
});

test('arguments of the wrong type get an error object, never an exception or a trap', () => {
  const wrong = [42, {}, [], true, 10n, Symbol('x'), () => 1];
  for (const w of wrong) {
    const label = typeof w;
    const e = wasm.evaluate({ application: {} }, w);
    assert.equal(e.ok, false, `evaluate today ${label}`);
    assert.deepEqual([e.error.code, e.error.field], ['invalid_request', 'today']);
    const j = JSON.parse(wasm.evaluate_json(w, TODAY));
    assert.deepEqual([j.error.code, j.error.field], ['invalid_request', 'request_json'], `evaluate_json ${label}`);
    const g = wasm.guidance(w, '2025-01-01', 'nl');
    assert.deepEqual([g.ok, g.error.field], [false, 'product'], `guidance ${label}`);
    const g2 = wasm.guidance('impulskrediet', '2025-01-01', w);
    assert.deepEqual([g2.ok, g2.error.field], [false, 'language'], `guidance language ${label}`);
    const sc = wasm.schema(w);
    assert.deepEqual([sc.ok, sc.error.field], [false, 'product'], `schema ${label}`);
  }
  // Missing optional arguments are fine; a missing required one is named.
  assert.equal(wasm.schema().ok, true);
  assert.equal(wasm.schema(null, null, null).ok, true);
  assert.equal(JSON.parse(wasm.evaluate_json()).error.field, 'request_json');
  assert.equal(wasm.guidance('impulskrediet').error.field, 'version');
  // The engine still answers after all of that.
  assert.equal(wasm.evaluate({ application: {} }, TODAY).ok, true);
});

test("schema() gives every version's fields and pages as the native facade does, as plain data", () => {
  const expected = lines(native('--schemas')).map((l) => JSON.parse(l));
  const sets = wasm.rulesets().rulesets;
  assert.equal(expected.length, sets.length);
  for (const want of expected) {
    const got = wasm.schema(want.product, want.version);
    assert.equal(got.ok, true);
    assert.deepEqual(got.schema, want, `${want.product} ${want.version}`);
  }
  // Without a version: the one in force on the day given, as a request without one gets.
  const today = wasm.schema(undefined, undefined, TODAY);
  const decided = wasm.evaluate({ application: {} }, TODAY);
  assert.equal(today.schema.version, decided.decision.rule_set.version);
  assert.equal(today.schema.product, decided.decision.product);
  const term = today.schema.fields.find((f) => f.kind === 'integer' && f.max === 600);
  assert.ok(term, 'bounds are JSON numbers');
  // Structured answers are plain objects and arrays, like JSON.parse's.
  for (const value of [sets[0], wasm.guidance(sets[0].product, sets[0].version, 'en').rules[0], today.schema]) {
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  }
  assert.equal(wasm.schema('nope').error.code, 'unknown_product');
  assert.equal(wasm.schema(undefined, 'nope').error.code, 'unknown_version');
  assert.equal(wasm.schema(undefined, undefined, '1999-01-01').error.code, 'no_version_in_force');
  assert.deepEqual(wasm.schema(undefined, undefined, 'soon').error.field, 'today');
});

test('the TypeScript declarations name the public API and its types', () => {
  const dts = fs.readFileSync(path.join(ROOT, 'www/pkg/kredo.d.ts'), 'utf8');
  for (const needle of [
    'export function evaluate(request: Request, today?: string', 'export function rulesets(): RulesetsResult',
    'export function schema(product?: string', 'export interface Decision', 'export type EvaluateResult',
    'export interface RuleSetInfo', 'export interface Schema', 'export interface FieldDecl', 'export type Request =',
  ]) {
    assert.ok(dts.includes(needle), `kredo.d.ts has ${needle}`);
  }
});
