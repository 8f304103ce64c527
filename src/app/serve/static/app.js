// maillage serve: the page. Every number shown comes from the run's own files
// (summary.json, units.csv, departements.csv, sites.geojson), as the command line wrote them.
'use strict';
const TOKEN = new URLSearchParams(location.search).get('token');
const $ = (s) => document.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};
const withToken = (url) => TOKEN ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(TOKEN) : url;
async function api(path, opts = {}) {
  opts.headers = Object.assign({}, opts.headers || {}, TOKEN ? { Authorization: 'Bearer ' + TOKEN } : {});
  const r = await fetch(path, opts);
  const type = r.headers.get('content-type') || '';
  const body = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) { const e = new Error(body.error || 'HTTP ' + r.status); e.body = body; e.status = r.status; throw e; }
  return body;
}
const fr = (v, d = 0) => v === null || v === undefined || v === '' || isNaN(v) ? '—' :
  Number(v).toLocaleString('fr-FR', { minimumFractionDigits: d, maximumFractionDigits: d });
const pct = (v, d = 1) => v === null || v === undefined || v === '' ? '—' : fr(100 * v, d) + '\u202f%';
function parseCsv(text) {
  const rows = []; let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) { if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; } else field += c; }
    else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const head = rows.shift() || [];
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

// ---------- tabs ----------
function showTab(name) {
  document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('on', b.dataset.tab === name));
  document.querySelectorAll('main > section').forEach((s) => { s.hidden = s.id !== 'tab-' + name; });
}
document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));

// ---------- the form, built from /api/options ----------
let OPTIONS = [], DEPS = [];
const getPath = (o, key) => key.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
function setPath(o, key, v) {
  const ks = key.split('.'); let cur = o;
  for (const k of ks.slice(0, -1)) cur = cur[k] = cur[k] || {};
  cur[ks[ks.length - 1]] = v;
}
function depLimits() {
  const box = el('div', { class: 'deptable' });
  const add = (dep = '', n = '') => {
    const sel = el('select', { class: 'dep' }, el('option', { value: '', text: 'département…' }));
    for (const d of DEPS) sel.append(el('option', { value: d.code, text: d.code + ' ' + d.name }));
    sel.value = dep;
    const num = el('input', { type: 'number', min: '0', step: '1', class: 'n', value: n });
    const row = el('div', {}, sel, ' ', num, ' ', el('button', { type: 'button', text: '×', onclick: () => row.remove() }));
    box.insertBefore(row, box.lastChild);
  };
  box.append(el('button', { type: 'button', text: '+ ajouter', onclick: () => add() }));
  box.fill = (obj) => { box.querySelectorAll('div').forEach((r) => r.remove()); for (const [d, n] of Object.entries(obj || {})) add(d, n); };
  box.read = () => {
    const out = {};
    box.querySelectorAll('div').forEach((r) => { const d = r.querySelector('.dep').value, n = r.querySelector('.n').value; if (d && n !== '') out[d] = Number(n); });
    return Object.keys(out).length ? out : undefined;
  };
  return box;
}
function input(opt) {
  const dflt = opt.default;
  switch (opt.type) {
    case 'bool': { const c = el('input', { type: 'checkbox' }); c.checked = !!dflt; c.read = () => (c.checked !== !!dflt ? c.checked : undefined); c.fill = (v) => { c.checked = !!v; }; return c; }
    case 'choice': {
      const s = el('select', {}, el('option', { value: '', text: '(défaut : ' + dflt + ')' }));
      for (const c of opt.choices) s.append(el('option', { value: c, text: c }));
      s.read = () => s.value || undefined; s.fill = (v) => { s.value = v === dflt ? '' : v; }; return s;
    }
    case 'choices': {
      const box = el('span');
      for (const c of opt.choices) box.append(el('label', {}, el('input', { type: 'checkbox', value: c }), ' ' + c + ' '));
      box.read = () => { const v = [...box.querySelectorAll('input:checked')].map((i) => i.value); return v.length ? v : undefined; };
      box.fill = (v) => box.querySelectorAll('input').forEach((i) => { i.checked = (v || []).includes(i.value); }); return box;
    }
    case 'departements': return depLimits();
    case 'list': {
      const t = el('input', { type: 'text', placeholder: 'codes séparés par des virgules' });
      t.read = () => { const v = t.value.split(',').map((s) => s.trim()).filter(Boolean); return v.length ? v : undefined; };
      t.fill = (v) => { t.value = (v || []).join(', '); }; return t;
    }
    case 'integer': case 'number': {
      const n = el('input', { type: 'number', step: 'any', placeholder: dflt === null ? '' : String(dflt) });
      if (opt.min !== null) n.min = opt.min; if (opt.max !== null) n.max = opt.max;
      n.read = () => (n.value === '' ? undefined : Number(n.value)); n.fill = (v) => { n.value = v === dflt || v == null ? '' : v; }; return n;
    }
    case 'path': { const t = el('input', { type: 'text', disabled: 'disabled', placeholder: 'ligne de commande seulement' }); t.read = () => undefined; t.fill = () => {}; return t; }
    default: {
      const t = el('input', { type: 'text', placeholder: dflt == null ? '' : String(dflt) });
      t.read = () => (t.value.trim() === '' ? undefined : t.value.trim()); t.fill = (v) => { t.value = v == null || v === dflt ? '' : v; }; return t;
    }
  }
}
function buildForm(options, groups) {
  const form = $('#scenario'); form.textContent = '';
  const sets = Object.fromEntries(groups.map((g) => [g, el('fieldset', {}, el('legend', { text: g }))]));
  for (const opt of options) {
    const field = el('div', { class: 'field', 'data-key': opt.key });
    const range = opt.min !== null ? ` ${opt.min_excluded ? ']' : '['}${opt.min} ; ${opt.max}]` : '';
    const inp = input(opt); inp.id = 'opt-' + opt.key.replace(/\./g, '-'); opt.input = inp;
    field.append(el('div', {}, el('label', { for: inp.id, text: opt.label }), el('br'), el('code', { text: opt.key + ' · ' + opt.flag + range })), el('div', {}, inp),
      el('div', { class: 'help', text: opt.help + (opt.server ? ' — ' + opt.server : '') }), el('div', { class: 'err' }));
    (sets[opt.group] || sets[groups[0]]).append(field);
  }
  for (const g of groups) form.append(sets[g]);
}
function formJson() {
  const spec = {};
  for (const opt of OPTIONS) { const v = opt.input.read(); if (v !== undefined) setPath(spec, opt.key, v); }
  return spec;
}
function fillForm(spec) { for (const opt of OPTIONS) opt.input.fill(getPath(spec, opt.key)); }
function showErrors(errors) {
  document.querySelectorAll('.field').forEach((f) => { f.classList.remove('bad'); f.querySelector('.err').textContent = ''; });
  const box = $('#form-errors'); box.textContent = '';
  for (const e of errors) {
    let key = e.key || '', field = null;
    while (key && !(field = document.querySelector(`.field[data-key="${key}"]`))) key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
    if (field) { field.classList.add('bad'); field.querySelector('.err').textContent += e.message + ' '; }
    box.append(el('p', { text: e.message }));
  }
  if (errors.length) box.scrollIntoView({ block: 'nearest' });
}
async function checked(body, json) {
  return api('/api/spec', { method: 'POST', headers: { 'Content-Type': json ? 'application/json' : 'text/plain' }, body });
}
$('#start').addEventListener('click', async () => {
  try {
    const sweep = $('#sweep').value;
    let query = sweep ? `?sweep=${sweep}&range=${$('#sweep-from').value}:${$('#sweep-to').value}:${$('#sweep-step').value}` : '';
    if ($('#sensitivity').checked) query += (query ? '&' : '?') + 'analysis=sensitivity';
    const r = await api('/api/runs' + query, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(formJson()) });
    showErrors([]); await refreshRuns(); showTab('runs'); follow(r.id);
  } catch (e) { showErrors(e.body && e.body.errors ? e.body.errors : [{ message: e.message }]); }
});
$('#download-toml').addEventListener('click', async () => {
  try {
    const r = await checked(JSON.stringify(formJson()), true); showErrors([]);
    if ($('#sweep').value) showErrors([{ message: 'Le fichier TOML ne garde pas le balayage : maillage frontier le prend en option (--posts DE:À:PAS…).' }]);
    if ($('#sensitivity').checked) showErrors([{ message: 'Le fichier TOML ne garde pas la sensibilité : lancez maillage sensitivity --scenario FICHIER.' }]);
    const a = el('a', { href: URL.createObjectURL(new Blob([r.toml], { type: 'text/plain' })), download: 'scenario.toml' }); a.click();
  } catch (e) { showErrors(e.body && e.body.errors ? e.body.errors : [{ message: e.message }]); }
});
$('#reset').addEventListener('click', () => { fillForm({}); showErrors([]); });
$('#upload').addEventListener('change', async (ev) => {
  const f = ev.target.files[0]; if (!f) return;
  try { const r = await checked(await f.text(), false); fillForm(r.spec); showErrors([]); } catch (e) { showErrors(e.body && e.body.errors ? e.body.errors : [{ message: e.message }]); }
  ev.target.value = '';
});
$('#from-run').addEventListener('change', async (ev) => {
  if (!ev.target.value) return;
  const text = await api(`/api/runs/${ev.target.value}/files/scenario.toml`);
  const r = await checked(text, false); fillForm(r.spec); showErrors([]);
});

// ---------- runs ----------
let RUNS = [];
const UNITS = { 'decay-weighted people served': 'personnes servies, pondérées par la distance', 'people within the bound of a post': "personnes à portée d'un poste",
  'posts (euros when sites cost differently)': 'postes', 'need-weighted mean minutes to the nearest post': 'minutes en moyenne', 'minutes to the nearest post, at worst': 'minutes au plus' };
const STATE = { queued: 'en attente', running: 'en cours', done: 'terminé', failed: 'échec', cancelled: 'annulé' };
const sources = {};
function follow(id) {
  if (sources[id]) return;
  const es = new EventSource(withToken(`/api/runs/${id}/events`));
  sources[id] = es;
  es.onmessage = (m) => {
    const info = JSON.parse(m.data);
    const i = RUNS.findIndex((r) => r.id === id); if (i >= 0) RUNS[i] = info; else RUNS.unshift(info);
    drawRuns();
    if (['done', 'failed', 'cancelled'].includes(info.state)) { es.close(); delete sources[id]; }
  };
  es.onerror = () => { es.close(); delete sources[id]; };
}
async function refreshRuns() {
  RUNS = (await api('/api/runs')).runs; drawRuns();
  for (const r of RUNS) if (r.state === 'queued' || r.state === 'running') follow(r.id);
}
function drawRuns() {
  const body = $('#runs tbody'); body.textContent = '';
  $('#no-runs').hidden = RUNS.length > 0;
  for (const r of RUNS) {
    const bar = el('span', { class: 'progress' }, el('i', { style: `width:${Math.round(100 * r.stages_done / 6)}%` }));
    const actions = el('td', { class: 't' });
    if (r.state === 'done') actions.append(el('button', { type: 'button', text: 'Voir', onclick: () => openResult(r.id) }), ' ');
    actions.append(el('button', { type: 'button', text: ['done', 'failed', 'cancelled'].includes(r.state) ? 'Supprimer' : 'Annuler',
      onclick: async () => { await api('/api/runs/' + r.id, { method: 'DELETE' }); setTimeout(refreshRuns, 300); } }));
    const stage = el('td', { class: 't' }, bar, r.stage);
    if (r.error) stage.append(el('pre', { class: 'error', text: r.error }));
    const when = new Date(r.created * 1000).toLocaleString('fr-FR');
    body.append(el('tr', { 'data-id': r.id, 'data-state': r.state }, el('td', { class: 't', text: r.id }), el('td', { class: 't', text: r.name }),
      el('td', { class: 't state-' + r.state, text: STATE[r.state] || r.state }), stage, el('td', { class: 't', text: when }), actions));
  }
  const done = RUNS.filter((r) => r.state === 'done');
  for (const sel of ['#from-run', '#cmp-a', '#cmp-b']) {
    const s = $(sel), keep = s.value; s.textContent = '';
    if (sel === '#from-run') s.append(el('option', { value: '', text: '—' }));
    for (const r of sel === '#from-run' ? RUNS : done) s.append(el('option', { value: r.id, text: r.id + ' · ' + r.name }));
    if ([...s.options].some((o) => o.value === keep)) s.value = keep;
  }
}

// ---------- the map ----------
let GEO = null;
async function geometry() {
  if (GEO) return GEO;
  const g = await api('/api/geometry');
  const units = g.units.map((u) => {
    const path = new Path2D(); let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const r of u.r) {
      let x = r[0], y = r[1]; path.moveTo(x, y);
      for (let i = 2; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; path.lineTo(x, y); if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y; }
      path.closePath();
      if (r[0] < x0) x0 = r[0]; if (r[0] > x1) x1 = r[0]; if (r[1] < y0) y0 = r[1]; if (r[1] > y1) y1 = r[1];
    }
    return { c: u.c, n: u.n, d: u.d, t: u.t, path, box: [x0, y0, x1, y1] };
  });
  GEO = { territories: g.territories, units };
  return GEO;
}
class MapView {
  constructor(canvas, tip, colour, describe) {
    Object.assign(this, { canvas, tip, colour, describe, sites: [], territory: 'metro', view: null, drawn: 0 });
    this.ctx = canvas.getContext('2d');
    canvas.addEventListener('wheel', (e) => { e.preventDefault(); this.zoom(e.offsetX, e.offsetY, e.deltaY < 0 ? 1.25 : 0.8); }, { passive: false });
    let drag = null;
    canvas.addEventListener('mousedown', (e) => { drag = [e.offsetX, e.offsetY]; canvas.style.cursor = 'grabbing'; });
    window.addEventListener('mouseup', () => { drag = null; canvas.style.cursor = ''; });
    canvas.addEventListener('mousemove', (e) => {
      if (drag) { const [s, tx, ty] = this.view; this.view = [s, tx + e.offsetX - drag[0], ty + e.offsetY - drag[1]]; drag = [e.offsetX, e.offsetY]; this.draw(); return; }
      this.hover(e.offsetX, e.offsetY);
    });
    canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
    canvas.addEventListener('click', (e) => { const hit = this.hit(e.offsetX, e.offsetY); if (hit && this.onpick) this.onpick(hit); });
  }
  members() { return GEO.units.filter((u) => u.t === this.territory); }
  fit(units) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const u of units) { x0 = Math.min(x0, u.box[0]); y0 = Math.min(y0, u.box[1]); x1 = Math.max(x1, u.box[2]); y1 = Math.max(y1, u.box[3]); }
    if (!isFinite(x0)) return;
    const W = this.canvas.width, H = this.canvas.height, s = 0.95 * Math.min(W / (x1 - x0), H / (y1 - y0));
    this.view = [s, (W - s * (x1 + x0)) / 2, (H - s * (y1 + y0)) / 2];
  }
  show(territory, dep) {
    this.territory = territory;
    const units = this.members();
    this.fit(dep ? units.filter((u) => u.d === dep) : units);
    this.draw();
  }
  zoom(px, py, f) { const [s, tx, ty] = this.view; this.view = [s * f, px - (px - tx) * f, py - (py - ty) * f]; this.draw(); }
  draw() {
    const t0 = performance.now(), ctx = this.ctx, [s, tx, ty] = this.view;
    ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(s, 0, 0, s, tx, ty); ctx.lineWidth = 0.6 / s; ctx.strokeStyle = 'rgba(255,255,255,.7)';
    let n = 0;
    for (const u of this.members()) { ctx.fillStyle = this.colour(u); ctx.fill(u.path); if (s > 0.02) ctx.stroke(u.path); n++; }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    let m = 0;
    for (const site of this.sites) {
      if (site.t !== this.territory) continue;
      const r = this.radius(site);
      ctx.beginPath(); ctx.arc(s * site.x + tx, s * site.y + ty, r, 0, 2 * Math.PI);
      ctx.fillStyle = 'rgba(8,81,156,.85)'; ctx.fill(); ctx.lineWidth = 0.8; ctx.strokeStyle = '#fff'; ctx.stroke(); m++;
    }
    this.drawn = { communes: n, sites: m, ms: performance.now() - t0 };
    this.canvas.dataset.communes = n; this.canvas.dataset.sites = m; this.canvas.dataset.ms = Math.round(this.drawn.ms);
  }
  // A site's dot: its area grows with its posts, and with the zoom (pixels per km).
  radius(site) { return Math.sqrt(site.posts) * Math.min(4, Math.max(0.8, 1.2 * Math.sqrt(10 * this.view[0]))); }
  hit(px, py) {
    const [s, tx, ty] = this.view;
    for (const site of this.sites) {
      if (site.t !== this.territory) continue;
      const r = Math.max(4, this.radius(site));
      if (Math.hypot(s * site.x + tx - px, s * site.y + ty - py) <= r) return { site };
    }
    const x = (px - tx) / s, y = (py - ty) / s;
    this.ctx.setTransform(s, 0, 0, s, tx, ty);
    let found = null;
    for (const u of this.members()) {
      const b = u.box;
      if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && this.ctx.isPointInPath(u.path, px, py)) { found = { unit: u }; break; }
    }
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    return found;
  }
  hover(px, py) {
    const hit = this.hit(px, py);
    if (!hit) { this.tip.hidden = true; return; }
    this.tip.hidden = false; this.tip.innerHTML = '';
    this.tip.append(this.describe(hit));
    this.tip.style.left = Math.min(px + 14, this.canvas.width - 200) + 'px'; this.tip.style.top = (py + 14) + 'px';
  }
}
const CLASSES = [[0.2, '#fef0d9'], [0.4, '#fdcc8a'], [0.6, '#fc8d59'], [0.8, '#e34a33'], [Infinity, '#b30000']];
const NEAR = [[5, '#006d2c'], [10, '#31a354'], [20, '#a1d99b'], [30, '#fdae6b'], [Infinity, '#e6550d']];
const classOf = (v, classes) => classes.find(([up]) => v < up)[1];
function legend(box, title, classes, fmt, extra) {
  box.textContent = title + ' : '; let lo = 0;
  for (const [up, c] of classes) { box.append(el('i', { style: 'background:' + c }), isFinite(up) ? `${fmt(lo)} à ${fmt(up)} ` : `${fmt(lo)} et plus `); lo = up; }
  if (extra) box.append(extra);
}

// ---------- a result ----------
let RESULT = null, VIEW = null;
async function openResult(id) {
  showTab('result');
  const info = await api('/api/runs/' + id);
  $('#no-result').hidden = true; $('#result').hidden = false;
  $('#result-title').textContent = `${info.name} (calcul ${info.id})`;
  const other = !!info.sweep || !!info.analysis;
  $('#frontier-view').hidden = !info.sweep; $('#sensitivity-view').hidden = !info.analysis;
  $('#plan-view').hidden = other; $('#headline').hidden = other;
  const files = $('#files'); files.textContent = '';
  for (const f of info.files) files.append(el('a', { href: withToken(`/api/runs/${id}/files/${f}`), target: '_blank', text: f }), ' · ');
  if (info.analysis) {
    const rows = parseCsv(await api(`/api/runs/${id}/files/sensitivity.csv`));
    depTable($('#sensitivity-table'), rows, [['change', 'Variante', false], ['need', 'Besoin', true], ['served', 'Servis', true],
      ['served_share', 'Part servie', true, pct], ['coverage_share', 'À portée', true, pct], ['min_dep_served_share', 'Dép. le moins servi', true, pct],
      ['gap', 'Écart', true, (v) => pct(v, 2)], ['same_site_share', 'Même lieu', true, pct], ['same_commune_share', 'Même commune', true, pct],
      ['same_epci_share', 'Même EPCI', true, pct], ['status', 'État', false]]);
    $('#sensitivity-report').src = withToken(`/api/runs/${id}/files/report.html`);
    return;
  }
  if (info.sweep) {
    $('#frontier-svg').src = withToken(`/api/runs/${id}/files/frontier.svg`);
    const rows = parseCsv(await api(`/api/runs/${id}/files/frontier.csv`));
    depTable($('#frontier-table'), rows, [['posts', 'Postes', true], ['cost_eur', 'Coût (€)', true], ['served', 'Servis', true], ['objective', 'Objectif', true],
      ['bound', 'Borne', true], ['gap', 'Écart', true, (v) => pct(v, 2)], ['coverage_share', 'Couverture', true, pct], ['coverage_20_share', '≤ 20 min', true, pct],
      ['coverage_30_share', '≤ 30 min', true, pct], ['status', 'État', false]]);
    return;
  }
  const [units, deps, sites] = await Promise.all([api(`/api/runs/${id}/files/units.csv`), api(`/api/runs/${id}/files/departements.csv`), api(`/api/runs/${id}/sites`)]);
  await geometry();
  RESULT = { info, units: Object.fromEntries(parseCsv(units).map((u) => [u.insee, u])), deps: parseCsv(deps), sites: sites.sites };
  const s = info.summary || {};
  const cards = [['Conseillers', fr(s.posts)], ['Coût', fr(s.cost_eur / 1e6, 2) + '\u202fM€'], ['Besoin', fr(s.need)], ['Personnes servies', fr(s.served)],
    ['Part servie', pct(s.served / s.need)], ['Couverture', pct(s.coverage_share)], ['Objectif', fr(s.objective, 1) + ' (' + (UNITS[s.objective_unit] || s.objective_unit || '') + ')'],
    ['Borne', fr(s.bound, 1)], ['Écart à la borne', s.gap == null ? '—' : pct(s.gap, 2)], ['Méthode', s.method]];
  const box = $('#headline'); box.textContent = '';
  for (const [k, v] of cards) box.append(el('div', {}, el('span', { text: k }), el('b', { text: v })));
  const terr = $('#territory'); terr.textContent = '';
  for (const t of GEO.territories) terr.append(el('option', { value: t.id, text: t.name }));
  const zoom = $('#zoom-dep'), exp = $('#export-dep'); zoom.textContent = ''; exp.textContent = '';
  zoom.append(el('option', { value: '', text: '—' }));
  for (const d of DEPS) { zoom.append(el('option', { value: d.code, text: d.code + ' ' + d.name })); exp.append(el('option', { value: d.code, text: d.code + ' ' + d.name })); }
  updateExport();
  if (!VIEW) {
    VIEW = new MapView($('#map'), $('#tip'), colourOf, describe);
    VIEW.onpick = (hit) => { const d = $('#details'); d.textContent = ''; d.append(describe(hit)); };
  }
  VIEW.sites = RESULT.sites; VIEW.show('metro');
  drawLegend(); depTable($('#deps'), RESULT.deps, [['dep', 'Département', false], ['posts', 'Postes', true], ['need', 'Besoin', true], ['served', 'Servis', true],
    ['served_share', 'Part servie', true, pct], ['coverage_share', 'Couverture', true, pct], ['next_post_gain', 'Un poste de plus', true], ['last_post_loss', 'Un poste de moins', true]]);
}
function colourOf(u) {
  const row = RESULT && RESULT.units[u.c]; if (!row) return '#ddd';
  const mode = $('#colour').value, share = Number(row.served_share);
  if (mode === 'coverage') return row.nearest_post_min === '' ? '#e6550d' : classOf(Number(row.nearest_post_min), NEAR);
  if (Number(row.need) <= 0) return '#ddd';
  return classOf(mode === 'served' ? 1 - share : 1 - share, mode === 'served' ? [...CLASSES].reverse().map(([, c], i) => [CLASSES[i][0], c]) : CLASSES);
}
function describe(hit) {
  if (hit.site) { const s = hit.site; return el('span', {}, el('b', { text: s.name }), el('br'), `${s.kind} · ${s.insee} · ${s.posts} poste(s), ${fr(s.served)} personnes servies`); }
  const u = hit.unit, r = RESULT && RESULT.units[u.c];
  if (!r) return el('span', { text: `${u.n} (${u.c})` });
  return el('span', {}, el('b', { text: `${u.n} (${u.c})` }), el('br'), `besoin ${fr(r.need)}, servis ${fr(r.served)} (${pct(r.served_share, 0)}), non servi ${fr(r.unmet_need)}`, el('br'),
    r.nearest_post_min === '' ? 'aucun conseiller à portée' : `conseiller le plus proche à ${fr(r.nearest_post_min, 1)} min`);
}
function drawLegend() {
  const mode = $('#colour').value, box = $('#legend');
  if (mode === 'coverage') legend(box, 'Conseiller le plus proche (minutes)', NEAR, (v) => fr(v));
  else legend(box, mode === 'served' ? 'Part du besoin servie' : 'Part du besoin non servie', mode === 'served' ? [...CLASSES].reverse().map(([, c], i) => [CLASSES[i][0], c]) : CLASSES, (v) => pct(v, 0),
    el('span', {}, el('i', { style: 'background:#08519c;border-radius:50%' }), 'lieu avec conseillers (taille selon les postes)'));
}
function depTable(table, rows, cols) {
  const head = table.tHead; head.textContent = ''; const tr = el('tr');
  cols.forEach(([, label, num], i) => tr.append(el('th', { class: num ? '' : 't', text: label, onclick: () => sortBy(i, num) })));
  head.append(tr);
  let order = 1;
  const fill = (list) => {
    const body = table.tBodies[0]; body.textContent = '';
    for (const r of list) body.append(el('tr', {}, ...cols.map(([k, , num, f]) => el('td', { class: num ? '' : 't', text: num ? (f ? f(r[k]) : fr(r[k])) : (r[k] + (k === 'dep' ? ' ' + ((DEPS.find((d) => d.code === r[k]) || {}).name || '') : '')) }))));
  };
  const sortBy = (i, num) => { const k = cols[i][0]; order = -order; fill([...rows].sort((a, b) => (num ? Number(a[k] || 0) - Number(b[k] || 0) : String(a[k]).localeCompare(String(b[k]))) * order)); };
  fill(rows);
}
function updateExport() {
  const id = RESULT && RESULT.info.id, dep = $('#export-dep').value;
  $('#export').href = withToken(`/api/runs/${id}/departements/${dep}.zip`);
  $('#export-note').textContent = 'le scénario est résolu à nouveau pour ce département (une trentaine de secondes sur la France entière)';
}
$('#territory').addEventListener('change', (e) => { $('#zoom-dep').value = ''; VIEW.show(e.target.value); });
$('#zoom-dep').addEventListener('change', (e) => {
  const dep = e.target.value; if (!dep) { VIEW.show(VIEW.territory); return; }
  const u = GEO.units.find((x) => x.d === dep); if (u) { $('#territory').value = u.t; VIEW.show(u.t, dep); }
});
$('#colour').addEventListener('change', () => { drawLegend(); VIEW.draw(); });
$('#export-dep').addEventListener('change', updateExport);

// ---------- compare ----------
let CMP = null, CMPVIEW = null;
const MEASURES = {
  posts: ['Conseillers', (v) => fr(v)], cost_eur: ['Coût (€)', (v) => fr(v)], need: ['Besoin', (v) => fr(v)], served: ['Personnes servies', (v) => fr(v)],
  weighted_served: ['Personnes servies, pondérées', (v) => fr(v)], objective: ['Objectif', (v) => fr(v, 1)], coverage_share: ['Couverture', (v) => pct(v)],
  departements_served: ['Départements servis', (v) => fr(v)], min_dep_served_share: ['Part servie du département le moins servi', (v) => pct(v)],
  gini_dep_served_share: ['Gini de la part servie', (v) => fr(v, 3)],
};
$('#cmp-go').addEventListener('click', async () => {
  const a = $('#cmp-a').value, b = $('#cmp-b').value; $('#cmp-error').textContent = '';
  try { CMP = await api(`/api/compare?a=${a}&b=${b}`); } catch (e) { $('#cmp-error').textContent = e.message; return; }
  await geometry();
  $('#cmp-result').hidden = false;
  const body = $('#cmp-headline tbody'); body.textContent = '';
  for (const h of CMP.compare.headline) {
    const [label, f] = MEASURES[h.key] || [h.key, (v) => fr(v, 1)];
    body.append(el('tr', { 'data-key': h.key }, el('td', { class: 't', text: label }), el('td', { text: f(h.a) }), el('td', { text: f(h.b) }), el('td', { text: f(h.delta) })));
  }
  const byDep = Object.fromEntries(CMP.departements.map((d) => [d.dep, d]));
  const max = Math.max(1, ...CMP.departements.map((d) => Math.abs(Number(d.served_delta))));
  const colour = (u) => { const d = byDep[u.d]; if (!d) return '#ddd'; const v = Number(d.served_delta) / max; return v > 0 ? `rgba(33,113,181,${0.15 + 0.85 * v})` : v < 0 ? `rgba(203,24,29,${0.15 - 0.85 * v})` : '#eee'; };
  const tell = (hit) => { if (hit.site) return el('span'); const d = byDep[hit.unit.d] || {}; return el('span', {}, el('b', { text: `${hit.unit.n} — département ${hit.unit.d}` }), el('br'), `postes ${d.posts_a} → ${d.posts_b}, servis ${fr(d.served_a)} → ${fr(d.served_b)} (${fr(d.served_delta)})`); };
  if (!CMPVIEW) CMPVIEW = new MapView($('#cmp-map'), $('#cmp-tip'), colour, tell); else { CMPVIEW.colour = colour; CMPVIEW.describe = tell; }
  CMPVIEW.show('metro');
  $('#cmp-legend').textContent = `Personnes servies, B − A, par département : bleu = B sert plus, rouge = B sert moins (intensité jusqu'à ${fr(max)} personnes).`;
  depTable($('#cmp-deps'), CMP.departements, [['dep', 'Département', false], ['posts_a', 'Postes A', true], ['posts_b', 'Postes B', true], ['posts_delta', 'Écart postes', true],
    ['served_a', 'Servis A', true], ['served_b', 'Servis B', true], ['served_delta', 'Écart servis', true]]);
});

// ---------- start ----------
(async () => {
  const [o, d] = await Promise.all([api('/api/options'), api('/api/departements')]);
  DEPS = d.departements; OPTIONS = o.options; buildForm(o.options, o.groups);
  await refreshRuns();
  setInterval(refreshRuns, 10000);
})();
