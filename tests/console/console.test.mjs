// End-to-end test of the operator console in a real browser: starts the real
// hookbridge binary, sends it signed webhooks (Standard Webhooks, signed with
// node's crypto exactly as a sender does), and drives Debian's headless
// Chromium with playwright-core through the page at /ui on the admin
// listener: both deliveries appear with the right outcome and reason, the
// detail view shows the typed event and redacts the signature, filters work,
// a webhook sent after the page loaded appears through the live tail, a page
// reaching the console under another name (DNS rebinding) reads nothing, and
// with a console token the page asks for it and sends it in a header.
// The page must not log a single error (a Content-Security-Policy violation
// would be one).
//
//   node --test tests/console/console.test.mjs      (ctest: console_browser)
//
// Needs `npm ci` in tests/console and Debian's chromium (scripts/setup.sh
// does both). The binary is $HOOKBRIDGE_BIN or build/bin/hookbridge.
// Screenshots go to $HOOKBRIDGE_ARTIFACT_DIR (default: a temporary
// directory); with HOOKBRIDGE_UPDATE_SCREENSHOT=1 the README's
// docs/console.png is rewritten too.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startHookbridge } from '../testing/hookbridge_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
if (!fs.existsSync(path.join(here, 'node_modules/playwright-core'))) {
  throw new Error(`${here}/node_modules is missing: run scripts/setup.sh (npm ci in tests/console)`);
}
const { chromium } = await import('playwright-core');

const hookbridgeBin = process.env.HOOKBRIDGE_BIN || path.join(root, 'build/bin/hookbridge');
const chromiumBin = process.env.HOOKBRIDGE_CHROMIUM || '/usr/bin/chromium';
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-console-'));
const artifactDir = process.env.HOOKBRIDGE_ARTIFACT_DIR || tmpDir;
fs.mkdirSync(artifactDir, { recursive: true });

// Standard Webhooks: HMAC-SHA256 over "<id>.<timestamp>.<body>" keyed with
// the base64 part of the whsec_ secret, sent as "v1,<base64>".
const SECRET = `whsec_${Buffer.from('console-test-signing-key-0123456789').toString('base64')}`;
const WRONG_SECRET = `whsec_${Buffer.from('not-the-configured-signing-key-000').toString('base64')}`;
function sign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

// A limit on waits for the server or the page: a bound on a hang, never a
// timing assumption.
const WAIT_MS = 15000;

let server;
let browser;
let page;
const pageErrors = [];

// Starts hookbridge on CONFIG (YAML text); resolves once its "listening" line
// names the ports.
async function startServer(configText, name = 'hookbridge.yaml') {
  const file = path.join(tmpDir, name);
  fs.writeFileSync(file, configText);
  const h = await startHookbridge(hookbridgeBin, file);
  return { http: h.ports.http_port, admin: h.ports.admin_port, stderr: h.stderr, stop: h.stop };
}

// POSTs a Standard Webhooks delivery of event TYPE with id ID, signed with
// SECRET at TIMESTAMP (Unix seconds); resolves with the JSON answer.
async function post({ id, type, data = {}, secret = SECRET, timestamp = Math.floor(Date.now() / 1000), to = server }) {
  const body = JSON.stringify({ type, timestamp: new Date(timestamp * 1000).toISOString(), data });
  const response = await fetch(`http://127.0.0.1:${to.http}/webhooks/billing`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(secret, id, timestamp, body),
    },
    body,
  });
  return { status: response.status, ...(await response.json()) };
}

const row = (attrs) => page.locator(
  `[data-testid="delivery-row"]${Object.entries(attrs).map(([k, v]) => `[data-${k}="${v}"]`).join('')}`);

before(async () => {
  assert.ok(fs.existsSync(hookbridgeBin), `${hookbridgeBin} is not built`);
  assert.ok(fs.existsSync(chromiumBin), `${chromiumBin} is missing: apt-get install chromium (scripts/setup.sh)`);
  server = await startServer(`
http: { listen: "127.0.0.1:0" }
grpc: { listen: "127.0.0.1:0" }
admin: { listen: "127.0.0.1:0" }
log: { backend: memory }
auth: { enabled: false }
consumers:
  - { name: invoices, sources: [billing], types: ["invoice.*"], start: earliest, ordering: per_subject }
sources:
  - name: billing
    provider: standard-webhooks
    secrets: ["${SECRET}"]
    subject: { field: data.id }
  - name: github
    provider: github
    secrets: ["another-secret-for-the-sources-view"]
`);
  // Sent before the page loads: one accepted, one signed with a wrong secret.
  const accepted = await post({ id: 'msg_paid_1', type: 'invoice.paid', data: { id: 'in_1001', amount: 4200 } });
  assert.equal(accepted.outcome, 'accepted', JSON.stringify(accepted));
  const forged = await post({ id: 'msg_forged_1', type: 'invoice.paid', data: { id: 'in_666' }, secret: WRONG_SECRET });
  assert.equal(forged.status, 401);
  assert.equal(forged.outcome, 'bad_signature');

  browser = await chromium.launchPersistentContext(path.join(tmpDir, 'chromium-profile'), {
    executablePath: chromiumBin,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // A name that resolves to the console, as DNS rebinding makes one.
      '--host-resolver-rules=MAP rebound.test 127.0.0.1'],
    viewport: { width: 1440, height: 860 },
  });
  page = browser.pages()[0] ?? await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()} (${message.location().url})`);
  });
  await page.goto(`http://127.0.0.1:${server.admin}/ui`);
  await page.locator('[data-testid="live-status"][data-state="open"]').waitFor();
});

after(async () => {
  await browser?.close();
  if (server) {
    const code = await server.stop();
    assert.equal(code, 0, `clean exit on SIGTERM:\n${server.stderr()}`);
  }
  fs.rmSync(path.join(tmpDir, 'chromium-profile'), { recursive: true, force: true });
});

test('both deliveries appear with their outcome and reason', async () => {
  const accepted = row({ outcome: 'accepted', type: 'invoice.paid' });
  await accepted.waitFor();
  assert.equal(await accepted.locator('[data-testid="outcome-badge"]').textContent(), 'accepted');
  const forged = row({ outcome: 'bad_signature' });
  await forged.waitFor();
  assert.equal(await forged.locator('[data-testid="outcome-badge"]').textContent(), 'bad signature');
  assert.equal(await forged.locator('[data-testid="delivery-reason"]').textContent(),
    'signature mismatch: no configured secret matches');
  // Newest first.
  const ids = await page.locator('[data-testid="delivery-row"]').evaluateAll(
    (rows) => rows.map((r) => Number(r.dataset.id)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
});

test('the detail view shows the typed event, the reason and redacted headers', async () => {
  await row({ outcome: 'accepted', type: 'invoice.paid' }).click();
  const event = page.locator('[data-testid="detail-event"]');
  await event.waitFor();
  const shown = JSON.parse(await event.textContent());
  assert.equal(shown.type, 'invoice.paid');
  assert.equal(shown.id, 'msg_paid_1');
  assert.equal(shown.sequence, '1');
  assert.equal(shown.source, 'billing');
  assert.equal(shown.subject, 'in_1001');
  assert.equal(shown.untyped.data.amount, 4200);
  assert.equal(await page.locator('[data-testid="detail-sequence"]').textContent(), '1');
  const signature = page.locator('[data-testid="detail-header"][data-name="webhook-signature"] td').nth(1);
  assert.equal(await signature.textContent(), '[redacted]');
  assert.match(await page.locator('[data-testid="detail-body"]').textContent(), /"in_1001"/);

  await row({ outcome: 'bad_signature' }).click();
  await page.locator('[data-testid="detail"][data-outcome="bad_signature"]').waitFor();
  assert.equal(await page.locator('[data-testid="detail-reason"]').textContent(),
    'signature mismatch: no configured secret matches');
  assert.equal(await page.locator('[data-testid="detail-status"]').textContent(), '401');
  assert.match(await page.locator('[data-testid="detail-note"]').textContent(), /never entered the event log/);
  assert.equal(await page.locator('[data-testid="detail-event"]').isVisible(), false);
  const forgedSignature = page.locator('[data-testid="detail-header"][data-name="webhook-signature"] td').nth(1);
  assert.equal(await forgedSignature.textContent(), '[redacted]');
});

test('the outcome and type filters narrow the list', async () => {
  await page.locator('[data-testid="filter-outcome"]').selectOption('bad_signature');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="delivery-row"]')];
    return rows.length === 1 && rows[0].dataset.outcome === 'bad_signature';
  });
  await page.locator('[data-testid="filter-clear"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 2);

  // A type pattern: nothing matches, then the accepted one does.
  await page.locator('[data-testid="filter-type"]').fill('customer.*');
  await page.locator('[data-testid="filter-type"]').press('Enter');
  await page.locator('[data-testid="deliveries-empty"]').waitFor();
  await page.locator('[data-testid="filter-type"]').fill('invoice.*');
  await page.locator('[data-testid="filter-type"]').press('Enter');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="delivery-row"]')];
    return rows.length === 1 && rows[0].dataset.outcome === 'accepted';
  });
  await page.locator('[data-testid="filter-clear"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 2);
});

test('the live tail shows webhooks sent after the page loaded', async () => {
  await page.locator('[data-testid="live-status"][data-state="open"]').waitFor();
  const before = await page.locator('[data-testid="delivery-row"]').count();
  const created = await post({ id: 'msg_created_2', type: 'invoice.created', data: { id: 'in_1002', amount: 990 } });
  assert.equal(created.outcome, 'accepted');
  const live = row({ outcome: 'accepted', type: 'invoice.created' });
  await live.waitFor();
  // On top, without a reload.
  assert.equal(await page.locator('[data-testid="delivery-row"]').first().getAttribute('data-type'), 'invoice.created');

  // A stale one and a duplicate, for the reason text and the Sources view.
  const stale = await post({ id: 'msg_stale_3', type: 'invoice.paid', timestamp: Math.floor(Date.now() / 1000) - 412 });
  assert.equal(stale.outcome, 'stale_timestamp');
  const duplicate = await post({ id: 'msg_paid_1', type: 'invoice.paid', data: { id: 'in_1001', amount: 4200 } });
  assert.equal(duplicate.outcome, 'duplicate');
  const staleRow = row({ outcome: 'stale_timestamp' });
  await staleRow.waitFor();
  assert.match(await staleRow.locator('[data-testid="delivery-reason"]').textContent(),
    /^timestamp 41[2-4] s older than tolerance 300 s$/);
  await row({ outcome: 'duplicate' }).waitFor();
  assert.equal(await page.locator('[data-testid="delivery-row"]').count(), before + 3);
});

test('the Sources view counts deliveries by outcome', async () => {
  await page.locator('[data-testid="tab-sources"]').click();
  const billing = page.locator('[data-testid="source-row"][data-source="billing"]');
  await billing.waitFor();
  const count = (outcome) => billing.locator(`[data-outcome="${outcome}"]`);
  await page.waitForFunction(() => {
    const cell = document.querySelector('[data-source="billing"] [data-outcome="accepted"]');
    return cell && cell.dataset.total === '2';
  });
  assert.equal(await count('accepted').getAttribute('data-minute'), '2');
  assert.equal(await count('bad_signature').getAttribute('data-total'), '1');
  assert.equal(await count('stale_timestamp').getAttribute('data-total'), '1');
  assert.equal(await count('duplicate').getAttribute('data-total'), '1');
  assert.equal(await count('malformed').getAttribute('data-total'), '0');
  assert.match(await billing.textContent(), /standard-webhooks/);
  assert.match(await billing.textContent(), /\/webhooks\/billing/);
  await page.locator('[data-testid="source-row"][data-source="github"]').waitFor();
  await page.screenshot({ path: path.join(artifactDir, 'console-sources.png'), animations: 'disabled' });
  assert.match(await page.locator('[data-testid="config-status"]').textContent(),
    /^Config generation 1, as started/);

  await page.locator('[data-testid="tab-subscribers"]').click();
  await page.locator('[data-testid="subscribers-empty"]').waitFor();
});

test('the Consumers view shows a declared consumer with its filter and position', async () => {
  const api = await (await fetch(`http://127.0.0.1:${server.admin}/api/consumers`)).json();
  assert.equal(api.available, true);
  assert.equal(api.consumers.length, 1);
  const invoices = api.consumers[0];
  assert.ok(invoices.pending >= 1, JSON.stringify(invoices));  // the invoice.paid accepted before
  await page.locator('[data-testid="tab-consumers"]').click();
  const row = page.locator('[data-testid="consumer-row"][data-consumer="invoices"]');
  await row.waitFor();
  assert.match(await row.textContent(), /declared/);
  assert.equal(await row.locator('[data-testid="consumer-filter"]').textContent(),
    'sources: billing; types: invoice.*');
  assert.match(await row.textContent(), /per subject/);
  assert.equal(Number(await row.locator('[data-testid="consumer-pending"]').textContent()) >= invoices.pending, true);
  assert.equal(await row.locator('[data-testid="consumer-members"]').textContent(), 'none connected');
  assert.equal(await row.locator('[data-testid="consumer-dead-letters"]').textContent(), '0');
  assert.notEqual(await row.locator('[data-testid="consumer-oldest"]').textContent(), '–');
  assert.equal(await page.locator('[data-testid="consumers-empty"]').isHidden(), true);
  await page.screenshot({ path: path.join(artifactDir, 'console-consumers.png'), animations: 'disabled' });
});

test('a reloaded config shows in the Sources view: new sources, generation, a refused reload', async () => {
  const file = path.join(tmpDir, 'hookbridge.yaml');
  const original = fs.readFileSync(file, 'utf8');
  await page.locator('[data-testid="tab-sources"]').click();
  // A source added by rewriting the file, as a ConfigMap update does.
  fs.writeFileSync(`${file}.next`, `${original}  - name: shop
    provider: github
    secrets: ["a-third-secret-for-the-reload"]
`);
  fs.renameSync(`${file}.next`, file);
  await page.locator('[data-testid="source-row"][data-source="shop"]').waitFor();
  await page.waitForFunction(() =>
    /^Config generation 2; last reload applied/.test(document.querySelector('[data-testid="config-status"]').textContent));
  assert.ok(await page.locator('#filter-source option[value="shop"]').count() === 1, 'the source filter offers it');
  // A file that does not parse: refused, shown with its reason, nothing changes.
  fs.writeFileSync(`${file}.next`, `${original}  - name: broken\n    provider: nope\n`);
  fs.renameSync(`${file}.next`, file);
  const status = page.locator('[data-testid="config-status"][data-result="rejected"]');
  await status.waitFor();
  assert.match(await status.textContent(), /generation 2; last reload rejected .*unknown provider "nope"/);
  assert.equal(await page.locator('[data-testid="source-row"][data-source="shop"]').count(), 1);
  await page.screenshot({ path: path.join(artifactDir, 'console-reload.png'), animations: 'disabled' });
  fs.writeFileSync(file, original);
});

test('screenshot of the deliveries view with an event open', async () => {
  await page.locator('[data-testid="tab-deliveries"]').click();
  await row({ outcome: 'accepted', type: 'invoice.created' }).click();
  await page.locator('[data-testid="detail"]:not([hidden]) [data-testid="detail-event"]').waitFor();
  const file = path.join(artifactDir, 'console.png');
  await page.screenshot({ path: file, animations: 'disabled' });
  assert.ok(fs.statSync(file).size > 10000, 'a real screenshot');
  if (process.env.HOOKBRIDGE_UPDATE_SCREENSHOT === '1') {
    fs.copyFileSync(file, path.join(root, 'docs/console.png'));
  }
  console.log(`screenshots in ${artifactDir}`);
});

test('a page reaching the console under another name (DNS rebinding) reads nothing', async () => {
  // The attacker's page is at http://rebound.test:<port>, a name made to
  // resolve to the operator's port-forward: same-origin as far as the
  // browser knows, so its script could read every answer.
  const rebound = await browser.newPage();
  try {
    const response = await rebound.goto(`http://rebound.test:${server.admin}/ui`);
    assert.equal(response.status(), 421);
    const answers = await rebound.evaluate(async () => Promise.all(
      ['/api/deliveries', '/api/deliveries/1', '/api/sources', '/metrics'].map(async (url) => {
        const r = await fetch(url);
        return { url, status: r.status, body: await r.text() };
      })));
    for (const { url, status, body } of answers.slice(0, 3)) {
      assert.equal(status, 421, url);
      assert.doesNotMatch(body, /msg_paid_1|in_1001|invoice/, url);
    }
    // Scrapers name the pod or the Service: /metrics answers any Host.
    assert.equal(answers[3].status, 200);
  } finally {
    await rebound.close();
  }
});

test('with a console token the page asks for it and sends it, never in a URL', async () => {
  const TOKEN = 'console-token-for-the-browser-test-1234';
  const hash = crypto.createHash('sha256').update(TOKEN).digest('hex');
  const guarded = await startServer(`
http: { listen: "127.0.0.1:0" }
grpc: { listen: "127.0.0.1:0" }
admin: { listen: "127.0.0.1:0", console_token_sha256: "${hash}" }
log: { backend: memory }
auth: { enabled: false }
sources:
  - name: billing
    provider: standard-webhooks
    secrets: ["${SECRET}"]
`, 'guarded.yaml');
  const tab = await browser.newPage();
  const errors = [];
  const urls = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  tab.on('request', (request) => urls.push(request.url()));
  try {
    const before = await post({ id: 'msg_guarded_1', type: 'invoice.paid', data: { id: 'in_7' }, to: guarded });
    assert.equal(before.outcome, 'accepted');
    await tab.goto(`http://localhost:${guarded.admin}/ui`);
    const form = tab.locator('[data-testid="login"]');
    await form.waitFor();
    assert.equal(await tab.locator('#main').isHidden(), true, 'nothing shown before the token');
    assert.equal(await tab.locator('[data-testid="delivery-row"]').count(), 0);

    await tab.locator('[data-testid="login-token"]').fill('not-the-console-token');
    await tab.locator('[data-testid="login-submit"]').click();
    await tab.locator('[data-testid="login-message"]', { hasText: 'not accepted' }).waitFor();
    await tab.screenshot({ path: path.join(artifactDir, 'console-token.png'), animations: 'disabled' });

    await tab.locator('[data-testid="login-token"]').fill(TOKEN);
    await tab.locator('[data-testid="login-submit"]').click();
    await tab.locator('[data-testid="delivery-row"][data-outcome="accepted"]').waitFor();
    assert.equal(await form.isHidden(), true);
    // The live tail carries the token too.
    await tab.locator('[data-testid="live-status"][data-state="open"]').waitFor();
    const live = await post({ id: 'msg_guarded_2', type: 'invoice.created', data: { id: 'in_8' }, to: guarded });
    assert.equal(live.outcome, 'accepted');
    await tab.locator('[data-testid="delivery-row"][data-type="invoice.created"]').waitFor();

    // Kept for the tab: a reload does not ask again; "Forget token" does.
    await tab.reload();
    await tab.locator('[data-testid="delivery-row"][data-type="invoice.created"]').waitFor();
    assert.equal(await form.isHidden(), true);
    await tab.locator('[data-testid="logout"]').click();
    await form.waitFor();
    assert.equal(await tab.evaluate(() => sessionStorage.length), 0);

    assert.deepEqual(urls.filter((u) => u.includes(TOKEN)), [], 'the token never goes into a URL');
    assert.deepEqual(errors, []);
  } finally {
    await tab.close();
    assert.equal(await guarded.stop(), 0, `clean exit on SIGTERM:\n${guarded.stderr()}`);
  }
});

test('the page logged no errors (no Content-Security-Policy violation)', () => {
  assert.deepEqual(pageErrors, []);
});
