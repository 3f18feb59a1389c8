// End-to-end test of every signature scheme through the real hookbridge
// binary: one source per provider of the provider table
// (bridge/providers/registry.cc), webhooks signed by sign.mjs (the
// provider's own library where one exists) and sent over HTTP, then the
// event stream read back with hookbridge-tail.
//
// For each scheme:
//   (a) a delivery signed now is accepted, with the provider's event type
//       and the expected id (the signed delivery id, or the digest of the
//       body where the provider signs none);
//   (b) the same request again is a duplicate with the same id;
//   (c) a tampered body is refused 401 bad_signature;
//   (d) the same content signed with a wrong secret is refused 401;
//   (e) where the scheme signs a time, a delivery signed an hour ago is
//       refused 401 stale_timestamp (schemes that sign none say so);
//   (f) the provider's endpoint check (Slack url_verification, Zoom
//       endpoint.url_validation, Discord PING) is answered exactly as the
//       provider's own library answers it.
// Nothing but the accepted deliveries may reach the event log: every step
// checks the log's last sequence on /metrics, and at the end hookbridge-tail
// must read each accepted event exactly once, with its source, type and id.
//
//   node --test tests/signatures/e2e.test.mjs     (ctest: signature_schemes_e2e)
//
// Needs `npm ci` in tests/signatures. The binaries are $HOOKBRIDGE_BIN and
// $HOOKBRIDGE_TAIL (default: build/bin/hookbridge and build/bin/hookbridge-tail).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startHookbridge } from '../testing/hookbridge_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
if (!fs.existsSync(path.join(here, 'node_modules/svix'))) {
  throw new Error(`${here}/node_modules is missing: run npm ci --prefix tests/signatures (scripts/setup.sh)`);
}
const S = await import('./sign.mjs');

const hookbridgeBin = process.env.HOOKBRIDGE_BIN || path.join(root, 'build/bin/hookbridge');
const tailBin = process.env.HOOKBRIDGE_TAIL || path.join(root, 'build/bin/hookbridge-tail');
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-schemes-'));

// A bound on a hang of a child process, never a timing assumption.
const WAIT_MS = 20000;
// How old a "stale" signature is: far outside the default 5 minute tolerance.
const HOUR = 3600;

// The URL each provider is given, behind a proxy: the path is what reaches
// hookbridge; Twilio signs the whole URL (its source's public_url).
const PUBLIC = 'https://hooks.example.com/webhooks';
const nowSeconds = () => Math.floor(Date.now() / 1000);
const j = (o) => JSON.stringify(o);
const iso = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const testdata = (file) => JSON.parse(fs.readFileSync(path.join(root, 'tests/testdata', file), 'utf8'));

// The id hookbridge gives a delivery whose provider signs no delivery id: the
// first 128 bits (hex) of SHA-256 over the source name and the body
// (docs/CONFIG.md, dedup; bridge/ingest.cc).
const digestId = (source, body) => crypto.createHash('sha256').update(`${source}\n${body}`).digest('hex').slice(0, 32);

// A Standard Webhooks / Svix secret for TEXT.
const whsec = (text) => `whsec_${Buffer.from(text).toString('base64')}`;
// Discord verifies with the application's public key: test key pairs
// (RFC 8032 section 7.1 TEST 1 and TEST 2).
const DISCORD_KEY = S.ed25519FromSeed('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const DISCORD_WRONG_KEY = S.ed25519FromSeed('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const CAND_PATH_TOKEN = 'cand-e2e-path-token-5f0c9a1e7b';

// Content fixed for the whole run: (a), (c), (d) and (e) sign the same bytes
// wherever the scheme lets them (Linear and Mailgun carry the signed time in
// the body).
const LOADED = nowSeconds();

// ---------------------------------------------------------------- the schemes
//
// One entry per provider row, its source named after it. `sign({ key, at,
// body })` builds the delivery of `body` signed with `key` (a secret, the
// path token, or Discord's key pair) at `at` (Unix seconds); `type` and
// `id(request)` are what hookbridge must make of it. `tampered` lists body
// edits after signing and what each must get (default 401 bad_signature).
// `stale` marks the schemes that sign a time (signs_timestamp in
// registry.cc, and hmac through its timestamp_header); `noTime` says why a
// scheme has no stale case. `challenge` builds the provider's endpoint
// check, signed with a given key, with the answer its own library gives.

// CloudEvents made by the CloudEvents SDK for JavaScript (npm cloudevents),
// encoded for HTTP by its own emitters: structured mode, and binary mode
// (attributes in ce-* headers).
const CE = await import('cloudevents');
const ceStructured = CE.HTTP.structured(new CE.CloudEvent({ id: 'ce-e2e-order-1001', source: '/shop/e2e',
  type: 'com.example.order.created', time: iso(LOADED), subject: 'order/1001', data: { order: 1001, total: 42 } }));
const ceBinary = CE.HTTP.binary(new CE.CloudEvent({ id: 'ce-e2e-order-1001-paid', source: '/shop/e2e',
  type: 'com.example.order.paid', time: iso(LOADED), data: { order: 1001, paid: true } }));

// A CloudEvents request signed as Standard Webhooks sign (the standardwebhooks
// library), its own headers (Content-Type, ce-*) kept.
async function ceSign(key, at, body, ceHeaders, msgId) {
  const signed = await S.signers.standard_webhooks({ secret: key, url: `${PUBLIC}/cloudevents`, body, timestamp: at, msgId });
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
  return { ...signed, headers: { ...headers, ...ceHeaders } };
}

const schemes = [
  {
    name: 'ckeditor-cloud-services',
    source: { secrets: ['ckeditor-e2e-api-secret-1b7f'] },
    wrongKey: 'ckeditor-e2e-not-the-api-secret',
    body: j({ ...testdata('ckeditor/comment.added.json'), sent_at: new Date(LOADED * 1000).toISOString() }),
    sign: ({ key, at, body }) => S.signers.ckeditor({ secret: key, url: `${PUBLIC}/ckeditor-cloud-services`, body, timestampMs: at * 1000 }),
    type: 'comment.added',
    id: (req) => digestId('ckeditor-cloud-services', req.body),
    idFrom: 'a digest of the body (CKEditor sends no delivery id)',
    tampered: [{ from: 'Some comment content.', to: 'Some comment contenT.' }],
    stale: true,
  },
  {
    name: 'ckbox',
    source: { secrets: ['ckbox-e2e-api-secret-2c8e'] },
    wrongKey: 'ckbox-e2e-not-the-api-secret',
    body: j({ ...testdata('ckbox/asset.uploaded.json'), sent_at: new Date(LOADED * 1000).toISOString() }),
    sign: ({ key, at, body }) => S.signers.ckeditor({ secret: key, url: `${PUBLIC}/ckbox`, body, timestampMs: at * 1000 }),
    type: 'asset.uploaded',
    id: (req) => digestId('ckbox', req.body),
    idFrom: 'a digest of the body',
    tampered: [{ from: '"size_in_bytes":21104', to: '"size_in_bytes":21105' }],
    stale: true,
  },
  {
    name: 'onlyoffice-docspace',
    source: { secrets: ['docspace-e2e-secret-key-3d9a'] },
    wrongKey: 'docspace-e2e-not-the-secret-key',
    body: docspaceBody(1210, LOADED),
    sign: ({ key, body }) => S.signers.docspace({ secret: key, url: `${PUBLIC}/onlyoffice-docspace`, body }),
    type: 'file.created',
    id: () => '1210',
    idFrom: 'the signed event.id',
    tampered: [{ from: '"title":"Q1 report.docx"', to: '"title":"Q2 report.docx"' }],
    // DocSpace signs no timestamp, but the signed event.createOn: one older
    // than dedup.window (7 days) could be a replay no longer remembered.
    staleCustom: {
      title: '(e) DocSpace signs no time, but a delivery whose signed event.createOn is older than dedup.window (7 d) is refused 401 stale_timestamp',
      request: () => S.signers.docspace({ secret: 'docspace-e2e-secret-key-3d9a', url: `${PUBLIC}/onlyoffice-docspace`,
        body: docspaceBody(1211, nowSeconds() - 8 * 24 * HOUR) }),
    },
  },
  {
    name: 'cand',
    source: { path_token: CAND_PATH_TOKEN },
    // canD signs nothing: the key is the secret last path segment.
    wrongKey: 'cand-e2e-not-the-path-token-0000',
    body: j(testdata('cand/MOIM_member.joined.json')),
    sign: async ({ key, body }) => ({ method: 'POST', url: `${PUBLIC}/cand/${key}`,
      headers: { 'Content-Type': 'application/json' }, body }),
    type: 'MOIM:member.joined',
    id: (req) => digestId('cand', req.body),
    idFrom: 'a digest of the body',
    noTamper: 'canD signs nothing (its secret path token authenticates the sender, not the body), so a changed body cannot be detected',
    wrongKeyIsUnknownSource: true,
    noTime: 'canD signs no time',
  },
  {
    name: 'standard-webhooks',
    source: { secrets: [whsec('standard-webhooks-e2e-signing-key-4e0b')] },
    wrongKey: whsec('standard-webhooks-e2e-wrong-signing-key'),
    body: j({ type: 'subscription.renewed', timestamp: iso(LOADED), data: { id: 'sub_1001', plan: 'pro', amount: 4200 } }),
    sign: ({ key, at, body }) => S.signers.standard_webhooks({ secret: key, url: `${PUBLIC}/standard-webhooks`, body,
      timestamp: at, msgId: 'msg_2zE2eStandardWebhooks01' }),
    type: 'subscription.renewed',
    id: () => 'msg_2zE2eStandardWebhooks01',
    idFrom: 'the signed webhook-id',
    tampered: [{ from: '"amount":4200', to: '"amount":4201' }],
    stale: true,
  },
  {
    name: 'github',
    source: { secrets: ['github-e2e-webhook-secret-5f1c'] },
    wrongKey: 'github-e2e-not-the-webhook-secret',
    body: j({ ref: 'refs/heads/main', before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      after: '0000000000000000000000000000000000000000', created: false, deleted: false, forced: false,
      repository: { id: 1296269, name: 'hello-world', full_name: 'octo-org/hello-world', private: false },
      pusher: { name: 'octocat', email: 'octocat@github.com' }, sender: { login: 'octocat', id: 1 } }),
    sign: ({ key, body }) => S.signers.github({ secret: key, url: `${PUBLIC}/github`, body, event: 'push',
      delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958' }),
    type: 'push',
    // X-GitHub-Delivery is not signed: the id is the digest of the body.
    id: (req) => digestId('github', req.body),
    idFrom: 'a digest of the body (X-GitHub-Delivery is unsigned)',
    tampered: [{ from: '"forced":false', to: '"forced":true' }],
    noTime: 'GitHub signs the body alone, no time',
  },
  {
    name: 'stripe',
    source: { secrets: ['whsec_e2eStripeEndpointSecret6a2d'] },
    wrongKey: 'whsec_e2eNotTheEndpointSecret000',
    body: j({ id: 'evt_1QeE2eSchemes0000000001', object: 'event', api_version: '2024-06-20', created: LOADED,
      data: { object: { id: 'pi_3QeE2eSchemes0000000001', object: 'payment_intent', amount: 2000, currency: 'usd', status: 'succeeded' } },
      livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'payment_intent.succeeded' }),
    sign: ({ key, at, body }) => S.signers.stripe({ secret: key, url: `${PUBLIC}/stripe`, body, timestamp: at }),
    type: 'payment_intent.succeeded',
    id: () => 'evt_1QeE2eSchemes0000000001',
    idFrom: 'the signed body id',
    tampered: [{ from: '"amount":2000', to: '"amount":2001' }],
    stale: true,
  },
  {
    name: 'shopify',
    source: { secrets: ['shopify-e2e-client-secret-7b3e'] },
    wrongKey: 'shopify-e2e-not-the-client-secret',
    body: j({ id: 450789469, admin_graphql_api_id: 'gid://shopify/Order/450789469', email: 'bob@example.com',
      created_at: iso(LOADED), currency: 'USD', total_price: '254.98', financial_status: 'paid',
      line_items: [{ id: 466157049, title: 'IPod Nano - 8gb', quantity: 1, price: '199.00' }] }),
    sign: ({ key, at, body }) => S.signers.shopify({ secret: key, url: `${PUBLIC}/shopify`, body, timestamp: at,
      topic: 'orders/create', shopDomain: 'hookbridge-e2e.myshopify.com',
      webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', eventId: '98880550-7158-44d4-b7cd-2c97c8a091b5' }),
    type: 'orders/create',
    id: (req) => digestId('shopify', req.body),
    idFrom: 'a digest of the body (X-Shopify-Event-Id is unsigned)',
    tampered: [{ from: '"total_price":"254.98"', to: '"total_price":"254.99"' }],
    noTime: 'Shopify signs the body alone (X-Shopify-Triggered-At is unsigned)',
  },
  {
    name: 'slack',
    source: { secrets: ['8f742231b10e8888abcd99e2e85a5e2e'] },
    wrongKey: '0000e2e1b10e8888abcd99e2e85a0000',
    body: j({ token: 'XXYYZZ', team_id: 'T123ABC456', api_app_id: 'A123ABC456',
      event: { type: 'app_mention', user: 'U123ABC456', text: 'What is the hour of the pearl, <@U0LAN0Z89>?',
        ts: '1515449522.000016', channel: 'C123ABC456', event_ts: '1515449522.000016' },
      type: 'event_callback', event_id: 'Ev0E2ESCHEMES1', event_time: LOADED, authed_users: ['U0LAN0Z89'] }),
    sign: ({ key, at, body }) => S.signers.slack({ secret: key, url: `${PUBLIC}/slack`, body, timestamp: at }),
    type: 'app_mention',
    id: () => 'Ev0E2ESCHEMES1',
    idFrom: 'the signed body event_id',
    tampered: [{ from: 'hour of the pearl', to: 'hour of the pearL' }],
    stale: true,
    challenge: {
      title: 'url_verification',
      build: (key) => S.challenges.slack({ secret: key, url: `${PUBLIC}/slack`, timestamp: nowSeconds(),
        token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' }),
      library: '@slack/bolt (HTTPModuleFunctions.buildUrlVerificationResponse)',
    },
  },
  {
    name: 'twilio',
    // Behind a proxy: Twilio signs the public URL; the request reaches
    // hookbridge at the local path.
    source: { secrets: ['12345abcdef67890fedcba09876e2e21'], public_url: `${PUBLIC}/twilio` },
    wrongKey: '00000abcdef67890fedcba09876e2e00',
    params: [['SmsSid', 'SM1342fe1b2c904d1ab04f0fc7a58abca9'], ['SmsStatus', 'delivered'], ['MessageStatus', 'delivered'],
      ['To', '+15558675310'], ['MessageSid', 'SM1342fe1b2c904d1ab04f0fc7a58abca9'],
      ['AccountSid', 'AC00000000000000000000000000000000'], ['From', '+15017122661'], ['ApiVersion', '2010-04-01']],
    sign({ key }) {
      return S.signers.twilio_form({ secret: key, url: `${PUBLIC}/twilio`, params: this.params,
        idempotencyToken: 'c3f7c1e4-8f5a-4f3e-9c1d-2a6b7e8f9a0b-status' });
    },
    type: 'delivered',
    id: (req) => digestId('twilio', req.body),
    idFrom: 'a digest of the body (I-Twilio-Idempotency-Token is unsigned)',
    tampered: [{ from: 'MessageStatus=delivered', to: 'MessageStatus=failed' }],
    noTime: 'Twilio signs the URL and the form, no time',
    // A JSON body is signed through the URL's bodySHA256 query parameter,
    // which reaches hookbridge with the local path.
    variants: [{
      title: 'a JSON body, signed through the URL\'s bodySHA256',
      sign: (key) => S.signers.twilio_json({ secret: key, url: `${PUBLIC}/twilio`,
        body: j({ type: 'com.twilio.messaging.message.delivered', id: 'EZ00000000000000000000000000000001',
          data: { messageSid: 'SM1342fe1b2c904d1ab04f0fc7a58abca9', to: '+15558675310', status: 'delivered' } }) }),
      type: 'com.twilio.messaging.message.delivered',
      id: (req) => digestId('twilio', req.body),
      tampered: { from: '"status":"delivered"', to: '"status":"failed"' },
    }],
  },
  {
    name: 'gitlab',
    source: { secrets: ['gitlab-e2e-secret-token-8c4f'] },
    wrongKey: 'gitlab-e2e-not-the-secret-token',
    body: j({ object_kind: 'push', event_name: 'push', before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', ref: 'refs/heads/master', user_username: 'jsmith', project_id: 15,
      project: { id: 15, name: 'Diaspora', path_with_namespace: 'mike/diaspora', default_branch: 'master' }, total_commits_count: 4 }),
    sign: ({ key, body }) => S.signers.gitlab({ secret: key, url: `${PUBLIC}/gitlab`, body, event: 'Push Hook',
      eventUuid: '2f2d3f9e-5b1a-4f6c-8d7e-9a0b1c2d3e4f', webhookUuid: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
      idempotencyKey: 'e2e-gitlab-idempotency-key-0001' }),
    type: 'push',
    id: () => 'e2e-gitlab-idempotency-key-0001',
    idFrom: 'Idempotency-Key',
    // GitLab sends its secret token itself, which authenticates nothing of
    // the body (docs/SIGNATURES.md): a changed body with the delivery's
    // headers is that delivery again.
    tampered: [{ from: '"ref":"refs/heads/master"', to: '"ref":"refs/heads/mastex"', outcome: 'duplicate',
      title: '(c) a tampered body is not detectable (GitLab sends a token, not a signature): under the delivery\'s Idempotency-Key it is a duplicate, not stored' }],
    noTime: 'GitLab signs nothing, no time',
  },
  {
    name: 'bitbucket',
    source: { secrets: ['bitbucket-e2e-webhook-secret-9d5a'] },
    wrongKey: 'bitbucket-e2e-not-the-webhook-secret',
    body: j({ push: { changes: [{ old: { type: 'branch', name: 'main' }, new: { type: 'branch', name: 'main',
      target: { type: 'commit', hash: '709d658dc5b6d6afcd46049c2f332ee3f515a67d' } }, created: false, forced: false, closed: false }] },
      repository: { type: 'repository', full_name: 'team_name/repo_name', name: 'repo_name' },
      actor: { type: 'user', display_name: 'Emma' } }),
    sign: ({ key, body }) => S.signers.bitbucket({ secret: key, url: `${PUBLIC}/bitbucket`, body, eventKey: 'repo:push',
      hookUuid: '{dd9c2e3b-3c36-4b9d-a3bb-b4b1f6b6c6c1}', requestUuid: '{a1b2c3d4-0000-4000-8000-00000000e2e1}' }),
    type: 'repo:push',
    id: (req) => digestId('bitbucket', req.body),
    idFrom: 'a digest of the body (X-Request-UUID is unsigned)',
    tampered: [{ from: '"forced":false', to: '"forced":true' }],
    noTime: 'Bitbucket signs the body alone, no time',
  },
  {
    name: 'linear',
    source: { secrets: ['lin_wh_e2eSigningSecret0a6b'] },
    wrongKey: 'lin_wh_e2eNotTheSigningSecret',
    // The signed time is the body's webhookTimestamp (milliseconds).
    bodyAt: (at) => j({ action: 'create', actor: { id: '2e6eea91-1111-0000-9486-acea0603064d', name: 'Tom Moor', type: 'user' },
      createdAt: iso(LOADED), data: { id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9', number: 1234, title: 'Webhook test issue',
        identifier: 'ENG-1234' }, url: 'https://linear.app/example/issue/ENG-1234/webhook-test-issue', type: 'Issue',
      organizationId: '9f6b1c2d-0000-4000-8000-00000000f00d', webhookTimestamp: at * 1000,
      webhookId: '000042e3-d123-4980-b49f-8e140eef9329' }),
    sign({ key, at }) {
      return S.signers.linear({ secret: key, url: `${PUBLIC}/linear`, body: this.bodyAt(at), timestamp: at,
        delivery: '5a8ed5e3-3c1a-4c1e-9f10-8d7c6b5a4e2e', event: 'Issue' });
    },
    type: 'Issue.create',
    id: (req) => digestId('linear', req.body),
    idFrom: 'a digest of the body (Linear-Delivery is unsigned)',
    tampered: [{ from: '"title":"Webhook test issue"', to: '"title":"Webhook test issuE"' }],
    stale: true,
  },
  {
    name: 'paddle',
    source: { secrets: ['pdl_ntfset_e2e_secret_key_1b7c'] },
    wrongKey: 'pdl_ntfset_e2e_not_the_secret_key',
    body: j({ event_id: 'evt_01e2eschemes0000000000001', event_type: 'customer.created', occurred_at: iso(LOADED),
      notification_id: 'ntf_01e2eschemes0000000000001', data: { id: 'ctm_01e2eschemes0000000000001', name: 'Jo Brown',
        email: 'jo@example.com', status: 'active' } }),
    sign: ({ key, at, body }) => S.signers.paddle({ secret: key, url: `${PUBLIC}/paddle`, body, timestamp: at }),
    type: 'customer.created',
    id: () => 'evt_01e2eschemes0000000000001',
    idFrom: 'the signed body event_id',
    tampered: [{ from: 'jo@example.com', to: 'jo@example.org' }],
    stale: true,
  },
  {
    name: 'zoom',
    source: { secrets: ['zoom-e2e-secret-token-2c8d'] },
    wrongKey: 'zoom-e2e-not-the-secret-token',
    body: j({ event: 'meeting.started', event_ts: LOADED * 1000, payload: { account_id: 'AAAAAABBBB',
      object: { id: '1234567890', uuid: '4444AAAiAAAAAiAiAiiAii==', host_id: 'x1yCzABCDEfg23HiJKl4mN', topic: 'My Meeting',
        type: 2, start_time: iso(LOADED), timezone: 'America/Los_Angeles', duration: 60 } } }),
    sign: ({ key, at, body }) => S.signers.zoom({ secret: key, url: `${PUBLIC}/zoom`, body, timestamp: at }),
    type: 'meeting.started',
    id: (req) => digestId('zoom', req.body),
    idFrom: 'a digest of the body (Zoom sends no delivery id)',
    tampered: [{ from: '"duration":60', to: '"duration":61' }],
    stale: true,
    challenge: {
      title: 'endpoint.url_validation',
      build: (key) => S.challenges.zoom({ secret: key, url: `${PUBLIC}/zoom`, timestamp: nowSeconds(),
        plainToken: 'qgg8vlvZRS6UYooatFL8Aw', eventTsMs: Date.now() }),
      library: '@zoom/rivet (its receiver\'s url_validation answer)',
    },
  },
  {
    name: 'mailgun',
    source: { secrets: ['key-e2e-mailgun-signing-key-3d9e'] },
    wrongKey: 'key-e2e-not-the-signing-key',
    // The signature (timestamp, token) travels in the body.
    sign: ({ key, at }) => S.signers.mailgun({ secret: key, url: `${PUBLIC}/mailgun`, timestamp: at,
      token: 'e2e0b5477167110d68991efc6b9f89f0a11066af27834600e1',
      eventData: { id: 'CPgfbmQMTCKtHW6uIWtuVe', timestamp: LOADED, 'log-level': 'info', event: 'delivered',
        message: { headers: { 'message-id': '20130503182626.18666.16540@sandbox.mgsend.net', subject: 'Test delivered webhook' } },
        recipient: 'alice@example.com' } }),
    type: 'delivered',
    id: () => 'e2e0b5477167110d68991efc6b9f89f0a11066af27834600e1',
    idFrom: 'the signed signature.token',
    tampered: [
      { from: '"token":"e2e0b5477167110d68991efc6b9f89f0a11066af27834600e1"', to: '"token":"e2e0b5477167110d68991efc6b9f89f0a11066af27834600e2"',
        title: '(c) a tampered signed part of the body (signature.token) is refused 401 bad_signature' },
      // Mailgun signs timestamp + token, not event-data (docs/SIGNATURES.md):
      // the token is the id, so a used signature cannot carry a new event.
      { from: '"event":"delivered"', to: '"event":"failed"', outcome: 'duplicate',
        title: '(c) tampered event-data, which Mailgun does not sign, under a used signature is a duplicate, not stored' },
    ],
    stale: true,
  },
  {
    name: 'typeform',
    source: { secrets: ['typeform-e2e-webhook-secret-4e0f'] },
    wrongKey: 'typeform-e2e-not-the-webhook-secret',
    body: j({ event_id: 'LtWXD3crgyE2E', event_type: 'form_response', form_response: { form_id: 'lT4Z3j',
      token: 'a3a12ec67a1365927098a606107fac15', submitted_at: iso(LOADED), landed_at: iso(LOADED - 90),
      answers: [{ type: 'email', email: 'laura@example.com', field: { id: 'SMEUb7VJz92Q', type: 'email' } }] } }),
    sign: ({ key, body }) => S.signers.typeform({ secret: key, url: `${PUBLIC}/typeform`, body }),
    type: 'form_response',
    id: () => 'LtWXD3crgyE2E',
    idFrom: 'the signed body event_id',
    tampered: [{ from: 'laura@example.com', to: 'laura@example.org' }],
    noTime: 'Typeform signs the body alone, no time',
  },
  {
    name: 'intercom',
    source: { secrets: ['intercom-e2e-client-secret-5f1a'] },
    wrongKey: 'intercom-e2e-not-the-client-secret',
    body: j({ type: 'notification_event', app_id: 'ecahpwf5', data: { type: 'notification_event_data', item: {
      type: 'contact', id: '6762f0ad1bb69f9f2193bb62', role: 'user', email: 'joe@example.com', name: 'Joe Bloggs' } },
      id: 'notif_e2e8f3b9a1c-6d2e-4c1a-9b7e-0f5d2a3c4b5e', topic: 'contact.user.created', delivery_status: 'pending',
      delivery_attempts: 1, delivered_at: 0, first_sent_at: LOADED, created_at: LOADED }),
    sign: ({ key, body }) => S.signers.intercom({ secret: key, url: `${PUBLIC}/intercom`, body }),
    type: 'contact.user.created',
    id: () => 'notif_e2e8f3b9a1c-6d2e-4c1a-9b7e-0f5d2a3c4b5e',
    idFrom: 'the signed body id',
    tampered: [{ from: 'joe@example.com', to: 'joe@example.org' }],
    noTime: 'Intercom signs the body alone, no time',
  },
  {
    name: 'discord',
    source: { secrets: [DISCORD_KEY.publicKeyHex] },
    wrongKey: DISCORD_WRONG_KEY,
    key: DISCORD_KEY,
    body: j({ version: 1, application_id: '1234560123453231555', type: 1, event: { type: 'APPLICATION_AUTHORIZED',
      timestamp: new Date(LOADED * 1000).toISOString().replace('Z', ''), data: { integration_type: 1,
        scopes: ['applications.commands'], user: { id: '1111111111111111111', username: 'tiny_tim' } } } }),
    sign: ({ key, at, body }) => S.signers.discord({ key, url: `${PUBLIC}/discord`, body, timestamp: at }),
    type: 'APPLICATION_AUTHORIZED',
    id: (req) => digestId('discord', req.body),
    idFrom: 'a digest of the body (Discord sends no delivery id)',
    tampered: [{ from: '"username":"tiny_tim"', to: '"username":"tiny_tiM"' }],
    stale: true,
    challenge: {
      title: 'webhook-event PING',
      build: (key) => S.challenges.discord_webhook_event({ key, url: `${PUBLIC}/discord`, timestamp: nowSeconds(),
        body: j({ version: 1, application_id: '1234560123453231555', type: 0 }) }),
      library: 'discord-interactions (verifyWebhookEventMiddleware)',
    },
  },
  {
    name: 'svix',
    source: { secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] },
    wrongKey: whsec('svix-e2e-wrong-signing-key-000'),
    body: j({ type: 'invoice.paid', id: 'invoice_WF7WtCLFFtd8ubcTgboSFNql', status: 'paid', attempt: 2 }),
    sign: ({ key, at, body }) => S.signers.svix({ secret: key, url: `${PUBLIC}/svix`, body, timestamp: at,
      msgId: 'msg_2xJ8mW5eC4qP9gT1bVnRe2e01' }),
    type: 'invoice.paid',
    id: () => 'msg_2xJ8mW5eC4qP9gT1bVnRe2e01',
    idFrom: 'the signed svix-id',
    tampered: [{ from: '"status":"paid"', to: '"status":"void"' }],
    stale: true,
  },
  {
    // CloudEvents in (docs/CLOUDEVENTS.md), authenticated by a Standard
    // Webhooks signature (cloudevents.auth: standard-webhooks), so that a
    // changed body and an old signature are refused. Bearer tokens,
    // batches and the OPTIONS handshake: tests/integration/cloudevents_test.cc.
    name: 'cloudevents',
    source: { secrets: [whsec('cloudevents-e2e-signing-key-7d3c')], cloudevents: { auth: 'standard-webhooks' } },
    wrongKey: whsec('cloudevents-e2e-wrong-signing-key'),
    body: ceStructured.body,
    sign: ({ key, at, body }) => ceSign(key, at, body, ceStructured.headers, 'msg_e2eCloudEvents01'),
    type: 'com.example.order.created',
    id: () => 'ce-e2e-order-1001',
    idFrom: "the CloudEvent's own id (structured mode)",
    tampered: [{ from: '"total":42', to: '"total":43' }],
    stale: true,
    variants: [{
      title: 'binary mode, the attributes in ce-* headers',
      type: 'com.example.order.paid',
      sign: (key) => ceSign(key, nowSeconds(), ceBinary.body, ceBinary.headers, 'msg_e2eCloudEvents02'),
      id: () => 'ce-e2e-order-1001-paid',
      tampered: { from: '"paid":true', to: '"paid":false' },
    }],
  },
  {
    // The declarative scheme of docs/CONFIG.md (sources[].hmac), with a
    // signed timestamp header so that its tolerance applies.
    name: 'hmac',
    source: {
      secrets: ['acme-e2e-webhook-secret-6a2b'],
      hmac: { header: 'X-Acme-Signature', prefix: 'sha256=', signed_content: '{timestamp}.{body}', timestamp_header: 'X-Acme-Timestamp' },
      event_type: { field: 'type' },
      delivery_id: { field: 'id' },
    },
    wrongKey: 'acme-e2e-not-the-webhook-secret',
    body: j({ id: 'evt_acme_e2e_0001', type: 'order.shipped', data: { order: 'A-1001', carrier: 'ups' } }),
    sign: async ({ key, at, body }) => ({ method: 'POST', url: `${PUBLIC}/hmac`, body, headers: {
      'Content-Type': 'application/json',
      'X-Acme-Timestamp': String(at),
      'X-Acme-Signature': 'sha256=' + crypto.createHmac('sha256', key).update(`${at}.${body}`).digest('hex'),
    } }),
    type: 'order.shipped',
    id: () => 'evt_acme_e2e_0001',
    idFrom: 'the configured delivery_id field (signed)',
    tampered: [{ from: '"carrier":"ups"', to: '"carrier":"dhl"' }],
    stale: true,
  },
];

function docspaceBody(eventId, createdAt) {
  const body = testdata('docspace/file.created.json');
  body.event.id = eventId;
  body.event.createOn = iso(createdAt);
  return j(body);
}

// ---------------------------------------------------------------- the server

let server;        // { http, admin, grpc, stderr, stop }
let exitCode;      // set once the server was stopped
// Every accepted delivery, in the order stored: { source, type, id, sequence }.
const stored = [];

function configFor(list) {
  return {
    http: { listen: '127.0.0.1:0' },
    grpc: { listen: '127.0.0.1:0' },
    admin: { listen: '127.0.0.1:0' },
    log: { backend: 'memory' },
    auth: { enabled: false },
    sources: list.map((s) => ({ name: s.name, provider: s.name, ...s.source })),
  };
}

before(async () => {
  assert.ok(fs.existsSync(hookbridgeBin), `${hookbridgeBin} is not built (HOOKBRIDGE_BIN)`);
  assert.ok(fs.existsSync(tailBin), `${tailBin} is not built (HOOKBRIDGE_TAIL)`);
  const file = path.join(tmpDir, 'hookbridge.yaml');
  // JSON is YAML: the secrets need no quoting rules of their own.
  fs.writeFileSync(file, JSON.stringify(configFor(schemes), null, 2));
  const h = await startHookbridge(hookbridgeBin, file);
  server = { http: h.ports.http_port, admin: h.ports.admin_port, grpc: h.ports.grpc_port, stderr: h.stderr, stop: h.stop };
});

after(async () => {
  if (server && exitCode === undefined) await server.stop();
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

// Sends REQ (a signer's { method, url, headers, body }) to the path of its
// URL; resolves with the status, media type, raw body and parsed JSON answer.
async function send(req) {
  const u = new URL(req.url);
  const response = await fetch(`http://127.0.0.1:${server.http}${u.pathname}${u.search}`,
    { method: req.method, headers: req.headers, body: req.body });
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, mediaType: (response.headers.get('content-type') ?? '').split(';')[0].trim(), text, json };
}

// What /metrics says now: the log's last sequence and the count of
// webhooks of a source by outcome.
async function metrics() {
  const text = await (await fetch(`http://127.0.0.1:${server.admin}/metrics`)).text();
  const series = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    series.push({ name: m[1], labels, value: Number(m[3]) });
  }
  const find = (name, labels = {}) => series.find((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
  return {
    lastSequence: find('hookbridge_log_last_sequence'),
    received: (source, outcome) => find('hookbridge_webhooks_received_total', { source, outcome }),
  };
}

// Sends REQ and checks the answer is OUTCOME with STATUS and that nothing
// was stored; resolves with the answer.
async function expectNotStored(req, status, outcome) {
  const before = await metrics();
  const answer = await send(req);
  assert.equal(answer.status, status, `answer: ${answer.text}`);
  assert.equal(answer.json?.outcome, outcome, `answer: ${answer.text}`);
  assert.equal((await metrics()).lastSequence, before.lastSequence, 'nothing may be stored');
  return answer;
}

// REQ with its body edited after signing.
function tamper(req, from, to) {
  assert.ok(req.body.includes(from), `tamper anchor ${from} not in the body`);
  return { ...req, headers: { ...req.headers }, body: req.body.replace(from, to) };
}

// ---------------------------------------------------------------- the tests

test('every provider of the binary has a source here, named after it', async () => {
  const out = await runTail(['--list-types'], 'list-types');
  const providers = JSON.parse(out.stdout).providers;
  assert.deepEqual(providers.map((p) => p.name).sort(), schemes.map((s) => s.name).sort());
  for (const p of providers) assert.deepEqual(p.sources, [p.name], `provider ${p.name}'s sources`);
});

test('the stale cases follow the provider table: every row that signs a time has one', () => {
  // Each row of kProviders ends with: testdata, example_subject_field,
  // signs_timestamp (then, for some, a config completion).
  const table = fs.readFileSync(path.join(root, 'bridge/providers/registry.cc'), 'utf8');
  const rows = [...table.matchAll(/\{"([a-z-]+)", v1::PROVIDER_[A-Z_]+,[^{}]*?"[^"]*", "[^"]*", (true|false)/g)];
  assert.deepEqual(rows.map((r) => r[1]).sort(), schemes.map((s) => s.name).sort(), 'rows read from registry.cc');
  for (const [, name, signsTimestamp] of rows) {
    const scheme = schemes.find((s) => s.name === name);
    // hmac signs a time when its source says where, cloudevents when its
    // source takes Standard Webhooks signatures: these do.
    assert.equal(Boolean(scheme.stale), signsTimestamp === 'true' || name === 'hmac' || name === 'cloudevents',
      `${name}: stale case`);
  }
});

for (const scheme of schemes) {
  describe(scheme.name, () => {
    const key = scheme.key ?? scheme.source.secrets?.[0] ?? scheme.source.path_token;
    const signAt = (k, at) => scheme.sign({ key: k, at, body: scheme.body });
    let first;   // the delivery of (a)
    let firstId; // the id (a) was given

    test(`(a) a delivery signed now is accepted as ${scheme.type}, id ${scheme.idFrom}`, async () => {
      first = await signAt(key, nowSeconds());
      const before = await metrics();
      const answer = await send(first);
      assert.equal(answer.status, 200, `answer: ${answer.text}`);
      assert.equal(answer.json.outcome, 'accepted', `answer: ${answer.text}`);
      assert.equal(answer.json.type, scheme.type);
      assert.equal(answer.json.id, scheme.id(first));
      // Stored right after whatever was stored before: nothing else was.
      assert.equal(answer.json.sequence, before.lastSequence + 1);
      assert.equal((await metrics()).lastSequence, answer.json.sequence);
      firstId = answer.json.id;
      stored.push({ source: scheme.name, type: scheme.type, id: firstId, sequence: answer.json.sequence });
    });

    test('(b) the same request again is a duplicate with the same id', async () => {
      assert.ok(first && firstId, 'needs (a)');
      const answer = await expectNotStored(first, 200, 'duplicate');
      assert.equal(answer.json.id, firstId);
      assert.equal(answer.json.type, scheme.type);
    });

    for (const v of scheme.variants ?? []) {
      let variant;
      test(`(a) ${v.title}: accepted as ${v.type}`, async () => {
        variant = await v.sign(key);
        const before = await metrics();
        const answer = await send(variant);
        assert.equal(answer.status, 200, `answer: ${answer.text}`);
        assert.equal(answer.json.outcome, 'accepted', `answer: ${answer.text}`);
        assert.equal(answer.json.type, v.type);
        assert.equal(answer.json.id, v.id(variant));
        assert.equal(answer.json.sequence, before.lastSequence + 1);
        stored.push({ source: scheme.name, type: v.type, id: answer.json.id, sequence: answer.json.sequence });
      });
      test(`(b) ${v.title}: the same request again is a duplicate`, async () => {
        assert.ok(variant, 'needs the (a) of this variant');
        assert.equal((await expectNotStored(variant, 200, 'duplicate')).json.id, v.id(variant));
      });
      test(`(c) ${v.title}: a tampered body is refused 401 bad_signature`, async () => {
        assert.ok(variant, 'needs the (a) of this variant');
        await expectNotStored(tamper(variant, v.tampered.from, v.tampered.to), 401, 'bad_signature');
      });
    }

    if (scheme.noTamper) {
      test(`(c) no tampered-body case: ${scheme.noTamper}`, { skip: 'the scheme signs no body' }, () => {});
    }
    for (const t of scheme.tampered ?? []) {
      const outcome = t.outcome ?? 'bad_signature';
      test(t.title ?? '(c) a tampered body is refused 401 bad_signature', async () => {
        assert.ok(first, 'needs (a)');
        const answer = await expectNotStored(tamper(first, t.from, t.to), outcome === 'duplicate' ? 200 : 401, outcome);
        if (outcome === 'duplicate') assert.equal(answer.json.id, firstId);
      });
    }

    if (scheme.wrongKeyIsUnknownSource) {
      test('(d) a wrong path token is answered exactly like an unknown source (404), nothing stored', async () => {
        const wrong = await signAt(scheme.wrongKey, nowSeconds());
        const answer = await expectNotStored(wrong, 404, 'unknown_source');
        const unknown = await send({ ...wrong, url: `${PUBLIC}/no-such-source` });
        assert.equal(answer.status, unknown.status);
        assert.equal(answer.text, unknown.text);
        const missing = await send({ ...wrong, url: `${PUBLIC}/${scheme.name}` });
        assert.equal(missing.status, unknown.status);
        assert.equal(missing.text, unknown.text);
      });
    } else {
      test('(d) the same content signed with a wrong secret is refused 401 bad_signature', async () => {
        await expectNotStored(await signAt(scheme.wrongKey, nowSeconds()), 401, 'bad_signature');
      });
    }

    if (scheme.stale) {
      test('(e) a delivery signed an hour ago is refused 401 stale_timestamp', async () => {
        await expectNotStored(await signAt(key, nowSeconds() - HOUR), 401, 'stale_timestamp');
      });
    } else if (scheme.staleCustom) {
      test(scheme.staleCustom.title, async () => {
        await expectNotStored(await scheme.staleCustom.request(), 401, 'stale_timestamp');
      });
    } else {
      test(`(e) no stale case: ${scheme.noTime}`, { skip: 'the scheme signs no time: nothing tells when a delivery was signed' }, () => {});
    }

    if (scheme.challenge) {
      test(`(f) ${scheme.challenge.title} is answered as ${scheme.challenge.library} answers it, nothing stored`, async () => {
        const { request, response: expected } = await scheme.challenge.build(key);
        const before = await metrics();
        const answer = await send(request);
        assert.equal(answer.status, expected.status, `answer: ${answer.text}`);
        const expectedType = (expected.headers?.['content-type'] ?? '').split(';')[0].trim();
        assert.equal(answer.mediaType, expectedType);
        if (expected.body === '') {
          assert.equal(answer.text, '');
        } else {
          // JSON member order does not matter to the providers.
          assert.deepEqual(JSON.parse(answer.text), JSON.parse(expected.body));
        }
        const after = await metrics();
        assert.equal(after.lastSequence, before.lastSequence, 'nothing may be stored');
        assert.equal(after.received(scheme.name, 'answered'), before.received(scheme.name, 'answered') + 1,
          'counted as answered');
      });

      test(`(f) ${scheme.challenge.title} signed with a wrong secret is refused 401 bad_signature, not answered`, async () => {
        const { request } = await scheme.challenge.build(scheme.wrongKey);
        await expectNotStored(request, 401, 'bad_signature');
      });
    }
  });
}

// Runs hookbridge-tail against the server with ARGS; resolves with its
// stdout, stderr and exit code once it exits (killed after WAIT_MS).
function runTail(args, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(tailBin, ['--target', `127.0.0.1:${server.grpc}`, ...args],
      { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`hookbridge-tail ${what} exited ${code ?? signal}:\n${stderr}\n${stdout}`));
      else resolve({ stdout, stderr, code });
    });
  });
}

test('hookbridge-tail reads every accepted delivery exactly once, with its source, type and id, and nothing else', async () => {
  assert.ok(stored.length > 0, 'nothing was accepted');
  // Nothing was stored after the last accepted delivery either.
  assert.equal((await metrics()).lastSequence, stored.length, 'the log holds exactly the accepted deliveries');
  const out = await runTail(['--earliest', '--count', String(stored.length)], 'subscribe');
  const events = out.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(events.length, stored.length);
  const seen = events.map((e) => ({ source: e.source, type: e.type, id: e.id, sequence: Number(e.sequence) }));
  assert.deepEqual(seen, stored);
  for (const e of events) {
    assert.equal(e.provider, `PROVIDER_${e.source.toUpperCase().replaceAll('-', '_')}`, `provider of ${e.source}`);
  }
  assert.equal(new Set(seen.map((e) => `${e.source}\n${e.id}`)).size, seen.length, 'each delivery once');
});

test('hookbridge stops cleanly on SIGTERM', async () => {
  exitCode = await server.stop();
  assert.equal(exitCode, 0, `clean exit on SIGTERM:\n${server.stderr()}`);
});
