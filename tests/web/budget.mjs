// Measures the self-check page's budgets and prints them (run by .ci/budget-web; not a test):
//   1. transfer size of the page (HTML + JS + CSS + wasm), brotli quality 11  ≤ 400 KB
//   2. navigation → first decision possible (wasm instantiated, rule sets compiled), headless
//      chromium, cold cache                                                   ≤ 300 ms
//   3. one decision in the page vs the native library, on the same requests  ≤ 2×
// Exits 1 when a budget is exceeded.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, WWW, CHROMIUM_ARGS } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TODAY = '2026-11-22';
const BUDGET = { bytes: 400 * 1000, readyMs: 300, ratio: 2 };
const LOADS = 15;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let over = false;
const verdict = (ok) => { if (!ok) over = true; return ok ? 'ok' : 'OVER BUDGET'; };

// 1. Transfer size: every file the page loads (the test of the page checks that list).
const files = ['index.html', 'css/app.css', 'js/app.js', 'js/i18n.js', 'js/questions.js', 'pkg/kredo.js', 'pkg/kredo_bg.wasm'];
let total = 0;
console.log('transfer size (brotli, quality 11):');
for (const f of files) {
  const raw = fs.readFileSync(path.join(WWW, f));
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  total += br;
  console.log(`  ${f.padEnd(22)} ${String(raw.length).padStart(9)} B raw ${String(br).padStart(8)} B brotli`);
}
console.log(`  total ${(total / 1000).toFixed(1)} KB (budget ${BUDGET.bytes / 1000} KB): ${verdict(total <= BUDGET.bytes)}`);

// Requests to time: every case of every version, in three languages, from the native side.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kredo-budget-'));
const native = (...args) => execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'web-native', '--', ...args], {
  cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'],
});
const requests = [];
for (const product of fs.readdirSync(path.join(ROOT, 'rules')).filter((p) => fs.statSync(path.join(ROOT, 'rules', p)).isDirectory())) {
  for (const version of fs.readdirSync(path.join(ROOT, 'rules', product))) {
    const file = path.join(ROOT, 'rules', product, version, 'cases.json');
    if (fs.existsSync(file)) requests.push(...native('--cases', product, file).split('\n').filter(Boolean));
  }
}
const file = path.join(tmp, 'requests.jsonl');
fs.writeFileSync(file, `${requests.join('\n')}\n`);

const server = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
try {
  // 2. Navigation to first decision possible, each load in a fresh context (cold HTTP cache).
  const ready = [];
  for (let i = 0; i < LOADS; i += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}#/nl`);
    await page.waitForSelector('html[data-engine="ready"]');
    ready.push(await page.evaluate(() => performance.getEntriesByName('kredo-ready')[0].startTime));
    await context.close();
  }
  const readyMedian = median(ready);
  console.log(`navigation → first decision possible (${LOADS} cold loads): median ${readyMedian.toFixed(0)} ms, `
    + `min ${Math.min(...ready).toFixed(0)} ms, max ${Math.max(...ready).toFixed(0)} ms (budget ${BUDGET.readyMs} ms): ${verdict(readyMedian <= BUDGET.readyMs)}`);

  // 3. One decision: the page's engine on the same request texts as the native library.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}#/nl`);
  await page.waitForSelector('html[data-engine="ready"]');
  const inPage = await page.evaluate(async ({ lines, today }) => {
    const m = await import('/pkg/kredo.js');
    const round = () => { for (const l of lines) m.evaluate_json(l, today); };
    const first = performance.now();
    m.evaluate_json(lines[0], today);
    const firstMs = performance.now() - first;
    for (let i = 0; i < 10; i += 1) round(); // let V8 tier the wasm up, as in a page in use
    const rounds = [];
    for (let i = 0; i < 7; i += 1) {
      const t = performance.now();
      round();
      rounds.push(((performance.now() - t) * 1000) / lines.length);
    }
    const objects = lines.slice(0, 200).map((l) => JSON.parse(l));
    const t = performance.now();
    for (let i = 0; i < 5; i += 1) for (const o of objects) m.evaluate(o, today);
    const objectUs = ((performance.now() - t) * 1000) / (5 * objects.length);
    return { firstMs, rounds, objectUs };
  }, { lines: requests, today: TODAY });
  await context.close();
  const pageUs = median(inPage.rounds);
  const nativeRuns = [0, 1, 2].map(() => Number(native('--bench', '20', file, TODAY).trim()));
  const nativeUs = median(nativeRuns);
  const ratio = pageUs / nativeUs;
  console.log(`one decision over ${requests.length} case requests: page ${pageUs.toFixed(1)} µs (evaluate_json, warm), `
    + `native ${nativeUs.toFixed(1)} µs (release), ratio ${ratio.toFixed(2)}× (budget ${BUDGET.ratio}×): ${verdict(ratio <= BUDGET.ratio)}`);
  console.log(`  first decision in the page ${inPage.firstMs.toFixed(1)} ms; evaluate(object) incl. JS conversion ${inPage.objectUs.toFixed(1)} µs`);
} finally {
  await browser.close();
  await server.close();
}
process.exit(over ? 1 : 0);
