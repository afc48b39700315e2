// The self-check page: routes, views and the calls to the engine running in this browser.
//
// Answers live in memory and in this tab's sessionStorage only; routes are URL fragments, so
// moving between pages, switching language or asking for a decision never makes a request.
// `?product=<id>` picks the product (default: the engine's); its questions come from the
// schema of the version in force today, and that version decides. The other products in force
// add their own optional questions after it, and every product decides at once (product `*`):
// the result names the other lenders that may help and what change would help here.

import init, { evaluate, guidance, load_rules, rulesets, schema } from '../pkg/kredo.js';
import { LANGS, LOCALES, LANG_NAMES, TEXTS, fill } from './i18n.js';
import {
  ids, isChoice, choices, questionsOf, chosenPurposes, validatePage, firstIncompletePage, buildApplication,
  AMOUNT_FIELD, TERM_FIELD, TERM_UNIT, moneyValue, termMonths, purposesTotalCents, cents,
} from './questions.js';
import { readMoney, readEnterpriseNumber } from './read.js';

const PRODUCT = new URLSearchParams(location.search).get('product') || undefined;
const STORE = PRODUCT ? `kredo-answers:${PRODUCT}` : 'kredo-answers';

const state = {
  lang: 'nl',
  answers: loadAnswers(),
  /** Pages whose errors are shown, because the applicant pressed Continue on them. */
  showErrors: new Set(),
  /** `questionsOf(schema)`, once the engine is ready. */
  questions: null,
  engineFailed: false,
  /** The applicant's own answers while a suggestion is being tried, or null. */
  undo: null,
  /** The changes of the suggestion being tried, or null. */
  tried: null,
  /** A purposes total the applicant chose to keep although it differs from the amount. */
  keptMismatch: null,
  /** A notice for the next question page (`amountChanged`), or null. */
  notice: null,
};

// Instantiate the wasm (streamed) while the rule sets it runs arrive as data (`rules.json`:
// written by the build, or served by `kredo serve` from the rule sets its API runs), and compile
// them once, at load: after this the page needs no network at all.
const rulesText = fetch('rules.json').then((r) => {
  if (!r.ok) throw new Error(`rules.json: ${r.status}`);
  return r.text();
});
const engineReady = Promise.all([init(), rulesText])
  .then(([, text]) => {
    performance.mark('kredo-instantiated');
    const loaded = load_rules(text);
    if (!loaded || loaded.ok !== true) throw new Error(loaded?.error?.message ?? 'no rule sets');
    const answer = schema(PRODUCT);
    if (!answer || answer.ok !== true) throw new Error(answer?.error?.message ?? 'no schema');
    // The other products in force today, for their own questions (asked last, optional).
    const others = [...new Set((rulesets().rulesets ?? []).map((r) => r.product))]
      .filter((p) => p !== answer.schema.product)
      .map((p) => schema(p))
      .filter((a) => a?.ok === true)
      .map((a) => a.schema);
    state.questions = questionsOf(answer.schema, others);
    performance.mark('kredo-ready');
    document.documentElement.dataset.engine = 'ready';
  })
  .catch(() => {
    state.engineFailed = true;
    document.documentElement.dataset.engine = 'failed';
    render();
  });

// ---------------------------------------------------------------- answers

function loadAnswers() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE) ?? '{}');
    return saved && typeof saved === 'object' ? saved : {};
  } catch {
    return {};
  }
}

function saveAnswers() {
  try {
    sessionStorage.setItem(STORE, JSON.stringify(state.answers));
  } catch {
    // Storage may be off (private mode): the answers stay in memory for this page.
  }
}

/** Copies what is typed or chosen on the current question page into the answers. */
function captureForm() {
  const form = document.getElementById('question-form');
  if (!form) return;
  const page = state.questions?.page(form.dataset.page);
  if (!page) return;
  for (const f of page.fields) {
    if (f.kind === 'purposes') {
      const purposes = { ...(state.answers[f.name] ?? {}) };
      for (const c of choices(f)) {
        const box = document.getElementById(ids.purpose(c));
        const amount = document.getElementById(ids.amount(c));
        purposes[c] = { selected: Boolean(box?.checked), amount: amount?.value ?? '' };
      }
      state.answers[f.name] = purposes;
    } else if (isChoice(f)) {
      const chosen = form.querySelector(`input[name="${f.name}"]:checked`);
      state.answers[f.name] = chosen ? chosen.value : '';
    } else {
      const input = document.getElementById(ids.field(f));
      state.answers[f.name] = input ? input.value : '';
      if (f.name === TERM_FIELD) {
        const unit = form.querySelector(`input[name="${TERM_UNIT}"]:checked`);
        if (unit) state.answers[TERM_UNIT] = unit.value;
      }
    }
  }
  saveAnswers();
}

// ---------------------------------------------------------------- engine

/**
 * Every product at once: `{ok, decision, referrals}`, `decision` being this page's product's.
 * The version in force on the day decides (the same day the schema was read for).
 */
function decide() {
  const q = state.questions;
  const request = { product: '*', language: state.lang, application: buildApplication(q, state.answers) };
  // A Continue checks the page's answers and its knock-outs, then its stop page or the result
  // renders: the same request each time, answered once.
  const key = JSON.stringify(request);
  if (key !== lastAnswer.key) lastAnswer = { key, answer: evaluate(request) };
  const { answer } = lastAnswer;
  if (!answer?.ok) return answer;
  const decision = answer.decision.decisions.find((d) => d.product === q.product);
  if (!decision) return { ok: false, error: { message: q.product } };
  return { ok: true, decision, referrals: answer.decision.referrals.filter((r) => r.product !== q.product) };
}

/** The engine's last answer and the request it answered (see `decide`). */
let lastAnswer = { key: null, answer: null };

/** `purposes[1].amount_eur` → the field and the index. */
function fieldPath(path) {
  const m = /^([a-z][a-z0-9_]*)(?:\[(\d+)\])?/.exec(path ?? '');
  return m ? { name: m[1], index: m[2] === undefined ? undefined : Number(m[2]) } : { name: '' };
}

/** The engine's input errors that belong to a page, with the element each one points at. */
function engineErrorsFor(page) {
  if (!state.questions) return [];
  const answer = decide();
  if (!answer?.ok) return [];
  const out = [];
  for (const e of answer.decision.errors ?? []) {
    const { name, index } = fieldPath(e.field);
    const f = state.questions.field(name);
    if (!f || state.questions.pageOf(name) !== page) continue;
    let target = ids.field(f);
    if (f.kind === 'purposes') {
      const c = index !== undefined ? chosenPurposes(f, state.answers)[index] : undefined;
      target = c ? ids.amount(c) : ids.purpose(choices(f)[0]);
    } else if (isChoice(f)) {
      target = ids.choice(f, choices(f)[0]);
    }
    out.push({ field: name, target, text: e.message });
  }
  return out;
}

function textOf(f) {
  return f.text[state.lang];
}

function optionLabel(f, value) {
  if (f.kind === 'boolean') return TEXTS[state.lang][value === 'yes' ? 'yes' : 'no'];
  return f.options?.find((o) => o.value === value)?.label[state.lang] ?? value;
}

/**
 * The text of an error: the page's own where the page reads more than the contract (amounts as
 * Belgians write them, terms in months or years, enterprise numbers) or where the declared text
 * would quote a validation bound that is no product limit; else the declared one; else (but for
 * a missing answer) none: the engine's shows.
 */
function errorText(f, e) {
  const R = TEXTS[state.lang].read;
  const purpose = e.purpose ? optionLabel(f, e.purpose) : '';
  const named = (text) => (purpose ? `${purpose}: ${text}` : text);
  const key = e.key.replace(/^amount_/, '');
  const moneyish = f.kind === 'money' || (f.kind === 'purposes' && e.key.startsWith('amount_'));
  if (moneyish && key === 'format') return named(R.moneyFormat);
  if (moneyish && key === 'range') return named(R.range);
  if (moneyish && key === 'ambiguous') {
    const typed = e.purpose ? state.answers[f.name][e.purpose].amount : state.answers[f.name];
    const [a, b] = readMoney(typed).choices ?? [];
    return named(fill(R.ambiguous, { a: money(a), b: money(b) }));
  }
  if (f.name === TERM_FIELD && (key === 'format' || key === 'range')) return R.termFormat;
  if (f.kind === 'enterprise_number') return key === 'check' ? R.enterpriseCheck : R.enterpriseFormat;
  if (f.kind === 'integer' && key === 'range') return R.numberRange;
  const own = textOf(f).errors?.[e.key];
  if (own) return fill(own, { purpose: e.purpose ? optionLabel(f, e.purpose) : '' });
  return e.key === 'required' ? fill(TEXTS[state.lang].required, { label: textOf(f).label }) : null;
}

/** Errors shown on a page: the page's own checks first, the engine's as a backstop. */
function errorsFor(page) {
  if (!state.showErrors.has(page.id)) return [];
  const own = validatePage(page, state.answers)
    .map((e) => ({ field: e.field, target: e.target, text: errorText(state.questions.field(e.field), e) }))
    .filter((e) => e.text !== null);
  return own.length ? own : engineErrorsFor(page);
}

const guidanceCache = new Map();

/** The next step for a reason, from the rule set's messages in the decision's language. */
function nextStepFor(decision, reasonId) {
  const key = `${decision.product}/${decision.rule_set?.version}/${decision.language}`;
  if (!guidanceCache.has(key)) {
    const answer = guidance(decision.product, decision.rule_set?.version ?? '', decision.language);
    guidanceCache.set(key, answer?.ok ? new Map(answer.rules.map((r) => [r.id, r.next_step])) : new Map());
  }
  const step = guidanceCache.get(key).get(reasonId);
  return step || null;
}

// ---------------------------------------------------------------- routes

function defaultLang() {
  for (const l of navigator.languages ?? []) {
    const short = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(short)) return short;
  }
  return 'nl';
}

function parseRoute(hash) {
  const m = /^#\/(nl|fr|en)(?:\/(.*))?$/.exec(hash);
  if (!m) return null;
  const lang = m[1];
  const parts = (m[2] ?? '').split('/');
  // Page ids come with the schema: an unknown one goes to the first page.
  if (parts[0] === 'q') return { lang, view: 'question', page: parts[1] ?? '', change: parts[2] === 'change' };
  if (parts[0] === 'stop') return { lang, view: 'stop', page: parts[1] ?? '' };
  if (parts[0] === 'check') return { lang, view: 'check' };
  if (parts[0] === 'result') return { lang, view: 'result' };
  return { lang, view: 'start' };
}

function routeHash(route, lang = route.lang) {
  switch (route.view) {
    case 'question': return `#/${lang}/q/${route.page}${route.change ? '/change' : ''}`;
    case 'stop': return `#/${lang}/stop/${route.page}`;
    case 'check': return `#/${lang}/check`;
    case 'result': return `#/${lang}/result`;
    default: return `#/${lang}`;
  }
}

function go(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

// ---------------------------------------------------------------- rendering helpers

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text for HTML; in French with a no-break space before `:` `;` `?` `!` (also in the rule
 * set's messages of versions written before that was the rule). */
function esc(value) {
  const text = String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
  return state.lang === 'fr' ? text.replace(/ ([:;?!])(?=\s|$|<)/g, '\u00a0$1') : text;
}

/** An amount in euros as this language writes it: `€ 9.500,00`. */
function money(text) {
  const n = Number(text);
  if (text === undefined || text === null || text === '' || !Number.isFinite(n)) return esc(text);
  return new Intl.NumberFormat(LOCALES[state.lang], { style: 'currency', currency: 'EUR' }).format(n);
}

/** An amount as typed, shown as read: `€ 9.500,00`, or the text itself when it has no reading. */
function typedMoney(text) {
  const read = readMoney(text);
  return read.value ? money(read.value) : esc(text);
}

/** A canonical amount as the applicant would type it in this language: `9.500,00`. */
function plainAmount(value) {
  return new Intl.NumberFormat(LOCALES[state.lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(value));
}

function centsMoney(c) {
  const neg = c < 0n;
  const abs = neg ? -c : c;
  return money(`${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`);
}

/** The lender who decides (from the timeline), or the product's name. */
function lenderName() {
  const q = state.questions;
  return q?.lender?.name ?? q?.title ?? '';
}

/** The lender with the product's own name when it has one: `Hefboom (Impulskrediet)`. */
function who() {
  const q = state.questions;
  const lender = lenderName();
  const product = String(q?.title ?? '').replace(/\s*\([^)]*\)$/, '');
  return product && product !== lender ? `${lender} (${product})` : lender;
}

function percent(text) {
  const n = Number(text);
  if (!Number.isFinite(n)) return esc(text);
  return new Intl.NumberFormat(LOCALES[state.lang], { style: 'percent', maximumFractionDigits: 3 }).format(n);
}

function date(iso) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso ?? '')) return esc(iso);
  const text = new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
  // French writes the first day of a month as an ordinal: « 1er janvier ».
  return state.lang === 'fr' ? text.replace(/^1 /, '1er ') : text;
}

function errorSummary(errors) {
  const T = TEXTS[state.lang];
  if (!errors.length) return '';
  return `<div class="error-summary" id="error-summary" tabindex="-1" aria-labelledby="error-summary-title">
    <div role="alert">
      <h2 class="error-summary__title" id="error-summary-title">${esc(T.errorSummary)}</h2>
      <ul class="error-summary__list">${errors.map((e) => `<li><a href="#${esc(e.target)}" data-target="${esc(e.target)}">${esc(e.text)}</a></li>`).join('')}</ul>
    </div>
  </div>`;
}

function errorMessage(id, errors) {
  if (!errors.length) return '';
  const T = TEXTS[state.lang];
  return errors.map((e, i) => `<p class="error-message" id="${id}-error${i ? `-${i}` : ''}"><span class="visually-hidden">${esc(T.errorLabel)}</span> ${esc(e.text)}</p>`).join('');
}

function describedBy(id, hasHint, errors) {
  const ids = [];
  if (hasHint) ids.push(`${id}-hint`);
  errors.forEach((_, i) => ids.push(`${id}-error${i ? `-${i}` : ''}`));
  return ids.length ? ` aria-describedby="${ids.join(' ')}"` : '';
}

function labelText(f) {
  const text = textOf(f).label;
  return f.required ? esc(text) : `${esc(text)} <span class="optional">${esc(TEXTS[state.lang].optional)}</span>`;
}

function radiosField(f, errors, asHeading) {
  const ft = textOf(f);
  const id = ids.field(f);
  const value = state.answers[f.name] ?? '';
  const legend = asHeading
    ? `<legend class="fieldset__legend fieldset__legend--l"><h1 class="heading-l" tabindex="-1">${labelText(f)}</h1></legend>`
    : `<legend class="fieldset__legend fieldset__legend--m">${labelText(f)}</legend>`;
  return `<div class="form-group${errors.length ? ' form-group--error' : ''}">
    <fieldset class="fieldset"${describedBy(id, Boolean(ft.hint), errors)}>
      ${legend}
      ${ft.hint ? `<div class="hint" id="${id}-hint">${esc(ft.hint)}</div>` : ''}
      ${errorMessage(id, errors)}
      <div class="radios${f.ui?.inline ? ' radios--inline' : ''}">
        ${choices(f).map((o) => `<div class="radios__item">
          <input class="radios__input" id="${esc(ids.choice(f, o))}" name="${f.name}" type="radio" value="${esc(o)}"${value === o ? ' checked' : ''}>
          <label class="radios__label" for="${esc(ids.choice(f, o))}">${esc(optionLabel(f, o))}</label>
        </div>`).join('')}
      </div>
    </fieldset>
  </div>`;
}

/** Page notes added to a declared hint, by field. */
const NOTES = { projected_monthly_net_cashflow_eur: 'cashflowNote' };

/** The hint shown under a field's label: where the page reads more than the contract, its own. */
function hintOf(f) {
  const R = TEXTS[state.lang].read;
  if (f.name === AMOUNT_FIELD) return R.moneyHint;
  if (f.name === TERM_FIELD) return R.termHint;
  const note = NOTES[f.name] ? R[NOTES[f.name]] : '';
  return [textOf(f).hint, note].filter(Boolean).join(' ');
}

/**
 * What the page read from a typed answer, under its input (a live region): the amount as
 * understood, or the two readings of an ambiguous one to choose from; a valid enterprise number.
 */
function understoodHtml(id, f, typed) {
  const R = TEXTS[state.lang].read;
  if (f.kind === 'enterprise_number') {
    const read = readEnterpriseNumber(typed);
    if (read.error === 'check') return `<p class="understood understood--warning">${esc(R.enterpriseCheck)}.</p>`;
    return read.value ? `<p class="understood">${esc(fill(R.enterpriseOk, { value: read.value }))}</p>` : '';
  }
  const read = readMoney(typed);
  if (read.value) return `<p class="understood">${esc(fill(R.understood, { value: money(read.value) }))}</p>`;
  if (!read.choices) return '';
  return `<fieldset class="fieldset reading">
      <legend class="fieldset__legend">${esc(R.ambiguousLegend)}</legend>
      <div class="radios radios--inline">${read.choices.map((c, i) => `<div class="radios__item">
        <input class="radios__input" id="${id}-reading-${i}" name="${id}-reading" type="radio" value="${esc(plainAmount(c))}" data-reading-for="${id}">
        <label class="radios__label" for="${id}-reading-${i}">${esc(money(c))}</label>
      </div>`).join('')}</div>
    </fieldset>`;
}

/** Whether an answer lies outside the product's limits, said next to it (never an error). */
function limitHtml(f) {
  const L = TEXTS[state.lang].limits;
  const limits = state.questions?.limits ?? {};
  if (f.name === AMOUNT_FIELD) {
    const read = readMoney(state.answers[f.name]);
    if (!read.value) return '';
    const n = cents(read.value);
    if (limits.max_amount_eur && n > cents(limits.max_amount_eur)) {
      return `<p>${esc(fill(L.aboveMax, { amount: money(read.value), max: money(limits.max_amount_eur), lender: lenderName() }))}</p>`;
    }
    if (limits.min_amount_eur && n > 0n && n < cents(limits.min_amount_eur)) {
      return `<p>${esc(fill(L.belowMin, { amount: money(read.value), min: money(limits.min_amount_eur), lender: lenderName() }))}</p>`;
    }
  }
  if (f.name === TERM_FIELD && limits.max_term_months) {
    const months = termMonths(state.answers);
    if (months !== null && months > limits.max_term_months) {
      return `<p>${esc(fill(L.termAbove, { months, max: limits.max_term_months, lender: lenderName() }))}</p>`;
    }
  }
  return '';
}

/** The product's limits, for the page that asks the amount: from the version's parameters. */
function limitsIntro() {
  const L = TEXTS[state.lang].limits;
  const { min_amount_eur: min, max_amount_eur: max, max_term_months: months } = state.questions?.limits ?? {};
  const parts = [];
  if (max) parts.push(fill(min ? L.both : L.max, { who: who(), min: money(min), max: money(max) }));
  if (months) parts.push(fill(L.term, { months }));
  return parts.length ? `<div class="inset-text" id="limits"><p>${esc(parts.join(' '))}</p></div>` : '';
}

function termUnitHtml(id) {
  const R = TEXTS[state.lang].read;
  const unit = state.answers[TERM_UNIT] === 'years' ? 'years' : 'months';
  return `<fieldset class="fieldset term-unit"><legend class="visually-hidden">${esc(R.termUnit)}</legend>
    <div class="radios radios--inline">${['months', 'years'].map((u) => `<div class="radios__item">
      <input class="radios__input" id="${id}-unit-${u}" name="${TERM_UNIT}" type="radio" value="${u}"${unit === u ? ' checked' : ''}>
      <label class="radios__label" for="${id}-unit-${u}">${esc(R[u])}</label>
    </div>`).join('')}</div></fieldset>`;
}

/** The code lists of the rule set that hold NACE codes or divisions, for the search by words. */
function naceCodes() {
  return (state.questions?.codeLists ?? [])
    .filter((l) => /nace/i.test(l.name))
    .flatMap((l) => l.codes.map((c) => ({ ...c, version: /_(\d{4})$/.exec(l.name)?.[1] ?? null })));
}

function fold(text) {
  return String(text).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function naceResultsHtml(query) {
  const N = TEXTS[state.lang].nace;
  const words = fold(query).split(/\s+/).filter((w) => w.length > 1);
  if (!words.length) return '';
  const found = naceCodes().filter((c) => words.every((w) => fold(`${c.code} ${c.label}`).includes(w))).slice(0, 20);
  if (!found.length) return `<p>${esc(N.none)}</p>`;
  const items = found.map((c) => (/^\d{2}\.\d{3}$/.test(c.code)
    ? `<li><button type="button" class="link-button" data-nace="${esc(c.code)}" data-nace-version="${esc(c.version ?? '')}">${esc(fill(N.use, { code: c.code }))}</button> ${esc(c.label)}${c.version ? ` (NACE-BEL ${esc(c.version)})` : ''}</li>`
    : `<li><strong>${esc(c.code)}.xxx</strong> ${esc(c.label)}</li>`)).join('');
  return `<p>${esc(fill(N.found, { count: found.length }))}</p><ul class="list nace-results">${items}</ul>`;
}

function naceSearchHtml() {
  const N = TEXTS[state.lang].nace;
  if (!naceCodes().length) return '';
  return `<details class="details" id="nace-search">
    <summary class="details__summary"><span class="details__summary-text">${esc(N.summary)}</span></summary>
    <div class="details__text">
      <label class="label" for="nace-search-input">${esc(N.label)}</label>
      <div class="hint" id="nace-search-hint">${esc(fill(N.hint, { lender: lenderName() }))}</div>
      <input class="input input--width-20" id="nace-search-input" type="search" autocomplete="off" spellcheck="false" aria-describedby="nace-search-hint" aria-controls="nace-results">
      <div id="nace-results" aria-live="polite"></div>
    </div>
  </details>`;
}

function inputField(f, errors, asHeading) {
  const ft = textOf(f);
  const id = ids.field(f);
  const value = state.answers[f.name] ?? '';
  const term = f.name === TERM_FIELD;
  const labelInner = term ? esc(TEXTS[state.lang].read.termLabel) : labelText(f);
  const label = `<label class="label${asHeading ? ' label--l' : ' label--m'}" for="${id}">${labelInner}</label>`;
  const inputmode = f.kind === 'integer' && !term ? 'numeric' : f.kind === 'money' && f.positive ? 'decimal' : 'text';
  const width = Number.isInteger(f.ui?.width) ? ` input--width-${Math.max(f.ui.width, term ? 10 : 0)}` : '';
  const hint = hintOf(f);
  const reads = f.kind === 'money' || f.kind === 'enterprise_number';
  const limited = f.name === AMOUNT_FIELD || term;
  return `<div class="form-group${errors.length ? ' form-group--error' : ''}">
    ${asHeading ? `<h1 class="label-wrapper" tabindex="-1">${label}</h1>` : label}
    ${hint ? `<div class="hint" id="${id}-hint">${esc(hint)}</div>` : ''}
    ${errorMessage(id, errors)}
    <div class="input-wrapper">
      ${f.ui?.prefix ? `<span class="input-affix" aria-hidden="true">${esc(f.ui.prefix)}</span>` : ''}
      <input class="input${width}${errors.length ? ' input--error' : ''}" id="${id}" name="${f.name}" type="text"
        inputmode="${inputmode}" spellcheck="false" autocomplete="off" value="${esc(value)}"${describedBy(id, Boolean(hint), errors)}>
      ${ft.suffix && !term ? `<span class="input-affix" aria-hidden="true">${esc(ft.suffix)}</span>` : ''}
    </div>
    ${term ? termUnitHtml(id) : ''}
    ${reads ? `<div id="${id}-understood" aria-live="polite">${understoodHtml(id, f, value)}</div>` : ''}
    ${limited ? `<div class="limit-note" id="${id}-limit" aria-live="polite">${limitHtml(f)}</div>` : ''}
    ${f.kind === 'nace_code' ? naceSearchHtml() : ''}
  </div>`;
}

function purposesField(f, errors, asHeading) {
  const ft = textOf(f);
  const chosen = state.answers[f.name] ?? {};
  const first = ids.purpose(choices(f)[0]);
  const groupErrors = errors.filter((e) => e.target === first);
  const items = choices(f).map((c) => {
    const p = chosen[c] ?? {};
    const id = ids.purpose(c);
    const amountId = ids.amount(c);
    const amountErrors = errors.filter((e) => e.target === amountId);
    return `<div class="checkboxes__item">
      <input class="checkboxes__input" id="${esc(id)}" name="purpose" type="checkbox" value="${esc(c)}"${p.selected ? ' checked' : ''} aria-controls="${esc(id)}-conditional">
      <label class="checkboxes__label" for="${esc(id)}">${esc(optionLabel(f, c))}</label>
    </div>
    <div class="checkboxes__conditional${p.selected ? '' : ' hidden'}" id="${esc(id)}-conditional">
      <div class="form-group${amountErrors.length ? ' form-group--error' : ''}">
        <label class="label" for="${esc(amountId)}">${esc(ft.amount_label)}<span class="visually-hidden">: ${esc(optionLabel(f, c))}</span></label>
        ${errorMessage(amountId, amountErrors)}
        <div class="input-wrapper">
          <span class="input-affix" aria-hidden="true">€</span>
          <input class="input input--width-10${amountErrors.length ? ' input--error' : ''}" id="${esc(amountId)}" name="${esc(amountId)}" type="text"
            inputmode="decimal" spellcheck="false" autocomplete="off" value="${esc(p.amount ?? '')}"${describedBy(amountId, false, amountErrors)}>
        </div>
        <div id="${esc(amountId)}-understood" aria-live="polite">${understoodHtml(amountId, { kind: 'money' }, p.amount ?? '')}</div>
      </div>
    </div>`;
  }).join('');
  const id = ids.field(f);
  return `<div class="form-group${groupErrors.length ? ' form-group--error' : ''}">
    <fieldset class="fieldset"${describedBy(id, Boolean(ft.hint), groupErrors)}>
      ${asHeading
        ? `<legend class="fieldset__legend fieldset__legend--l"><h1 class="heading-l" tabindex="-1">${labelText(f)}</h1></legend>`
        : `<legend class="fieldset__legend fieldset__legend--m">${labelText(f)}</legend>`}
      ${ft.hint ? `<div class="hint" id="${id}-hint">${esc(ft.hint)}</div>` : ''}
      ${errorMessage(id, groupErrors)}
      <div class="checkboxes">${items}</div>
    </fieldset>
    <div class="purposes-total" id="purposes-total" aria-live="polite">${purposesTotalHtml(f)}</div>
  </div>`;
}

/** The running total of the purposes against the amount asked for. */
function purposesTotalHtml(f) {
  const P = TEXTS[state.lang].purposes;
  const total = purposesTotalCents(f, state.answers);
  const asked = readMoney(state.answers[AMOUNT_FIELD]).value;
  if (total === null || !asked || chosenPurposes(f, state.answers).length === 0) return '';
  const diff = cents(asked) - total;
  const tail = diff === 0n ? P.match : diff > 0n ? fill(P.left, { left: centsMoney(diff) }) : fill(P.over, { over: centsMoney(-diff) });
  return `<p><strong>${esc(fill(P.total, { total: centsMoney(total), amount: money(asked) }))}</strong> ${esc(tail)}</p>`;
}

/** The purposes total and the amount, when both read and they differ: `{ total, amount }` in cents. */
function purposesMismatch() {
  const f = state.questions?.pages.flatMap((p) => p.fields).find((g) => g.kind === 'purposes');
  if (!f || chosenPurposes(f, state.answers).length === 0) return null;
  const total = purposesTotalCents(f, state.answers);
  const asked = readMoney(state.answers[AMOUNT_FIELD]).value;
  if (total === null || !asked || cents(asked) === total) return null;
  return { field: f, total, amount: cents(asked) };
}

function field(f, errors, asHeading) {
  const mine = errors.filter((e) => e.field === f.name);
  if (isChoice(f)) return radiosField(f, mine, asHeading);
  if (f.kind === 'purposes') return purposesField(f, mine, asHeading);
  return inputField(f, mine, asHeading);
}

// ---------------------------------------------------------------- views

function startHref() {
  return `#/${state.lang}/q/${state.questions?.pages[0]?.id ?? ''}`;
}

function startView() {
  const T = TEXTS[state.lang];
  const max = state.questions?.limits?.max_amount_eur;
  const words = { who: who() || 'Kredo', lender: lenderName() || 'Kredo', max: max ? money(max) : '' };
  return {
    title: T.service,
    html: `<h1 class="heading-xl" tabindex="-1">${esc(T.service)}</h1>
      ${state.questions ? `<p class="body-l" id="start-lead">${esc(fill(T.start.lead, words))}</p>` : ''}
      ${max ? `<p id="start-for">${esc(fill(T.start.forWhom, words))}</p>` : ''}
      <p>${esc(T.start.time)}</p>
      <h2 class="heading-m">${esc(T.start.haveTitle)}</h2>
      <ul class="list list--bullet" id="start-have">${T.start.have.map((h) => `<li>${esc(h)}</li>`).join('')}</ul>
      <h2 class="heading-m">${esc(T.start.beforeTitle)}</h2>
      <p>${esc(fill(T.start.indicative, words))}</p>
      <p>${esc(T.start.privacy)}</p>
      <a href="${startHref()}" role="button" draggable="false" class="button button--start" id="start-button">${esc(T.start.button)}
        <svg class="button__icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false"><path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/></svg></a>`,
  };
}

function questionView(route) {
  const T = TEXTS[state.lang];
  const { pages } = state.questions;
  const page = state.questions.page(route.page);
  if (!page) return { redirect: `#/${state.lang}/q/${pages[0].id}` };
  const index = pages.indexOf(page);
  const errors = errorsFor(page);
  const single = page.fields.length === 1;
  const pt = page.text[state.lang] ?? { title: textOf(page.fields[0]).label };
  const back = route.change
    ? `#/${state.lang}/check`
    : index > 0 ? `#/${state.lang}/q/${pages[index - 1].id}` : `#/${state.lang}`;
  const asksAmount = page.fields.some((f) => f.name === AMOUNT_FIELD);
  const asksPurposes = page.fields.some((f) => f.kind === 'purposes');
  const mismatch = asksPurposes ? purposesMismatch() : null;
  let notice = '';
  if (asksPurposes && state.notice === 'amountChanged' && mismatch) {
    notice = fill(T.purposes.amountChanged, { amount: centsMoney(mismatch.amount), total: centsMoney(mismatch.total) });
  } else if (asksPurposes && mismatch && state.keptMismatch === `${mismatch.total}/${mismatch.amount}`) {
    notice = fill(T.purposes.differ, { amount: centsMoney(mismatch.amount), total: centsMoney(mismatch.total) });
  }
  return {
    title: pt.title,
    errors,
    html: `<a href="${back}" class="back-link">${esc(T.back)}</a>
      ${errorSummary(errors)}
      ${notice ? `<div class="notice notice--warning" id="purposes-notice" role="status"><p>${esc(notice)}</p></div>` : ''}
      <form id="question-form" data-page="${page.id}" novalidate>
        ${single ? '' : `<h1 class="heading-l" tabindex="-1">${esc(pt.title)}</h1>`}
        ${pt.intro ? `<p>${esc(pt.intro)}</p>` : ''}
        ${asksAmount ? limitsIntro() : ''}
        ${page.fields.map((f) => field(f, errors, single)).join('')}
        <button type="submit" class="button" id="continue">${esc(T.continue)}</button>
      </form>`,
  };
}

function answerText(f) {
  const T = TEXTS[state.lang];
  const ft = textOf(f);
  if (f.kind === 'purposes') {
    const items = chosenPurposes(f, state.answers)
      .map((c) => `<li>${esc(optionLabel(f, c))}${state.lang === 'fr' ? '\u00a0:' : ':'} ${typedMoney(state.answers[f.name][c].amount)}</li>`);
    return items.length ? `<ul class="list">${items.join('')}</ul>` : esc(T.notAnswered);
  }
  const given = state.answers[f.name];
  const v = typeof given === 'string' ? given.trim() : '';
  if (!v) return `<span class="secondary-text">${esc(T.notAnswered)}</span>`;
  if (isChoice(f)) return esc(optionLabel(f, v));
  if (f.kind === 'money') return typedMoney(v);
  if (f.name === TERM_FIELD) {
    const months = termMonths(state.answers);
    return months === null ? esc(v) : `${esc(months)} ${esc(TEXTS[state.lang].read.months)}`;
  }
  if (f.kind === 'enterprise_number') return esc(readEnterpriseNumber(v).value ?? v);
  if (ft.suffix) return `${esc(v)} ${esc(ft.suffix)}`;
  return esc(v);
}

/** The answers as a summary list; with a Change link on each row when `actions`. */
function summaryRows(actions) {
  const T = TEXTS[state.lang];
  return state.questions.pages.flatMap((p) => p.fields.map((f) => {
    const short = textOf(f).short ?? textOf(f).label;
    return `<div class="summary-list__row">
      <dt class="summary-list__key">${esc(short)}</dt>
      <dd class="summary-list__value">${answerText(f)}</dd>
      ${actions ? `<dd class="summary-list__actions"><a href="#/${state.lang}/q/${p.id}/change" id="change-${f.name}">${esc(T.change)}<span class="visually-hidden"> ${esc(short)}</span></a></dd>` : ''}
    </div>`;
  })).join('');
}

function checkView() {
  const T = TEXTS[state.lang];
  const mismatch = purposesMismatch();
  const purposesPage = mismatch ? state.questions.pageOf(mismatch.field.name) : null;
  return {
    title: T.check.title,
    html: `<h1 class="heading-l" tabindex="-1">${esc(T.check.title)}</h1>
      ${mismatch ? `<div class="notice notice--warning" id="purposes-mismatch"><p>${esc(fill(T.purposes.mismatch, { total: centsMoney(mismatch.total), amount: centsMoney(mismatch.amount) }))}</p>
        <p><a href="#/${state.lang}/q/${purposesPage.id}/change">${esc(T.purposes.mismatchLink)}</a></p></div>` : ''}
      <dl class="summary-list">${summaryRows(true)}</dl>
      <h2 class="heading-m">${esc(T.check.submitTitle)}</h2>
      <p>${esc(fill(T.check.submitText, { lender: lenderName() }))}</p>
      <a href="#/${state.lang}/result" role="button" draggable="false" class="button" id="see-result">${esc(T.check.button)}</a>`,
  };
}

function resultView() {
  const T = TEXTS[state.lang];
  const R = T.result;
  const answer = decide();
  if (!answer?.ok) {
    return { title: T.loadFailed, html: `<h1 class="heading-l" tabindex="-1">${esc(T.loadFailed)}</h1><p>${esc(answer?.error?.message ?? '')}</p>` };
  }
  const d = answer.decision;
  if (d.outcome === 'invalid') {
    // An answer the page's own checks let through: show it on its question page, as a form error.
    const { pages, pageOf } = state.questions;
    const first = pages.find((p) => (d.errors ?? []).some((e) => pageOf(fieldPath(e.field).name) === p)) ?? pages[0];
    state.showErrors.add(first.id);
    return { redirect: `#/${state.lang}/q/${first.id}/change` };
  }
  const open = openQuestions(d);
  const openPass = open.length > 0 && (d.outcome === 'eligible' || d.outcome === 'flagged');
  const o = openPass ? { title: T.open.eligibleTitle, text: T.open.eligibleText } : (R[d.outcome] ?? R.review);
  const ind = d.indicative;
  const months = termMonths(state.answers) ?? '';
  // No instalment for a loan the applicant probably cannot get.
  const showInstalment = ind && d.outcome !== 'ineligible';
  return {
    title: o.title,
    html: `${state.undo ? `<div class="notice" id="tried-change" role="status"><p>${esc(R.tried)}</p>${triedHtml()}
        <button type="button" class="button button--secondary" id="undo-change">${esc(R.undo)}</button></div>` : ''}
      <div class="panel panel--${openPass ? 'open' : esc(d.outcome)}" id="outcome" data-outcome="${esc(d.outcome)}"${openPass ? ' data-open="true"' : ''}>
        <h1 class="panel__title" tabindex="-1">${esc(o.title)}</h1>
      </div>
      <p class="body-l">${esc(fill(o.text, { lender: lenderName() }))}</p>
      ${reasonsHtml(d)}
      ${openHtml(open)}
      <h2 class="heading-m">${esc(R.nextTitle)}</h2>
      <p id="next-step">${esc(R.next[d.outcome] ?? R.next.review)}</p>
      ${showInstalment ? `<h2 class="heading-m">${esc(R.instalmentTitle)}</h2>
        <p class="body-l" id="instalment"><strong>${fill(esc(R.instalment), { amount: money(ind.monthly_instalment_eur), months: esc(months) })}</strong></p>
        <p>${fill(esc(R.rate), { rate: percent(ind.annual_rate), total: money(ind.total_repayable_eur) })}</p>
        <p class="hint">${esc(R.instalmentNote)}</p>` : ''}
      ${suggestionsHtml(d)}
      ${d.outcome === 'ineligible' ? '' : contactHtml()}
      ${referralsHtml(answer.referrals)}
      <h2 class="heading-m">${esc(T.act.answersTitle)}</h2>
      <dl class="summary-list" id="answers-summary">${summaryRows(false)}</dl>
      <h2 class="heading-m">${esc(R.rulesTitle)}</h2>
      <p id="rule-set">${fill(esc(R.rulesText), { product: esc(d.product), version: `<span id="rule-set-version">${esc(d.rule_set?.version)}</span>`, from: date(d.rule_set?.effective_from), asOf: date(d.as_of) })}</p>
      <p>${esc(R.hashLabel)} <code class="hash" id="rule-set-hash">${esc(d.rule_set?.hash)}</code></p>
      <div class="no-print">
        <p class="hint">${esc(T.act.printNote)}</p>
        <div class="button-group">
          <button type="button" class="button button--secondary" id="print-summary">${esc(T.act.print)}</button>
          <button type="button" class="button button--secondary" id="save-summary">${esc(T.act.save)}</button>
        </div>
        <p class="actions"><a href="#/${state.lang}/check" id="change-answers">${esc(R.changeAnswers)}</a>
          <a href="#/${state.lang}" id="start-again">${esc(R.startAgain)}</a></p>
      </div>`,
  };
}

/** The reasons of a decision with what to do about each. */
function reasonsHtml(d, only = null) {
  const R = TEXTS[state.lang].result;
  const reasons = only ?? (d.reasons ?? []).filter((r) => r.severity !== 'info' || d.outcome === 'eligible');
  const items = reasons.map((r) => {
    const step = nextStepFor(d, r.id);
    return `<li class="reason" data-reason="${esc(r.id)}"><p class="reason__message">${esc(r.message)}</p>${step ? `<p class="reason__next"><strong>${esc(R.nextStep)}</strong> ${esc(step)}</p>` : ''}</li>`;
  }).join('');
  return items ? `<h2 class="heading-m">${esc(R.reasonsTitle)}</h2><ul class="list reasons">${items}</ul>` : '';
}

/** The questions left empty that a rule needed: `[{ field, page }]`, in the order asked. */
function openQuestions(d) {
  const missing = new Set((d.skipped ?? []).flatMap((s) => s.missing ?? []));
  return state.questions.pages.flatMap((p) => p.fields
    .filter((f) => missing.has(f.name))
    .map((f) => ({ field: f, page: p })));
}

function openHtml(open) {
  const O = TEXTS[state.lang].open;
  if (!open.length) return '';
  const items = open.map(({ field: f, page }) => `<li><a href="#/${state.lang}/q/${page.id}/change" data-open="${esc(f.name)}">${esc(textOf(f).short ?? textOf(f).label)}</a></li>`).join('');
  return `<div class="open-checks" id="open-checks"><h2 class="heading-m">${esc(O.title)}</h2>
    <p>${esc(O.text)}</p><ul class="list list--bullet">${items}</ul></div>`;
}

/**
 * The result as a text file the applicant may keep or hand to an advisor: made in this browser
 * from what the page shows (outcome, reasons, open checks, answers, rule set and hash); nothing
 * is sent anywhere.
 */
function saveSummary() {
  const main = document.getElementById('main');
  const line = (el) => el.textContent.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
  const out = [document.title, '', line(main.querySelector('#outcome h1'))];
  for (const el of main.querySelectorAll('p.body-l, li.reason, #open-checks li, #next-step, #instalment, #contact p, #rule-set')) {
    out.push(`${el.matches('li') ? '- ' : ''}${line(el)}`);
  }
  out.push('', line(main.querySelector('#answers-summary')?.previousElementSibling ?? main));
  for (const row of main.querySelectorAll('#answers-summary .summary-list__row')) {
    out.push(`- ${line(row.querySelector('dt'))}: ${line(row.querySelector('dd'))}`);
  }
  out.push('', `SHA-256: ${line(main.querySelector('#rule-set-hash'))}`, '');
  const blob = new Blob([out.join('\n')], { type: 'text/plain;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `kredo-${main.querySelector('#rule-set-version')?.textContent ?? ''}-${new Date().toISOString().slice(0, 10)}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** Who decides and how to reach them, and what to have ready. */
function contactHtml() {
  const A = TEXTS[state.lang].act;
  const lender = state.questions.lender;
  const name = lenderName();
  return `<div id="contact"><h2 class="heading-m">${esc(A.contactTitle)}</h2>
    <p>${esc(fill(A.contactText, { lender: name }))}</p>
    ${lender?.url ? `<p><a href="${esc(lender.url)}" rel="noopener noreferrer" id="lender-link">${esc(name)}</a> <span class="secondary-text">${esc(lender.url.replace(/^https?:\/\//, '').replace(/\/$/, ''))}</span></p>` : ''}
    <h3 class="heading-s">${esc(A.bringTitle)}</h3>
    <ul class="list list--bullet" id="bring">${A.bring.map((b) => `<li>${esc(b)}</li>`).join('')}</ul></div>`;
}

/**
 * The reasons that end the check early: ineligible, and read only from questions answered up to
 * `page`, one of them from that page itself (an earlier one was already shown).
 */
function knockOut(page) {
  const { pages } = state.questions;
  const index = pages.indexOf(page);
  if (index < 0) return null;
  const asked = new Set(pages.slice(0, index + 1).flatMap((p) => p.fields.map((f) => f.name)));
  const here = new Set(page.fields.map((f) => f.name));
  const answer = decide();
  if (!answer?.ok) return null;
  // What the loan is (amount, term, purposes) the applicant can change, and the result shows
  // what change would work: those reasons wait for the result.
  const loan = (n) => n === AMOUNT_FIELD || n === TERM_FIELD || state.questions.field(n)?.kind === 'purposes';
  const reasons = (answer.decision.reasons ?? []).filter((r) => r.severity === 'ineligible'
    && (r.fields ?? []).length > 0 && r.fields.every((n) => asked.has(n) && !loan(n)));
  if (!reasons.length || !reasons.some((r) => r.fields.some((n) => here.has(n)))) return null;
  return { answer, reasons };
}

/** The applicant is probably not eligible from the answers so far: why, what to do, who else. */
function stopView(route) {
  const T = TEXTS[state.lang];
  const { pages } = state.questions;
  const page = state.questions.page(route.page);
  const index = pages.indexOf(page);
  const next = index >= 0 && index < pages.length - 1 ? `#/${state.lang}/q/${pages[index + 1].id}` : `#/${state.lang}/check`;
  const stop = page ? knockOut(page) : null;
  if (!stop) return { redirect: next };
  const d = stop.answer.decision;
  const referrals = stop.answer.referrals;
  return {
    title: fill(T.stop.title, { who: who() }),
    html: `<a href="#/${state.lang}/q/${page.id}" class="back-link">${esc(T.back)}</a>
      <div class="panel panel--ineligible" id="outcome" data-outcome="ineligible" data-stop="${esc(page.id)}">
        <h1 class="panel__title" tabindex="-1">${esc(fill(T.stop.title, { who: who() }))}</h1>
      </div>
      <p class="body-l">${esc(fill(T.stop.text, { lender: lenderName() }))}</p>
      ${reasonsHtml(d, stop.reasons)}
      <p><a href="#/${state.lang}/q/${page.id}" id="stop-change">${esc(T.stop.change)}</a></p>
      ${referralsHtml(referrals)}
      <h2 class="heading-m">${esc(T.stop.continueTitle)}</h2>
      <p>${esc(T.stop.continueText)}</p>
      <a href="${next}" role="button" draggable="false" class="button button--secondary" id="stop-continue">${esc(T.stop.continue)}</a>`,
  };
}

/** The answers a tried suggestion changed, as check-your-answers shows them. */
function triedHtml() {
  const items = Object.keys(state.tried ?? {})
    .map((name) => state.questions.field(name))
    .filter((f) => f && f.kind !== 'purposes')
    // French puts a (non-breaking) space before a colon.
    .map((f) => `<li>${esc(textOf(f).short ?? textOf(f).label)}${state.lang === 'fr' ? '\u00a0:' : ':'} <strong>${answerText(f)}</strong></li>`);
  return items.length ? `<ul class="list" id="tried-answers">${items.join('')}</ul>` : '';
}

/** What would change the outcome: each suggestion with a button that tries it. */
function suggestionsHtml(d) {
  const R = TEXTS[state.lang].result;
  const list = d.suggestions ?? [];
  if (!list.length) return '';
  const items = list.map((s, i) => `<li class="suggestion" data-outcome="${esc(s.outcome)}">
      <p>${esc(s.message)}</p>
      <button type="button" class="button button--secondary" data-suggestion="${i}" id="try-suggestion-${i}">${esc(R.trySuggestion)}<span class="visually-hidden">: ${esc(s.message)}</span></button>
    </li>`).join('');
  return `<h2 class="heading-m" id="suggestions-title">${esc(R.suggestionsTitle)}</h2>
    <ul class="list suggestions" id="suggestions" aria-labelledby="suggestions-title">${items}</ul>`;
}

/** The other lenders whose own rules may take the applicant, best outcome first. */
function referralsHtml(referrals) {
  const R = TEXTS[state.lang].result;
  if (!referrals?.length) return '';
  const items = referrals.map((r) => `<li class="referral" data-product="${esc(r.product)}" data-outcome="${esc(r.outcome)}">
      <h3 class="heading-s">${r.url ? `<a href="${esc(r.url)}" rel="noopener noreferrer">${esc(r.title)}</a>` : esc(r.title)}</h3>
      <p class="referral__outcome"><strong>${esc(R.referralOutcome[r.outcome] ?? '')}</strong></p>
      <p>${esc(r.message)}</p>
    </li>`).join('');
  return `<h2 class="heading-m" id="referrals-title">${esc(R.referralsTitle)}</h2>
    <p>${esc(R.referralsText)}</p>
    <ul class="list referrals" id="referrals" aria-labelledby="referrals-title">${items}</ul>`;
}

/** The answers with a suggestion's changes: the amount (and the purposes scaled to it) or the term. */
function applyChanges(answers, changes) {
  const out = structuredClone(answers);
  for (const [name, value] of Object.entries(changes)) {
    const f = state.questions.field(name);
    if (!f) continue;
    if (f.kind === 'purposes') {
      const purposes = {};
      for (const c of choices(f)) purposes[c] = { selected: false, amount: '' };
      for (const p of value) purposes[p.category] = { selected: true, amount: p.amount_eur };
      out[name] = purposes;
    } else {
      out[name] = String(value);
    }
  }
  return out;
}

function loadingView() {
  const T = TEXTS[state.lang];
  return state.engineFailed
    ? { name: 'loading', title: T.loadFailed, html: `<h1 class="heading-l" tabindex="-1">${esc(T.loadFailed)}</h1>` }
    : { name: 'loading', title: T.loading, html: `<h1 class="heading-l" tabindex="-1">${esc(T.loading)}</h1>` };
}

function headerHtml(route) {
  const T = TEXTS[state.lang];
  const links = LANGS.map((l) => (l === state.lang
    ? `<li><span class="lang-nav__current" lang="${l}" aria-current="true">${esc(LANG_NAMES[l])}</span></li>`
    : `<li><a class="lang-nav__link" href="${routeHash(route, l)}" lang="${l}" hreflang="${l}" data-lang="${l}">${esc(LANG_NAMES[l])}</a></li>`)).join('');
  return `<div class="width-container header__inner">
      <a class="header__service" href="#/${state.lang}">${esc(T.service)}</a>
      <nav class="lang-nav" aria-label="${esc(T.languageNav)}"><ul>${links}</ul></nav>
    </div>`;
}

// ---------------------------------------------------------------- render

let lastHash = null;

function render({ focusErrors = false } = {}) {
  let route = parseRoute(location.hash);
  if (!route) {
    history.replaceState(null, '', `#/${defaultLang()}`);
    route = parseRoute(location.hash);
  }
  state.lang = route.lang;
  const T = TEXTS[state.lang];
  document.documentElement.lang = state.lang;

  let view;
  if (route.view === 'start') {
    view = startView();
  } else if (!state.questions) {
    view = loadingView();
  } else if (route.view === 'question') {
    view = questionView(route);
  } else if (route.view === 'stop') {
    view = stopView(route);
  } else {
    // A deep link or Back after "Start again": go to the first question still to answer, with
    // no errors shown (the applicant has not pressed Continue there yet).
    const missing = firstIncompletePage(state.questions, state.answers);
    if (missing) {
      go(`#/${state.lang}/q/${missing.id}`, { replace: true });
      return;
    }
    view = route.view === 'check' ? checkView() : resultView();
  }
  if (view.redirect) {
    go(view.redirect, { replace: true });
    return;
  }

  document.getElementById('header').innerHTML = headerHtml(route);
  document.getElementById('footer-text').textContent = T.footer;
  document.getElementById('skip-link').textContent = T.skip;
  const main = document.getElementById('main');
  main.innerHTML = view.html;
  main.dataset.view = view.name ?? route.view;
  main.dataset.page = view.name ? '' : route.page ?? '';
  const errors = view.errors ?? [];
  document.title = `${errors.length ? `${T.errorPrefix} ` : ''}${view.title === T.service ? '' : `${view.title} – `}${T.service}`;

  const changed = lastHash !== null && lastHash !== location.hash;
  lastHash = location.hash;
  if (errors.length && (focusErrors || changed)) {
    document.getElementById('error-summary')?.focus();
  } else if (changed || focusErrors) {
    main.querySelector('h1')?.focus();
  }
}

// ---------------------------------------------------------------- events

function focusTarget(id) {
  const el = document.getElementById(id);
  if (!el) return;
  el.focus();
  // Bring the question's label or legend into view with the field, as GOV.UK does.
  const legend = el.closest('fieldset')?.querySelector('legend');
  const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
  (legend ?? label ?? el).scrollIntoView({ block: 'start' });
}

/** Refreshes what the page says next to the answers while they are typed (nothing else moves). */
function updateLive() {
  const q = state.questions;
  const form = document.getElementById('question-form');
  const page = q?.page(form?.dataset.page);
  if (!page) return;
  // Keep a reading choice that is being made: rewrite only when the typed text changed.
  const understood = (id, f, value) => {
    const el = document.getElementById(`${id}-understood`);
    const typed = String(value ?? '');
    if (!el || el.dataset.typed === typed) return;
    el.innerHTML = understoodHtml(id, f, typed);
    el.dataset.typed = typed;
  };
  for (const f of page.fields) {
    const id = ids.field(f);
    understood(id, f, state.answers[f.name]);
    const limit = document.getElementById(`${id}-limit`);
    if (limit) limit.innerHTML = limitHtml(f);
    if (f.kind === 'purposes') {
      for (const c of chosenPurposes(f, state.answers)) {
        understood(ids.amount(c), { kind: 'money' }, state.answers[f.name][c].amount);
      }
      const total = document.getElementById('purposes-total');
      if (total) total.innerHTML = purposesTotalHtml(f);
    }
  }
}

document.addEventListener('input', (event) => {
  if (event.target.id === 'nace-search-input') {
    document.getElementById('nace-results').innerHTML = naceResultsHtml(event.target.value);
    return;
  }
  if (!event.target.closest?.('#question-form')) return;
  captureForm();
  updateLive();
});

document.addEventListener('click', (event) => {
  const reading = event.target.closest?.('input[data-reading-for]');
  if (reading) {
    // The applicant chose one reading of an ambiguous amount: write it so it reads one way only.
    const input = document.getElementById(reading.dataset.readingFor);
    if (input) {
      input.value = reading.value;
      captureForm();
      updateLive();
      input.focus();
    }
    return;
  }
  const nace = event.target.closest?.('button[data-nace]');
  if (nace) {
    const q = state.questions;
    const code = q.pages.flatMap((p) => p.fields).find((f) => f.kind === 'nace_code');
    const input = code && document.getElementById(ids.field(code));
    if (input) {
      input.value = nace.dataset.nace;
      const version = nace.dataset.naceVersion;
      if (version) document.querySelector(`input[name="nace_version"][value="${CSS.escape(version)}"]`)?.click();
      captureForm();
      input.focus();
    }
    return;
  }
  if (event.target.closest?.('#print-summary')) {
    window.print();
    return;
  }
  if (event.target.closest?.('#save-summary')) {
    saveSummary();
    return;
  }
  const button = event.target.closest?.('button');
  if (button?.dataset.suggestion !== undefined || button?.id === 'undo-change') {
    const answer = decide();
    if (button.id === 'undo-change') {
      state.answers = state.undo ?? state.answers;
      state.undo = null;
      state.tried = null;
    } else if (answer?.ok) {
      const s = answer.decision.suggestions?.[Number(button.dataset.suggestion)];
      if (!s) return;
      state.undo = state.undo ?? structuredClone(state.answers);
      state.tried = { ...(state.tried ?? {}), ...s.changes };
      state.answers = applyChanges(state.answers, s.changes);
    }
    saveAnswers();
    render({ focusErrors: true });
    return;
  }
  const link = event.target.closest?.('a');
  if (!link) return;
  const href = link.getAttribute('href') ?? '';
  // In-page links (skip link, error summary) would replace the route: move focus instead.
  if (href.startsWith('#') && !href.startsWith('#/')) {
    event.preventDefault();
    if (link.dataset.target) focusTarget(link.dataset.target);
    else if (href === '#main') document.getElementById('main').focus();
    return;
  }
  // A language link keeps what has been typed on the page but not yet continued.
  if (link.dataset.lang) captureForm();
  if (link.id === 'start-again' || link.id === 'change-answers') {
    state.undo = null;
    state.tried = null;
  }
  if (link.id === 'start-again') {
    state.answers = {};
    state.showErrors.clear();
    state.keptMismatch = null;
    saveAnswers();
  }
});

// A link styled as a button is also pressed with the space bar.
document.addEventListener('keydown', (event) => {
  if (event.key === ' ' && event.target.matches?.('a[role="button"]')) {
    event.preventDefault();
    event.target.click();
  }
});

document.addEventListener('change', (event) => {
  const box = event.target;
  if (!box.matches?.('.checkboxes__input')) return;
  const conditional = document.getElementById(`${box.id}-conditional`);
  conditional?.classList.toggle('hidden', !box.checked);
  // A sensible default: the first purpose chosen covers the whole amount asked for.
  if (box.checked) {
    const amount = document.getElementById(`${box.id}-amount`);
    const others = [...document.querySelectorAll('.checkboxes__input:checked')].filter((b) => b !== box);
    const loan = String(state.answers[AMOUNT_FIELD] ?? '').trim();
    if (amount && !amount.value && others.length === 0 && loan) amount.value = loan;
  }
  captureForm();
  updateLive();
});

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (form.id !== 'question-form') return;
  event.preventDefault();
  captureForm();
  const page = state.questions?.page(form.dataset.page);
  if (!page) return;
  const { pages } = state.questions;
  const route = parseRoute(location.hash);
  let invalid = validatePage(page, state.answers).length > 0;
  if (!invalid) {
    await engineReady;
    invalid = engineErrorsFor(page).length > 0;
  }
  if (invalid) {
    state.showErrors.add(page.id);
    render({ focusErrors: true });
    return;
  }
  state.showErrors.delete(page.id);
  const index = pages.indexOf(page);
  const shownNotice = state.notice;
  state.notice = null;
  // Purposes that do not add up to the amount: said once on their page, then kept if wished.
  const mismatch = page.fields.some((f) => f.kind === 'purposes') ? purposesMismatch() : null;
  if (mismatch) {
    const key = `${mismatch.total}/${mismatch.amount}`;
    if (state.keptMismatch !== key || shownNotice) {
      state.keptMismatch = key;
      render({ focusErrors: true });
      return;
    }
  }
  // A changed amount the purposes no longer add up to: back to the purposes first.
  if (route?.change && page.fields.some((f) => f.name === AMOUNT_FIELD)) {
    const after = purposesMismatch();
    if (after) {
      state.notice = 'amountChanged';
      go(`#/${state.lang}/q/${state.questions.pageOf(after.field.name).id}/change`);
      return;
    }
  }
  // An answer that already rules this product out: say so now, not after every other page.
  if (!route?.change && knockOut(page)) {
    go(`#/${state.lang}/stop/${page.id}`);
    return;
  }
  const next = route?.change || index === pages.length - 1 ? 'check' : `q/${pages[index + 1].id}`;
  go(`#/${state.lang}/${next}`);
});

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/')) render();
});

engineReady.then(() => {
  // The start page names the lender and its limits, which come with the schema.
  if (['loading', 'start'].includes(document.getElementById('main').dataset.view)) render();
  // The start page came before the schema: now its button knows the first page.
  document.getElementById('start-button')?.setAttribute('href', startHref());
});

render();
