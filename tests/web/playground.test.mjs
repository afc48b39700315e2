// End to end in Debian's chromium: the rule playground (www/playground.html) as a static page.
// A maintainer breaks a rule and sees the problem at its line; fixes it and every case passes;
// moves a boundary and sees exactly the boundary's case fail; tries an application in the
// form; downloads the edited version as a zip. axe-core on each state, and by keyboard.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';
import { openPage, axe, launch } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const ARTIFACTS = path.join(HERE, 'artifacts');
const RULE = 'rules/amount_above_max.rhai';
// The file as stored (the 2025 version inherits it from 2020-07-03).
const ORIGINAL = fs.readFileSync(path.join(ROOT, 'rules/impulskrediet/2020-07-03', RULE), 'utf8');
const CASES = JSON.parse(fs.readFileSync(path.join(ROOT, 'rules/impulskrediet/2025-01-01/cases.json'), 'utf8'));

let server;
let browser;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(viewport = { width: 1280, height: 900 }) {
  const opened = await openPage(browser, { viewport, acceptDownloads: true });
  await opened.page.goto(`${server.url}playground.html?product=impulskrediet&version=2025-01-01&file=${RULE}`);
  await opened.page.waitForSelector('#compile-status[data-state="ok"]');
  return opened;
}

/** Replaces the open file's text the way a paste does. */
async function replaceText(page, text) {
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/** The 1-based line of the editor that holds the error's underline, and its text. */
async function marked(page) {
  await page.waitForSelector('#editor .cm-lintRange-error');
  return page.evaluate(() => {
    const range = document.querySelector('#editor .cm-lintRange-error');
    const lines = [...document.querySelectorAll('#editor .cm-content > .cm-line')];
    return { line: lines.indexOf(range.closest('.cm-line')) + 1, text: range.textContent };
  });
}

test('break a rule: the problem shows at its line; fix it: every case passes', async () => {
  const { context, page, problems } = await open();
  try {
    assert.equal(await page.textContent('#file-name'), RULE);
    assert.equal(await page.textContent('#cases-summary'), `All ${CASES.length} cases pass.`);
    const hash = await page.textContent('#hash');
    await axe(page, 'playground loaded');

    // A misspelt parameter on line 6.
    const broken = ORIGINAL.replace('> MAX_AMOUNT_EUR', '> MAX_AMOUNT_ERU');
    const line = broken.split('\n').findIndex((l) => l.includes('MAX_AMOUNT_ERU')) + 1;
    const column = broken.split('\n')[line - 1].indexOf('MAX_AMOUNT_ERU') + 1;
    await replaceText(page, broken);
    await page.waitForSelector('#compile-status[data-state="error"]');
    assert.deepEqual(await marked(page), { line, text: 'MAX_AMOUNT_ERU' });
    const listed = (await page.textContent('#problems')).replace(/\s+/g, ' ').trim();
    assert.equal(listed, `impulskrediet/2025-01-01/${RULE}:${line}:${column}: unknown variable \`MAX_AMOUNT_ERU\` (did you mean \`MAX_AMOUNT_EUR\`?)`);
    assert.match(await page.textContent(`button[data-path="${RULE}"]`), /edited.*has problems/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-problem.png'), fullPage: true });
    await axe(page, 'playground with a problem');

    // Fixed: it compiles again, to the published hash, and every case passes.
    await replaceText(page, ORIGINAL);
    await page.waitForSelector('#compile-status[data-state="ok"]');
    assert.equal(await page.locator('#editor .cm-lintRange-error').count(), 0);
    assert.equal(await page.textContent('#cases-summary'), `All ${CASES.length} cases pass.`);
    assert.equal(await page.textContent('#hash'), hash);
    assert.equal(await page.locator('#cases tr[data-passed="true"]').count(), CASES.length);

    // A boundary moved: only the case at exactly the maximum changes, and fails.
    await replaceText(page, ORIGINAL.replace('> MAX_AMOUNT_EUR', '>= MAX_AMOUNT_EUR'));
    await page.waitForFunction(() => document.querySelector('#cases-summary').dataset.state === 'error');
    const atMaximum = CASES.filter((c) => ['25000', '25000.00'].includes(String(c.application.amount_requested_eur)));
    assert.equal(await page.textContent('#cases-summary'), `${atMaximum.length} of ${CASES.length} cases fail.`);
    const failed = await page.$$eval('#cases tr[data-passed="false"]', (rows) => rows.map((r) => r.dataset.case));
    assert.deepEqual(failed, atMaximum.map((c) => c.name));
    assert.notEqual(await page.textContent('#hash'), hash);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('try one application from a case, and download the edited version as a zip', async () => {
  const { context, page, problems } = await open();
  try {
    const index = CASES.findIndex((c) => c.expected.outcome === 'ineligible');
    assert.ok(index >= 0);
    await page.selectOption('#from-case', String(index));
    await page.click('#decide');
    await page.waitForSelector('#try-outcome');
    assert.equal(await page.getAttribute('#try-outcome', 'data-outcome'), CASES[index].expected.outcome);
    const reasons = await page.$$eval('#try-result li code', (codes) => codes.map((c) => c.textContent));
    assert.deepEqual([...reasons].sort(), [...CASES[index].expected.reasons].sort());
    await axe(page, 'playground with a decision');

    const changed = ORIGINAL.replace('// Seed 002', '// Edited in the playground. Seed 002');
    await replaceText(page, changed);
    await page.waitForSelector('#compile-status[data-state="ok"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'impulskrediet-2025-01-01.zip');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kredo-zip-'));
    const file = path.join(dir, 'v.zip');
    await download.saveAs(file);
    // `unzip` checks every entry's CRC while it extracts.
    execFileSync('unzip', ['-q', file, '-d', dir]);
    const version = path.join(dir, 'impulskrediet/2025-01-01');
    assert.equal(fs.readFileSync(path.join(version, RULE), 'utf8'), changed);
    // The version's own files (those it stores itself) are all there, unchanged.
    for (const own of ['manifest.json', 'cases.json']) {
      assert.equal(
        fs.readFileSync(path.join(version, own), 'utf8'),
        fs.readFileSync(path.join(ROOT, 'rules/impulskrediet/2025-01-01', own), 'utf8'),
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('by keyboard on a phone: the files, the editor (Tab leaves it) and the cases', async () => {
  const { context, page, problems } = await open({ width: 390, height: 844 });
  try {
    await page.focus('#version');
    // Tab reaches a file button; Enter opens it.
    let reached = null;
    for (let i = 0; i < 6 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.dataset?.path ?? null);
    }
    assert.ok(reached, 'a file button is reachable by Tab');
    await page.keyboard.press('Enter');
    assert.equal(await page.textContent('#file-name'), reached);
    // The editor takes focus and gives it back on Tab.
    await page.focus('#editor .cm-content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => Boolean(document.activeElement.closest('.cm-editor'))), false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-phone.png'), fullPage: false });
    await axe(page, 'playground on a phone');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
