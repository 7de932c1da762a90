// The dashboard in real headless Chromium (driven by playwright-core), against the real
// server and database that tests/browser/run.py started. One flow, step by step; each
// step prints a line, the first failure ends the run with exit status 1.
//
// Env: NM_BASE_URL, NM_KEY (an admin key), NM_CSV (the file to import), NM_CHROMIUM,
// NM_SHOT_DIR, NM_XSS_IMG / NM_XSS_SCRIPT (the markup two imported creators carry).
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(path.join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BASE = process.env.NM_BASE_URL;
const KEY = process.env.NM_KEY;
const SHOTS = process.env.NM_SHOT_DIR;
const XSS_IMG = process.env.NM_XSS_IMG;
const XSS_SCRIPT = process.env.NM_XSS_SCRIPT;
mkdirSync(SHOTS, { recursive: true });

let failures = 0;
function ok(cond, what, extra) {
  if (cond) {
    console.log('  ok   ' + what);
  } else {
    failures++;
    console.log('  FAIL ' + what + (extra !== undefined ? ': ' + JSON.stringify(extra) : ''));
  }
  return cond;
}
function must(cond, what, extra) {
  if (!ok(cond, what, extra)) throw new Error('stopping: ' + what);
}

// The API from outside the browser, with the bearer key (the reference the UI must match).
async function apiGet(p, headers = { Authorization: 'Bearer ' + KEY }) {
  const r = await fetch(BASE + p, { headers });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// RFC 4180 (the server's CSV): quoted cells with doubled quotes, CRLF records.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') q = false;
      else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  const [head, ...data] = rows;
  return data.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

// Clicks a download link and returns the downloaded file's text.
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const p = await dl.path().catch(async (e) => {
    const href = await page.getAttribute(selector, 'href');
    const r = await page.evaluate(async (h) => { const x = await fetch(h); return x.status + ' ' + [...x.headers].join(';') + ' ' + (await x.text()).slice(0, 200); }, href);
    throw new Error(e.message + ' ' + href + ' ' + r + ' ' + (await dl.failure()));
  });
  return { name: dl.suggestedFilename(), text: readFileSync(p, 'utf8') };
}

const dialogs = [];
const consoleErrors = [];
// A fetch that the UI expects to fail (401 before sign-in, 404 "no run yet", 422 from the
// deliberately invalid brand form and a brand without lookalike seeds, 400 from the
// deliberately bad lookalike filter) is logged by
// Chromium as "Failed to load resource"; anything else on the console (a CSP violation, an
// exception) fails the run.
function watch(page) {
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    if (/^Failed to load resource: the server responded with a status of (400|401|404|422)/.test(t)) return;
    consoleErrors.push(t);
  });
  page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));
}

async function axe(page, screen) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  ok(bad.length === 0, `axe: no serious or critical violation on ${screen}`, bad);
  const minor = res.filter((v) => !bad.includes(v));
  if (minor.length) console.log('       (axe, minor: ' + minor.map((v) => v.id + '/' + v.impact).join(', ') + ')');
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name + '.png') });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.NM_CHROMIUM,
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  watch(page);
  try {
    await flow(context, page);
  } catch (e) {
    // What the page showed when a step gave up (the screenshot outside the committed ones).
    const where = path.join(os.tmpdir(), 'nm-browser-failure.png');
    await page.screenshot({ path: where, fullPage: true }).catch(() => {});
    const text = await page.textContent('main').catch(() => '');
    console.log(`       at ${page.url()}; screenshot ${where}; main: ${(text || '').replace(/\s+/g, ' ').slice(0, 600)}`);
    throw e;
  } finally {
    await browser.close();
  }
}

async function flow(context, page) {
  console.log('sign-in');
  await page.goto(BASE + '/');
  await page.waitForSelector('#api_key');
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource').filter((r) => r.name.includes('/assets/'));
    return { total: n.transferSize + res.reduce((a, r) => a + r.transferSize, 0), files: res.length + 1 };
  });
  console.log(`       first load: ${nav.files} files, ${(nav.total / 1024).toFixed(1)} KB transferred`);
  ok(nav.total > 0 && nav.total <= 250 * 1024, 'first load transfers at most 250 KB', nav);
  await axe(page, 'sign-in');
  await shot(page, 'sign-in');
  // A wrong key: the problem's detail is shown, nothing else happens.
  await page.fill('#api_key', 'nm_' + 'x'.repeat(32));
  await page.press('#api_key', 'Enter');
  await page.waitForSelector('.problem');
  ok((await page.textContent('.problem')).includes('invalid or revoked'), 'a wrong key shows the problem detail');
  // Keyboard only: focus, type, Enter.
  await page.focus('#api_key');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(KEY);
  await page.keyboard.press('Enter');
  await page.waitForSelector('nav[aria-label="Screens"]');
  must(true, 'signed in with the keyboard');
  ok((await page.inputValue('#api_key').catch(() => '')) === '', 'the key is no longer in the page');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  ok(!storage.includes(KEY), 'the key is in no page storage and the cookie is not readable by script', storage);
  const cookies = await context.cookies();
  const sc = cookies.find((c) => c.name === 'nm_session');
  must(sc && sc.httpOnly && sc.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict', sc);

  console.log('brands');
  await page.waitForSelector('text=No brands yet');
  await axe(page, 'brands (empty)');
  await page.click('text=New brand');
  await page.waitForSelector('#name');
  await page.fill('#name', 'Acme Protein');
  await page.fill('#niches', 'fitness, nutrition');
  await page.fill('#target_countries', 'US, GB');
  await page.fill('#follower_min', '80000');
  await page.fill('#follower_max', '1000');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field.invalid');
  ok(await page.isVisible('.field-error'), 'a 422 marks the field it names');
  ok((await page.getAttribute('#follower_min', 'aria-invalid')) === 'true', 'the invalid field has aria-invalid');
  await axe(page, 'brand form (with errors)');
  await page.fill('#follower_min', '10000');
  await page.fill('#follower_max', '100000');
  await page.fill('#budget', '500');
  await shot(page, 'brand-form');
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/matches\/\d+$/);
  const brandId = Number(page.url().split('/').pop());
  must(brandId > 0, 'brand created, matches screen open', page.url());

  console.log('import');
  await page.click('nav >> text=Import');
  await page.waitForSelector('#import-file');
  await page.setInputFiles('#import-file', process.env.NM_CSV);
  const importCalls = [];
  const onImportReq = (r) => {
    if (r.url().includes('/v1/imports') || r.url().includes('/v1/creators/import')) importCalls.push(r.method() + ' ' + new URL(r.url()).pathname);
  };
  page.on('request', onImportReq);
  await page.click('form >> button[type=submit]');
  await page.waitForSelector('.report');
  page.off('request', onImportReq);
  ok(importCalls[0] === 'POST /v1/imports' && importCalls.some((c) => /^PUT \/v1\/imports\/\d+\/body$/.test(c)),
    'the import takes its id first and sends the body to it (server-side progress)', importCalls);
  const report = await page.textContent('.report');
  ok(/Import \d+: completed/.test(report), 'import completed', report.slice(0, 120));
  ok(report.includes('Rejected lines') && report.includes('followers'), 'the rejected line is listed with its field');
  await axe(page, 'import');
  await shot(page, 'import');

  console.log('creators (markup shown as text)');
  await page.click('nav >> text=Creators');
  await page.fill('#f_handle', 'xss_img');
  await page.click('form[role=search] >> button[type=submit]');
  await page.waitForSelector('table.creators >> text=@xss_img');
  ok((await page.textContent('table.creators')).includes(XSS_IMG), 'a display name with <img> markup is shown as text');
  ok((await page.locator('img').count()) === 0, 'no <img> element was created from data');
  await page.click('table.creators a');
  await page.waitForSelector('.bio');
  ok((await page.textContent('.bio')) === XSS_SCRIPT, 'a bio with <script> markup is shown as text');
  ok((await page.locator('main script').count()) === 0, 'no <script> element was created from data');
  await axe(page, 'creator detail');
  await shot(page, 'creator-detail');
  await page.click('text=All creators');
  await page.waitForSelector('table.creators');
  await page.waitForSelector('.facets');

  console.log('creators: type-ahead, facets, sort');
  const prefix = 'workou'; // the bios say "workouts": the last word matches as a prefix
  const ta = await apiGet('/v1/creators?limit=1&facets=country&q=' + prefix);
  must(ta.status === 200 && ta.body.total > 0, 'the API finds creators by the prefix', ta.body && ta.body.total);
  const searches = [];
  const onReq = (r) => {
    if (r.url().includes('/v1/creators?') && r.url().includes('q=')) searches.push(r.url());
  };
  page.on('request', onReq);
  await page.click('#f_q');
  await page.keyboard.type(prefix, { delay: 40 });
  await page.waitForFunction((t) => document.getElementById('creators-total').textContent.startsWith(t + ' creators match'),
    ta.body.total.toLocaleString('en-US'));
  must(true, `typing "${prefix}" (no Enter) searches: ${ta.body.total} creators, as the API says`);
  page.off('request', onReq);
  ok(searches.length >= 1 && searches.length < prefix.length, 'the type-ahead is debounced (fewer searches than keys)', searches.length);
  const us = ta.body.facets.country.find((f) => f.value === 'US');
  const shownUs = (await page.textContent('.facet-country li[data-value="US"] .facet-count')).replace(/,/g, '');
  ok(us && Number(shownUs) === us.count, "the country facet count is the API's", { shownUs, api: us });
  const gb = await apiGet('/v1/creators?limit=1&country=GB&q=' + prefix);
  await page.click('.facet-country li[data-value="GB"] button');
  await page.waitForFunction((t) => document.getElementById('creators-total').textContent.startsWith(t + ' creators match'),
    gb.body.total.toLocaleString('en-US'));
  must(true, "a facet value filters by it (the API's total for GB)");
  await page.selectOption('#f_sort', '-followers');
  await page.click('form[role=search] >> button[type=submit]');
  const top = await apiGet('/v1/creators?limit=1&country=GB&sort=-followers&q=' + prefix);
  await page.waitForFunction((id) => {
    const r = document.querySelector('table.creators tbody tr');
    return r && r.getAttribute('data-creator-id') === String(id);
  }, top.body.data[0].id);
  must(true, "sorted by followers, the first row is the API's");
  const ccsv = await download(page, 'text=Download CSV');
  const crows = parseCsv(ccsv.text);
  ok(ccsv.name === 'creators.csv' && crows.length === gb.body.total && crows.every((r) => r.country === 'GB'),
    'the creators CSV has the filtered creators', { name: ccsv.name, rows: crows.length });
  await axe(page, 'creators');
  await shot(page, 'creators');

  console.log('data health and freshness (issue 16)');
  await page.reload();
  await page.waitForSelector('.health .health-summary');
  const stats = await apiGet('/v1/stats');
  must(stats.status === 200 && stats.body.creators > 0, 'the API has the data health', stats.status);
  const shownBuckets = await page.$$eval('.health li[data-bucket]', (ls) =>
    Object.fromEntries(ls.map((l) => [l.getAttribute('data-bucket'), Number(l.querySelector('.health-count').textContent.replace(/,/g, ''))])));
  const apiBuckets = { ...stats.body.data_age, ...stats.body.confidence };
  ok(Object.keys(apiBuckets).every((k) => shownBuckets[k] === apiBuckets[k]),
    "every data-age bucket and confidence count is the API's", { shownBuckets, apiBuckets });
  ok(stats.body.data_age['181_365d'] > 0 && stats.body.data_age.over_365d > 0 && stats.body.confidence.low > 0,
    'the seeded pool has stale and low-confidence creators (the panel shows more than one kind)', stats.body);
  ok((await page.textContent('.health-summary')).startsWith(stats.body.creators.toLocaleString('en-US') + ' creators'),
    'the summary counts the pool', await page.textContent('.health-summary'));
  await page.click('.health summary');
  await shot(page, 'data-health');
  ok((await page.locator('.health-table tbody tr').count()) === stats.body.by_platform_tier.length,
    'the platform × tier table has a row per cell of the API', stats.body.by_platform_tier.length);
  // A shortcut filters the search; its count is the buckets it keeps and the API's total.
  const fresh = await apiGet('/v1/creators?limit=1&max_data_age_days=180');
  const kept = stats.body.data_age['0_30d'] + stats.body.data_age['31_90d'] + stats.body.data_age['91_180d'];
  await page.click('[data-filter="max_data_age_days=180"]');
  await page.waitForFunction((t) => document.getElementById('creators-total').textContent.startsWith(t + ' creators match'),
    fresh.body.total.toLocaleString('en-US'));
  ok(fresh.body.total === kept && (await page.inputValue('#f_max_data_age_days')) === '180' &&
    (await page.getAttribute('[data-filter="max_data_age_days=180"]', 'aria-pressed')) === 'true',
    '"≤ 180 days old" searches max_data_age_days=180: the API\'s total, the buckets it keeps, the field filled', { api: fresh.body.total, kept });
  // The form's own fields: both filters together.
  await page.selectOption('#f_min_confidence', 'high');
  await page.click('form[role=search] >> button[type=submit]');
  const both = await apiGet('/v1/creators?limit=50&max_data_age_days=180&min_confidence=high');
  await page.waitForFunction((t) => document.getElementById('creators-total').textContent.startsWith(t + ' creators match'),
    both.body.total.toLocaleString('en-US'));
  const badges = await page.$$eval('table.creators tbody tr .badge.conf', (bs) => bs.map((b) => b.textContent));
  ok(both.body.total < fresh.body.total && badges.length === both.body.data.length && badges.every((t) => t === 'high confidence'),
    "max age 180 + confidence high: the API's total, every row badged high", { total: both.body.total, badges: badges.length });
  const fcsv2 = parseCsv((await download(page, 'text=Download CSV')).text);
  ok(fcsv2.length === both.body.total && fcsv2.every((r) => r.confidence === 'high'), 'the creators CSV carries both freshness filters', fcsv2.length);
  // A stale creator (seeded 210 days old): its age and confidence in the list and on its page.
  await page.click('text=Clear');
  await page.fill('#f_handle', 'fit_009');
  await page.click('form[role=search] >> button[type=submit]');
  await page.waitForFunction(() => {
    // Only fit_009 (the unfiltered first page holds it too).
    const rs = document.querySelectorAll('table.creators tbody tr');
    return rs.length === 1 && rs[0].textContent.includes('@fit_009');
  });
  const stale = (await apiGet('/v1/creators?handle=fit_009')).body.data[0];
  const cell = await page.textContent('table.creators tbody tr .data-quality');
  ok(cell.includes('210 days old') && cell.includes(stale.confidence + ' confidence') && cell.includes('data over 180 days old') &&
    stale.confidence_codes.includes('stale'), "a stale creator's row shows its age, the API's confidence and why", { cell, api: stale.confidence });
  await page.click('table.creators a');
  await page.waitForSelector('.confidence-detail');
  const detail = await page.textContent('.facts');
  ok(detail.includes('210 days old') && (await page.textContent('.confidence-detail')).startsWith(stale.confidence + ' lowered by: data over 180 days old'),
    "the creator's page shows when its data was measured and its confidence with the reasons", detail.slice(0, 300));
  const thin = (await apiGet('/v1/creators?handle=fit_014')).body.data[0];
  await page.goto(BASE + `/#/creators/${thin.id}`);
  await page.waitForFunction(() => (document.querySelector('.confidence-detail') || {}).textContent?.includes('few posts sampled'));
  ok(thin.sample_posts === 3 && (await page.textContent('.facts')).includes('Posts sampled3'), 'a thin sample (3 posts) is named on the creator page', thin.sample_posts);
  await axe(page, 'creator detail (confidence)');
  await page.goto(BASE + '/#/creators');
  await page.waitForSelector('.health .health-summary');
  await axe(page, 'creators (data health)');

  console.log('matches');
  await page.click('nav >> text=Matches');
  await page.selectOption('#brand-pick', String(brandId));
  await page.waitForSelector('text=No run yet');
  await page.click('text=Run matches');
  await page.waitForSelector('table.matches tbody tr');
  await page.waitForSelector('text=/Run \\d+: \\d+ candidates/');
  const rows = await page.locator('table.matches tbody tr').count();
  const api = await apiGet(`/v1/brands/${brandId}/matches?limit=1`);
  must(api.status === 200 && api.body.data.length === 1, 'the API has the run', api);
  const first = api.body.data[0];
  const row = page.locator('table.matches tbody tr').first();
  const rowId = Number(await row.getAttribute('data-creator-id'));
  ok(rowId === first.creator.id, "the first row is the API's first result", { rowId, api: first.creator.id });
  ok((await row.locator('.rank').textContent()) === '1', 'the first row has rank 1');
  ok((await row.locator('.score').textContent()) === first.score.toFixed(1), "the first row's score is the API's", first.score);
  ok(rows === 200, 'the table shows 200 results', rows);
  ok((await row.locator('.similar-link').getAttribute('href')) === `#/lookalikes/creator/${first.creator.id}`,
    'each result has Find similar for its creator');
  // The bench: data arrived → 200 rows in the DOM and laid out, over three loads of the
  // screen (the table built from scratch each time), the best one counted: the machine
  // runs other work, and the first time also compiles the code.
  const lastRender = () =>
    page.evaluate(() => {
      const m = performance.getEntriesByName('nm-matches-render');
      return m.length ? m[m.length - 1].duration : null;
    });
  const renders = [await lastRender()];
  for (let i = 0; i < 2; i++) {
    await page.evaluate(() => performance.clearMeasures('nm-matches-render'));
    await page.click('nav >> text=Brands');
    await page.waitForSelector('#brands-h');
    await page.goBack();
    await page.waitForFunction(() => performance.getEntriesByName('nm-matches-render').length > 0);
    renders.push(await lastRender());
  }
  const best = Math.min(...renders.filter((x) => x !== null));
  const budget = process.env.NM_BROWSER_RENDER_MS ? Number(process.env.NM_BROWSER_RENDER_MS) : 300;
  // Rendering is CPU work: on a machine whose run queue is more than twice its cores the
  // figure says more about the neighbours than about the page, so it is printed and not
  // held against the budget (NM_BROWSER_RENDER_STRICT=1 holds it anyway).
  const load = os.loadavg()[0] / os.cpus().length;
  console.log(`       bench: ${rows} results rendered ${renders.map((r) => (r === null ? '?' : r.toFixed(1))).join(', ')} ms ` +
    `after the data arrived (best ${best.toFixed(1)} ms; load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)`);
  if (best <= budget || process.env.NM_BROWSER_RENDER_STRICT === '1' || load <= 2) {
    ok(Number.isFinite(best) && best <= budget, `the matches table renders within ${budget} ms of its data`, renders);
  } else {
    console.log(`  note the render budget (${budget} ms) is not checked: the machine is overloaded (load per CPU ${load.toFixed(1)})`);
  }
  ok(await page.isVisible('.run-funnel'), "the run's funnel is shown");
  ok(await page.isVisible('.funnel'), "the brand's pipeline is shown");
  const bar = await row.locator('.points').getAttribute('aria-label');
  ok(bar && bar.includes('niche ' + first.points.niche.toFixed(1)), "the stacked bar's text names the API's points", bar);
  const csv = await download(page, 'text=Download CSV');
  const data = parseCsv(csv.text);
  ok(csv.name === 'matches.csv' && data.length === api.body.run.stored, 'the matches CSV downloads with every result', { name: csv.name, rows: data.length });
  ok(data[0] && Number(data[0].creator_id) === first.creator.id && data[0].rank === '1' && Number(data[0].score) === first.score,
    "the CSV's first row is the API's first result", data[0]);
  const tableText = await page.textContent('table.matches');
  ok(tableText.includes(XSS_IMG) && tableText.includes(XSS_SCRIPT), 'markup in names is shown as text in the matches too');
  // Results whose data is over 180 days old carry data_stale: a badge in their row.
  const page200 = await apiGet(`/v1/brands/${brandId}/matches?limit=200`);
  const staleApi = page200.body.data.filter((m) => m.explanations.some((x) => x.code === 'data_stale'));
  const staleShown = await page.$$eval('table.matches tbody tr', (rs) =>
    rs.filter((r) => r.querySelector('.badge.stale')).map((r) => [Number(r.getAttribute('data-creator-id')), r.querySelector('.badge.stale').textContent]));
  ok(staleApi.length > 0 && staleShown.length === staleApi.length &&
    staleApi.every((m) => staleShown.some(([id, t]) => id === m.creator.id && t === m.explanations.find((x) => x.code === 'data_stale').text)),
    "every result with data_stale shows its sentence as a badge (the API's results)", { api: staleApi.length, shown: staleShown.slice(0, 3) });
  await axe(page, 'matches');
  await shot(page, 'matches');

  console.log('bulk status');
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const r = page.locator('table.matches tbody tr').nth(i);
    ids.push(Number(await r.getAttribute('data-creator-id')));
    await r.locator('input[type=checkbox]').check();
  }
  await page.selectOption('#bulk-status', 'contacted');
  await page.click('text=Apply to selected');
  await page.waitForSelector('text=3 creators set to contacted');
  await page.reload();
  await page.waitForSelector('table.matches tbody tr');
  for (const id of ids) {
    const v = await page.locator(`tr[data-creator-id="${id}"] select`).inputValue();
    ok(v === 'contacted', `creator ${id} is still contacted after a reload`, v);
  }
  const pipe = await apiGet(`/v1/brands/${brandId}/pipeline`);
  ok(pipe.body && pipe.body.counts.contacted === 3, 'the API counts 3 contacted', pipe.body);

  console.log('match filters');
  await page.selectOption('#m_status', 'contacted');
  await page.click('button:text-is("Filter")');
  await page.waitForFunction(() => document.querySelectorAll('table.matches tbody tr').length === 3);
  const shown = await page.locator('table.matches tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-creator-id'))));
  ok([...shown].sort().join() === [...ids].sort().join(), 'status=contacted shows the three contacted creators', shown);
  const fcsv = parseCsv((await download(page, 'text=Download CSV')).text);
  ok(fcsv.length === 3 && fcsv.every((r) => r.status === 'contacted'), 'the CSV carries the filters', fcsv.length);
  await page.selectOption('#m_status', 'none');
  await page.click('button:text-is("Filter")');
  await page.waitForFunction(() => document.querySelectorAll('table.matches tbody tr').length > 3);
  const none = await apiGet(`/v1/brands/${brandId}/matches?limit=200&status=none`);
  ok((await page.locator('table.matches tbody tr').count()) === none.body.data.length, 'status=none shows the API\'s rows', none.body.data.length);
  await page.click('text=Clear');

  console.log('why so few results');
  const knit = await fetch(BASE + '/v1/brands', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Knit Co', niches: ['knitting'] }),
  }).then((r) => r.json());
  await fetch(BASE + `/v1/brands/${knit.id}/matches`, {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' },
    body: '{}',
  });
  await page.goto(BASE + `/#/matches/${knit.id}`);
  await page.waitForSelector('.why');
  ok((await page.textContent('.why')).includes('no niche or keyword in common'),
    'an empty run names the rule that removed everyone', await page.textContent('.why'));
  await axe(page, 'matches (empty run)');
  await fetch(BASE + `/v1/brands/${knit.id}`, { method: 'DELETE', headers: { Authorization: 'Bearer ' + KEY } });

  console.log('status history');
  await page.goto(BASE + `/#/creators/${ids[0]}`);
  await page.waitForSelector('.timeline li');
  const hist = await apiGet(`/v1/brands/${brandId}/creators/${ids[0]}/history`);
  ok((await page.textContent('.timeline')).includes('none → contacted') && hist.body.data.length === 1,
    "the creator's page shows its status history with the brand", hist.body);
  await axe(page, 'creator detail (history)');

  console.log('lookalikes (issue 15)');
  // "Find similar" on a creator's row: the GET's results, in its order, with its reasons.
  await page.goto(BASE + '/#/creators');
  await page.fill('#f_handle', 'fit_009');
  await page.click('form[role=search] >> button[type=submit]');
  await page.waitForFunction(() => {
    // Only fit_009 (the unfiltered first page holds it too).
    const rs = document.querySelectorAll('table.creators tbody tr');
    return rs.length === 1 && rs[0].textContent.includes('@fit_009');
  });
  const seed = (await apiGet('/v1/creators?handle=fit_009')).body.data[0];
  await page.click('table.creators tbody tr >> text=Find similar');
  await page.waitForURL(new RegExp(`#/lookalikes/creator/${seed.id}$`));
  await page.waitForSelector('table.lookalikes tbody tr');
  const la = await apiGet(`/v1/creators/${seed.id}/lookalikes`);
  must(la.status === 200 && la.body.data.length > 0, 'the API finds lookalikes of the creator', la.status);
  const laIds = () => page.$$eval('table.lookalikes tbody tr', (rs) => rs.map((r) => Number(r.getAttribute('data-creator-id'))));
  ok((await laIds()).join() === la.body.data.map((d) => d.creator.id).join(), "the similar creators are the API's, most similar first", la.body.data.length);
  const laFirst = page.locator('table.lookalikes tbody tr').first();
  ok((await laFirst.locator('.similarity').textContent()) === la.body.data[0].similarity.toFixed(2), "the first similarity is the API's", la.body.data[0].similarity);
  const laWhy = await laFirst.locator('.reasons').textContent();
  ok(la.body.data[0].explanations.length > 0 && la.body.data[0].explanations.every((x) => laWhy.includes(x.text)),
    "the first row says why, in the API's words", { laWhy, api: la.body.data[0].explanations });
  ok((await page.textContent('.seeds')).includes('@fit_009'), 'the seed is named');
  // A filter, then a bad one (the problem is shown).
  // The seed is in GB, so US lookalikes are another list.
  await page.fill('#l_country', 'US');
  await page.click('form[role=search] >> button:text-is("Find")');
  const laGb = await apiGet(`/v1/creators/${seed.id}/lookalikes?country=US`);
  await page.waitForFunction((want) => [...document.querySelectorAll('table.lookalikes tbody tr')].map((r) => r.getAttribute('data-creator-id')).join() === want,
    laGb.body.data.map((d) => d.creator.id).join());
  ok(laGb.body.data.length > 0 && laGb.body.data.every((d) => d.creator.country === 'US'), "country=US shows the API's US lookalikes", laGb.body.data.length);
  await axe(page, 'lookalikes (creator)');
  await shot(page, 'lookalikes');
  await page.fill('#l_country', 'ZZ');
  await page.click('form[role=search] >> button:text-is("Find")');
  await page.waitForSelector('.problem');
  const badCountry = await apiGet(`/v1/creators/${seed.id}/lookalikes?country=ZZ`);
  ok(badCountry.status === 400 && (await page.textContent('.problem-detail')) === badCountry.body.detail &&
    (await page.getAttribute('#l_country', 'aria-invalid')) === 'true', "a bad country shows the API's problem detail and marks the field", badCountry.body);
  // A brand without picks: the 422 says why, and the screen says what to do.
  await page.click('nav >> text=Brands');
  await page.click('a[aria-label="Find similar to the picks of Acme Protein"]');
  await page.waitForSelector('.problem');
  ok((await page.textContent('.problem')).includes('no accepted or shortlisted creators'), 'a brand without picks shows the 422 problem',
    await page.textContent('.problem'));
  ok(await page.isVisible(`.empty a[href="#/matches/${brandId}"]`), 'and points to its matches to shortlist some');
  await axe(page, 'lookalikes (no seeds)');
  // Two picks (through the API), then "Find creators like your picks" from the matches.
  const picks = (await apiGet(`/v1/brands/${brandId}/matches?limit=10&status=none`)).body.data.slice(0, 2).map((m) => m.creator.id);
  for (const c of picks) {
    await fetch(BASE + `/v1/brands/${brandId}/creators/${c}/status`, {
      method: 'PUT', headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' }, body: '{"status":"shortlisted"}',
    });
  }
  await page.goto(BASE + `/#/matches/${brandId}`);
  await page.click('text=Find creators like your picks');
  await page.waitForSelector('table.lookalikes tbody tr');
  const lb = await fetch(BASE + `/v1/brands/${brandId}/lookalikes`, {
    method: 'POST', headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' }, body: '{}',
  }).then((r) => r.json());
  ok(lb.seed_creator_ids.slice().sort().join() === picks.slice().sort().join() && (await laIds()).join() === lb.data.map((d) => d.creator.id).join(),
    "the brand's lookalikes are the API's, from its two picks", { seeds: lb.seed_creator_ids, n: lb.data.length });
  ok((await page.textContent('.seeds')).startsWith('Like 2 seeds:'), 'the seeds are named', await page.textContent('.seeds'));
  // Shortlist the most similar: it joins the brand's pipeline (or moves on in it: which
  // creator is most similar changes with the date, through the recency of the seeded posts,
  // and may be one the bulk status above set to contacted).
  const mostLike = lb.data[0].creator.id;
  const histBefore = (await apiGet(`/v1/brands/${brandId}/creators/${mostLike}/history`)).body.data.length;
  // By keyboard: focus stays in the row on what replaced the button.
  await page.focus(`table.lookalikes tr[data-creator-id="${mostLike}"] >> button:text-is("Shortlist")`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`table.lookalikes tr[data-creator-id="${mostLike}"] .status-set`);
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === 'set-' + id, mostLike);
  must(true, 'after Shortlist by keyboard the focus stays on the row');
  const bestHist = await apiGet(`/v1/brands/${brandId}/creators/${mostLike}/history`);
  const bestLast = bestHist.body.data[bestHist.body.data.length - 1];
  ok(bestHist.body.data.length === histBefore + 1 && bestLast.to === 'shortlisted', 'Shortlist puts the lookalike into the pipeline', bestHist.body);
  await axe(page, 'lookalikes (brand)');

  console.log('brands list');
  await page.click('nav >> text=Brands');
  await page.waitForSelector('table.data >> text=Acme Protein');
  ok((await page.textContent('table.data')).includes('results'), 'the list shows the last run');
  await axe(page, 'brands');
  await shot(page, 'brands');
  await page.click('table.data >> text=Edit');
  await page.waitForSelector('#brand-form-h');
  ok((await page.inputValue('#niches')) === 'fitness, nutrition', 'the edit form shows the brand');
  await page.fill('#industry', 'Sports nutrition');
  await page.click('[aria-label="Suggested keywords"] >> button:has-text("fitness")');
  ok((await page.inputValue('#keywords')) === 'fitness', 'a category suggestion from the facets fills the keywords');
  await page.fill('#exclude_handles', 'rival_ambassador');
  await page.fill('#price_micro', '250');
  await page.fill('#max_data_age_days', '-5');
  await page.selectOption('#min_confidence', 'medium');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field.invalid #max_data_age_days');
  ok((await page.getAttribute('#max_data_age_days', 'aria-invalid')) === 'true' && (await page.textContent('.problem')).length > 0,
    'a bad data age is a 422 that marks its field (and the problem is shown)', await page.textContent('.problem'));
  await page.fill('#max_data_age_days', '180');
  // Match alerts: a top N out of range is a 422 on alerts.top_n.
  ok(await page.isDisabled('#alerts_top_n'), 'the alerts number is disabled while alerts are off');
  await page.check('#alerts_on');
  await page.fill('#alerts_top_n', '500');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field.invalid #alerts_top_n');
  ok((await page.getAttribute('#alerts_top_n', 'aria-invalid')) === 'true', 'an alerts top N of 500 is a 422 that marks its field',
    await page.textContent('.problem'));
  await page.fill('#alerts_top_n', '25');
  await axe(page, 'brand form (edit)');
  await page.click('button[type=submit]');
  await page.waitForSelector('#brands-h');
  const edited = await apiGet(`/v1/brands/${brandId}`);
  ok(edited.body.industry === 'Sports nutrition' && edited.body.budget_per_post_cents === 50000,
    'the edit was saved (and left the other fields as they were)', edited.body);
  ok(edited.body.keywords.join() === 'fitness' && edited.body.exclude_handles.join() === 'rival_ambassador' &&
    edited.body.price_overrides.micro === 25000 && edited.body.target_countries_mode === 'prefer',
    'keywords, excluded handles and a tier price were saved', edited.body);
  ok(edited.body.max_data_age_days === 180 && edited.body.min_confidence === 'medium',
    'the data age and confidence minimum were saved', edited.body);
  ok(edited.body.alerts && edited.body.alerts.top_n === 25, 'match alerts (top 25) were saved', edited.body.alerts);
  await page.waitForSelector('table.data >> text=alerts: top 25');
  must(true, 'the brands list shows the alerts');
  // A new run under them: the funnel names the freshness rules, and nothing stale is left.
  await page.goto(BASE + `/#/matches/${brandId}`);
  await page.waitForSelector('table.matches tbody tr');
  await page.click('text=Run matches');
  await page.waitForSelector('.notice >> text=/Run \\d+:/');
  const fr = await apiGet(`/v1/brands/${brandId}/matches?limit=200`);
  const tooOld = fr.body.run.funnel.rules.find((r) => r.rule === 'data_too_old');
  await page.waitForFunction((id) => document.querySelector('.run-funnel summary').textContent.startsWith('Run ' + id), fr.body.run.id);
  const ruleRow = page.locator('.run-funnel tr:has(th:text-is("data older than the brand allows"))');
  ok(tooOld && tooOld.removed > 0 && (await ruleRow.locator('td').nth(1).textContent()) === String(tooOld.removed),
    "the run's funnel names the data-age rule with the API's count", tooOld);
  ok((await page.textContent('.brand-rules')).includes('data at most 180 days old and of medium confidence or better'),
    "the matches screen says which data the brand's runs keep", await page.textContent('.brand-rules'));
  ok((await page.locator('table.matches .badge.stale').count()) === 0 &&
    fr.body.data.every((m) => !m.explanations.some((x) => x.code === 'data_stale')), 'no stale result is left');

  console.log('plan and webhooks');
  await page.click('nav >> text=Plan');
  await page.waitForSelector('#plan-brand');
  await page.selectOption('#plan-brand', String(brandId));
  await page.waitForSelector('text=No plan for this brand yet');
  await page.fill('#plan_budget', '5000');
  await page.fill('#plan_max', '10');
  await page.click('text=Make a plan');
  await page.waitForSelector('.plan-result');
  const planId = Number(page.url().split('/').pop());
  const plan = await apiGet(`/v1/brands/${brandId}/plans/${planId}`);
  must(plan.status === 200, 'the plan is stored', plan);
  ok(plan.body.comparison && (await page.textContent('.summary')) === plan.body.comparison.summary,
    "the comparison sentence is the API's", plan.body.comparison || plan.body.alternative_reason);
  const chart = await page.getAttribute('svg.chart', 'aria-label').catch(() => null);
  ok(chart && chart.includes('Engagements') && chart.includes('@' + plan.body.alternative.creator.handle),
    'the chart compares the portfolio with the big account (with a text alternative)', chart);
  ok((await page.locator('table.portfolio tbody tr').count()) === plan.body.portfolio.length, 'the portfolio table has every creator');
  const planBadges = await page.$$eval('table.portfolio tbody tr .badge.conf', (bs) => bs.map((b) => b.textContent));
  ok(planBadges.length === plan.body.portfolio.length && planBadges.every((t, i) => t === plan.body.portfolio[i].confidence + ' confidence'),
    "each portfolio row shows the API's data confidence", planBadges.slice(0, 5));
  ok(await page.isVisible(`.past-plans >> text=Plan ${planId}`), 'the plan is listed among past plans');
  await axe(page, 'plan');
  await shot(page, 'plan');
  await page.click('nav >> text=Webhooks');
  await page.waitForSelector('text=No webhook endpoints');
  await axe(page, 'webhooks (empty)');

  console.log('match alerts reach the webhooks screen');
  // The brand has alerts (top 25) and a run; an endpoint takes match.new_candidate; a new
  // creator who would rank first is written: the alert is delivered, and the screen shows it.
  const hookRes = await fetch(BASE + '/v1/webhooks', {
    method: 'POST', headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: process.env.NM_HOOK_URL, events: ['match.new_candidate'], description: 'CRM alerts' }),
  });
  const hookEp = await hookRes.json();
  must(hookRes.status === 201, 'a webhook endpoint for match.new_candidate', hookEp);
  const star = await fetch(BASE + '/v1/creators', {
    method: 'POST', headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ platform: 'instagram', handle: 'new_star', display_name: 'New Star', followers: 60000, engagement_rate: 0.09,
      categories: ['fitness', 'nutrition'], hashtags: ['fitness', 'protein'], country: 'US', price_per_post_cents: 10000,
      bio: 'Coach sharing workouts and meal prep.', last_post_at: new Date().toISOString() }),
  }).then((r) => r.json());
  let alerted = null;
  for (let i = 0; i < 60 && !alerted; i++) {
    const d = await apiGet(`/v1/webhooks/${hookEp.id}/deliveries`);
    alerted = (d.body.data || []).find((x) => x.event_type === 'match.new_candidate' && x.http_status === 200);
    if (!alerted) await new Promise((r) => setTimeout(r, 500));
  }
  const ev = await apiGet('/v1/events?type=match.new_candidate');
  must(alerted && ev.body.data.some((e) => e.data.creator.id === star.id && e.data.brand_id === brandId),
    'the new creator was alerted for the brand and delivered (HTTP 200)', { alerted, events: ev.body.data && ev.body.data.length });
  await page.goto(BASE + '/#/brands');
  await page.click('nav >> text=Webhooks');
  await page.waitForSelector('table.data >> text=match.new_candidate');
  must(true, 'the endpoint is listed with its event type');
  await axe(page, 'webhooks');
  await shot(page, 'webhooks');
  await page.click('text=Recent deliveries');
  await page.waitForSelector('table.data >> text=match.new_candidate');
  ok((await page.textContent('table.data')).includes('HTTP 200'), "the alert's delivery is listed with its result");
  await axe(page, 'webhook deliveries');

  console.log('phone width');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(BASE + `/#/matches/${brandId}`);
  await page.waitForSelector('table.matches tbody tr');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(overflow <= 390, 'at 390 px the page does not scroll sideways (tables scroll in their region)', overflow);
  await axe(page, 'matches (390 px)');
  await shot(page, 'matches-phone');
  await page.goto(BASE + `/#/plan/${brandId}/${planId}`);
  await page.waitForSelector('svg.chart');
  const planOverflow = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(planOverflow <= 390, 'the plan and its chart fit 390 px', planOverflow);
  await page.goto(BASE + '/#/creators');
  await page.waitForSelector('.health .health-summary');
  // "Count again" asks /v1/stats anew (the panel keeps a count for a minute): new_star is in it.
  await Promise.all([page.waitForRequest((r) => r.url().endsWith('/v1/stats')), page.click('text=Count again')]);
  const st2 = await apiGet('/v1/stats');
  await page.waitForFunction((t) => document.querySelector('.health-summary').textContent.startsWith(t + ' creators'),
    st2.body.creators.toLocaleString('en-US'));
  must(st2.body.creators === stats.body.creators + 1, '"Count again" shows the pool as the API counts it now (one creator more)');
  await page.click('.health summary');
  ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'the data health panel fits 390 px');
  await axe(page, 'creators (390 px)');
  await page.goto(BASE + `/#/lookalikes/creator/${seed.id}`);
  await page.waitForSelector('table.lookalikes tbody tr');
  ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'the lookalikes fit 390 px');
  await page.setViewportSize({ width: 1280, height: 800 });

  console.log('cross-site form post');
  const before = (await apiGet('/v1/brands')).body.data.length;
  const evil = `<form id=f method=post action="${BASE}/v1/brands" enctype="application/x-www-form-urlencoded">` +
    '<input name=name value=Evil><input name=niches value=fitness></form>';
  const evilPage = await context.newPage();
  watch(evilPage);
  await evilPage.goto('data:text/html,' + encodeURIComponent(evil));
  await Promise.all([evilPage.waitForNavigation(), evilPage.evaluate(() => document.getElementById('f').submit())]);
  const answer = await evilPage.textContent('body');
  ok(/"status":40[13]/.test(answer), 'a cross-site form POST is refused', answer.slice(0, 160));
  ok((await apiGet('/v1/brands')).body.data.length === before, 'and created nothing');
  await evilPage.close();
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((t) => !/status of 40[13]/.test(t)));

  console.log('sign out');
  const token = (await context.cookies()).find((c) => c.name === 'nm_session').value;
  ok((await apiGet('/v1/brands', { Cookie: 'nm_session=' + token })).status === 200, 'the cookie works before sign-out');
  await page.click('text=Sign out');
  await page.waitForSelector('#api_key');
  ok(!(await context.cookies()).some((c) => c.name === 'nm_session' && c.value), 'the cookie is cleared');
  const after = await apiGet('/v1/brands', { Cookie: 'nm_session=' + token });
  ok(after.status === 401, 'the old session cookie no longer works', after.status);

  ok(dialogs.length === 0, 'no dialog was opened (no script from data ran)', dialogs);
  ok(consoleErrors.length === 0, 'no console error (no CSP violation, no exception)', consoleErrors);
}

main()
  .catch((e) => {
    failures++;
    console.log('  FAIL ' + (e && e.stack ? e.stack : e));
  })
  .then(() => {
    console.log(failures ? `browser: ${failures} check(s) failed` : 'browser: all checks passed');
    process.exit(failures ? 1 : 0);
  });
