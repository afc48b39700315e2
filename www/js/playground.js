// The rule playground: pick a product and version, edit its files, recompile in wasm as you type
// with the problems at their lines, run the version's cases, try one application, and download
// the edited version as a zip. Nothing leaves the browser.
//
// The rule sets come as data (`rules-with-cases.json`: the stored tree with each version's cases,
// written by the build and served by `kredo serve`). An edit is a file in the chosen version's
// own folder, as a maintainer would put it there: it shadows the inherited file for this version
// (and the versions that inherit from it), and the whole tree is compiled again.

import init, { load_rules, version_files, run_cases, schema, evaluate } from '../playground/pkg/kredo.js';
import { createEditor } from '../playground/codemirror.js';

const FORMAT = 'kredo-rules/1';
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

const st = {
  /** Stored path → text, as loaded. */
  original: new Map(),
  /** Stored path → text: the files edited, each in its version's own folder. */
  edits: new Map(),
  /** The rule-set list of the last tree that compiled. */
  list: [],
  product: null,
  version: null,
  /** The chosen version's files: `[{path, stored, text}]`. */
  files: [],
  /** The open file's path inside the version. */
  current: null,
  /** Every problem of the last compile that failed; empty when it compiled. */
  problems: [],
  timer: null,
};

const editor = createEditor($('editor'), { label: 'Rule-set file', onChange: edited });

/** The stored path of a file of the chosen version, in its own folder. */
const own = (path) => `${st.product}/${st.version}/${path}`;
/** Where a file of the chosen version is now: its own folder once edited, else as stored. */
const storedAt = (file) => (st.edits.has(own(file.path)) ? own(file.path) : file.stored);
const textOf = (file) => st.edits.get(own(file.path)) ?? file.text;
const fileOf = (path) => st.files.find((f) => f.path === path);

function bundle() {
  const files = new Map(st.original);
  for (const [path, text] of st.edits) files.set(path, text);
  return JSON.stringify({ format: FORMAT, files: [...files].map(([path, text]) => ({ path, text })) });
}

// ---------------------------------------------------------------- start

async function start() {
  const params = new URLSearchParams(location.search);
  try {
    const [, text] = await Promise.all([
      init(),
      fetch('rules-with-cases.json').then((r) => {
        if (!r.ok) throw new Error(`rules-with-cases.json: HTTP ${r.status}`);
        return r.text();
      }),
    ]);
    for (const f of JSON.parse(text).files) st.original.set(f.path, f.text);
    const loaded = load_rules(text);
    if (loaded.ok !== true) throw new Error(`${loaded.error.message}: ${(loaded.diagnostics ?? []).map((d) => where(d)).join('; ')}`);
    st.list = loaded.rulesets;
  } catch (e) {
    $('loading').textContent = `The playground could not start: ${e.message}`;
    return;
  }
  $('loading').hidden = true;
  $('pick').hidden = false;
  $('workbench').hidden = false;
  $('cases-section').hidden = false;
  $('try-section').hidden = false;
  const products = [...new Set(st.list.map((r) => r.product))];
  $('product').innerHTML = products.map((p) => `<option>${esc(p)}</option>`).join('');
  const product = products.includes(params.get('product')) ? params.get('product') : (products.includes('impulskrediet') ? 'impulskrediet' : products[0]);
  $('product').value = product;
  fillVersions(product, params.get('version'));
  choose(product, $('version').value, params.get('file'));
}

function fillVersions(product, wanted) {
  const versions = st.list.filter((r) => r.product === product);
  $('version').innerHTML = versions
    .map((r) => `<option value="${esc(r.version)}">${esc(r.version)} (from ${esc(r.effective_from)}${r.effective_to ? ` to ${esc(r.effective_to)}` : ''})</option>`)
    .join('');
  const now = new Date();
  const today = [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
  const inForce = [...versions].reverse().find((r) => r.effective_from <= today) ?? versions[versions.length - 1];
  $('version').value = versions.some((r) => r.version === wanted) ? wanted : inForce?.version;
}

$('product').addEventListener('change', () => {
  fillVersions($('product').value, null);
  choose($('product').value, $('version').value);
});
$('version').addEventListener('change', () => choose($('product').value, $('version').value));

/** Shows a version: its files, the first rule open, its cases run and its form. */
function choose(product, version, file) {
  st.product = product;
  st.version = version;
  const answer = version_files(product, version);
  st.files = answer.ok ? answer.files : [];
  editor.reset();
  const first = fileOf(file) ?? st.files.find((f) => f.path.startsWith('rules/')) ?? st.files[0];
  openFile(first?.path);
  renderStatus();
  runCases();
  buildForm();
}

// ---------------------------------------------------------------- files and editing

/** The order a maintainer reads a version in: rules first, cases last. */
const GROUPS = ['rules', 'parameters.json', 'manifest.json', 'messages', 'fields', 'data', 'scorecard', 'cases.json'];
const groupOf = (path) => (path.includes('/') ? path.split('/')[0] : path);
const rank = (path) => {
  const i = GROUPS.indexOf(groupOf(path));
  return i < 0 ? GROUPS.length : i;
};

function renderFiles() {
  const sorted = [...st.files].sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
  const groups = [];
  for (const f of sorted) {
    const g = groupOf(f.path);
    if (groups.at(-1)?.name !== g) groups.push({ name: g, files: [] });
    groups.at(-1).files.push(f);
  }
  const item = (f) => {
    const edited = st.edits.has(own(f.path));
    const bad = st.problems.some((d) => where(d, false) === storedAt(f));
    const tags = [];
    if (edited) tags.push('<span class="pg-tag pg-tag--edited">edited</span>');
    else if (f.stored !== own(f.path)) tags.push(`<span class="pg-tag">inherited from ${esc(f.stored.split('/')[1])}</span>`);
    if (bad) tags.push('<span class="pg-tag pg-tag--problem">has problems</span>');
    return `<li><button type="button" class="pg-file" data-path="${esc(f.path)}"${f.path === st.current ? ' aria-current="true"' : ''}>${esc(f.path)}${tags.join('')}</button></li>`;
  };
  $('files').innerHTML = groups.map((g) => (g.files.length === 1 && g.files[0].path === g.name
    ? item(g.files[0])
    : `<li class="pg-group"><span class="pg-group__name">${esc(g.name)}/</span><ul>${g.files.map(item).join('')}</ul></li>`)).join('');
}

$('files').addEventListener('click', (e) => {
  const button = e.target.closest('button[data-path]');
  if (button) openFile(button.dataset.path);
});

function openFile(path) {
  const file = fileOf(path);
  if (!file) return;
  st.current = path;
  editor.open(path, textOf(file));
  $('file-name').textContent = path;
  $('file-note').textContent = storedAt(file) === own(path)
    ? `Stored in ${own(path)}.`
    : `Inherited from ${file.stored}. An edit puts a changed copy in ${st.product}/${st.version}/, for this version only (and the versions that inherit from it).`;
  renderFiles();
  markProblems();
}

function edited(text) {
  if (!st.current) return;
  const file = fileOf(st.current);
  if (text === file.text && file.stored === own(file.path)) st.edits.delete(own(file.path));
  else st.edits.set(own(file.path), text);
  clearTimeout(st.timer);
  $('compile-status').dataset.state = '';
  $('compile-status').textContent = 'Compiling…';
  st.timer = setTimeout(recompile, 300);
}

/** Compiles the whole tree with the edits; the engine changes only when it compiles. */
function recompile() {
  const wasCases = st.current === 'cases.json';
  const answer = load_rules(bundle());
  if (answer.ok === true) {
    st.list = answer.rulesets;
    st.problems = [];
  } else {
    st.problems = answer.diagnostics ?? [];
  }
  renderStatus();
  renderFiles();
  markProblems();
  if (answer.ok === true) {
    runCases();
    if (!wasCases) buildForm();
  }
}

/** Where a diagnostic points: `impulskrediet/2025-01-01/rules/x.rhai`, with `:line:column`
 * unless `position` is false. (Not named `location`: that would hide `window.location`.) */
function where(d, position = true) {
  const at = d.origin ?? [d.product, d.version, d.file].filter(Boolean).join('/');
  return position && d.line ? `${at}:${d.line}${d.column ? `:${d.column}` : ''}` : at;
}

function renderStatus() {
  const info = st.list.find((r) => r.product === st.product && r.version === st.version);
  $('hash').textContent = info?.hash ?? '';
  const status = $('compile-status');
  if (st.problems.length === 0) {
    status.dataset.state = 'ok';
    status.textContent = `Compiles: ${st.product} ${st.version} decides with these files.`;
    $('problems').innerHTML = '';
    return;
  }
  status.dataset.state = 'error';
  status.textContent = `${st.problems.length} ${st.problems.length === 1 ? 'problem' : 'problems'}: the cases and the form still use the rules as they were before the change.`;
  $('problems').innerHTML = st.problems.map((d, i) => {
    const file = st.files.find((f) => storedAt(f) === where(d, false));
    const text = `${esc(where(d))}: ${esc(d.message)}${d.help ? ` <span class="hint">(${esc(d.help)})</span>` : ''}`;
    return file ? `<li><a href="#editor-heading" data-problem="${i}">${text}</a></li>` : `<li>${text}</li>`;
  }).join('');
}

$('problems').addEventListener('click', (e) => {
  const link = e.target.closest('a[data-problem]');
  if (!link) return;
  e.preventDefault();
  const d = st.problems[Number(link.dataset.problem)];
  const file = st.files.find((f) => storedAt(f) === where(d, false));
  if (!file) return;
  openFile(file.path);
  editor.goTo(d.line ?? 1, d.column ?? 1);
});

function markProblems() {
  const file = fileOf(st.current);
  if (!file) return;
  editor.problems(st.problems.filter((d) => where(d, false) === storedAt(file)));
}

// ---------------------------------------------------------------- cases

function casesText() {
  const file = fileOf('cases.json');
  return file ? textOf(file) : null;
}

function runCases() {
  const text = casesText();
  const summary = $('cases-summary');
  if (text === null) {
    summary.textContent = 'This version has no cases.json.';
    $('cases').innerHTML = '';
    return;
  }
  const answer = run_cases(st.product, st.version, text);
  if (answer.ok !== true) {
    summary.dataset.state = 'error';
    summary.textContent = answer.error.message;
    $('cases').innerHTML = '';
    return;
  }
  const failed = answer.results.filter((r) => !r.passed).length;
  const total = answer.results.length;
  summary.dataset.state = failed ? 'error' : 'ok';
  summary.textContent = failed ? `${failed} of ${total} cases fail.` : `All ${total} cases pass.`;
  $('cases').innerHTML = answer.results.map((r) => {
    let decision = r.decision;
    try { decision = JSON.stringify(JSON.parse(r.decision), null, 2); } catch { /* an error text */ }
    let outcome = '';
    try { outcome = JSON.parse(r.decision).outcome ?? ''; } catch { /* none */ }
    return `<tr data-case="${esc(r.name)}" data-passed="${r.passed}"><td>${esc(r.name)}</td>
      <td>${r.passed ? '<span class="pg-pass">passes</span>' : `<span class="pg-fail">fails</span><ul>${r.differences.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`}</td>
      <td><details><summary>${esc(outcome || 'decision')}</summary><pre>${esc(decision)}</pre></details></td></tr>`;
  }).join('');
}

$('run-cases').addEventListener('click', runCases);

// ---------------------------------------------------------------- one application

let formFields = [];

function buildForm() {
  const answer = schema(st.product, st.version);
  const info = st.list.find((r) => r.product === st.product && r.version === st.version);
  $('try-as-of').value = info?.effective_from ?? '';
  formFields = answer.ok ? answer.schema.fields : [];
  $('try-fields').innerHTML = formFields.map((f) => {
    const id = `t-${f.name}`;
    const label = f.text?.en?.short ?? f.text?.en?.label ?? f.name;
    const name = `<span class="hint">${esc(f.name)}</span>`;
    let control;
    if (f.kind === 'enum') {
      control = `<select class="select" id="${id}"><option value="">(not answered)</option>${f.options.map((o) => `<option value="${esc(o.value)}">${esc(o.value)}</option>`).join('')}</select>`;
    } else if (f.kind === 'boolean') {
      control = `<select class="select" id="${id}"><option value="">(not answered)</option><option value="true">true</option><option value="false">false</option></select>`;
    } else if (f.kind === 'purposes') {
      control = `<input class="input" id="${id}" aria-describedby="${id}-hint"><span class="hint" id="${id}-hint">category:amount, separated by ; (investment:6000; working_capital:3500)</span>`;
    } else {
      control = `<input class="input" id="${id}"${f.kind === 'date' ? ' type="date"' : ''}>`;
    }
    return `<div class="form-group"><label class="label" for="${id}">${esc(label)} ${name}</label>${control}</div>`;
  }).join('');
  let cases = [];
  try { cases = JSON.parse(casesText() ?? '[]'); } catch { /* shown in the cases panel */ }
  st.cases = Array.isArray(cases) ? cases : [];
  $('from-case').innerHTML = '<option value="">(empty form)</option>' + st.cases.map((c, i) => `<option value="${i}">${esc(c.name)}</option>`).join('');
  $('try-result').innerHTML = '';
}

$('from-case').addEventListener('change', () => {
  const c = st.cases[Number($('from-case').value)];
  const app = c?.application ?? {};
  for (const f of formFields) {
    const input = $(`t-${f.name}`);
    const v = app[f.name];
    if (f.kind === 'purposes') {
      input.value = Array.isArray(v) ? v.map((p) => `${p.category}:${p.amount_eur ?? ''}`).join('; ') : '';
    } else {
      input.value = v === undefined || v === null ? '' : String(v);
    }
  }
  if (c?.as_of) $('try-as-of').value = c.as_of;
  if (c?.language) $('try-lang').value = c.language;
});

function application() {
  const app = {};
  for (const f of formFields) {
    const raw = $(`t-${f.name}`).value.trim();
    if (raw === '') continue;
    if (f.kind === 'boolean') app[f.name] = raw === 'true';
    else if (f.kind === 'integer' && /^-?\d+$/.test(raw)) app[f.name] = Number(raw);
    else if (f.kind === 'purposes') {
      app[f.name] = raw.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
        const [category, amount] = p.split(':').map((x) => x.trim());
        return amount ? { category, amount_eur: amount } : { category };
      });
    } else app[f.name] = raw;
  }
  return app;
}

$('try').addEventListener('submit', (e) => {
  e.preventDefault();
  const request = { product: st.product, version: st.version, language: $('try-lang').value, application: application() };
  if ($('try-as-of').value) request.as_of = $('try-as-of').value;
  const answer = evaluate(request);
  const out = $('try-result');
  if (answer.ok !== true) {
    out.innerHTML = `<p class="pg-fail" id="try-outcome">${esc(answer.error.message)}</p>`;
    return;
  }
  const d = answer.decision;
  out.innerHTML = `<div class="pg-result"><h3 class="heading-s">Outcome: <span id="try-outcome" data-outcome="${esc(d.outcome)}">${esc(d.outcome)}</span></h3>
    ${d.reasons.length ? `<ul>${d.reasons.map((r) => `<li><code>${esc(r.id)}</code> (${esc(r.severity)}): ${esc(r.message)}</li>`).join('')}</ul>` : '<p>No rule fired.</p>'}
    ${d.errors.length ? `<p>Errors:</p><ul>${d.errors.map((x) => `<li><code>${esc(x.field)}</code>: ${esc(x.message)}</li>`).join('')}</ul>` : ''}
    ${d.indicative ? `<p>Indicative instalment: ${esc(d.indicative.monthly_instalment_eur)} EUR a month.</p>` : ''}
    <details><summary>The decision as JSON</summary><pre>${esc(JSON.stringify(d, null, 2))}</pre></details></div>`;
});

// ---------------------------------------------------------------- download

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of `[{name, text}]`, stored (no compression), UTF-8 names, dated 1 January 1980. */
export function zip(entries) {
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, text } of entries) {
    const nameBytes = enc.encode(name);
    const data = enc.encode(text);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x0800, true); // UTF-8 names
    local.setUint16(8, 0, true);
    local.setUint16(10, 0, true);
    local.setUint16(12, 0x21, true); // 1980-01-01
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    local.setUint16(28, 0, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, data);
    const dir = new DataView(new ArrayBuffer(46));
    dir.setUint32(0, 0x02014b50, true);
    dir.setUint16(4, 20, true);
    dir.setUint16(6, 20, true);
    dir.setUint16(8, 0x0800, true);
    dir.setUint16(10, 0, true);
    dir.setUint16(12, 0, true);
    dir.setUint16(14, 0x21, true);
    dir.setUint32(16, crc, true);
    dir.setUint32(20, data.length, true);
    dir.setUint32(24, data.length, true);
    dir.setUint16(28, nameBytes.length, true);
    dir.setUint32(42, offset, true);
    central.push(new Uint8Array(dir.buffer), nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const size = central.reduce((n, p) => n + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, new Uint8Array(end.buffer)], { type: 'application/zip' });
}

$('download').addEventListener('click', () => {
  // The version's own folder as it would be stored: its own files and every edited one.
  const entries = st.files
    .filter((f) => storedAt(f) === own(f.path))
    .map((f) => ({ name: own(f.path), text: textOf(f) }));
  const a = document.createElement('a');
  a.href = URL.createObjectURL(zip(entries));
  a.download = `${st.product}-${st.version}.zip`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

start();
