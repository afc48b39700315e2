// TEST-ONLY stand-in for www/pkg/kredo.js while the engine is not built: same exports and shapes,
// a handful of rules. Served under /pkg/ by tests/web/server.mjs only with KREDO_STUB=1; never shipped.

const RULESET = { product: 'impulskrediet', version: '2025-01-01', effective_from: '2025-01-01', effective_to: null, hash: 'sha256:stub' };
const MSG = {
  AMOUNT_ABOVE_MAX: { en: 'The amount is above the maximum of 25,000 euros.', nl: 'Het bedrag is hoger dan het maximum van 25.000 euro.', fr: 'Le montant dépasse le maximum de 25 000 euros.' },
  REGION_BRUSSELS_CHECK: { en: 'Brussels: an advisor checks.', nl: 'Brussel: een adviseur kijkt na.', fr: 'Bruxelles : un conseiller vérifie.' },
  REGION_NOT_SERVED: { en: 'Region not served.', nl: 'Gewest niet bediend.', fr: 'Région non desservie.' },
  RISK_SECTOR: { en: 'Risk sector.', nl: 'Risicosector.', fr: 'Secteur à risque.' },
};
const SEV = { AMOUNT_ABOVE_MAX: 'ineligible', REGION_NOT_SERVED: 'ineligible', REGION_BRUSSELS_CHECK: 'review', RISK_SECTOR: 'flag' };

export default async function init() { await new Promise((r) => setTimeout(r, 5)); }
export function initSync() {}
export function rulesets() { return { ok: true, rulesets: [RULESET] }; }
export function guidance() { return { ok: true, rules: [] }; }
export function evaluate_json(text, today) { return JSON.stringify(evaluate(JSON.parse(text), today).decision); }

export function evaluate(request, today) {
  const a = request.application ?? {};
  const lang = request.language ?? 'nl';
  const errors = [];
  const money = /^-?\d+(\.\d{1,2})?$/;
  if (a.amount_requested_eur !== undefined && !money.test(String(a.amount_requested_eur))) {
    errors.push({ field: 'amount_requested_eur', code: 'invalid_money', message: 'engine: invalid money' });
  }
  const fired = [];
  if (!errors.length) {
    if (Number(a.amount_requested_eur) > 25000) fired.push('AMOUNT_ABOVE_MAX');
    if (a.region === 'brussels') fired.push('REGION_BRUSSELS_CHECK');
    if (a.region === 'wallonia' || a.region === 'outside_belgium') fired.push('REGION_NOT_SERVED');
    if (/^5[56]/.test(a.nace_code ?? '')) fired.push('RISK_SECTOR');
  }
  const order = ['ineligible', 'review', 'flag', 'info'];
  const reasons = fired.map((id) => ({ id, severity: SEV[id], message: MSG[id][lang], fields: [] }))
    .sort((x, y) => order.indexOf(x.severity) - order.indexOf(y.severity));
  const outcome = errors.length ? 'invalid' : reasons.length ? { ineligible: 'ineligible', review: 'review', flag: 'flagged' }[reasons[0].severity] : 'eligible';
  const P = Number(a.amount_requested_eur); const n = Number(a.term_months); const i = 0.07 / 12;
  const inst = Math.round((P * i / (1 - (1 + i) ** -n)) * 100) / 100;
  const decision = {
    outcome, product: 'impulskrediet', rule_set: { version: RULESET.version, effective_from: RULESET.effective_from, hash: RULESET.hash },
    as_of: request.as_of ?? today ?? '2026-11-22', language: lang, reasons, errors, skipped: [], warnings: [],
    ...(errors.length || !(P > 0) || !(n > 0) ? {} : { indicative: { annual_rate: '0.07', monthly_instalment_eur: inst.toFixed(2), total_repayable_eur: (inst * n).toFixed(2) } }),
    normalized: a,
  };
  return { ok: true, decision };
}
