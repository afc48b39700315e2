// The intake staff's screen, served by `kredo serve` at /staff/. It talks only to the staff
// API of the same server: a bearer token (kept in this tab's session storage, never elsewhere),
// the cases list, the intake form built from the version's field declarations
// (GET /api/v1/schema), a case's decision with its full trace and score, the staff decision
// with a confirm step, and the batch with its report. Every text a person reads is in nl, fr
// and en; the engine's own messages come in the language asked. Data is written with
// textContent only, never as HTML.

const TOKEN_KEY = 'kredo.staff.token';
const LANG_KEY = 'kredo.staff.lang';
const LANGS = ['nl', 'fr', 'en'];
const OUTCOMES = ['eligible', 'flagged', 'review', 'ineligible', 'invalid'];
const DECISIONS = ['approve', 'refer_elsewhere', 'ask_information', 'decline'];

const T = {
  nl: {
    suggestionsTitle: 'Wat de uitkomst zou veranderen', change: 'Wijziging', referralsTitle: 'Andere kredietverstrekkers (eigen regels, nu)', lender: 'Kredietverstrekker', why: 'Waarom', noReferrals: 'Geen andere kredietverstrekker volgens hun regels.',
    skip: 'Naar de hoofdinhoud', service: 'Kredo — intake', cases: 'Dossiers', newCase: 'Nieuwe aanvraag',
    batch: 'Batch', signOut: 'Afmelden', signIn: 'Aanmelden', signInTitle: 'Aanmelden als medewerker',
    tokenLabel: 'Medewerkerssleutel', tokenHint: 'De sleutel van `kredo staff add`. Hij blijft alleen in dit tabblad bewaard.',
    tokenWrong: 'Deze sleutel wordt niet aanvaard. Vraag een nieuwe aan je beheerder.', tokenEmpty: 'Vul je medewerkerssleutel in',
    failed: 'Er ging iets mis', retry: 'Probeer opnieuw.',
    outcome: 'Uitkomst', staff: 'Medewerker', from: 'Van', to: 'Tot', decision: 'Beslissing', any: 'Alle', undecided: 'Nog niet beslist',
    filter: 'Filteren', case: 'Dossier', recorded: 'Geregistreerd (UTC)', product: 'Product', score: 'Score', older: 'Oudere dossiers',
    noCases: 'Geen dossiers voor deze filters.', dateHint: 'JJJJ-MM-DD',
    out: { eligible: 'waarschijnlijk in aanmerking', flagged: 'in aanmerking, met aandachtspunten', review: 'een medewerker kijkt', ineligible: 'waarschijnlijk niet', invalid: 'onvolledig of fout' },
    dec: { approve: 'Goedkeuren', refer_elsewhere: 'Doorverwijzen', ask_information: 'Informatie vragen', decline: 'Afwijzen' },
    override: 'afwijking', intakeTitle: 'Nieuwe aanvraag', asOf: 'Beoordelen op', asOfHint: 'JJJJ-MM-DD; leeg is vandaag',
    application: 'Aanvraag', staffOnly: 'Meer gegevens (niet gevraagd in de zelftest)', loadForm: 'Formulier voor die dag', yes: 'Ja', no: 'Nee', unknown: '—',
    purposes: 'Bestedingsdoelen', category: 'Doel', amount: 'Bedrag (EUR)', addPurpose: 'Doel toevoegen', removePurpose: 'Verwijderen',
    screen: 'Screenen en registreren', caseTitle: 'Dossier', ruleSet: 'Regelset', asOfShort: 'Op',
    fired: 'Regels die aansloegen', rule: 'Regel', severity: 'Ernst', message: 'Bericht', reads: 'Leest',
    skipped: 'Overgeslagen regels', missing: 'Ontbreekt', warnings: 'Waarschuwingen', errors: 'Fouten', field: 'Veld',
    none: 'Geen.', instalment: 'Indicatieve maandlast', scoreTitle: 'Score', band: 'klasse', pillar: 'Pijler', attribute: 'Onderdeel',
    points: 'Punten', known: 'Gekend', scoreReasons: 'Wat de score zou verhogen', principal: 'hoofdreden', lost: 'Verloren',
    noScore: 'Geen score: deze versie heeft geen scorecard, of de aanvraag is ongeldig.',
    history: 'Geschiedenis', screened: 'Gescreend door', decidedBy: 'Beslist door', motivation: 'Motivering', corrects: 'verbetert',
    record: 'Beslissing registreren', recordHint: 'Alle beslissingen blijven bewaard; een verbetering is een nieuwe beslissing.',
    motivationHint: 'Waarom: wat je zag en wat de aanvrager nu moet doen.', chooseDecision: 'Kies een beslissing', writeMotivation: 'Schrijf een motivering',
    continue: 'Verder', confirmTitle: 'Beslissing bevestigen', confirm: 'Bevestigen en registreren', back: 'Terug',
    overrideWarn: 'Deze beslissing gaat in tegen de uitkomst van de regels en wordt als afwijking geregistreerd.',
    recorded1: 'Beslissing geregistreerd.', batchTitle: 'Batch screenen', csvFile: 'CSV-bestand', csvHint: 'Eén aanvraag per rij; kolommen met de veldnamen; , of ;.',
    withScore: 'Met score', run: 'Screenen', rows: 'rijen', withErrors: 'met fouten', downloadCsv: 'Resultaat (CSV) downloaden',
    downloadReport: 'Rapport (HTML) downloaden', chooseFile: 'Kies een CSV-bestand', lang: 'Taal', total: 'Totaal',
    errorsTitle: 'Er is een probleem',
  },
  fr: {
    suggestionsTitle: 'Ce qui changerait le résultat', change: 'Changement', referralsTitle: 'Autres prêteurs (leurs règles, maintenant)', lender: 'Prêteur', why: 'Pourquoi', noReferrals: 'Aucun autre prêteur selon leurs règles.',
    skip: 'Aller au contenu principal', service: 'Kredo — accueil', cases: 'Dossiers', newCase: 'Nouvelle demande',
    batch: 'Lot', signOut: 'Se déconnecter', signIn: 'Se connecter', signInTitle: 'Connexion du personnel',
    tokenLabel: 'Clé du personnel', tokenHint: 'La clé de `kredo staff add`. Elle n’est gardée que dans cet onglet.',
    tokenWrong: 'Cette clé n’est pas acceptée. Demandez-en une nouvelle à votre gestionnaire.', tokenEmpty: 'Indiquez votre clé du personnel',
    failed: 'Un problème est survenu', retry: 'Réessayez.',
    outcome: 'Résultat', staff: 'Membre du personnel', from: 'Du', to: 'Au', decision: 'Décision', any: 'Tous', undecided: 'Pas encore décidé',
    filter: 'Filtrer', case: 'Dossier', recorded: 'Enregistré (UTC)', product: 'Produit', score: 'Score', older: 'Dossiers plus anciens',
    noCases: 'Aucun dossier pour ces filtres.', dateHint: 'AAAA-MM-JJ',
    out: { eligible: 'probablement éligible', flagged: 'éligible, avec des points d’attention', review: 'à examiner par une personne', ineligible: 'probablement pas éligible', invalid: 'incomplet ou erroné' },
    dec: { approve: 'Approuver', refer_elsewhere: 'Réorienter', ask_information: 'Demander des informations', decline: 'Refuser' },
    override: 'dérogation', intakeTitle: 'Nouvelle demande', asOf: 'Évaluer au', asOfHint: 'AAAA-MM-JJ ; vide : aujourd’hui',
    application: 'Demande', staffOnly: 'Autres informations (non demandées dans l’auto-évaluation)', loadForm: 'Formulaire de ce jour', yes: 'Oui', no: 'Non', unknown: '—',
    purposes: 'Affectations', category: 'Affectation', amount: 'Montant (EUR)', addPurpose: 'Ajouter une affectation', removePurpose: 'Retirer',
    screen: 'Évaluer et enregistrer', caseTitle: 'Dossier', ruleSet: 'Jeu de règles', asOfShort: 'Au',
    fired: 'Règles appliquées', rule: 'Règle', severity: 'Gravité', message: 'Message', reads: 'Lit',
    skipped: 'Règles non évaluées', missing: 'Manque', warnings: 'Avertissements', errors: 'Erreurs', field: 'Champ',
    none: 'Aucune.', instalment: 'Mensualité indicative', scoreTitle: 'Score', band: 'classe', pillar: 'Pilier', attribute: 'Critère',
    points: 'Points', known: 'Connu', scoreReasons: 'Ce qui améliorerait le score', principal: 'motif principal', lost: 'Perdus',
    noScore: 'Pas de score : cette version n’a pas de grille de score, ou la demande est invalide.',
    history: 'Historique', screened: 'Évalué par', decidedBy: 'Décidé par', motivation: 'Motivation', corrects: 'corrige',
    record: 'Enregistrer une décision', recordHint: 'Toutes les décisions sont conservées ; une correction est une nouvelle décision.',
    motivationHint: 'Pourquoi : ce que vous avez vu et ce que le demandeur doit faire.', chooseDecision: 'Choisissez une décision', writeMotivation: 'Écrivez une motivation',
    continue: 'Continuer', confirmTitle: 'Confirmer la décision', confirm: 'Confirmer et enregistrer', back: 'Retour',
    overrideWarn: 'Cette décision va à l’encontre du résultat des règles et sera enregistrée comme dérogation.',
    recorded1: 'Décision enregistrée.', batchTitle: 'Évaluer un lot', csvFile: 'Fichier CSV', csvHint: 'Une demande par ligne ; colonnes aux noms des champs ; , ou ;.',
    withScore: 'Avec score', run: 'Évaluer', rows: 'lignes', withErrors: 'avec erreurs', downloadCsv: 'Télécharger le résultat (CSV)',
    downloadReport: 'Télécharger le rapport (HTML)', chooseFile: 'Choisissez un fichier CSV', lang: 'Langue', total: 'Total',
    errorsTitle: 'Il y a un problème',
  },
  en: {
    suggestionsTitle: 'What would change the outcome', change: 'Change', referralsTitle: 'Other lenders (their own rules, now)', lender: 'Lender', why: 'Why', noReferrals: 'No other lender by their rules.',
    skip: 'Skip to main content', service: 'Kredo — intake', cases: 'Cases', newCase: 'New application',
    batch: 'Batch', signOut: 'Sign out', signIn: 'Sign in', signInTitle: 'Staff sign-in',
    tokenLabel: 'Staff token', tokenHint: 'The token from `kredo staff add`. It is kept in this tab only.',
    tokenWrong: 'This token is not accepted. Ask your administrator for a new one.', tokenEmpty: 'Enter your staff token',
    failed: 'Something went wrong', retry: 'Try again.',
    outcome: 'Outcome', staff: 'Staff member', from: 'From', to: 'To', decision: 'Decision', any: 'Any', undecided: 'Not decided yet',
    filter: 'Filter', case: 'Case', recorded: 'Recorded (UTC)', product: 'Product', score: 'Score', older: 'Older cases',
    noCases: 'No cases for these filters.', dateHint: 'YYYY-MM-DD',
    out: { eligible: 'probably eligible', flagged: 'eligible, with points to watch', review: 'a person must look', ineligible: 'probably not eligible', invalid: 'incomplete or wrong' },
    dec: { approve: 'Approve', refer_elsewhere: 'Refer elsewhere', ask_information: 'Ask for information', decline: 'Decline' },
    override: 'override', intakeTitle: 'New application', asOf: 'Judge as of', asOfHint: 'YYYY-MM-DD; empty is today',
    application: 'Application', staffOnly: 'More answers (not asked in the self-check)', loadForm: 'Form for that day', yes: 'Yes', no: 'No', unknown: '—',
    purposes: 'Funding purposes', category: 'Purpose', amount: 'Amount (EUR)', addPurpose: 'Add a purpose', removePurpose: 'Remove',
    screen: 'Screen and record', caseTitle: 'Case', ruleSet: 'Rule set', asOfShort: 'As of',
    fired: 'Rules that fired', rule: 'Rule', severity: 'Severity', message: 'Message', reads: 'Reads',
    skipped: 'Rules skipped', missing: 'Missing', warnings: 'Warnings', errors: 'Errors', field: 'Field',
    none: 'None.', instalment: 'Indicative monthly instalment', scoreTitle: 'Score', band: 'band', pillar: 'Pillar', attribute: 'Attribute',
    points: 'Points', known: 'Known', scoreReasons: 'What would raise the score', principal: 'principal reason', lost: 'Lost',
    noScore: 'No score: this version has no scorecard, or the application is invalid.',
    history: 'History', screened: 'Screened by', decidedBy: 'Decided by', motivation: 'Motivation', corrects: 'corrects',
    record: 'Record a decision', recordHint: 'Every decision is kept; a correction is a new decision.',
    motivationHint: 'Why: what you saw, and what the applicant should do now.', chooseDecision: 'Choose a decision', writeMotivation: 'Write a motivation',
    continue: 'Continue', confirmTitle: 'Confirm the decision', confirm: 'Confirm and record', back: 'Back',
    overrideWarn: 'This decision goes against the rules’ outcome and will be recorded as an override.',
    recorded1: 'Decision recorded.', batchTitle: 'Screen a batch', csvFile: 'CSV file', csvHint: 'One application a row; columns named after the fields; , or ;.',
    withScore: 'With score', run: 'Screen', rows: 'rows', withErrors: 'with errors', downloadCsv: 'Download the result (CSV)',
    downloadReport: 'Download the report (HTML)', chooseFile: 'Choose a CSV file', lang: 'Language', total: 'Total',
    errorsTitle: 'There is a problem',
  },
};

const state = { lang: sessionStorage.getItem(LANG_KEY) || 'nl', schema: null, urls: [] };
if (!LANGS.includes(state.lang)) state.lang = 'nl';
const t = () => T[state.lang];
const main = document.getElementById('main');

/** An element with attributes and children (strings become text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const token = () => sessionStorage.getItem(TOKEN_KEY);

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

async function api(path, { method = 'GET', body, type = 'application/json', raw = false, signingIn = false } = {}) {
  const headers = { authorization: `Bearer ${token() || ''}` };
  if (body !== undefined) headers['content-type'] = type;
  const res = await fetch(path, { method, headers, body });
  if (res.status === 401 && !signingIn) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = '#/signin';
    throw new ApiError(401, { error: { message: t().tokenWrong } });
  }
  if (!res.ok) {
    let parsed = null;
    try { parsed = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, parsed);
  }
  return raw ? res : res.json();
}

// ------------------------------------------------------------------ layout

function header(route) {
  const w = t();
  const el = document.getElementById('header');
  const nav = token()
    ? h('nav', { class: 'staff-nav', 'aria-label': w.service },
        h('ul', {},
          ['cases', 'new', 'batch'].map((r) => h('li', {},
            h('a', { href: `#/${r}`, 'aria-current': route === r ? 'page' : null }, r === 'new' ? w.newCase : w[r]))),
          h('li', {}, h('button', { type: 'button', class: 'link-button', onclick: signOut }, w.signOut))))
    : null;
  const langs = h('nav', { class: 'lang-nav', 'aria-label': w.lang },
    h('ul', {}, LANGS.map((l) => h('li', {},
      l === state.lang
        ? h('span', { class: 'lang-nav__current', lang: l }, l.toUpperCase())
        : h('a', { href: location.hash || '#/cases', class: 'lang-nav__link', lang: l, hreflang: l,
          onclick: (e) => { e.preventDefault(); setLang(l); } }, l.toUpperCase())))));
  el.replaceChildren(h('div', { class: 'staff-container header__inner' },
    h('a', { href: '#/cases', class: 'header__service' }, w.service), nav, langs));
  document.documentElement.lang = state.lang;
  document.getElementById('skip-link').textContent = w.skip;
}

function setLang(l) {
  state.lang = l;
  sessionStorage.setItem(LANG_KEY, l);
  route();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = '#/signin';
}

/** Puts a view in <main>, titles the page and moves focus to the heading. */
function show(title, ...content) {
  const h1 = h('h1', { class: 'heading-l', tabindex: '-1' }, title);
  main.replaceChildren(h1, ...content);
  document.title = `${title} — ${t().service}`;
  h1.focus();
}

function failure(e) {
  const w = t();
  const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', { class: 'heading-m' }, w.failed), h('p', {}, e.message), h('p', {}, w.retry));
  return box;
}

function errorSummary(items) {
  const w = t();
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'error-summary-title' },
    h('h2', { class: 'heading-m', id: 'error-summary-title' }, w.errorsTitle),
    h('ul', {}, items.map(([id, text]) => h('li', {}, h('a', { href: `#${id}`, onclick: (e) => { e.preventDefault(); document.getElementById(id)?.focus(); } }, text)))));
}

const tag = (outcome) => h('strong', { class: `tag tag--${outcome}` }, t().out[outcome] || outcome);

function field(id, label, control, hint) {
  return h('div', { class: 'form-group' },
    h('label', { class: 'label', for: id }, label),
    hint ? h('div', { class: 'hint', id: `${id}-hint` }, hint) : null,
    control);
}

// ------------------------------------------------------------------ sign in

function signInView() {
  const w = t();
  const input = h('input', { class: 'input', id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-hint' });
  const slot = h('div', {});
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) {
      slot.replaceChildren(errorSummary([['token', w.tokenEmpty]]));
      slot.firstChild.focus();
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    try {
      await api('/api/v1/cases?limit=1', { signingIn: true });
      location.hash = '#/cases';
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      slot.replaceChildren(errorSummary([['token', err.status === 401 ? w.tokenWrong : err.message]]));
      slot.firstChild.focus();
    }
  } },
  field('token', w.tokenLabel, input, w.tokenHint),
  h('button', { class: 'button', type: 'submit' }, w.signIn));
  show(w.signInTitle, slot, form);
}

// ------------------------------------------------------------------ cases list

async function casesView(params) {
  const w = t();
  const q = new URLSearchParams(params);
  const select = (id, options, value) => h('select', { class: 'select', id, name: id },
    options.map(([v, label]) => h('option', { value: v, selected: v === (value || '') }, label)));
  const outcome = select('f-outcome', [['', w.any], ...OUTCOMES.map((o) => [o, w.out[o]])], q.get('outcome'));
  const decision = select('f-decision', [['', w.any], ['none', w.undecided], ...DECISIONS.map((d) => [d, w.dec[d]])], q.get('decision'));
  const staff = h('input', { class: 'input', id: 'f-staff', name: 'staff', value: q.get('staff') || '' });
  const from = h('input', { class: 'input', id: 'f-from', name: 'from', value: q.get('from') || '', placeholder: w.dateHint, inputmode: 'numeric' });
  const to = h('input', { class: 'input', id: 'f-to', name: 'to', value: q.get('to') || '', placeholder: w.dateHint, inputmode: 'numeric' });
  const filters = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, el] of [['outcome', outcome], ['decision', decision], ['staff', staff], ['from', from], ['to', to]]) {
      if (el.value.trim()) next.set(k, el.value.trim());
    }
    location.hash = `#/cases?${next}`;
  } },
  field('f-outcome', w.outcome, outcome), field('f-decision', w.decision, decision), field('f-staff', w.staff, staff),
  field('f-from', w.from, from), field('f-to', w.to, to),
  h('button', { class: 'button button--secondary', type: 'submit' }, w.filter));
  const results = h('div', { 'aria-live': 'polite' });
  show(w.cases, filters, results);
  try {
    const page = await api(`/api/v1/cases?${q}`);
    if (!page.cases.length) {
      results.replaceChildren(h('p', {}, w.noCases));
      return;
    }
    const rows = page.cases.map((c) => h('tr', {},
      h('td', {}, h('a', { href: `#/case/${c.case_id}` }, c.case_id)),
      h('td', {}, h('time', { datetime: c.recorded_at }, c.recorded_at.slice(0, 16).replace('T', ' '))),
      h('td', {}, c.staff),
      h('td', {}, `${c.product} ${c.version}`),
      h('td', {}, tag(c.outcome)),
      h('td', { class: 'num' }, c.score_total === null ? '—' : `${c.score_total} (${c.score_band})`),
      h('td', {}, c.staff_decision
        ? [w.dec[c.staff_decision.decision], ' ', c.staff_decision.override ? h('strong', { class: 'tag tag--override' }, w.override) : null]
        : '—')));
    const table = h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, w.cases),
      h('thead', {}, h('tr', {}, [w.case, w.recorded, w.staff, w.product, w.outcome, w.score, w.decision]
        .map((x, i) => h('th', { scope: 'col', class: i === 5 ? 'num' : null }, x)))),
      h('tbody', {}, rows));
    const more = page.next
      ? h('a', { href: `#/cases?${new URL(page.next, location.origin).searchParams}`, class: 'button button--secondary' }, w.older)
      : null;
    results.replaceChildren(...[table, more].filter(Boolean));
  } catch (e) {
    results.replaceChildren(failure(e));
  }
}

// ------------------------------------------------------------------ intake form

async function loadSchema(asOf) {
  const q = new URLSearchParams();
  if (asOf) q.set('as_of', asOf);
  return api(`/api/v1/schema?${q}`);
}

function text(decl, key) {
  return decl.text?.[state.lang]?.[key] ?? decl.text?.en?.[key];
}

function control(decl) {
  const id = `f-${decl.name}`;
  const w = t();
  const hint = text(decl, 'hint');
  const described = hint ? `${id}-hint` : null;
  let el;
  if (decl.kind === 'enum') {
    el = h('select', { class: 'select', id, name: decl.name, 'aria-describedby': described },
      h('option', { value: '' }, w.unknown),
      decl.options.map((o) => h('option', { value: o.value }, o.label?.[state.lang] || o.value)));
  } else if (decl.kind === 'boolean') {
    el = h('select', { class: 'select', id, name: decl.name, 'aria-describedby': described },
      h('option', { value: '' }, w.unknown), h('option', { value: 'true' }, w.yes), h('option', { value: 'false' }, w.no));
  } else if (decl.kind === 'text') {
    el = h('textarea', { class: 'textarea', id, name: decl.name, 'aria-describedby': described, maxlength: decl.max_length });
  } else {
    const numeric = decl.kind === 'money' || decl.kind === 'integer';
    el = h('input', { class: 'input', id, name: decl.name, 'aria-describedby': described,
      inputmode: numeric ? 'decimal' : null, autocomplete: 'off', spellcheck: 'false' });
  }
  const label = text(decl, 'label') || decl.name;
  return field(id, decl.required ? label : `${label}`, el, hint);
}

function purposesControl(decl) {
  const w = t();
  const list = h('div', {});
  const wrap = h('fieldset', { class: 'intake-fieldset purposes' }, h('legend', {}, text(decl, 'label') || w.purposes), list);
  let n = 0;
  const addRow = () => {
    const i = n++;
    const category = h('select', { class: 'select', id: `p-cat-${i}`, name: 'purpose-category' },
      h('option', { value: '' }, w.unknown),
      decl.options.map((o) => h('option', { value: o.value }, o.label?.[state.lang] || o.value)));
    const amount = h('input', { class: 'input', id: `p-amt-${i}`, name: 'purpose-amount', inputmode: 'decimal', autocomplete: 'off' });
    const row = h('div', { class: 'purpose-row' },
      field(`p-cat-${i}`, `${w.category} ${i + 1}`, category),
      field(`p-amt-${i}`, `${w.amount} ${i + 1}`, amount),
      h('button', { type: 'button', class: 'button button--secondary', onclick: () => { row.remove(); list.querySelector('select')?.focus(); } },
        w.removePurpose, h('span', { class: 'visually-hidden' }, ` ${i + 1}`)));
    list.append(row);
    return category;
  };
  addRow();
  wrap.append(h('button', { type: 'button', class: 'button button--secondary', onclick: () => addRow().focus() }, w.addPurpose));
  return wrap;
}

function readForm(form, schema) {
  const application = {};
  for (const decl of schema.fields) {
    if (decl.kind === 'purposes') {
      const cats = [...form.querySelectorAll('[name="purpose-category"]')];
      const amts = [...form.querySelectorAll('[name="purpose-amount"]')];
      const purposes = cats.map((c, i) => ({ category: c.value, amount_eur: amts[i].value.trim() }))
        .filter((p) => p.category || p.amount_eur);
      if (purposes.length) application[decl.name] = purposes;
      continue;
    }
    const el = form.elements.namedItem(decl.name);
    const value = el?.value?.trim();
    if (!value) continue;
    application[decl.name] = decl.kind === 'boolean' ? value === 'true' : value;
  }
  return application;
}

async function newCaseView() {
  const w = t();
  const asOf = h('input', { class: 'input', id: 'as-of', name: 'as_of', placeholder: w.dateHint, 'aria-describedby': 'as-of-hint', inputmode: 'numeric' });
  const slot = h('div', {});
  const formSlot = h('div', {});
  show(w.intakeTitle, slot, h('div', { class: 'filters' }, field('as-of', w.asOf, asOf, w.asOfHint),
    h('button', { type: 'button', class: 'button button--secondary', id: 'load-form', onclick: () => build(asOf.value.trim()) }, w.loadForm)), formSlot);
  async function build(day) {
    let schema;
    try {
      schema = await loadSchema(day);
    } catch (e) {
      formSlot.replaceChildren(failure(e));
      return;
    }
    const onPage = new Set(schema.pages.flatMap((p) => p.fields));
    const group = (legend, decls) => h('fieldset', { class: 'intake-fieldset' }, h('legend', {}, legend),
      h('div', { class: 'intake' }, decls.map((d) => (d.kind === 'purposes' ? purposesControl(d) : control(d)))));
    const form = h('form', { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const request = { language: state.lang, score: true, application: readForm(form, schema) };
      if (day) request.as_of = day;
      try {
        const created = await api('/api/v1/cases', { method: 'POST', body: JSON.stringify(request) });
        location.hash = `#/case/${created.case_id}`;
      } catch (err) {
        slot.replaceChildren(failure(err));
        slot.firstChild.focus();
      }
    } },
    h('p', { class: 'secondary-text' }, `${w.ruleSet}: ${schema.product} ${schema.version}`),
    group(w.application, schema.fields.filter((d) => onPage.has(d.name))),
    group(w.staffOnly, schema.fields.filter((d) => !onPage.has(d.name))),
    h('button', { class: 'button', type: 'submit' }, w.screen));
    formSlot.replaceChildren(form);
  }
  await build('');
}

// ------------------------------------------------------------------ a case

function table(caption, head, rows, numeric = []) {
  return h('table', { class: 'table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((x, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, x)))),
    h('tbody', {}, rows));
}

function traceView(d) {
  const w = t();
  const parts = [];
  parts.push(h('dl', { class: 'summary-list' },
    h('dt', {}, w.outcome), h('dd', {}, tag(d.outcome)),
    h('dt', {}, w.ruleSet), h('dd', {}, `${d.product} ${d.rule_set.version} (${d.rule_set.hash})`),
    h('dt', {}, w.asOfShort), h('dd', {}, d.as_of),
    d.indicative ? [h('dt', {}, w.instalment), h('dd', {}, `${d.indicative.monthly_instalment_eur} EUR (${d.indicative.annual_rate})`)] : null));
  parts.push(d.reasons.length
    ? table(w.fired, [w.rule, w.severity, w.message, w.reads], d.reasons.map((r) => h('tr', {},
      h('td', {}, h('code', {}, r.id)), h('td', {}, r.severity), h('td', {}, r.message), h('td', {}, r.fields.join(', ')))))
    : [h('h2', { class: 'heading-m' }, w.fired), h('p', {}, w.none)]);
  parts.push(d.skipped.length
    ? table(w.skipped, [w.rule, w.missing], d.skipped.map((s) => h('tr', {}, h('td', {}, h('code', {}, s.id)), h('td', {}, s.missing.join(', ')))))
    : [h('h2', { class: 'heading-m' }, w.skipped), h('p', {}, w.none)]);
  if (d.errors.length) {
    parts.push(table(w.errors, [w.field, w.message], d.errors.map((e) => h('tr', {}, h('td', {}, h('code', {}, e.field)), h('td', {}, e.message)))));
  }
  if (d.warnings.length) {
    parts.push(table(w.warnings, [w.field, w.message], d.warnings.map((e) => h('tr', {}, h('td', {}, h('code', {}, e.field)), h('td', {}, e.message)))));
  }
  return parts;
}

/** §8: the changes that would give a better outcome, as the decision lists them. */
function suggestionsView(d) {
  const w = t();
  if (!d.suggestions) return null;
  const said = (c) => [
    c.amount_requested_eur ? `amount_requested_eur = ${c.amount_requested_eur}` : null,
    c.term_months ? `term_months = ${c.term_months}` : null,
  ].filter(Boolean).join(', ');
  return d.suggestions.length
    ? table(w.suggestionsTitle, [w.change, w.outcome, w.message], d.suggestions.map((x) => h('tr', {},
      h('td', {}, h('code', {}, said(x.changes))), h('td', {}, tag(x.outcome)), h('td', {}, x.message))))
    : [h('h2', { class: 'heading-m' }, w.suggestionsTitle), h('p', {}, w.none)];
}

/** §7: what every other product in force says of the same answers, asked now of the engine. */
function referralsView(d) {
  const w = t();
  const slot = h('div', { 'aria-live': 'polite' });
  api('/api/v1/check', { method: 'POST', body: JSON.stringify({ product: '*', as_of: d.as_of, language: state.lang, application: d.normalized }) })
    .then((all) => {
      const rows = all.referrals.filter((r) => r.product !== d.product);
      slot.replaceChildren(...(rows.length
        ? [table(w.referralsTitle, [w.lender, w.outcome, w.why], rows.map((r) => h('tr', { 'data-product': r.product },
          h('td', {}, r.url ? h('a', { href: r.url, rel: 'noopener noreferrer' }, r.title) : r.title), h('td', {}, tag(r.outcome)), h('td', {}, r.message))))]
        : [h('h2', { class: 'heading-m' }, w.referralsTitle), h('p', {}, w.noReferrals)]));
    })
    .catch((e) => slot.replaceChildren(failure(e)));
  return slot;
}

function scoreView(score) {
  const w = t();
  if (!score) return [h('h2', { class: 'heading-m' }, w.scoreTitle), h('p', {}, w.noScore)];
  const rows = score.pillars.flatMap((p) => [
    h('tr', {}, h('th', { scope: 'row' }, p.id), h('td', {}), h('td', { class: 'num' }, `${p.points} / ${p.max}`), h('td', {})),
    ...p.attributes.map((a) => h('tr', {}, h('td', {}), h('td', {}, a.id), h('td', { class: 'num' }, `${a.points} / ${a.max}`),
      h('td', {}, a.known ? w.yes : w.no))),
  ]);
  return [
    h('h2', { class: 'heading-m' }, `${w.scoreTitle}: ${score.total} / ${score.max} — ${w.band} ${score.band}`),
    table(`${w.scoreTitle}: ${w.pillar}, ${w.attribute}`, [w.pillar, w.attribute, w.points, w.known], rows, [2]),
    score.reasons.length
      ? table(w.scoreReasons, [w.attribute, w.lost, w.message], score.reasons.map((r, i) => h('tr', { class: i < 4 ? 'principal' : null },
        h('td', {}, h('code', {}, r.id), i < 4 ? h('span', { class: 'visually-hidden' }, ` (${w.principal})`) : null),
        h('td', { class: 'num' }, r.points_lost), h('td', {}, r.message))), [1])
      : null,
  ];
}

function historyView(entries) {
  const w = t();
  return [h('h2', { class: 'heading-m' }, w.history), h('ol', { class: 'history' }, entries.map((e) => h('li', {},
    e.kind === 'case'
      ? [h('strong', {}, `#${e.seq} `), `${e.recorded_at} — ${w.screened} ${e.staff}: `, tag(e.body.outcome)]
      : [h('strong', {}, `#${e.seq} `), `${e.recorded_at} — ${w.decidedBy} ${e.staff}: `, h('strong', {}, w.dec[e.body.decision] || e.body.decision),
        e.body.override ? [' ', h('strong', { class: 'tag tag--override' }, w.override)] : null,
        e.body.corrects ? ` (${w.corrects} #${e.body.corrects})` : null,
        h('br'), `${w.motivation}: `, e.body.motivation])))];
}

function decisionForm(caseId, engineOutcome, done) {
  const w = t();
  const slot = h('div', {});
  const radios = DECISIONS.map((d, i) => h('div', { class: 'radios__item' },
    h('input', { class: 'radios__input', type: 'radio', name: 'decision', id: `d-${d}`, value: d, 'aria-describedby': i === 0 ? null : null }),
    h('label', { class: 'label radios__label', for: `d-${d}` }, w.dec[d])));
  const motivation = h('textarea', { class: 'textarea', id: 'motivation', name: 'motivation', 'aria-describedby': 'motivation-hint', maxlength: 4000 });
  const isOverride = (d) => (d === 'approve' && ['ineligible', 'invalid'].includes(engineOutcome))
    || (['decline', 'refer_elsewhere'].includes(d) && ['eligible', 'flagged'].includes(engineOutcome));
  const form = h('form', { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const chosen = form.querySelector('input[name="decision"]:checked')?.value;
    const why = motivation.value.trim();
    const problems = [];
    if (!chosen) problems.push([`d-${DECISIONS[0]}`, w.chooseDecision]);
    if (!why) problems.push(['motivation', w.writeMotivation]);
    if (problems.length) {
      slot.replaceChildren(errorSummary(problems));
      slot.firstChild.focus();
      return;
    }
    // The confirm step: what will be recorded, and whether it is an override.
    const heading = h('h2', { class: 'heading-m', tabindex: '-1' }, w.confirmTitle);
    const confirm = h('div', { class: 'box' }, heading,
      h('dl', { class: 'summary-list' }, h('dt', {}, w.decision), h('dd', {}, w.dec[chosen]), h('dt', {}, w.motivation), h('dd', {}, why)),
      isOverride(chosen) ? h('p', { class: 'notice notice--warning' }, w.overrideWarn) : null,
      h('div', { class: 'button-group' },
        h('button', { type: 'button', class: isOverride(chosen) ? 'button button--warning' : 'button', onclick: async () => {
          try {
            await api(`/api/v1/cases/${caseId}/decisions`, { method: 'POST', body: JSON.stringify({ decision: chosen, motivation: why }) });
            done(w.recorded1);
          } catch (err) {
            slot.replaceChildren(failure(err));
            slot.firstChild.focus();
          }
        } }, w.confirm),
        h('button', { type: 'button', class: 'button button--secondary', onclick: () => { confirm.remove(); form.hidden = false; form.querySelector(`#d-${chosen}`).focus(); } }, w.back)));
    form.hidden = true;
    form.after(confirm);
    heading.focus();
  } },
  h('fieldset', { class: 'fieldset form-group' }, h('legend', { class: 'fieldset__legend fieldset__legend--m' }, w.decision), h('div', { class: 'radios' }, radios)),
  field('motivation', w.motivation, motivation, w.motivationHint),
  h('button', { class: 'button', type: 'submit' }, w.continue));
  return [h('h2', { class: 'heading-m' }, w.record), h('p', { class: 'hint' }, w.recordHint), slot, form];
}

async function caseView(caseId, notice) {
  const w = t();
  const body = h('div', {});
  show(`${w.caseTitle} ${caseId}`, body);
  try {
    const history = await api(`/api/v1/cases/${encodeURIComponent(caseId)}`);
    const first = history.entries.find((e) => e.kind === 'case');
    const d = first.body.decision;
    body.replaceChildren(
      ...(notice ? [h('p', { class: 'notice', role: 'status' }, notice)] : []),
      h('div', { class: 'columns' },
        h('div', {}, traceView(d), suggestionsView(d), referralsView(d), scoreView(d.score)),
        h('div', {}, historyView(history.entries),
          decisionForm(caseId, first.body.outcome, (message) => caseView(caseId, message)))));
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

// ------------------------------------------------------------------ batch

function batchView() {
  const w = t();
  const file = h('input', { class: 'file-upload', type: 'file', id: 'csv', name: 'csv', accept: '.csv,text/csv', 'aria-describedby': 'csv-hint' });
  const asOf = h('input', { class: 'input', id: 'b-as-of', name: 'as_of', placeholder: w.dateHint, 'aria-describedby': 'b-as-of-hint', inputmode: 'numeric' });
  const score = h('input', { type: 'checkbox', id: 'b-score', name: 'score', checked: true, class: 'checkbox' });
  const slot = h('div', {});
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      slot.replaceChildren(errorSummary([['csv', w.chooseFile]]));
      slot.firstChild.focus();
      return;
    }
    slot.replaceChildren();
    const q = new URLSearchParams({ lang: state.lang, report: 'true' });
    if (score.checked) q.set('score', 'true');
    if (asOf.value.trim()) q.set('as_of', asOf.value.trim());
    try {
      const out = await api(`/api/v1/batch?${q}`, { method: 'POST', body: await chosen.arrayBuffer(), type: 'text/csv' });
      for (const u of state.urls) URL.revokeObjectURL(u);
      const csvUrl = URL.createObjectURL(new Blob([out.csv], { type: 'text/csv' }));
      const reportUrl = URL.createObjectURL(new Blob([out.report_html], { type: 'text/html' }));
      state.urls = [csvUrl, reportUrl];
      const base = chosen.name.replace(/\.csv$/i, '');
      const heading = h('h2', { class: 'heading-m', tabindex: '-1' }, `${out.rows} ${w.rows}, ${out.rows_with_errors} ${w.withErrors}`);
      result.replaceChildren(h('div', { class: 'box' }, heading,
        h('ul', {},
          h('li', {}, h('a', { href: csvUrl, download: `${base}-kredo.csv`, class: 'button button--secondary' }, w.downloadCsv)),
          h('li', {}, h('a', { href: reportUrl, download: `${base}-report.html`, class: 'button button--secondary' }, w.downloadReport)))));
      heading.focus();
    } catch (err) {
      slot.replaceChildren(failure(err));
      slot.firstChild.focus();
    }
  } },
  field('csv', w.csvFile, file, w.csvHint),
  field('b-as-of', w.asOf, asOf, w.asOfHint),
  h('div', { class: 'form-group checkbox-item' }, score, ' ', h('label', { for: 'b-score', class: 'label-inline' }, w.withScore)),
  h('button', { class: 'button', type: 'submit' }, w.run));
  show(w.batchTitle, slot, form, result);
}

// ------------------------------------------------------------------ routing

function route() {
  const hash = location.hash || '#/cases';
  const [path, query] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const name = token() ? (parts[0] || 'cases') : 'signin';
  header(name);
  if (name === 'signin') return signInView();
  if (name === 'new') return newCaseView();
  if (name === 'batch') return batchView();
  if (name === 'case' && parts[1]) return caseView(decodeURIComponent(parts[1]));
  return casesView(query || '');
}

window.addEventListener('hashchange', route);
route();
