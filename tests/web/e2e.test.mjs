// End to end in Debian's chromium: the self-check page with the real wasm engine, walked through
// eligible, flagged, review, ineligible and invalid paths in nl, fr and en, with axe-core on
// every step, every error state and every result; then the same page built over a rules tree
// with a fixture product that declares a field of its own (KREDO_DEMO_WWW, made by
// .ci/test-web), and the page served by `kredo serve --rules` over edited rules. Screenshots go to
// tests/web/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';
import { openPage, axe, launch, nodeEngine } from './browser.mjs';
import { TEXTS, LANGS } from '../../www/js/i18n.js';
import { spawn } from 'node:child_process';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const ARTIFACTS = path.join(HERE, 'artifacts');
const NOW = new Date('2026-11-22T10:00:00+01:00');
const TODAY = '2026-11-22';
/** The page built over rules/ plus the fixture product `demo`; see .ci/test-web. */
const DEMO_WWW = process.env.KREDO_DEMO_WWW ? path.resolve(ROOT, process.env.KREDO_DEMO_WWW) : null;

let browser;
let server;
let engine;
/** The question pages and fields of the default product today, from the engine's schema. */
let PAGES;
let FIELDS;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  browser = await launch();
  engine = await nodeEngine();
  const answer = engine.schema(undefined, undefined, TODAY);
  assert.equal(answer.ok, true);
  PAGES = answer.schema.pages;
  FIELDS = Object.fromEntries(answer.schema.fields.map((f) => [f.name, f]));
  // The other products in force add their own pages, last (their fields are not asked yet).
  const products = [...new Set(engine.rulesets().rulesets.map((r) => r.product))].filter((p) => p !== answer.schema.product);
  for (const product of products) {
    const other = engine.schema(product, undefined, TODAY);
    if (!other.ok) continue;
    for (const p of other.schema.pages) {
      const fresh = p.fields.filter((f) => !FIELDS[f]);
      if (!fresh.length || PAGES.some((q) => q.id === p.id)) continue;
      PAGES = [...PAGES, { ...p, fields: fresh }];
      for (const f of other.schema.fields) if (fresh.includes(f.name)) FIELDS[f.name] = f;
    }
  }
});

/** A field's texts in a language, as declared in the rule set. */
function field(lang, name) {
  return FIELDS[name].text[lang];
}

after(async () => {
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------- helpers

function open({ width = 1024, height = 800 } = {}) {
  return openPage(browser, { viewport: { width, height }, locale: 'nl-BE', now: NOW });
}


async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function view(page, kind, pageId) {
  const selector = pageId ? `main[data-view="${kind}"][data-page="${pageId}"]` : `main[data-view="${kind}"]`;
  await page.waitForSelector(selector);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
}

/** The answers of an applicant who can probably apply. */
const ELIGIBLE = {
  legal_form: 'eenmanszaak', region: 'flanders', business_status: 'not_started', activity_type: 'main',
  amount: '10000', term: '36', purposes: { investment: null }, bank: 'refused',
  debt_settlement: 'no', bankruptcy: 'none', arrears: 'no', plan: 'complete', cashflow: '1000', nace: '62.010', age: '30',
};

async function answer(page, id, a) {
  switch (id) {
    case 'legal-form': await page.check(`#f-legal_form-${a.legal_form}`); break;
    case 'region': await page.check(`#f-region-${a.region}`); break;
    case 'activity':
      await page.check(`#f-business_status-${a.business_status}`);
      await page.check(`#f-activity_type-${a.activity_type}`);
      break;
    case 'loan':
      await page.fill('#f-amount_requested_eur', a.amount);
      await page.fill('#f-term_months', a.term);
      break;
    case 'purposes':
      for (const [c, amount] of Object.entries(a.purposes)) {
        await page.check(`#f-purpose-${c}`);
        if (amount !== null) await page.fill(`#f-purpose-${c}-amount`, amount);
      }
      break;
    case 'bank': await page.check(`#f-bank_credit_status-${a.bank}`); break;
    case 'debts':
      await page.check(`#f-in_collective_debt_settlement-${a.debt_settlement}`);
      await page.check(`#f-bankruptcy_status-${a.bankruptcy}`);
      await page.check(`#f-has_tax_or_social_arrears-${a.arrears}`);
      break;
    case 'plan':
      await page.check(`#f-business_plan_status-${a.plan}`);
      await page.fill('#f-projected_monthly_net_cashflow_eur', a.cashflow);
      await page.fill('#f-nace_code', a.nace);
      break;
    case 'age': await page.fill('#f-applicant_age_years', a.age); break;
    case 'business-start': await page.fill('#f-business_start_date', a.start ?? ''); break;
    case 'own-funds': await page.fill('#f-co_financing_eur', a.own ?? ''); break;
    default: throw new Error(`no page ${id}`);
  }
}

async function start(page, lang, base = server.url) {
  await page.goto(`${base}#/${lang}`);
  await page.waitForSelector('html[data-engine="ready"]');
  await view(page, 'start');
}

/** Answers every question page from the start page on, then opens check-your-answers. */
async function walk(page, lang, a, { axeEach = false, label = '' } = {}) {
  if (axeEach) await axe(page, `${lang} start`);
  await page.click('#start-button');
  for (const p of PAGES) {
    // An answer that rules the product out stops the check early; the walk goes on past it.
    await page.waitForFunction((id) => {
      const m = document.querySelector('main');
      return m.dataset.view === 'stop' || (m.dataset.view === 'question' && m.dataset.page === id);
    }, p.id);
    if (await page.getAttribute('main', 'data-view') === 'stop') {
      if (axeEach) await axe(page, `${lang} stop before ${p.id} ${label}`);
      await page.click('#stop-continue');
    }
    await view(page, 'question', p.id);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', `focus on the heading of ${p.id}`);
    if (axeEach) await axe(page, `${lang} ${p.id} ${label}`);
    await answer(page, p.id, a);
    await page.click('#continue');
  }
  await view(page, 'check');
  if (axeEach) await axe(page, `${lang} check answers ${label}`);
}

async function result(page) {
  await page.click('#see-result');
  await view(page, 'result');
  await page.waitForSelector('#outcome');
}

function money(lang, text) {
  const locale = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-IE' }[lang];
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(Number(text));
}

function norm(text) {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
}

/** Checks the result page against the engine's own answer for the same application. */
async function checkResult(page, lang, outcome, reasons, { instalment }) {
  const T = TEXTS[lang];
  assert.equal(await page.getAttribute('#outcome', 'data-outcome'), outcome);
  assert.equal(norm(await page.textContent('#outcome h1')), T.result[outcome].title);
  assert.equal(await focusedId(page), 'H1', 'focus on the outcome heading');
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
  const body = norm(await page.textContent('main'));
  assert.ok(body.includes(norm(T.result[outcome].text.replace('{lender}', 'Hefboom'))), 'the outcome in plain words');
  assert.ok(body.includes(norm(T.result.next[outcome])), 'what to do next');
  const guidance = engine.guidance('impulskrediet', '2025-01-01', lang);
  assert.equal(guidance.ok, true);
  const shown = await page.$$eval('li.reason', (items) => items.map((li) => li.dataset.reason));
  assert.deepEqual(shown, reasons, 'the reasons shown');
  for (const id of reasons) {
    const g = guidance.rules.find((r) => r.id === id);
    const li = norm(await page.textContent(`li.reason[data-reason="${id}"]`));
    assert.ok(li.includes(norm(g.message)), `${id}: the engine's message in ${lang}`);
    assert.ok(li.includes(norm(g.next_step)), `${id}: the rule set's next step in ${lang}`);
  }
  if (outcome === 'ineligible') {
    assert.equal(await page.$('#instalment'), null, 'no instalment for a loan the applicant probably cannot get');
  } else {
    assert.ok(norm(await page.textContent('#instalment')).includes(norm(money(lang, instalment))), 'the indicative monthly instalment');
  }
  assert.equal(await page.textContent('#rule-set-version'), '2025-01-01');
  const sets = engine.rulesets().rulesets;
  assert.equal(await page.textContent('#rule-set-hash'), sets.find((s) => s.product === 'impulskrediet' && s.version === '2025-01-01').hash);
  assert.equal(await page.$('.error-summary'), null, 'an outcome is never a form error');
}

// ---------------------------------------------------------------- paths in each language

const PATHS = [
  { name: 'eligible', answers: ELIGIBLE, outcome: 'eligible', reasons: [], instalment: '308.77' },
  { name: 'flagged', answers: { ...ELIGIBLE, nace: '56.101' }, outcome: 'flagged', reasons: ['RISK_SECTOR'], instalment: '308.77' },
  { name: 'review', answers: { ...ELIGIBLE, region: 'brussels' }, outcome: 'review', reasons: ['REGION_BRUSSELS_CHECK'], instalment: '308.77' },
  {
    name: 'ineligible', answers: { ...ELIGIBLE, amount: '30000', cashflow: '2000' }, outcome: 'ineligible',
    reasons: ['AMOUNT_ABOVE_MAX'], instalment: '926.31',
  },
];

for (const lang of LANGS) {
  for (const p of PATHS) {
    test(`${lang}: ${p.name} path`, async () => {
      const { context, page, problems } = await open();
      try {
        await start(page, lang);
        await walk(page, lang, p.answers, { axeEach: p.name === 'eligible', label: p.name });
        await result(page);
        await checkResult(page, lang, p.outcome, p.reasons, p);
        await axe(page, `${lang} result ${p.name}`);
        await shot(page, `${lang}-${p.name}-result`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test(`${lang}: invalid answers get inline messages and a focused error summary`, async () => {
    const T = TEXTS[lang];
    const { context, page, problems } = await open();
    try {
      await start(page, lang);
      await page.click('#start-button');
      await view(page, 'question', 'legal-form');
      // Nothing chosen.
      await page.click('#continue');
      await page.waitForSelector('#error-summary');
      assert.equal(await focusedId(page), 'error-summary');
      assert.ok((await page.title()).startsWith(T.errorPrefix));
      assert.equal(norm(await page.textContent('#f-legal_form-error')), norm(`${T.errorLabel} ${field(lang, 'legal_form').errors.required}`));
      await axe(page, `${lang} legal form error`);
      await shot(page, `${lang}-invalid-required`);
      await page.click('#error-summary a');
      assert.equal(await focusedId(page), 'f-legal_form-eenmanszaak', 'the summary link moves focus to the field');
      await answer(page, 'legal-form', ELIGIBLE);
      await page.click('#continue');
      for (const id of ['region', 'activity']) {
        await view(page, 'question', id);
        await answer(page, id, ELIGIBLE);
        await page.click('#continue');
      }
      // An amount in words and a term that is not a whole number of months.
      await view(page, 'question', 'loan');
      await page.fill('#f-amount_requested_eur', '25 duizend');
      await page.fill('#f-term_months', '36.5');
      await page.click('#continue');
      await page.waitForSelector('#error-summary');
      assert.equal(await focusedId(page), 'error-summary');
      const summary = (await page.$$eval('#error-summary li', (items) => items.map((li) => li.textContent))).map(norm);
      const formats = [T.read.moneyFormat, T.read.termFormat];
      assert.deepEqual(summary, formats.map(norm));
      assert.ok(norm(await page.textContent('#f-amount_requested_eur-error')).includes(norm(formats[0])));
      assert.equal(await page.inputValue('#f-amount_requested_eur'), '25 duizend', 'what was typed is kept');
      await axe(page, `${lang} loan errors`);
      await shot(page, `${lang}-invalid-loan`);
      await page.fill('#f-amount_requested_eur', '12500');
      await page.fill('#f-term_months', '48');
      await page.click('#continue');
      // A purpose without an amount.
      await view(page, 'question', 'purposes');
      await page.check('#f-purpose-investment');
      assert.equal(await page.inputValue('#f-purpose-investment-amount'), '12500', 'the first purpose defaults to the whole amount');
      await page.check('#f-purpose-working_capital');
      await page.click('#continue');
      await page.waitForSelector('#error-summary');
      assert.equal(await focusedId(page), 'error-summary');
      await axe(page, `${lang} purposes error`);
      await shot(page, `${lang}-invalid-purposes`);
      await page.fill('#f-purpose-investment-amount', '10000');
      await page.fill('#f-purpose-working_capital-amount', '2500');
      await page.click('#continue');
      await view(page, 'question', 'bank');
      // An optional answer written wrongly.
      for (const id of ['bank', 'debts']) {
        await view(page, 'question', id);
        await answer(page, id, ELIGIBLE);
        await page.click('#continue');
      }
      await view(page, 'question', 'plan');
      await answer(page, 'plan', { ...ELIGIBLE, nace: '56.10', cashflow: '1.000' });
      await page.click('#continue');
      await page.waitForSelector('#error-summary');
      assert.equal((await page.$$('#error-summary li')).length, 2);
      await axe(page, `${lang} plan errors`);
      await page.fill('#f-nace_code', '');
      await page.fill('#f-projected_monthly_net_cashflow_eur', '');
      await page.click('#continue');
      // The age, then the other lenders' own optional questions: left empty.
      for (const p of PAGES.slice(PAGES.findIndex((q) => q.id === 'age'))) {
        await view(page, 'question', p.id);
        await page.click('#continue');
      }
      await view(page, 'check');
      await result(page);
      assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'eligible');
      assert.equal(await page.getAttribute('#outcome', 'data-open'), 'true', 'not presented as a clean pass');
      assert.ok(norm(await page.textContent('#open-checks')).includes(norm(T.open.text)), 'the checks left open are listed');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

// ---------------------------------------------------------------- across languages and pages

test('the language switch keeps every answer, typed or continued', async () => {
  const { context, page, problems } = await open();
  try {
    await start(page, 'nl');
    for (const l of ['fr', 'en']) {
      assert.equal(await page.getAttribute(`header a[hreflang="${l}"]`, 'lang'), l);
    }
    assert.equal(await page.getAttribute('header [aria-current="true"]', 'lang'), 'nl');
    await page.click('#start-button');
    await answer(page, 'legal-form', ELIGIBLE);
    await page.click('#continue');
    await view(page, 'question', 'region');
    await answer(page, 'region', { region: 'brussels' }); // chosen, not yet continued
    await page.click('header a[hreflang="en"]');
    await view(page, 'question', 'region');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(norm(await page.textContent('h1')), field('en', 'region').label);
    assert.equal(await page.isChecked('#f-region-brussels'), true, 'the choice survives the switch');
    assert.equal(await focusedId(page), 'H1');
    await page.click('#continue');
    await view(page, 'question', 'activity');
    await page.click('header a[hreflang="fr"]');
    await view(page, 'question', 'activity');
    await page.click('.back-link');
    await view(page, 'question', 'region');
    assert.equal(await page.isChecked('#f-region-brussels'), true);
    await page.click('.back-link');
    await view(page, 'question', 'legal-form');
    assert.equal(await page.isChecked('#f-legal_form-eenmanszaak'), true);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('change links on check-your-answers keep every other answer', async () => {
  const { context, page, problems } = await open();
  try {
    await start(page, 'en');
    await walk(page, 'en', ELIGIBLE);
    const before = await page.$$eval('.summary-list__value', (dd) => dd.map((d) => d.textContent.trim()));
    await page.click('#change-amount_requested_eur');
    await view(page, 'question', 'loan');
    assert.equal(await page.inputValue('#f-amount_requested_eur'), '10000');
    assert.equal(await page.inputValue('#f-term_months'), '36');
    await page.fill('#f-term_months', '60');
    await page.click('#continue');
    await view(page, 'check');
    const after = await page.$$eval('.summary-list__value', (dd) => dd.map((d) => d.textContent.trim()));
    assert.equal(after.filter((v, i) => v !== before[i]).length, 1, 'only the changed answer differs');
    await page.click('#change-region');
    await view(page, 'question', 'region');
    await page.click('.back-link');
    await view(page, 'check');
    await result(page);
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'eligible');
    await page.click('#change-answers');
    await view(page, 'check');
    assert.deepEqual(await page.$$eval('.summary-list__value', (dd) => dd.map((d) => d.textContent.trim())), after);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('offline after load, and no request carries an answer', async () => {
  const { context, page, problems } = await open();
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() ?? '' }));
  try {
    await start(page, 'fr');
    const loaded = requests.length;
    const files = requests.map((r) => new URL(r.url).pathname).sort();
    assert.deepEqual(files, ['/', '/css/app.css', '/js/app.js', '/js/i18n.js', '/js/questions.js', '/js/read.js', '/pkg/kredo.js', '/pkg/kredo_bg.wasm', '/rules.json']);
    await context.setOffline(true);
    await walk(page, 'fr', { ...ELIGIBLE, amount: '14321', cashflow: '987' });
    await result(page);
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'eligible');
    await page.click('header a[hreflang="nl"]');
    await view(page, 'result');
    assert.equal(norm(await page.textContent('#outcome h1')), TEXTS.nl.result.eligible.title);
    await shot(page, 'offline-result');
    assert.deepEqual(requests.slice(loaded), [], 'no request after the page loaded');
    for (const r of requests) {
      assert.equal(r.method, 'GET');
      for (const secret of ['14321', '987', 'eenmanszaak', 'flanders', '62.010']) {
        assert.ok(!r.url.includes(secret) && !r.body.includes(secret), `${r.url} carries no answer`);
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('reflows at 320 CSS pixels without horizontal scrolling', async () => {
  const { context, page, problems } = await open({ width: 320, height: 640 });
  const fits = async (label) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `${label}: ${width}px wide at 320`);
  };
  try {
    await start(page, 'fr');
    await fits('start');
    await page.click('#start-button');
    for (const p of PAGES) {
      await view(page, 'question', p.id);
      await fits(p.id);
      await answer(page, p.id, { ...ELIGIBLE, region: 'brussels' });
      await page.click('#continue');
    }
    await view(page, 'check');
    await fits('check');
    await axe(page, 'check at 320');
    await result(page);
    await fits('result');
    await axe(page, 'result at 320');
    await shot(page, 'fr-review-result-320px');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('keyboard only: from the start page to a result', async () => {
  const { context, page, problems } = await open();
  const tabTo = async (selector) => {
    for (let i = 0; i < 80; i += 1) {
      if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${selector}`);
  };
  const choose = async (name, value) => {
    await tabTo(`input[name="${name}"]`);
    const values = await page.$$eval(`input[name="${name}"]`, (els) => els.map((e) => e.value));
    await page.keyboard.press('Space');
    for (let i = 0; i < values.indexOf(value); i += 1) await page.keyboard.press('ArrowDown');
    assert.equal(await page.isChecked(`input[name="${name}"][value="${value}"]`), true);
  };
  const type = async (id, text) => {
    await tabTo(`#${id}`);
    await page.keyboard.type(text);
  };
  const next = async () => {
    await tabTo('#continue');
    await page.keyboard.press('Enter');
  };
  try {
    await start(page, 'en');
    await tabTo('#start-button');
    await page.keyboard.press('Enter');
    await view(page, 'question', 'legal-form');
    await choose('legal_form', 'BV');
    await next();
    await view(page, 'question', 'region');
    await choose('region', 'flanders');
    await next();
    await view(page, 'question', 'activity');
    await choose('business_status', 'started');
    await choose('activity_type', 'side');
    await next();
    await view(page, 'question', 'loan');
    await type('f-amount_requested_eur', '8000');
    await type('f-term_months', '24');
    await next();
    await view(page, 'question', 'purposes');
    await tabTo('#f-purpose-working_capital');
    await page.keyboard.press('Space');
    await next();
    for (const id of PAGES.slice(PAGES.findIndex((p) => p.id === 'purposes') + 1).map((p) => p.id)) {
      await view(page, 'question', id);
      await next();
    }
    await view(page, 'check');
    await tabTo('#see-result');
    await page.keyboard.press('Enter');
    await view(page, 'result');
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'eligible');
    await tabTo('#change-answers');
    await page.keyboard.press('Enter');
    await view(page, 'check');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- other lenders and suggestions

/** The application the page builds for ELIGIBLE-style answers (optional pages left empty). */
function application(a) {
  return {
    legal_form: a.legal_form, region: a.region, business_status: a.business_status, activity_type: a.activity_type,
    amount_requested_eur: a.amount, term_months: a.term,
    funding_purposes: Object.keys(a.purposes).map((c) => ({ category: c, amount_eur: a.amount })),
    bank_credit_status: a.bank, in_collective_debt_settlement: a.debt_settlement === 'yes', bankruptcy_status: a.bankruptcy,
    has_tax_or_social_arrears: a.arrears === 'yes', business_plan_status: a.plan, projected_monthly_net_cashflow_eur: a.cashflow,
    nace_code: a.nace, applicant_age_years: a.age,
  };
}

/** From the start page to the result for answers `a`. */
async function resultFor(page, lang, a, base = server.url) {
  await start(page, lang, base);
  await walk(page, lang, a);
  await result(page);
}

for (const lang of LANGS) {
  test(`${lang}: other lenders that may help, from the referrals, each with its why and link`, async () => {
    const a = { ...ELIGIBLE, region: 'wallonia' };
    const all = engine.evaluate({ product: '*', as_of: TODAY, language: lang, application: application(a) }, TODAY);
    assert.equal(all.ok, true);
    const expected = all.decision.referrals.filter((r) => r.product !== 'impulskrediet');
    assert.ok(['microstart', 'credal'].every((p) => expected.some((r) => r.product === p)), JSON.stringify(expected));
    const { context, page, problems } = await open();
    try {
      await resultFor(page, lang, a);
      assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'ineligible');
      const shown = await page.$$eval('li.referral', (items) => items.map((li) => li.dataset.product));
      assert.deepEqual(shown, expected.map((r) => r.product), 'the referrals, best first');
      for (const r of expected) {
        const li = `li.referral[data-product="${r.product}"]`;
        assert.ok(norm(await page.textContent(li)).includes(norm(r.message)), `${r.product}: the why`);
        assert.equal(await page.getAttribute(`${li} a`, 'href'), r.url, `${r.product}: the link`);
      }
      assert.equal(norm(await page.textContent('#referrals-title')), TEXTS[lang].result.referralsTitle);
      await axe(page, `${lang} referrals`);
      await shot(page, `${lang}-referrals`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test(`${lang}: a suggestion re-runs the check with its change, and the applicant can go back`, async () => {
    const a = { ...ELIGIBLE, amount: '30000', cashflow: '2000' };
    const one = engine.evaluate({ product: 'impulskrediet', as_of: TODAY, language: lang, application: application(a) }, TODAY);
    const first = one.decision.suggestions[0];
    assert.equal(first.changes.amount_requested_eur, '25000.00');
    const { context, page, problems } = await open();
    try {
      await resultFor(page, lang, a);
      assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'ineligible');
      assert.equal(norm(await page.textContent('li.suggestion p')), norm(first.message));
      await axe(page, `${lang} suggestions`);
      await shot(page, `${lang}-suggestions`);
      // By keyboard: the button is reached with Tab and pressed with Enter.
      await page.focus('#try-suggestion-0');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#tried-change');
      assert.equal(await page.getAttribute('#outcome', 'data-outcome'), first.outcome);
      assert.equal(await focusedId(page), 'H1', 'focus on the new outcome');
      assert.ok(norm(await page.textContent('#instalment')).includes(norm(money(lang, first.indicative.monthly_instalment_eur))));
      assert.equal(await page.$('#suggestions'), null, 'an eligible result needs no suggestion');
      const tried = norm(await page.textContent('#tried-answers'));
      assert.ok(tried.includes(norm(money(lang, '25000'))), `the notice names the change: ${tried}`);
      await axe(page, `${lang} suggestion tried`);
      await shot(page, `${lang}-suggestion-tried`);
      await page.focus('#undo-change');
      await page.keyboard.press('Space');
      await page.waitForSelector('#tried-change', { state: 'detached' });
      assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'ineligible');
      await page.click('#change-answers');
      await view(page, 'check');
      assert.ok(norm(await page.textContent('main')).includes(norm(money(lang, '30000'))), 'the own answers are back');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

// ---------------------------------------------------------------- a product's own field

test('a product declares a field of its own: the page asks it and decides with it, with no change to its code', {
  skip: DEMO_WWW ? false : 'KREDO_DEMO_WWW is not set (.ci/test-web builds that page)',
}, async () => {
  const demo = await nodeEngine(DEMO_WWW);
  const declared = demo.schema('demo', undefined, TODAY);
  assert.equal(declared.ok, true);
  const own = declared.schema.fields.find((f) => f.name === 'has_accountant');
  const ownPage = declared.schema.pages.find((p) => p.fields.includes('has_accountant'));
  assert.equal(own.kind, 'boolean');
  // The wasm validates the field by its declared kind: a radio cannot send "ja", a request can.
  const application = {
    legal_form: 'eenmanszaak', region: 'flanders', business_status: 'started', activity_type: 'main',
    amount_requested_eur: '8000', term_months: 36, funding_purposes: [{ category: 'investment', amount_eur: '8000' }],
  };
  const invalid = demo.evaluate({ product: 'demo', language: 'en', application: { ...application, has_accountant: 'ja' } }, TODAY);
  assert.equal(invalid.ok, true);
  assert.equal(invalid.decision.outcome, 'invalid');
  assert.deepEqual(invalid.decision.errors.map((e) => e.field), ['has_accountant']);
  const rule = demo.guidance('demo', declared.schema.version, 'en').rules.find((r) => r.id === 'NO_ACCOUNTANT');

  const demoServer = await startServer(DEMO_WWW);
  const { context, page, problems } = await open();
  try {
    await page.goto(`${demoServer.url}?product=demo#/en`);
    await page.waitForSelector('html[data-engine="ready"]');
    await view(page, 'start');
    await page.click('#start-button');
    for (const p of declared.schema.pages) {
      await view(page, 'question', p.id);
      if (p.id !== ownPage.id) {
        await answer(page, p.id, ELIGIBLE); // the contract's questions, as on the eligible path
      } else {
        const h1 = norm(await page.textContent('h1'));
        assert.equal(h1, 'Do you work with an accountant? (optional)');
        assert.equal(h1, `${own.text.en.label} ${TEXTS.en.optional}`, 'the question as declared');
        assert.equal(norm(await page.textContent('#f-has_accountant-hint')), own.text.en.hint);
        assert.equal(await page.title(), `${ownPage.text.en.title} – ${TEXTS.en.service}`);
        assert.deepEqual(await page.$$eval('.radios__label', (ls) => ls.map((l) => l.textContent.trim())), [TEXTS.en.yes, TEXTS.en.no]);
        await axe(page, 'demo accountant question');
        await shot(page, 'demo-accountant-question');
        await page.check('#f-has_accountant-no');
      }
      await page.click('#continue');
    }
    // The other lenders' own optional questions come last: left empty.
    for (const p of PAGES.filter((q) => !declared.schema.pages.some((d) => d.id === q.id) && !q.fields.some((f) => declared.schema.fields.some((d) => d.name === f)))) {
      await view(page, 'question', p.id);
      await page.click('#continue');
    }
    await view(page, 'check');
    const rows = await page.$$eval('.summary-list__row', (rs) => rs.map((r) => [r.querySelector('dt').textContent.trim(), r.querySelector('.summary-list__value').textContent.trim()]));
    assert.ok(rows.some((r) => r[0] === own.text.en.short && r[1] === TEXTS.en.no), JSON.stringify(rows));
    await result(page);
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'flagged');
    assert.deepEqual(await page.$$eval('li.reason', (items) => items.map((li) => li.dataset.reason)), ['NO_ACCOUNTANT']);
    const reason = norm(await page.textContent('li.reason[data-reason="NO_ACCOUNTANT"]'));
    assert.ok(reason.includes('You do not work with an accountant yet.'), reason);
    assert.ok(reason.includes(norm(rule.message)) && reason.includes(norm(rule.next_step)), reason);
    assert.equal(await page.textContent('#rule-set-version'), declared.schema.version);
    await axe(page, 'demo flagged result');
    await shot(page, 'demo-flagged-result');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await demoServer.close();
  }
});

// ---------------------------------------------------------------- one rule set for the page and the API

test('the page decides with the rules its server runs: after an edit under --rules, page and API give the same hash', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kredo-served-rules-'));
  fs.cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  // Hefboom's maximum, 25,000 EUR, becomes 20,000 in the file every Impulskrediet version inherits.
  const params = path.join(dir, 'rules/impulskrediet/2020-07-03/parameters.json');
  const text = fs.readFileSync(params, 'utf8');
  assert.ok(text.includes('"25000.00"'));
  fs.writeFileSync(params, text.replace('"25000.00"', '"20000.00"'));
  const kredo = spawn(path.join(ROOT, 'target/debug/kredo'), [
    'serve', '--addr', '127.0.0.1:0', '--db', path.join(dir, 'k.db'), '--www', path.join(ROOT, 'www'),
    '--rules', path.join(dir, 'rules'), '--quiet',
  ], { cwd: dir });
  const { context, page, problems } = await open();
  try {
    const base = await new Promise((resolve, reject) => {
      let out = '';
      kredo.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (\S+)/);
        if (m) resolve(m[1]);
      });
      kredo.on('exit', (code) => reject(new Error(`kredo serve exited with ${code}`)));
    });
    const a = { ...ELIGIBLE, amount: '22000', cashflow: '3000' };
    const request = { as_of: TODAY, language: 'en', application: application(a) };
    const response = await fetch(`${base}/api/v1/check`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
    });
    const api = await response.json();
    assert.equal(api.outcome, 'ineligible');
    assert.ok(api.reasons.some((r) => r.id === 'AMOUNT_ABOVE_MAX'), JSON.stringify(api.reasons));
    // The rules built into www/ would decide otherwise, with another hash.
    const builtIn = engine.evaluate(request, TODAY);
    assert.notEqual(builtIn.decision.outcome, 'ineligible');
    assert.notEqual(builtIn.decision.rule_set.hash, api.rule_set.hash);
    // The page this server serves loads its rules, and decides and shows the hash as the API.
    const served = await fetch(`${base}/rules.json`);
    assert.equal(served.headers.get('cache-control'), 'no-cache');
    await resultFor(page, 'en', a, base);
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'ineligible');
    assert.equal((await page.textContent('#rule-set-hash')).trim(), api.rule_set.hash);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    kredo.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
