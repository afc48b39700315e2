// Reading answers the way people type them, into the contract's canonical forms.
//
// Amounts: Belgians write `9.500`, `9500,50`, `9.500,00`, `€ 9 500`, `9 500 euro`, `9500 EUR`;
// the engine's contract takes `9500.50` (a dot for decimals, no grouping). A value is read only
// when one reading is possible: `9.500,50` and `9,500.50` are unambiguous whatever the page's
// language, `9.500` (or `9,500`) may be nine thousand five hundred or nine and a half, and the
// applicant is asked. Terms: a number of months or years (`3 jaar`, `18 mois`, `1,5 years`).
// Enterprise numbers: ten digits whose last two are 97 minus the first eight modulo 97.

const SPACES = /[\s\u00a0\u202f\u2009']/g;
const CURRENCY_START = /^(?:€|eur|euros?)\s*/i;
const CURRENCY_END = /\s*(?:€|eur|euros?)$/i;

/** `012` → `12`, `` → `0`. */
function integerPart(digits) {
  return digits.replace(/^0+(?=\d)/, '') || '0';
}

function canonical(sign, whole, decimals) {
  const int = integerPart(whole);
  const dec = decimals === undefined ? '' : `.${decimals.padEnd(2, '0')}`;
  const zero = /^0$/.test(int) && !/[1-9]/.test(decimals ?? '');
  return `${sign && !zero ? '-' : ''}${int}${dec}`;
}

/** Whether `text` is digits grouped by `sep` in threes: `1.234.567`. */
function grouped(text, sep) {
  return text.split(sep).every((g, i) => (i === 0 ? /^\d{1,3}$/.test(g) : /^\d{3}$/.test(g)));
}

/**
 * An amount as typed → `{ value }` (canonical: `9500`, `9500.50`, `-200`), `{ choices: [a, b] }`
 * when it has two readings (the first: thousands grouped), `{ empty: true }`, or `{ error }`.
 */
export function readMoney(text) {
  let t = String(text ?? '').trim().replace(/\u2212/g, '-');
  if (!t) return { empty: true };
  let sign = false;
  if (t.startsWith('-')) {
    sign = true;
    t = t.slice(1).trim();
  }
  t = t.replace(CURRENCY_START, '').replace(CURRENCY_END, '').trim();
  if (!sign && t.startsWith('-')) {
    sign = true;
    t = t.slice(1).trim();
  }
  // Spaces group thousands: `9 500`, `1 250 000,50`.
  if (/\d[\s\u00a0\u202f\u2009']\d/.test(t)) {
    const m = /^([\d\s\u00a0\u202f\u2009']+?)([.,]\d{1,2})?$/.exec(t);
    if (!m || !grouped(m[1].replace(SPACES, ' '), ' ')) return { error: 'format' };
    t = m[1].replace(SPACES, '') + (m[2] ?? '');
  }
  if (!/^\d[\d.,]*$/.test(t) || /[.,]$/.test(t)) return { error: 'format' };
  const dots = (t.match(/\./g) ?? []).length;
  const commas = (t.match(/,/g) ?? []).length;
  if (dots === 0 && commas === 0) return { value: canonical(sign, t) };
  if (dots > 0 && commas > 0) {
    // The last separator marks the decimals; the other one groups thousands.
    const dec = Math.max(t.lastIndexOf('.'), t.lastIndexOf(','));
    const decSep = t[dec];
    const groupSep = decSep === '.' ? ',' : '.';
    const whole = t.slice(0, dec);
    const decimals = t.slice(dec + 1);
    if (whole.includes(decSep) || !/^\d{1,2}$/.test(decimals) || !grouped(whole, groupSep)) return { error: 'format' };
    return { value: canonical(sign, whole.split(groupSep).join(''), decimals) };
  }
  const sep = dots ? '.' : ',';
  const parts = t.split(sep);
  if (parts.length > 2) {
    return grouped(t, sep) ? { value: canonical(sign, parts.join('')) } : { error: 'format' };
  }
  const [whole, after] = parts;
  if (/^\d{1,2}$/.test(after)) return { value: canonical(sign, whole, after) };
  if (after.length !== 3 || !/^[1-9]\d{0,2}$/.test(whole)) return { error: 'format' };
  const thousands = canonical(sign, whole + after);
  // Read as decimals, a third decimal other than 0 is no amount of money: one reading only.
  if (!after.endsWith('0')) return { value: thousands };
  return { choices: [thousands, canonical(sign, whole, after.slice(0, 2))] };
}

const UNITS = [
  ['years', /^(?:j|jr|jaar|jaren|an|ans|année|années|annee|annees|y|yr|yrs|year|years)$/i],
  ['months', /^(?:m|mnd|mnden|maand|maanden|mois|month|months|mo)$/i],
];

/**
 * A term as typed, with the unit chosen next to it (`months` or `years`; a unit written in the
 * text wins) → `{ months }` (a whole number), `{ empty: true }` or `{ error }`.
 */
export function readTerm(text, unit = 'months') {
  const t = String(text ?? '').trim();
  if (!t) return { empty: true };
  const m = /^(\d+(?:[.,]\d+)?)\s*([^\d\s.,]*)\.?$/.exec(t);
  if (!m) return { error: 'format' };
  let chosen = unit === 'years' ? 'years' : 'months';
  if (m[2]) {
    const found = UNITS.find(([, re]) => re.test(m[2]));
    if (!found) return { error: 'format' };
    [chosen] = found;
  }
  const [whole, frac = ''] = m[1].split(/[.,]/);
  // Whole months only: 1,5 years is 18 months, 2,3 years is not a whole number of months.
  // The number as an integer over `scale` (1,5 → 15 / 10), so no float rounds it.
  const scale = 10n ** BigInt(frac.length);
  const scaled = BigInt(whole) * scale + BigInt(frac || '0');
  const months = chosen === 'years' ? scaled * 12n : scaled;
  if (months % scale !== 0n) return { error: 'format' };
  const n = months / scale;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? { error: 'range' } : { months: Number(n) };
}

/** A Belgian enterprise number as typed → `{ value: '0566.988.259' }`, `{ empty }` or `{ error }`. */
export function readEnterpriseNumber(text) {
  const t = String(text ?? '').trim();
  if (!t) return { empty: true };
  const digits = t.replace(/^BE\s*/i, '').replace(/[\s.\-/]/g, '');
  if (!/^\d{9,10}$/.test(digits)) return { error: 'format' };
  const ten = digits.padStart(10, '0');
  if (!/^[01]/.test(ten)) return { error: 'format' };
  const check = 97 - (Number(ten.slice(0, 8)) % 97);
  if (check !== Number(ten.slice(8))) return { error: 'check' };
  return { value: `${ten.slice(0, 4)}.${ten.slice(4, 7)}.${ten.slice(7)}` };
}
