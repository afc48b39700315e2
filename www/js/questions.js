// The questions of the self-check, from the rule set's schema: no field is named here, so a
// product's new field of a known kind is asked, checked and sent with no change to the page.
// Answers go as typed (money and numbers as strings: nothing is rounded) and an unanswered
// optional field is left out, so the engine lists the rules it could not run.

/** Money as the contract accepts it: dot decimals, at most two, no thousands separator. */
const MONEY_RE = /^-?\d+(\.\d{1,2})?$/;
const NACE_RE = /^\d{2}\.?\d{3}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY_LIMIT = 1000000;

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

/** An error key, or null. */
function moneyError(text, { positive = false, min } = {}) {
  const t = text.trim();
  if (!MONEY_RE.test(t)) return 'format';
  const n = Number(t);
  if (positive && !(n > 0)) return 'positive';
  if (Math.abs(n) > MONEY_LIMIT || (min !== undefined && n < Number(min))) return 'range';
  return null;
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

function typedError(f, text) {
  switch (f.kind) {
    case 'money': return moneyError(text, f);
    case 'integer': return integerError(text, f);
    case 'nace_code': return NACE_RE.test(text.trim()) ? null : 'format';
    case 'date': return DATE_RE.test(text.trim()) ? null : 'format';
    case 'text': return f.max_length !== undefined && text.trim().length > f.max_length ? 'range' : null;
    // Enterprise numbers (check digits, many spellings) are left to the engine's own check.
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
    const e = typedError(f, v);
    if (e) errors.push({ field: f.name, target: ids.field(f), key: e });
  }
  return errors;
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
          .map((c) => ({ category: c, amount_eur: (answers[f.name][c].amount ?? '').trim() }));
        if (list.length) app[f.name] = list;
        continue;
      }
      const v = answers[f.name];
      if (blank(v)) continue;
      app[f.name] = f.kind === 'boolean' ? v === 'yes' : v.trim();
    }
  }
  return app;
}
