// The self-check page: routes, views and the calls to the engine running in this browser.
//
// Answers live in memory and in this tab's sessionStorage only; routes are URL fragments, so
// moving between pages, switching language or asking for a decision never makes a request.

import init, { evaluate, guidance, rulesets } from '../pkg/kredo.js';
import { LANGS, LOCALES, LANG_NAMES, TEXTS, fill } from './i18n.js';
import {
  PAGES, PURPOSES, FIELD_PAGE, pageById, validatePage, firstIncompletePage, buildApplication,
} from './questions.js';

const PRODUCT = 'impulskrediet';
const STORE = 'kredo-answers';

const state = {
  lang: 'nl',
  answers: loadAnswers(),
  /** Pages whose errors are shown, because the applicant pressed Continue on them. */
  showErrors: new Set(),
  /** The `rulesets()` answer once the engine is ready. */
  engine: null,
  engineFailed: false,
};

// Instantiate the wasm (streamed) and compile the rule sets once, at load: after this the page
// needs no network at all.
const engineReady = init()
  .then(() => {
    performance.mark('kredo-instantiated');
    const answer = rulesets();
    if (!answer || answer.ok !== true) throw new Error(answer?.error?.message ?? 'no rule sets');
    state.engine = answer;
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
  const page = pageById(form.dataset.page);
  if (!page) return;
  for (const f of page.fields) {
    if (f.type === 'purposes') {
      const purposes = { ...(state.answers.purposes ?? {}) };
      for (const c of PURPOSES) {
        const box = form.querySelector(`#f-purpose-${c}`);
        const amount = form.querySelector(`#f-purpose-${c}-amount`);
        purposes[c] = { selected: Boolean(box?.checked), amount: amount?.value ?? '' };
      }
      state.answers.purposes = purposes;
    } else if (f.type === 'radio' || f.type === 'boolean') {
      const chosen = form.querySelector(`input[name="${f.name}"]:checked`);
      state.answers[f.name] = chosen ? chosen.value : '';
    } else {
      const input = form.querySelector(`#f-${f.name}`);
      state.answers[f.name] = input ? input.value : '';
    }
  }
  saveAnswers();
}

// ---------------------------------------------------------------- engine

function decide() {
  return evaluate({ product: PRODUCT, language: state.lang, application: buildApplication(state.answers) });
}

/** The engine's input errors that belong to a page, with the element each one points at. */
function engineErrorsFor(page) {
  if (!state.engine) return [];
  const answer = decide();
  if (!answer?.ok) return [];
  const chosen = PURPOSES.filter((c) => state.answers.purposes?.[c]?.selected);
  const out = [];
  for (const e of answer.decision.errors ?? []) {
    const m = /^([a-z_]+)(?:\[(\d+)\])?/.exec(e.field ?? '');
    const root = m ? m[1] : '';
    if (FIELD_PAGE[root] !== page.id) continue;
    let target = `f-${root}`;
    if (root === 'funding_purposes') {
      const c = m[2] !== undefined ? chosen[Number(m[2])] : undefined;
      target = c ? `f-purpose-${c}-amount` : `f-purpose-${PURPOSES[0]}`;
    } else {
      const field = page.fields.find((f) => f.name === root);
      if (field && (field.type === 'radio' || field.type === 'boolean')) target = `f-${root}-${field.options[0]}`;
    }
    out.push({ field: root, target, text: e.message });
  }
  return out;
}

/** Errors shown on a page: the page's own checks first, the engine's as a backstop. */
function errorsFor(page) {
  if (!state.showErrors.has(page.id)) return [];
  const T = TEXTS[state.lang];
  const own = validatePage(page, state.answers).map((e) => {
    const texts = T.fields[e.field];
    const purpose = e.purpose ? T.fields.funding_purposes.options[e.purpose] : '';
    return { field: e.field, target: e.target, text: fill(texts[e.key], { purpose }) };
  });
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
  if (parts[0] === 'q' && pageById(parts[1])) return { lang, view: 'question', page: parts[1], change: parts[2] === 'change' };
  if (parts[0] === 'check') return { lang, view: 'check' };
  if (parts[0] === 'result') return { lang, view: 'result' };
  return { lang, view: 'start' };
}

function routeHash(route, lang = route.lang) {
  switch (route.view) {
    case 'question': return `#/${lang}/q/${route.page}${route.change ? '/change' : ''}`;
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
function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
}

function money(text) {
  const n = Number(text);
  if (!Number.isFinite(n)) return esc(text);
  return new Intl.NumberFormat(LOCALES[state.lang], { style: 'currency', currency: 'EUR' }).format(n);
}

function percent(text) {
  const n = Number(text);
  if (!Number.isFinite(n)) return esc(text);
  return new Intl.NumberFormat(LOCALES[state.lang], { style: 'percent', maximumFractionDigits: 3 }).format(n);
}

function date(iso) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso ?? '')) return esc(iso);
  return new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
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
  const T = TEXTS[state.lang];
  const text = T.fields[f.name].label;
  return f.required || f.type === 'purposes' ? esc(text) : `${esc(text)} <span class="optional">${esc(T.optional)}</span>`;
}

function radiosField(f, errors, asHeading) {
  const T = TEXTS[state.lang];
  const ft = T.fields[f.name];
  const id = `f-${f.name}`;
  const value = state.answers[f.name] ?? '';
  const legend = asHeading
    ? `<legend class="fieldset__legend fieldset__legend--l"><h1 class="heading-l" tabindex="-1">${labelText(f)}</h1></legend>`
    : `<legend class="fieldset__legend fieldset__legend--m">${labelText(f)}</legend>`;
  const labels = f.type === 'boolean' ? { yes: T.yes, no: T.no } : ft.options;
  return `<div class="form-group${errors.length ? ' form-group--error' : ''}">
    <fieldset class="fieldset"${describedBy(id, Boolean(ft.hint), errors)}>
      ${legend}
      ${ft.hint ? `<div class="hint" id="${id}-hint">${esc(ft.hint)}</div>` : ''}
      ${errorMessage(id, errors)}
      <div class="radios${f.inline ? ' radios--inline' : ''}">
        ${f.options.map((o) => `<div class="radios__item">
          <input class="radios__input" id="${id}-${esc(o)}" name="${f.name}" type="radio" value="${esc(o)}"${value === o ? ' checked' : ''}>
          <label class="radios__label" for="${id}-${esc(o)}">${esc(labels[o])}</label>
        </div>`).join('')}
      </div>
    </fieldset>
  </div>`;
}

function inputField(f, errors, asHeading) {
  const T = TEXTS[state.lang];
  const ft = T.fields[f.name];
  const id = `f-${f.name}`;
  const value = state.answers[f.name] ?? '';
  const label = `<label class="label${asHeading ? ' label--l' : ' label--m'}" for="${id}">${labelText(f)}</label>`;
  const inputmode = f.type === 'integer' ? 'numeric' : f.type === 'money' && f.positive ? 'decimal' : 'text';
  return `<div class="form-group${errors.length ? ' form-group--error' : ''}">
    ${asHeading ? `<h1 class="label-wrapper" tabindex="-1">${label}</h1>` : label}
    ${ft.hint ? `<div class="hint" id="${id}-hint">${esc(ft.hint)}</div>` : ''}
    ${errorMessage(id, errors)}
    <div class="input-wrapper">
      ${f.prefix ? `<span class="input-affix" aria-hidden="true">${esc(f.prefix)}</span>` : ''}
      <input class="input input--width-${f.width}${errors.length ? ' input--error' : ''}" id="${id}" name="${f.name}" type="text"
        inputmode="${inputmode}" spellcheck="false" autocomplete="off" value="${esc(value)}"${describedBy(id, Boolean(ft.hint), errors)}>
      ${ft.suffix ? `<span class="input-affix" aria-hidden="true">${esc(ft.suffix)}</span>` : ''}
    </div>
  </div>`;
}

function purposesField(f, errors, asHeading) {
  const T = TEXTS[state.lang];
  const ft = T.fields.funding_purposes;
  const chosen = state.answers.purposes ?? {};
  const groupErrors = errors.filter((e) => e.target === `f-purpose-${PURPOSES[0]}` && !e.target.endsWith('-amount'));
  const items = PURPOSES.map((c) => {
    const p = chosen[c] ?? {};
    const id = `f-purpose-${c}`;
    const amountErrors = errors.filter((e) => e.target === `${id}-amount`);
    return `<div class="checkboxes__item">
      <input class="checkboxes__input" id="${id}" name="purpose" type="checkbox" value="${c}"${p.selected ? ' checked' : ''} aria-controls="${id}-conditional">
      <label class="checkboxes__label" for="${id}">${esc(ft.options[c])}</label>
    </div>
    <div class="checkboxes__conditional${p.selected ? '' : ' hidden'}" id="${id}-conditional">
      <div class="form-group${amountErrors.length ? ' form-group--error' : ''}">
        <label class="label" for="${id}-amount">${esc(ft.amountLabel)}<span class="visually-hidden">: ${esc(ft.options[c])}</span></label>
        ${errorMessage(`${id}-amount`, amountErrors)}
        <div class="input-wrapper">
          <span class="input-affix" aria-hidden="true">€</span>
          <input class="input input--width-10${amountErrors.length ? ' input--error' : ''}" id="${id}-amount" name="${id}-amount" type="text"
            inputmode="decimal" spellcheck="false" autocomplete="off" value="${esc(p.amount ?? '')}"${describedBy(`${id}-amount`, false, amountErrors)}>
        </div>
      </div>
    </div>`;
  }).join('');
  const id = 'f-funding_purposes';
  return `<div class="form-group${groupErrors.length ? ' form-group--error' : ''}">
    <fieldset class="fieldset"${describedBy(id, true, groupErrors)}>
      ${asHeading
        ? `<legend class="fieldset__legend fieldset__legend--l"><h1 class="heading-l" tabindex="-1">${esc(ft.label)}</h1></legend>`
        : `<legend class="fieldset__legend fieldset__legend--m">${esc(ft.label)}</legend>`}
      <div class="hint" id="${id}-hint">${esc(ft.hint)}</div>
      ${errorMessage(id, groupErrors)}
      <div class="checkboxes">${items}</div>
    </fieldset>
  </div>`;
}

function field(f, errors, asHeading) {
  const mine = errors.filter((e) => e.field === f.name);
  if (f.type === 'radio' || f.type === 'boolean') return radiosField(f, mine, asHeading);
  if (f.type === 'purposes') return purposesField(f, mine, asHeading);
  return inputField(f, mine, asHeading);
}

// ---------------------------------------------------------------- views

function startView() {
  const T = TEXTS[state.lang];
  return {
    title: T.service,
    html: `<h1 class="heading-xl" tabindex="-1">${esc(T.service)}</h1>
      <p class="body-l">${esc(T.start.lead)}</p>
      <p>${esc(T.start.time)}</p>
      <h2 class="heading-m">${esc(T.start.beforeTitle)}</h2>
      <p>${esc(T.start.indicative)}</p>
      <p>${esc(T.start.privacy)}</p>
      <a href="#/${state.lang}/q/${PAGES[0].id}" role="button" draggable="false" class="button button--start" id="start-button">${esc(T.start.button)}
        <svg class="button__icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false"><path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/></svg></a>`,
  };
}

function questionView(route) {
  const T = TEXTS[state.lang];
  const page = pageById(route.page);
  const index = PAGES.indexOf(page);
  const errors = errorsFor(page);
  const single = page.fields.length === 1;
  const pt = T.pages[page.id];
  const back = route.change
    ? `#/${state.lang}/check`
    : index > 0 ? `#/${state.lang}/q/${PAGES[index - 1].id}` : `#/${state.lang}`;
  return {
    title: pt.title,
    errors,
    html: `<a href="${back}" class="back-link">${esc(T.back)}</a>
      ${errorSummary(errors)}
      <form id="question-form" data-page="${page.id}" novalidate>
        ${single ? '' : `<h1 class="heading-l" tabindex="-1">${esc(pt.title)}</h1>`}
        ${pt.intro ? `<p>${esc(pt.intro)}</p>` : ''}
        ${page.fields.map((f) => field(f, errors, single)).join('')}
        <button type="submit" class="button" id="continue">${esc(T.continue)}</button>
      </form>`,
  };
}

function answerText(f) {
  const T = TEXTS[state.lang];
  const ft = T.fields[f.name];
  if (f.type === 'purposes') {
    const items = PURPOSES.filter((c) => state.answers.purposes?.[c]?.selected)
      .map((c) => `<li>${esc(ft.options[c])}: ${money(state.answers.purposes[c].amount)}</li>`);
    return items.length ? `<ul class="list">${items.join('')}</ul>` : esc(T.notAnswered);
  }
  const v = (state.answers[f.name] ?? '').trim();
  if (!v) return `<span class="secondary-text">${esc(T.notAnswered)}</span>`;
  if (f.type === 'boolean') return esc(v === 'yes' ? T.yes : T.no);
  if (f.type === 'radio') return esc(ft.options[v] ?? v);
  if (f.type === 'money') return money(v);
  if (ft.suffix) return `${esc(v)} ${esc(ft.suffix)}`;
  return esc(v);
}

function checkView() {
  const T = TEXTS[state.lang];
  const rows = PAGES.flatMap((p) => p.fields.map((f) => `<div class="summary-list__row">
      <dt class="summary-list__key">${esc(T.fields[f.name].short)}</dt>
      <dd class="summary-list__value">${answerText(f)}</dd>
      <dd class="summary-list__actions"><a href="#/${state.lang}/q/${p.id}/change" id="change-${f.name}">${esc(T.change)}<span class="visually-hidden"> ${esc(T.fields[f.name].short)}</span></a></dd>
    </div>`)).join('');
  return {
    title: T.check.title,
    html: `<h1 class="heading-l" tabindex="-1">${esc(T.check.title)}</h1>
      <dl class="summary-list">${rows}</dl>
      <h2 class="heading-m">${esc(T.check.submitTitle)}</h2>
      <p>${esc(T.check.submitText)}</p>
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
    const first = PAGES.find((p) => (d.errors ?? []).some((e) => FIELD_PAGE[/^[a-z_]+/.exec(e.field ?? '')?.[0]] === p.id)) ?? PAGES[0];
    state.showErrors.add(first.id);
    return { redirect: `#/${state.lang}/q/${first.id}/change` };
  }
  const o = R[d.outcome] ?? R.review;
  const reasons = (d.reasons ?? []).filter((r) => r.severity !== 'info' || d.outcome === 'eligible');
  const reasonItems = reasons.map((r) => {
    const step = nextStepFor(d, r.id);
    return `<li class="reason" data-reason="${esc(r.id)}"><p class="reason__message">${esc(r.message)}</p>${step ? `<p class="reason__next"><strong>${esc(R.nextStep)}</strong> ${esc(step)}</p>` : ''}</li>`;
  }).join('');
  const ind = d.indicative;
  const amount = (state.answers.term_months ?? '').trim();
  const skipped = (d.skipped ?? []).length;
  return {
    title: o.title,
    html: `<div class="panel panel--${esc(d.outcome)}" id="outcome" data-outcome="${esc(d.outcome)}">
        <h1 class="panel__title" tabindex="-1">${esc(o.title)}</h1>
      </div>
      <p class="body-l">${esc(o.text)}</p>
      ${reasonItems ? `<h2 class="heading-m">${esc(R.reasonsTitle)}</h2><ul class="list reasons">${reasonItems}</ul>` : ''}
      <h2 class="heading-m">${esc(R.nextTitle)}</h2>
      <p id="next-step">${esc(R.next[d.outcome] ?? R.next.review)}</p>
      ${ind ? `<h2 class="heading-m">${esc(R.instalmentTitle)}</h2>
        <p class="body-l" id="instalment"><strong>${fill(esc(R.instalment), { amount: money(ind.monthly_instalment_eur), months: esc(amount) })}</strong></p>
        <p>${fill(esc(R.rate), { rate: percent(ind.annual_rate), total: money(ind.total_repayable_eur) })}</p>
        <p class="hint">${esc(R.instalmentNote)}</p>` : ''}
      ${skipped ? `<p>${esc(fill(R.skipped, { count: skipped }))}</p>` : ''}
      <h2 class="heading-m">${esc(R.rulesTitle)}</h2>
      <p id="rule-set">${fill(esc(R.rulesText), { product: esc(d.product), version: `<span id="rule-set-version">${esc(d.rule_set?.version)}</span>`, from: date(d.rule_set?.effective_from), asOf: date(d.as_of) })}</p>
      <p>${esc(R.hashLabel)} <code class="hash" id="rule-set-hash">${esc(d.rule_set?.hash)}</code></p>
      <p class="actions"><a href="#/${state.lang}/check" id="change-answers">${esc(R.changeAnswers)}</a>
        <a href="#/${state.lang}" id="start-again">${esc(R.startAgain)}</a></p>`,
  };
}

function loadingView() {
  const T = TEXTS[state.lang];
  return state.engineFailed
    ? { title: T.loadFailed, html: `<h1 class="heading-l" tabindex="-1">${esc(T.loadFailed)}</h1>` }
    : { title: T.loading, html: `<h1 class="heading-l" tabindex="-1">${esc(T.loading)}</h1>` };
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
  if (route.view === 'question') {
    view = questionView(route);
  } else if (route.view === 'check' || route.view === 'result') {
    const missing = firstIncompletePage(state.answers);
    if (missing) {
      state.showErrors.add(missing.id);
      go(`#/${state.lang}/q/${missing.id}`, { replace: true });
      return;
    }
    if (route.view === 'check') view = checkView();
    else if (!state.engine) view = loadingView();
    else view = resultView();
  } else {
    view = startView();
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
  main.dataset.view = route.view;
  main.dataset.page = route.page ?? '';
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

document.addEventListener('click', (event) => {
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
  if (link.id === 'start-again') {
    state.answers = {};
    state.showErrors.clear();
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
    const loan = (state.answers.amount_requested_eur ?? '').trim();
    if (amount && !amount.value && others.length === 0 && loan) amount.value = loan;
  }
});

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (form.id !== 'question-form') return;
  event.preventDefault();
  captureForm();
  const page = pageById(form.dataset.page);
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
  const index = PAGES.indexOf(page);
  const next = route?.change || index === PAGES.length - 1 ? 'check' : `q/${PAGES[index + 1].id}`;
  go(`#/${state.lang}/${next}`);
});

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/')) render();
});

engineReady.then(() => {
  if (document.getElementById('main').dataset.view === 'result') render();
});

render();
