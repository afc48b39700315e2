// The questions of the self-check, from the rule set's schema: no field is named here, so a
// product's new field of a known kind is asked, checked and sent with no change to the page.
// Answers are kept as typed; money, terms and enterprise numbers are read the way people write
// them (read.js) and go to the engine in the contract's canonical form (nothing is rounded).
// An unanswered optional field is left out, so the engine lists the rules it could not run.

import { readMoney, readTerm, readEnterpriseNumber } from './read.js';

const NACE_RE = /^\d{2}\.?\d{3}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** The engine reads amounts up to a million euros: beyond that the page asks to check the typing. */
const MONEY_LIMIT = 1000000;

// The engine computes the instalment from these two, so every product declares them.
export const AMOUNT_FIELD = 'amount_requested_eur';
export const TERM_FIELD = 'term_months';
/** Where the unit chosen next to the term is kept in the answers (`months` or `years`). */
export const TERM_UNIT = `${TERM_FIELD}:unit`;

/**
 * Declared fields that no page of a version asks yet but that some rule reads, with the field
 * each is asked after. A version that puts them on a page of its own takes precedence.
 */
const ASK_AFTER = [
  { name: 'enterprise_number', after: 'activity_type' },
  { name: 'nace_version', after: 'nace_code' },
];

/** Radio values of a boolean; the application gets `true` or `false`. */
export const YES_NO = ['yes', 'no'];

/** Element ids: stable, because links and tests point at them. */
export const ids = {
  field: (f) => `f-${f.name}`,
  choice: (f, value) => `f-${f.name}-${value}`,
  purpose: (value) => `f-purpose-${value}`,
  amount: (value) => `f-purpose-${value}-amount`,
};

export function isChoice(f) {
  return f.kind === 'enum' || f.kind === 'boolean';
}

export function choices(f) {
  return f.kind === 'boolean' ? YES_NO : (f.options ?? []).map((o) => o.value);
}

/**
 * The schema as the page walks it. A field on no page is not asked. `others`: the schemas of
 * the other products in force, whose pages with fields not asked yet come last, optional (the
 * other lenders' own questions, for the referrals).
 */
export function questionsOf(schema, others = []) {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const pagesOf = (s, extra) => s.pages.map((p) => ({
    id: p.id,
    text: p.text ?? {},
    fields: p.fields
      .filter((name) => !extra || !byName.has(name))
      .map((name) => s.fields.find((f) => f.name === name))
      .filter(Boolean)
      .map((f) => (extra ? { ...f, required: false } : f)),
  })).filter((p) => p.fields.length > 0);
  const pages = pagesOf(schema, false);
  for (const { name, after } of ASK_AFTER) {
    const f = byName.get(name);
    const page = pages.find((p) => p.fields.some((g) => g.name === after));
    if (!f || !page || pages.some((p) => p.fields.some((g) => g.name === name))) continue;
    const at = page.fields.findIndex((g) => g.name === after);
    page.fields.splice(at + 1, 0, { ...f, required: false });
  }
  for (const other of others) {
    for (const p of pagesOf(other, true)) {
      if (pages.some((q) => q.id === p.id)) continue;
      for (const f of p.fields) byName.set(f.name, f);
      pages.push(p);
    }
  }
  const pageOfField = new Map(pages.flatMap((p) => p.fields.map((f) => [f.name, p])));
  return {
    product: schema.product,
    version: schema.version,
    title: schema.title,
    lender: schema.lender ?? null,
    limits: schema.limits ?? {},
    codeLists: schema.code_lists ?? [],
    pages,
    page: (id) => pages.find((p) => p.id === id) ?? null,
    pageOf: (name) => pageOfField.get(name) ?? null,
    field: (name) => byName.get(name) ?? null,
  };
}

function blank(value) {
  return value === undefined || value === null || typeof value === 'object' || String(value).trim() === '';
}

export function chosenPurposes(f, answers) {
  const given = answers[f.name];
  return choices(f).filter((c) => given?.[c]?.selected);
}

/** An error key, or null: `ambiguous` when the amount has two readings and none is chosen. */
function moneyError(text, { positive = false, min } = {}) {
  const read = readMoney(text);
  if (read.choices) return 'ambiguous';
  if (read.error) return read.error;
  const n = Number(read.value);
  if (positive && !(n > 0)) return 'positive';
  if (Math.abs(n) > MONEY_LIMIT || (min !== undefined && n < Number(min))) return 'range';
  return null;
}

/** The canonical amount (`9500.50`) of a typed one, or the text itself when it has none. */
export function moneyValue(text) {
  const read = readMoney(text);
  return read.value ?? String(text ?? '').trim();
}

/** The term in months of the answers, or null. */
export function termMonths(answers) {
  const read = readTerm(answers[TERM_FIELD], answers[TERM_UNIT]);
  return read.months ?? null;
}

/** An error key, or null; as in the engine, the minimum is 0 unless declared. */
function integerError(text, f) {
  const t = text.trim();
  const min = f.min === undefined ? 0 : Number(f.min);
  const max = f.max === undefined ? Infinity : Number(f.max);
  if (!(min < 0 ? /^-?\d+$/ : /^\d+$/).test(t)) return 'format';
  const n = Number(t);
  return n < min || n > max ? 'range' : null;
}

function typedError(f, text, answers) {
  switch (f.kind) {
    case 'money': return moneyError(text, f);
    case 'integer': {
      if (f.name !== TERM_FIELD) return integerError(text, f);
      const read = readTerm(text, answers[TERM_UNIT]);
      return read.error ?? integerError(String(read.months), f);
    }
    case 'nace_code': return NACE_RE.test(text.trim()) ? null : 'format';
    case 'date': return DATE_RE.test(text.trim()) ? null : 'format';
    case 'text': return f.max_length !== undefined && text.trim().length > f.max_length ? 'range' : null;
    case 'enterprise_number': return readEnterpriseNumber(text).error ?? null;
    default: return null;
  }
}

/**
 * One page's answers against the declarations: `[{field, target, key, purpose?}]`, `key` naming
 * a declared error text (`required`, `format`, `amount_range`, …). Only answers the engine could
 * not read are errors, never ineligibility.
 */
export function validatePage(page, answers) {
  const errors = [];
  for (const f of page.fields) {
    if (f.kind === 'purposes') {
      const chosen = chosenPurposes(f, answers);
      if (chosen.length === 0) {
        if (f.required) errors.push({ field: f.name, target: ids.purpose(choices(f)[0]), key: 'required' });
        continue;
      }
      for (const c of chosen) {
        const amount = answers[f.name][c].amount ?? '';
        const target = ids.amount(c);
        const e = blank(amount) ? 'required' : moneyError(amount, { positive: true });
        if (e) errors.push({ field: f.name, target, key: `amount_${e}`, purpose: c });
      }
      continue;
    }
    const v = answers[f.name];
    if (blank(v)) {
      if (f.required) {
        errors.push({ field: f.name, target: isChoice(f) ? ids.choice(f, choices(f)[0]) : ids.field(f), key: 'required' });
      }
      continue;
    }
    if (isChoice(f)) continue;
    const e = typedError(f, v, answers);
    if (e) errors.push({ field: f.name, target: ids.field(f), key: e });
  }
  return errors;
}

/** The sum of the purposes' amounts (in cents), or null while one cannot be read. */
export function purposesTotalCents(f, answers) {
  let total = 0n;
  for (const c of chosenPurposes(f, answers)) {
    const read = readMoney(answers[f.name][c].amount);
    if (!read.value) return null;
    total += cents(read.value);
  }
  return total;
}

/** `9500.5` → 950050n. */
export function cents(value) {
  const [whole, dec = ''] = String(value).replace('-', '').split('.');
  const n = BigInt(whole) * 100n + BigInt((dec + '00').slice(0, 2));
  return String(value).startsWith('-') ? -n : n;
}

/** The first page whose required answers are missing or invalid, or null. */
export function firstIncompletePage(questions, answers) {
  return questions.pages.find((p) => validatePage(p, answers).length > 0) ?? null;
}

/** The application for the answers given so far. */
export function buildApplication(questions, answers) {
  const app = {};
  for (const page of questions.pages) {
    for (const f of page.fields) {
      if (f.kind === 'purposes') {
        const list = chosenPurposes(f, answers)
          .map((c) => ({ category: c, amount_eur: moneyValue(answers[f.name][c].amount) }));
        if (list.length) app[f.name] = list;
        continue;
      }
      const v = answers[f.name];
      if (blank(v)) continue;
      if (f.kind === 'boolean') app[f.name] = v === 'yes';
      else if (f.kind === 'money') app[f.name] = moneyValue(v);
      else if (f.name === TERM_FIELD) app[f.name] = String(termMonths(answers) ?? v.trim());
      else if (f.kind === 'enterprise_number') app[f.name] = readEnterpriseNumber(v).value ?? v.trim();
      else app[f.name] = v.trim();
    }
  }
  return app;
}
