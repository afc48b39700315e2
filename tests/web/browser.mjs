// What every browser test file shares: a fresh page that records its errors, and axe-core.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { CHROMIUM_ARGS } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** WCAG 2.2 A and AA, and axe-core's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * A new context and page (`options` as for `browser.newContext`, plus `now`: a fixed clock),
 * with `problems` collecting page errors and console errors: a test ends asserting it is empty.
 */
export async function openPage(browser, { now, ...options } = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  if (now) await page.clock.setFixedTime(now);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { context, page, problems };
}

/** Fails with every axe-core violation on the page, each with its elements and why. */
export async function axe(page, label) {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`.trim()).join(' | ')}`);
  assert.deepEqual(found, [], `axe-core violations on ${label}`);
}

/** Debian's chromium, headless, as every browser test runs it. */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** The page's own engine (`<www>/pkg`) in Node, with the rule sets the page loads
 * (`<www>/rules.json`): for the texts, hashes and decisions a page must show. */
export async function nodeEngine(www = path.join(ROOT, 'www')) {
  const engine = await import(path.join(www, 'pkg/kredo.js'));
  engine.initSync({ module: fs.readFileSync(path.join(www, 'pkg/kredo_bg.wasm')) });
  const loaded = engine.load_rules(fs.readFileSync(path.join(www, 'rules.json'), 'utf8'));
  if (loaded.ok !== true) throw new Error(`${www}/rules.json: ${loaded.error.message}`);
  return engine;
}
