// The self-check as applicants use it (issue 12), end to end in Debian's chromium on a phone
// viewport and a desktop one, in nl, fr and en, axe-clean: Belgian amounts, limits before the
// answer, early knock-outs, open checks, purposes that add up, an actionable result, questions
// that reach every rule, answers that survive Back and refresh. Expectations come from the
// engine itself (loaded in Node) and from the page's own texts. Screenshots: tests/web/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';
import { openPage, axe, launch, nodeEngine } from './browser.mjs';
import { TEXTS, LANGS, LOCALES } from '../../www/js/i18n.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.join(HERE, 'artifacts');
const NOW = new Date('2026-11-22T10:00:00+01:00');
/** A day under the 2027-01-01 versions, whose messages were reworded. */
const LATER = new Date('2027-01-05T10:00:00+01:00');
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

let browser;
let server;
let engine;

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  browser = await launch();
  engine = await nodeEngine();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function open(viewport, { now = NOW } = {}) {
  const phone = viewport === 'phone';
  return openPage(browser, { viewport: VIEWPORTS[viewport], locale: 'nl-BE', isMobile: phone, hasTouch: phone, now });
}

const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const norm = (text) => String(text ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (w, k) => (k in params ? String(params[k]) : w));
const money = (lang, v) => new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency: 'EUR' }).format(Number(v));

async function view(page, kind, pageId) {
  await page.waitForSelector(pageId ? `main[data-view="${kind}"][data-page="${pageId}"]` : `main[data-view="${kind}"]`);
}

async function start(page, lang) {
  await page.goto(`${server.url}#/${lang}`);
  await page.waitForSelector('html[data-engine="ready"]', { state: 'attached' });
  await view(page, 'start');
  await page.waitForFunction(() => document.getElementById('start-lead')?.textContent.includes('Hefboom'));
}

async function next(page, id, act) {
  await view(page, 'question', id);
  if (act) await act();
  await page.click('#continue');
}

/** From the start page to the loan page, as a Flemish sole trader who has started. */
async function toLoan(page, { legal = 'eenmanszaak', region = 'flanders' } = {}) {
  await page.click('#start-button');
  await next(page, 'legal-form', () => page.check(`#f-legal_form-${legal}`));
  await next(page, 'region', () => page.check(`#f-region-${region}`));
  await next(page, 'activity', async () => {
    await page.check('#f-business_status-started');
    await page.check('#f-activity_type-main');
  });
  await view(page, 'question', 'loan');
}

/** Every page after the purposes left as it is (all optional), to check-your-answers. */
async function skipRest(page, from = 'purposes') {
  let current = from;
  for (;;) {
    await page.waitForFunction((id) => {
      const m = document.querySelector('main');
      return m.dataset.view === 'check' || (m.dataset.view === 'question' && m.dataset.page !== id);
    }, current);
    if (await page.getAttribute('main', 'data-view') === 'check') return;
    current = await page.getAttribute('main', 'data-page');
    await page.click('#continue');
  }
}

/**
 * From the start page to the result of a sole trader asking 10,000 EUR over 36 months for an
 * investment, every optional question left empty.
 */
async function toPlainResult(page, { region = 'flanders' } = {}) {
  await toLoan(page, { region });
  await page.fill('#f-amount_requested_eur', '10000');
  await page.fill('#f-term_months', '36');
  await page.click('#continue');
  await next(page, 'purposes', () => page.check('#f-purpose-investment'));
  await skipRest(page);
  await page.click('#see-result');
  await view(page, 'result');
}

function decision(application, lang, asOf = '2026-11-22') {
  const answer = engine.evaluate({ product: 'impulskrediet', language: lang, as_of: asOf, application });
  assert.equal(answer.ok, true);
  return answer.decision;
}

// ---------------------------------------------------------------- 1, 2: amounts and limits

for (const lang of LANGS) {
  for (const vp of Object.keys(VIEWPORTS)) {
    test(`${lang} ${vp}: Belgian amounts are read, ambiguity is asked, limits are said before the answer`, async () => {
      const T = TEXTS[lang];
      const { context, page, problems } = await open(vp);
      try {
        await start(page, lang);
        assert.ok(norm(await page.textContent('#start-have')).length > 0, 'what to have at hand');
        await toLoan(page);
        // The limits come from the version's parameters.
        const limits = engine.schema('impulskrediet', undefined, '2026-11-22').schema.limits;
        assert.deepEqual(limits, { max_amount_eur: '25000.00', max_term_months: 60 });
        const intro = norm(await page.textContent('#limits'));
        assert.ok(intro.includes(norm(money(lang, limits.max_amount_eur))) && intro.includes('60'), intro);
        assert.ok(!norm(await page.textContent('main')).includes('1000000'), 'no validation bound quoted');
        // 9.500: nine thousand five hundred, or nine and a half?
        await page.fill('#f-amount_requested_eur', '9.500');
        await page.waitForSelector('#f-amount_requested_eur-reading-0');
        assert.equal(norm(await page.textContent('label[for="f-amount_requested_eur-reading-0"]')), norm(money(lang, '9500')));
        assert.equal(norm(await page.textContent('label[for="f-amount_requested_eur-reading-1"]')), norm(money(lang, '9.50')));
        await page.fill('#f-term_months', '3');
        await page.check('#f-term_months-unit-years');
        await page.click('#continue');
        await page.waitForSelector('#error-summary');
        assert.equal(norm(await page.textContent('#error-summary li')), norm(fill(T.read.ambiguous, { a: money(lang, '9500'), b: money(lang, '9.50') })));
        await axe(page, `${lang} ${vp} ambiguous amount`);
        await shot(page, `${lang}-${vp}-amount-ambiguous`);
        await page.click('#f-amount_requested_eur-reading-0');
        assert.equal(norm(await page.textContent('#f-amount_requested_eur-understood')), norm(fill(T.read.understood, { value: money(lang, '9500') })));
        // Above the product's limit: said right there, not an error.
        await page.fill('#f-amount_requested_eur', '€ 30 000');
        await page.waitForSelector('#f-amount_requested_eur-limit p');
        assert.equal(norm(await page.textContent('#f-amount_requested_eur-limit')),
          norm(fill(T.limits.aboveMax, { amount: money(lang, '30000'), max: money(lang, '25000'), lender: 'Hefboom' })));
        await page.fill('#f-term_months', '6');
        await page.waitForSelector('#f-term_months-limit p');
        await axe(page, `${lang} ${vp} above the limits`);
        await shot(page, `${lang}-${vp}-loan-above-limits`);
        // What applicants type: each one read, then sent in the contract's form.
        const typed = { nl: '9.500,50', fr: '9 500,50 €', en: '9,500.50 EUR' }[lang];
        await page.fill('#f-amount_requested_eur', typed);
        await page.fill('#f-term_months', '3 jaar');
        assert.equal(norm(await page.textContent('#f-amount_requested_eur-understood')), norm(fill(T.read.understood, { value: money(lang, '9500.50') })));
        assert.equal(await page.$('#f-amount_requested_eur-limit p'), null);
        await page.click('#continue');
        await view(page, 'question', 'purposes');
        await page.check('#f-purpose-investment');
        assert.equal(await page.inputValue('#f-purpose-investment-amount'), typed, 'the first purpose takes the amount as typed');
        assert.ok(norm(await page.textContent('#purposes-total')).includes(norm(T.purposes.match)));
        await page.click('#continue');
        await skipRest(page);
        const body = norm(await page.textContent('main'));
        assert.ok(body.includes(norm(money(lang, '9500.50'))) && body.includes(`36 ${T.read.months}`), 'check-your-answers shows what was understood');
        await page.click('#see-result');
        await view(page, 'result');
        const d = decision({ legal_form: 'eenmanszaak', region: 'flanders', business_status: 'started', activity_type: 'main',
          amount_requested_eur: '9500.50', term_months: 36, funding_purposes: [{ category: 'investment', amount_eur: '9500.50' }] }, lang);
        assert.ok(norm(await page.textContent('#instalment')).includes(norm(money(lang, d.indicative.monthly_instalment_eur))));
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
}

// ---------------------------------------------------------------- 3: knock-outs end early

const KNOCKOUTS = [
  { lang: 'en', vp: 'phone', name: 'vzw', legal: 'vzw', reason: 'NONPROFIT_LEGAL_FORM', after: 'legal-form', referral: 'microstart' },
  { lang: 'nl', vp: 'desktop', name: 'wallonia', region: 'wallonia', reason: 'REGION_NOT_SERVED', after: 'region', referral: 'microstart' },
  { lang: 'fr', vp: 'phone', name: 'debt-settlement', debts: true, reason: 'COLLECTIVE_DEBT_SETTLEMENT', after: 'debts', referral: null },
];

for (const k of KNOCKOUTS) {
  test(`${k.lang} ${k.vp}: a ${k.name} applicant learns it on the next page, with why, what to do and who else`, async () => {
    const T = TEXTS[k.lang];
    const { context, page, problems } = await open(k.vp);
    try {
      await start(page, k.lang);
      await page.click('#start-button');
      await next(page, 'legal-form', () => page.check(`#f-legal_form-${k.legal ?? 'eenmanszaak'}`));
      if (k.after !== 'legal-form') await next(page, 'region', () => page.check(`#f-region-${k.region ?? 'flanders'}`));
      if (k.debts) {
        await next(page, 'activity', async () => { await page.check('#f-business_status-started'); await page.check('#f-activity_type-main'); });
        await next(page, 'loan', async () => { await page.fill('#f-amount_requested_eur', '8000'); await page.fill('#f-term_months', '24'); });
        await next(page, 'purposes', () => page.check('#f-purpose-investment'));
        await next(page, 'bank');
        await next(page, 'debts', () => page.check('#f-in_collective_debt_settlement-yes'));
      }
      await view(page, 'stop');
      assert.equal(await page.getAttribute('#outcome', 'data-stop'), k.after);
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
      assert.equal(norm(await page.textContent('#outcome h1')), norm(fill(T.stop.title, { who: 'Hefboom (Impulskrediet)' })));
      const g = engine.guidance('impulskrediet', '2025-01-01', k.lang).rules.find((r) => r.id === k.reason);
      const li = norm(await page.textContent(`li.reason[data-reason="${k.reason}"]`));
      assert.ok(li.includes(norm(g.message)) && li.includes(norm(g.next_step)));
      if (k.referral) assert.ok(await page.$(`li.referral[data-product="${k.referral}"]`), 'the referral');
      await axe(page, `${k.lang} ${k.name} stop`);
      await shot(page, `${k.lang}-${k.vp}-stop-${k.name}`);
      // Going on is possible (for the other lenders' questions); changing the answer too.
      await page.click('#stop-change');
      await view(page, 'question', k.after);
      assert.equal(await page.$('#error-summary'), null);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

// ---------------------------------------------------------------- 4, 6: open checks, an actionable result

for (const lang of LANGS) {
  test(`${lang}: skipped questions are shown as open, with links; a result says who to contact and prints`, async () => {
    const T = TEXTS[lang];
    const vp = lang === 'fr' ? 'desktop' : 'phone';
    const { context, page, problems } = await open(vp);
    try {
      await start(page, lang);
      await toPlainResult(page);
      assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'eligible');
      assert.equal(await page.getAttribute('#outcome', 'data-open'), 'true');
      assert.equal(norm(await page.textContent('#outcome h1')), norm(T.open.eligibleTitle), 'never a clean pass');
      const open = await page.$$eval('#open-checks a', (as) => as.map((a) => a.dataset.open));
      for (const f of ['in_collective_debt_settlement', 'bankruptcy_status', 'has_tax_or_social_arrears', 'applicant_age_years']) {
        assert.ok(open.includes(f), `${f} is listed as open`);
      }
      // Who decides, how to reach them, what to bring, the answers and the rules used.
      assert.equal(await page.getAttribute('#lender-link', 'href'), 'https://www.hefboom.be');
      assert.equal((await page.$$('#bring li')).length, T.act.bring.length);
      assert.ok(norm(await page.textContent('#answers-summary')).includes(norm(money(lang, '10000'))));
      await axe(page, `${lang} open checks`);
      await shot(page, `${lang}-${vp}-result-open-checks`);
      // The summary as a text file, made in the browser.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-summary')]);
      const saved = norm(fs.readFileSync(await download.path(), 'utf8'));
      const hash = await page.textContent('#rule-set-hash');
      for (const part of [hash, norm(money(lang, '10000')), norm(T.open.eligibleTitle), 'Hefboom']) {
        assert.ok(saved.includes(part), `the saved summary has ${part}`);
      }
      assert.match(download.suggestedFilename(), /^kredo-2025-01-01-\d{4}-\d{2}-\d{2}\.txt$/);
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.isVisible('#print-summary'), false, 'the buttons are not printed');
      assert.equal(await page.isVisible('#rule-set-hash'), true, 'the hash is printed');
      await shot(page, `${lang}-${vp}-result-print`);
      await page.emulateMedia({ media: 'screen' });
      // An open question's link leads to it; answering it comes back to check-your-answers.
      await page.click('#open-checks a[data-open="in_collective_debt_settlement"]');
      await view(page, 'question', 'debts');
      await page.check('#f-in_collective_debt_settlement-no');
      await page.check('#f-bankruptcy_status-none');
      await page.check('#f-has_tax_or_social_arrears-no');
      await page.click('#continue');
      await view(page, 'check');
      await page.click('#see-result');
      await view(page, 'result');
      const still = await page.$$eval('#open-checks a', (as) => as.map((a) => a.dataset.open));
      assert.ok(!still.includes('in_collective_debt_settlement'));
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of LANGS) {
  test(`${lang}: from 2027 the rule sets' messages never contradict "your answers stay in your browser"`, async () => {
    const { context, page, problems } = await open('phone', { now: LATER });
    try {
      await start(page, lang);
      await toPlainResult(page, { region: 'brussels' });
      assert.equal(await page.textContent('#rule-set-version'), '2027-01-01');
      const text = norm(await page.textContent('main'));
      for (const word of ['staff member', 'medewerker', 'collaborateur', 'membre de l']) {
        assert.ok(!text.includes(word), `"${word}" on the result`);
      }
      assert.ok(text.includes('Hefboom'), 'the lender is named');
      if (lang === 'fr') assert.ok(!/ [:;?!]/.test(await page.textContent('main')), 'French puts a no-break space before : ; ? !');
      await axe(page, `${lang} 2027 review`);
      await shot(page, `${lang}-phone-result-2027`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

// ---------------------------------------------------------------- 5: purposes that add up

test('en desktop + nl phone: purposes add up, and a changed amount brings the applicant back to them', async () => {
  for (const [lang, vp] of [['en', 'desktop'], ['nl', 'phone']]) {
    const T = TEXTS[lang];
    const { context, page, problems } = await open(vp);
    try {
      await start(page, lang);
      await toLoan(page);
      await page.fill('#f-amount_requested_eur', '10000');
      await page.fill('#f-term_months', '36');
      await page.click('#continue');
      await view(page, 'question', 'purposes');
      await page.check('#f-purpose-investment');
      await page.fill('#f-purpose-investment-amount', '6000');
      assert.equal(norm(await page.textContent('#purposes-total')),
        norm(`${fill(T.purposes.total, { total: money(lang, '6000'), amount: money(lang, '10000') })} ${fill(T.purposes.left, { left: money(lang, '4000') })}`));
      await page.click('#continue');
      await page.waitForSelector('#purposes-notice');
      assert.equal(norm(await page.textContent('#purposes-notice')), norm(fill(T.purposes.differ, { total: money(lang, '6000'), amount: money(lang, '10000') })));
      await axe(page, `${lang} purposes differ`);
      await shot(page, `${lang}-${vp}-purposes-differ`);
      await page.check('#f-purpose-working_capital');
      await page.fill('#f-purpose-working_capital-amount', '4000');
      await page.click('#continue');
      await skipRest(page);
      assert.equal(await page.$('#purposes-mismatch'), null);
      // The amount changed through "Change": back to the purposes, which no longer add up.
      await page.click('#change-amount_requested_eur');
      await view(page, 'question', 'loan');
      await page.fill('#f-amount_requested_eur', '12.000,00');
      await page.click('#continue');
      await view(page, 'question', 'purposes');
      assert.equal(norm(await page.textContent('#purposes-notice')), norm(fill(T.purposes.amountChanged, { amount: money(lang, '12000'), total: money(lang, '10000') })));
      await shot(page, `${lang}-${vp}-purposes-after-amount-change`);
      await page.fill('#f-purpose-working_capital-amount', '6000');
      await page.click('#continue');
      await view(page, 'check');
      assert.equal(await page.$('#purposes-mismatch'), null);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

// ---------------------------------------------------------------- 7: questions that reach every rule

for (const [lang, vp] of [['nl', 'phone'], ['fr', 'desktop'], ['en', 'desktop']]) {
  test(`${lang} ${vp}: the enterprise number is checked as typed; the NACE search reaches the cultural-sector rule`, async () => {
    const T = TEXTS[lang];
    const { context, page, problems } = await open(vp);
    try {
      await start(page, lang);
      await page.click('#start-button');
      await next(page, 'legal-form', () => page.check('#f-legal_form-eenmanszaak'));
      await next(page, 'region', () => page.check('#f-region-flanders'));
      await view(page, 'question', 'activity');
      await page.check('#f-business_status-started');
      await page.check('#f-activity_type-main');
      await page.fill('#f-enterprise_number', '0566.988.258');
      assert.equal(norm(await page.textContent('#f-enterprise_number-understood')), norm(`${T.read.enterpriseCheck}.`), 'said as it is typed');
      await page.click('#continue');
      await page.waitForSelector('#error-summary');
      assert.equal(norm(await page.textContent('#error-summary li')), norm(T.read.enterpriseCheck));
      await page.fill('#f-enterprise_number', 'BE 0566 988 259');
      assert.equal(norm(await page.textContent('#f-enterprise_number-understood')), norm(fill(T.read.enterpriseOk, { value: '0566.988.259' })));
      await page.click('#continue');
      await next(page, 'loan', async () => { await page.fill('#f-amount_requested_eur', '8000'); await page.fill('#f-term_months', '24'); });
      await next(page, 'purposes', () => page.check('#f-purpose-investment'));
      await next(page, 'bank');
      await next(page, 'debts');
      await view(page, 'question', 'plan');
      assert.ok(norm(await page.textContent('#f-projected_monthly_net_cashflow_eur-hint')).includes(norm(T.read.cashflowNote)));
      await page.click('#nace-search summary');
      await page.fill('#nace-search-input', 'boeken');
      await page.waitForSelector('button[data-nace="58.110"]');
      await axe(page, `${lang} nace search`);
      await shot(page, `${lang}-${vp}-nace-search`);
      await page.click('button[data-nace="58.110"]');
      assert.equal(await page.inputValue('#f-nace_code'), '58.110');
      assert.equal(await page.isChecked('#f-nace_version-2008'), true, 'the code list is NACE-BEL 2008');
      await page.click('#continue');
      await skipRest(page, 'plan');
      await page.click('#see-result');
      await view(page, 'result');
      assert.ok(await page.$('li.reason[data-reason="CULTURAL_SECTOR"]'), 'the cultural-sector rule fired');
      if (lang === 'fr') {
        assert.ok(norm(await page.textContent('#rule-set')).includes('1er janvier 2025'), 'French ordinal for the first of the month');
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

// ---------------------------------------------------------------- 8: answers not lost

for (const [lang, vp] of [['fr', 'phone'], ['en', 'desktop']]) {
  test(`${lang} ${vp}: what was typed survives Back and a refresh; a deep link or Back after "Start again" shows no errors`, async () => {
    const { context, page, problems } = await open(vp);
    try {
      await start(page, lang);
      await toLoan(page);
      await page.fill('#f-amount_requested_eur', '7.500,00');
      await page.fill('#f-term_months', '30');
      await page.reload();
      await view(page, 'question', 'loan');
      assert.equal(await page.inputValue('#f-amount_requested_eur'), '7.500,00', 'typed, not continued, survives a refresh');
      await page.goBack();
      await view(page, 'question', 'activity');
      await page.goForward();
      await view(page, 'question', 'loan');
      assert.equal(await page.inputValue('#f-term_months'), '30', 'and Back then Forward');
      // A deep link into the result of a fresh tab: the first question, no error shown.
      const other = await context.newPage();
      await other.clock.setFixedTime(NOW);
      await other.goto(`${server.url}#/${lang}/result`);
      await other.waitForSelector('html[data-engine="ready"]', { state: 'attached' });
      await other.waitForSelector('main[data-view="question"]');
      assert.equal(await other.$('#error-summary'), null, 'no error the applicant did not cause');
      await other.close();
      // Start again, then Back.
      await page.click('#continue');
      await next(page, 'purposes', () => page.check('#f-purpose-investment'));
      await skipRest(page);
      await page.click('#see-result');
      await view(page, 'result');
      await page.click('#start-again');
      await view(page, 'start');
      await page.goBack();
      await page.waitForSelector('main[data-view="question"]');
      assert.equal(await page.$('#error-summary'), null, 'Back after Start again shows no errors');
      await shot(page, `${lang}-${vp}-back-after-start-again`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
