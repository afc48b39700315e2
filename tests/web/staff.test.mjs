// End to end in Debian's chromium: the intake staff's screen (/staff/) on a real `kredo serve`
// with its own audit store and staff token, walked through with the keyboard where a person
// would: sign in, the intake form (built from the field declarations, the scorecard's fields
// included), the decision with its trace and score, a staff decision with its confirm step
// (an override), the case's history, the cases list with its filters and paging, and a batch
// with its report; in nl, fr and en, with axe-core on every view. Screenshots go to
// tests/web/artifacts/staff-*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './server.mjs';
import { openPage, axe } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const ARTIFACTS = path.join(HERE, 'artifacts');
const BIN = process.env.KREDO_BIN ? path.resolve(ROOT, process.env.KREDO_BIN) : path.join(ROOT, 'target/debug/kredo');
/** The first day of the version with the scorecard. */
const SCORED = '2026-12-01';

let browser;
let server;
let base;
let token;
let dir;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kredo-staff-'));
  const db = path.join(dir, 'k.db');
  const add = spawnSync(BIN, ['staff', 'add', 'An Peeters', '--db', db], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  token = add.stdout.trim();
  server = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--db', db, '--www', path.join(ROOT, 'www')], { cwd: ROOT });
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`kredo serve exited with ${code}`)));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function open(lang = 'en') {
  const { context, page, problems } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/staff/`);
  await page.waitForSelector('main h1');
  if (lang !== 'nl') {
    await page.click(`.lang-nav a[lang="${lang}"]`);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  }
  return { context, page, problems };
}


const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `staff-${name}.png`), fullPage: true });
const heading = (page) => page.locator('main h1').innerText();

async function signIn(page, value = token) {
  await page.waitForSelector('#token');
  await page.focus('#token');
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}

test('sign in refuses a wrong token and keeps a right one in the tab only', async () => {
  const { context, page, problems } = await open('en');
  assert.equal(await heading(page), 'Staff sign-in');
  await axe(page, 'sign-in');
  await page.keyboard.press('Tab'); // the skip link first
  await signIn(page, 'kredo_st_wrong');
  await page.waitForSelector('.error-summary');
  assert.match(await page.locator('.error-summary').innerText(), /not accepted/);
  assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
  await axe(page, 'sign-in error');
  await shot(page, 'signin-error');
  await page.fill('#token', '');
  await signIn(page);
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Cases');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('kredo.staff.token')?.slice(0, 9)), 'kredo_st_');
  // The refused token's 401 is the only error the browser logged.
  assert.deepEqual(problems.splice(0), ['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  // A new tab (a new session) has to sign in again.
  const other = await context.newPage();
  await other.goto(`${base}/staff/#/cases`);
  await other.waitForSelector('#token');
  assert.deepEqual(problems, []);
  await context.close();
});

for (const lang of ['en', 'nl', 'fr']) {
  test(`${lang}: intake, decision with trace and score, an override confirmed, the history`, async () => {
    const { context, page, problems } = await open(lang);
    await signIn(page);
    await page.waitForSelector('table, main p');
    await page.click('.staff-nav a[href="#/new"]');
    await page.waitForSelector('#f-legal_form');
    // Judge as of the scorecard's first day: the form is rebuilt for that version.
    await page.fill('#as-of', SCORED);
    await page.click('#load-form');
    await page.waitForSelector('#f-market_evidence');
    await axe(page, `${lang} intake form`);
    // Every field of the version is asked: the contract's and the scorecard's.
    const schema = await (await fetch(`${base}/api/v1/schema?as_of=${SCORED}`)).json();
    for (const f of schema.fields) {
      const selector = f.kind === 'purposes' ? '#p-cat-0' : `#f-${f.name}`;
      assert.equal(await page.locator(selector).count(), 1, `${f.name} is asked`);
    }
    const label = await page.locator('label[for="f-market_evidence"]').innerText();
    assert.equal(label, schema.fields.find((f) => f.name === 'market_evidence').text[lang].label);
    await page.selectOption('#f-legal_form', 'eenmanszaak');
    await page.selectOption('#f-region', 'flanders');
    await page.selectOption('#f-business_status', 'started');
    await page.selectOption('#f-activity_type', 'main');
    await page.fill('#f-amount_requested_eur', '10000');
    await page.fill('#f-term_months', '36');
    await page.selectOption('#p-cat-0', 'investment');
    await page.fill('#p-amt-0', '10000');
    await page.fill('#f-projected_monthly_net_cashflow_eur', '1000');
    await page.fill('#f-existing_monthly_debt_service_eur', '0');
    await page.selectOption('#f-market_evidence', 'strong');
    await page.selectOption('#f-accepts_coaching', 'true');
    await shot(page, `${lang}-intake`);
    await page.focus('main form button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.summary-list');
    const caseId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
    assert.match(caseId, /^c_[0-9a-f]{16}$/);
    // The decision as the API recorded it, shown in full.
    const history = await (await fetch(`${base}/api/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${token}` } })).json();
    const d = history.entries[0].body.decision;
    assert.equal(d.outcome, 'eligible');
    assert.equal(d.language, lang);
    assert.equal(d.rule_set.version, SCORED);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(d.rule_set.hash));
    for (const s of d.skipped) assert.ok(text.includes(s.id), `skipped ${s.id} shown`);
    // The score: total and band, every attribute, the reasons with their texts.
    assert.ok(d.score, 'scored');
    // Coverage 20 (1,000 >= 1.50 x 308.77), strong market evidence 10, coaching 5; the rest
    // unanswered, so unknown.
    assert.equal(d.score.total, 20 + 10 + 5);
    assert.equal(d.score.band, 'D');
    assert.ok(text.includes(`${d.score.total} / 100`));
    for (const r of d.score.reasons) assert.ok(text.includes(r.message), `reason ${r.id} shown`);
    // The other lenders, as the public check answers every product for the same answers now.
    const all = await (await fetch(`${base}/api/v1/check`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product: '*', as_of: d.as_of, language: lang, application: d.normalized }),
    })).json();
    const others = all.referrals.filter((r) => r.product !== d.product);
    assert.ok(others.length > 0, JSON.stringify(all.referrals));
    await page.waitForSelector('tr[data-product]');
    assert.deepEqual(await page.$$eval('tr[data-product]', (rs) => rs.map((r) => r.dataset.product)), others.map((r) => r.product));
    for (const r of others) assert.ok((await page.locator(`tr[data-product="${r.product}"]`).innerText()).includes(r.message));
    await axe(page, `${lang} case`);
    await shot(page, `${lang}-case`);

    // Declining an eligible case is an override: the confirm step says so.
    await page.focus('#d-decline');
    await page.keyboard.press('Space');
    await page.fill('#motivation', 'Projections not credible yet.');
    await page.click('main form button[type="submit"]');
    await page.waitForSelector('.notice--warning');
    await axe(page, `${lang} confirm`);
    await shot(page, `${lang}-confirm`);
    // Back keeps the answers; then confirm.
    await page.click('.box .button--secondary');
    assert.equal(await page.locator('#d-decline').isChecked(), true);
    await page.click('main form button[type="submit"]');
    await page.click('.box .button--warning');
    await page.waitForSelector('.notice[role="status"]');
    const after = await (await fetch(`${base}/api/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.equal(after.entries.length, 2);
    assert.equal(after.entries[1].body.decision, 'decline');
    assert.equal(after.entries[1].body.override, true);
    assert.equal(await page.locator('.history li').count(), 2);
    assert.equal(await page.locator('.history .tag--override').count(), 1, await page.locator('.history').innerHTML());
    await axe(page, `${lang} case decided`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the decision form asks for what is missing, then the cases list filters and pages', async () => {
  const { context, page, problems } = await open('en');
  await signIn(page);
  const auth = { authorization: `Bearer ${token}` };
  const count = async () => (await (await fetch(`${base}/api/v1/cases?limit=200`, { headers: auth })).json()).cases.length;
  const earlier = await count();
  // Three more cases through the API, two ineligible.
  const created = [];
  for (const application of [
    { legal_form: 'vzw', region: 'flanders', business_status: 'started', activity_type: 'main', amount_requested_eur: '9000', term_months: 36, funding_purposes: [{ category: 'investment', amount_eur: '9000' }] },
    { legal_form: 'BV', region: 'flanders', business_status: 'started', activity_type: 'main', amount_requested_eur: '5000', term_months: 24, funding_purposes: [{ category: 'investment', amount_eur: '5000' }] },
    { legal_form: 'BV', region: 'flanders', business_status: 'started', activity_type: 'main', amount_requested_eur: '30000', term_months: 36, funding_purposes: [{ category: 'investment', amount_eur: '30000' }] },
  ]) {
    const res = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ as_of: SCORED, language: 'en', score: true, application }),
    });
    assert.equal(res.status, 201);
    created.push((await res.json()).case_id);
  }
  // Reload the list: it was shown before these two were recorded.
  await page.goto(`${base}/staff/#/cases?limit=50`);
  const rows = earlier + 3;
  await page.waitForFunction((n) => document.querySelectorAll('main tbody tr').length === n, rows);
  await axe(page, 'cases list');
  await shot(page, 'cases');
  // Filter by outcome with the keyboard.
  await page.focus('#f-outcome');
  await page.selectOption('#f-outcome', 'ineligible');
  // Enter in a text box of the filters submits them.
  await page.focus('#f-staff');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('outcome=ineligible'));
  await page.waitForSelector('main tbody tr');
  const outcomes = await page.locator('main tbody .tag').allInnerTexts();
  assert.deepEqual([...new Set(outcomes)], ['probably not eligible']);
  // Paging: one a page, following "Older cases" to the end.
  await page.goto(`${base}/staff/#/cases?limit=1`);
  let seen = 0;
  for (;;) {
    await page.waitForSelector('main tbody tr');
    seen += 1;
    const older = page.locator('main a.button', { hasText: 'Older cases' });
    if (!(await older.count())) break;
    await older.click();
    await page.waitForFunction((n) => location.hash.includes('before='), seen);
  }
  assert.equal(seen, rows);
  const first = await page.locator('main tbody a').first().getAttribute('href');
  // The case asking 30,000 EUR: what would change the outcome is listed with its change.
  await page.goto(`${base}/staff/#/case/${created[2]}`);
  await page.waitForSelector('main table');
  const main = await page.locator('main').innerText();
  assert.ok(main.includes('What would change the outcome'), main);
  assert.ok(main.includes('amount_requested_eur = 25000.00'), main);
  assert.ok(main.includes('If you ask for 25,000.00 EUR or less'), main);
  await axe(page, 'case with suggestions');
  await shot(page, 'case-suggestions');
  // The decision form refuses an empty motivation, with a summary that links to the field.
  await page.goto(`${base}/staff/${first}`);
  await page.waitForSelector('#d-approve');
  await page.click('#d-approve');
  await page.click('main form button[type="submit"]');
  await page.waitForSelector('.error-summary');
  assert.match(await page.locator('.error-summary').innerText(), /Write a motivation/);
  await axe(page, 'decision form error');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a batch returns its CSV and its report', async () => {
  const { context, page, problems } = await open('fr');
  await signIn(page);
  await page.click('.staff-nav a[href="#/batch"]');
  await page.waitForSelector('#csv');
  await axe(page, 'batch form');
  const synth = spawnSync(BIN, ['synth', '40', '--seed', '5'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(synth.status, 0, synth.stderr);
  const csv = path.join(dir, 'lot.csv');
  fs.writeFileSync(csv, synth.stdout);
  await page.setInputFiles('#csv', csv);
  await page.fill('#b-as-of', SCORED);
  await page.click('main form button[type="submit"]');
  await page.waitForSelector('.box h2');
  assert.match(await page.locator('.box h2').innerText(), /^40 lignes/);
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('a[download$="-kredo.csv"]')]);
  const out = fs.readFileSync(await csvDownload.path(), 'utf8');
  assert.ok(out.split('\n')[0].endsWith('score_total,score_band,score_reasons'));
  assert.equal(out.trim().split('\n').length, 41);
  const [reportDownload] = await Promise.all([page.waitForEvent('download'), page.click('a[download$="-report.html"]')]);
  const report = fs.readFileSync(await reportDownload.path(), 'utf8');
  assert.ok(report.startsWith('<!doctype html>'));
  assert.ok(report.includes('<html lang="fr">'));
  assert.ok(!report.includes('<script'));
  await axe(page, 'batch done');
  await shot(page, 'batch');
  assert.deepEqual(problems, []);
  await context.close();
});
