// The question pages of the self-check: one topic per page, in the order they are asked.
//
// Field names and values are those of the contract's application (CONTRACT.md §2); the page
// sends them as typed (money and whole numbers as strings, so nothing is rounded on the way) and
// leaves an unanswered optional field out, so the engine lists the rules it could not run.

/** Money as the contract accepts it: dot decimals, at most two, no thousands separator. */
export const MONEY_RE = /^-?\d+(\.\d{1,2})?$/;
export const INTEGER_RE = /^\d+$/;
export const NACE_RE = /^\d{2}\.?\d{3}$/;
export const MONEY_LIMIT = 1000000;

export const PURPOSES = [
  'investment',
  'working_capital',
  'takeover',
  'own_contribution_startlening',
  'refinancing_existing_debt',
  'tax_or_social_security_debt',
  'private_use',
  'other',
];

const YES_NO = ['yes', 'no'];

export const PAGES = [
  {
    id: 'legal-form',
    fields: [{
      name: 'legal_form', type: 'radio', required: true,
      options: ['eenmanszaak', 'BV', 'NV', 'CV', 'VOF', 'CommV', 'maatschap', 'vzw', 'ivzw', 'stichting', 'other'],
    }],
  },
  {
    id: 'region',
    fields: [{ name: 'region', type: 'radio', required: true, options: ['flanders', 'brussels', 'wallonia', 'outside_belgium'] }],
  },
  {
    id: 'activity',
    fields: [
      { name: 'business_status', type: 'radio', required: true, options: ['not_started', 'started'], inline: true },
      { name: 'activity_type', type: 'radio', required: true, options: ['main', 'side'], inline: true },
    ],
  },
  {
    id: 'loan',
    fields: [
      { name: 'amount_requested_eur', type: 'money', required: true, positive: true, prefix: '€', width: 10 },
      { name: 'term_months', type: 'integer', required: true, min: 1, max: 600, width: 4 },
    ],
  },
  {
    id: 'purposes',
    fields: [{ name: 'funding_purposes', type: 'purposes', required: true }],
  },
  {
    id: 'bank',
    fields: [{ name: 'bank_credit_status', type: 'radio', options: ['refused', 'offered_acceptable', 'not_applied', 'unknown'] }],
  },
  {
    id: 'debts',
    fields: [
      { name: 'in_collective_debt_settlement', type: 'boolean', options: YES_NO, inline: true },
      { name: 'bankruptcy_status', type: 'radio', options: ['none', 'closed_discharged', 'closed_not_discharged', 'ongoing'] },
      { name: 'has_tax_or_social_arrears', type: 'boolean', options: YES_NO, inline: true },
    ],
  },
  {
    id: 'plan',
    fields: [
      { name: 'business_plan_status', type: 'radio', options: ['complete', 'draft', 'none'] },
      { name: 'projected_monthly_net_cashflow_eur', type: 'money', prefix: '€', width: 10 },
      { name: 'nace_code', type: 'text', pattern: NACE_RE, width: 6 },
    ],
  },
  {
    id: 'age',
    fields: [{ name: 'applicant_age_years', type: 'integer', min: 0, max: 120, width: 3 }],
  },
];

/** The page that asks a field, by field name. */
export const FIELD_PAGE = Object.fromEntries(PAGES.flatMap((p) => p.fields.map((f) => [f.name, p.id])));

export function pageById(id) {
  return PAGES.find((p) => p.id === id);
}

function blank(value) {
  return value === undefined || value === null || String(value).trim() === '';
}

/** Checks a money text; returns an error key of the field's texts, or null. */
function moneyError(text, positive) {
  const t = text.trim();
  if (!MONEY_RE.test(t)) return 'format';
  const n = Number(t);
  if (positive && !(n > 0)) return 'positive';
  if (Math.abs(n) > MONEY_LIMIT) return 'range';
  return null;
}

/**
 * The answers of one page checked against the contract's input rules, before the engine sees
 * them. Returns `[{field, target, key, params}]` where `key` names a text of the field.
 * Ineligibility is never an error here: only answers the engine could not read are.
 */
export function validatePage(page, answers) {
  const errors = [];
  for (const f of page.fields) {
    const v = answers[f.name];
    const target = `f-${f.name}`;
    if (f.type === 'purposes') {
      const chosen = PURPOSES.filter((c) => answers.purposes?.[c]?.selected);
      if (chosen.length === 0) {
        errors.push({ field: f.name, target: `f-purpose-${PURPOSES[0]}`, key: 'required' });
        continue;
      }
      for (const c of chosen) {
        const amount = answers.purposes[c].amount ?? '';
        const t = `f-purpose-${c}-amount`;
        if (blank(amount)) {
          errors.push({ field: f.name, target: t, key: 'amountRequired', purpose: c });
        } else {
          const e = moneyError(amount, true);
          if (e) errors.push({ field: f.name, target: t, key: `amount${e[0].toUpperCase()}${e.slice(1)}`, purpose: c });
        }
      }
      continue;
    }
    if (blank(v)) {
      if (f.required) errors.push({ field: f.name, target: f.type === 'radio' ? `f-${f.name}-${f.options[0]}` : target, key: 'required' });
      continue;
    }
    if (f.type === 'money') {
      const e = moneyError(v, f.positive);
      if (e) errors.push({ field: f.name, target, key: e });
    } else if (f.type === 'integer') {
      const t = v.trim();
      if (!INTEGER_RE.test(t)) errors.push({ field: f.name, target, key: 'format' });
      else if (Number(t) < f.min || Number(t) > f.max) errors.push({ field: f.name, target, key: 'range' });
    } else if (f.type === 'text' && f.pattern && !f.pattern.test(v.trim())) {
      errors.push({ field: f.name, target, key: 'format' });
    }
  }
  return errors;
}

/** The first page whose required answers are missing or invalid, or null. */
export function firstIncompletePage(answers) {
  return PAGES.find((p) => validatePage(p, answers).length > 0) ?? null;
}

/**
 * The contract's application for the answers given so far. Blank answers are left out;
 * money and whole numbers stay the strings typed (trimmed), so the engine reads them exactly.
 */
export function buildApplication(answers) {
  const app = {};
  for (const page of PAGES) {
    for (const f of page.fields) {
      if (f.type === 'purposes') {
        const list = PURPOSES.filter((c) => answers.purposes?.[c]?.selected)
          .map((c) => ({ category: c, amount_eur: (answers.purposes[c].amount ?? '').trim() }));
        if (list.length) app.funding_purposes = list;
        continue;
      }
      const v = answers[f.name];
      if (blank(v)) continue;
      if (f.type === 'boolean') app[f.name] = v === 'yes';
      else app[f.name] = v.trim();
    }
  }
  return app;
}
