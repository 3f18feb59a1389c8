// Builds the HTTP requests webhook providers send, signed the way each
// provider signs them, for hookbridge's C++ verifiers to be tested against.
//
// Every signer returns { method, url, headers, body } (body is the exact
// string of bytes on the wire, UTF-8). Where the provider's own published
// library has a signer, the signature comes from it; where the library only
// verifies, the signature is computed with node:crypto from the provider's
// documentation and the signer then ASSERTS that the provider's library
// accepts the request (so every vector is proven by the provider's code).
// Providers without any published verifier (GitLab, Bitbucket, Mailgun,
// Typeform, Intercom, CKEditor, DocSpace), and those whose verifier is not
// among the dev dependencies (GitHub, Stripe), are checked by a second,
// independent implementation (WebCrypto instead of node:crypto) of the
// documented algorithm; SCHEMES.md says so per scheme.
//
// `verifiers` (exported) run the official verifier on a request; `challenges`
// build each scheme's handshake request with the exact answer the provider
// expects. SCHEMES.md is the prose spec; vectors.json the fixed vectors.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';

import { Webhook as SvixWebhook } from 'svix';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import twilioLib from 'twilio';
import '@shopify/shopify-api/adapters/web-api';
import { shopifyApi, ApiVersion, LogSeverity } from '@shopify/shopify-api';
import { getHmac as shopifyTestHmac } from '@shopify/shopify-api/test-helpers';
import { verifySlackRequest, HTTPModuleFunctions as SlackHttp } from '@slack/bolt';
import { Readable } from 'node:stream';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { Paddle, Environment as PaddleEnvironment } from '@paddle/paddle-node-sdk';
import { AwsLambdaReceiver as ZoomReceiver } from '@zoom/rivet/users';
import { verifyKey as discordVerifyKey, verifyKeyMiddleware, verifyWebhookEventMiddleware, InteractionType } from 'discord-interactions';

const require = createRequire(import.meta.url);
const { EventWebhook, EventWebhookHeader } = require('@sendgrid/eventwebhook');

// ---------------------------------------------------------------- helpers

/** Versions of the official libraries, read from their package.json files. */
export function libraryVersions() {
  const names = ['svix', 'standardwebhooks', 'twilio', '@shopify/shopify-api', '@slack/bolt',
    '@linear/sdk', '@paddle/paddle-node-sdk', '@zoom/rivet', 'discord-interactions',
    '@sendgrid/eventwebhook', 'starkbank-ecdsa'];
  const out = {};
  const root = new URL('./node_modules/', import.meta.url);
  for (const n of names) out[n] = JSON.parse(fs.readFileSync(new URL(`${n}/package.json`, root), 'utf8')).version;
  return out;
}

const hmac = (alg, key, data, enc) => crypto.createHmac(alg, key).update(data).digest(enc);
export const sha256hex = (s) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Runs fn with the wall clock frozen at `unixSeconds` (Date.now() and
 * `new Date()`), so that the libraries' timestamp-tolerance checks accept
 * vectors with a fixed timestamp. Restores the real clock afterwards.
 */
export async function atTime(unixSeconds, fn) {
  const RealDate = globalThis.Date;
  const ms = unixSeconds * 1000;
  class FrozenDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(ms); else super(...args); }
    static now() { return ms; }
  }
  globalThis.Date = FrozenDate;
  try { return await fn(); } finally { globalThis.Date = RealDate; }
}

function header(headers, name) {
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : headers[k];
}

async function mustVerify(scheme, req, opts) {
  const ok = await verifiers[scheme](req, opts);
  if (ok !== true) throw new Error(`${scheme}: the official verifier rejected the request we built`);
  return req;
}

/** Independent HMAC via WebCrypto, for the schemes without an official verifier. */
async function webcryptoHmac(hash, key, data) {
  const k = await crypto.webcrypto.subtle.importKey('raw', Buffer.from(key, 'utf8'),
    { name: 'HMAC', hash }, false, ['sign']);
  return Buffer.from(await crypto.webcrypto.subtle.sign('HMAC', k, Buffer.from(data, 'utf8')));
}
function constantTimeEqualStrings(a, b) {
  const x = Buffer.from(String(a ?? ''), 'utf8');
  const y = Buffer.from(String(b ?? ''), 'utf8');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The form body a provider sends for params, in the given order. */
export function formEncode(params) {
  return new URLSearchParams(params).toString(); // spaces as '+', '+' as %2B
}

// ---------------------------------------------------------------- key material

/** Deterministic Ed25519 key pair from a 32-byte seed (hex). */
export function ed25519FromSeed(seedHex) {
  const seed = Buffer.from(seedHex, 'hex');
  if (seed.length !== 32) throw new Error('Ed25519 seed must be 32 bytes');
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der', type: 'pkcs8',
  });
  const publicKeyHex = crypto.createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  return { privateKey, seedHex, publicKeyHex };
}

/** Deterministic ECDSA P-256 key pair from a private scalar (hex, 32 bytes). */
export function p256FromScalar(dHex) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(dHex, 'hex'));
  const pub = ecdh.getPublicKey(); // 04 || X || Y
  const b64u = (b) => b.toString('base64url');
  const jwk = { kty: 'EC', crv: 'P-256', d: b64u(Buffer.from(dHex, 'hex')),
    x: b64u(pub.subarray(1, 33)), y: b64u(pub.subarray(33, 65)) };
  const privateKey = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    privateKey,
    privateScalarHex: dHex,
    // What the SendGrid console shows as "Verification Key": base64 of the DER SubjectPublicKeyInfo.
    publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }),
  };
}

// ---------------------------------------------------------------- verifiers

/**
 * Official-library verification of a request built by a signer (or received
 * from a provider). Each returns true or false. `opts` carries the secret or
 * key and `now` (unix seconds) for the libraries that check timestamps.
 */
export const verifiers = {
  // @shopify/shopify-api: shopify.webhooks.validate (lib/webhooks/validate.mjs),
  // which checks the HMAC (lib/utils/hmac-validator.mjs) and required headers.
  async shopify(req, { secret }) {
    const api = shopifyApi({ apiKey: 'hookbridge-test', apiSecretKey: secret, apiVersion: ApiVersion.October25,
      hostName: 'hooks.example.com', isEmbeddedApp: false, logger: { level: LogSeverity.Error, log: () => {} } });
    const rawRequest = new Request(req.url, { method: req.method, headers: req.headers, body: req.body });
    const r = await api.webhooks.validate({ rawBody: req.body, rawRequest });
    return r.valid === true;
  },

  // @slack/bolt verifySlackRequest (dist/receivers/verify-request.js).
  async slack(req, { secret, now }) {
    return atTime(now, () => {
      try {
        verifySlackRequest({ signingSecret: secret, body: req.body, headers: {
          'x-slack-signature': header(req.headers, 'X-Slack-Signature'),
          'x-slack-request-timestamp': Number(header(req.headers, 'X-Slack-Request-Timestamp')),
        } });
        return true;
      } catch { return false; }
    });
  },

  // twilio validateRequest (form) / validateRequestWithBody (JSON, bodySHA256):
  // lib/webhooks/webhooks.js. The algorithm comes from
  // X-Twilio-Webhooks-Signature-Settings (absent: HMAC-SHA1 with the Auth Token).
  async twilio(req, { secret }) {
    const sig = header(req.headers, 'X-Twilio-Signature');
    const algorithm = twilioLib.getSignatureAlgorithm(header(req.headers, 'X-Twilio-Webhooks-Signature-Settings'));
    const ct = header(req.headers, 'Content-Type') || '';
    if (ct.startsWith('application/x-www-form-urlencoded')) {
      const params = {};
      for (const [k, v] of new URLSearchParams(req.body)) {
        params[k] = k in params ? [].concat(params[k], v) : v;
      }
      return twilioLib.validateRequest(secret, sig, req.url, params, algorithm);
    }
    return twilioLib.validateRequestWithBody(secret, sig, req.url, req.body, algorithm);
  },

  // No official verifier exists (GitLab publishes none): constant-time compare
  // of X-Gitlab-Token with the configured secret token, as documented.
  async gitlab(req, { secret }) {
    return constantTimeEqualStrings(header(req.headers, 'X-Gitlab-Token'), secret);
  },

  // No official verifier (Atlassian publishes none): X-Hub-Signature =
  // "sha256=" + lowercase hex HMAC-SHA256(secret, raw body). Independent WebCrypto path.
  async bitbucket(req, { secret }) {
    const expected = 'sha256=' + (await webcryptoHmac('SHA-256', secret, req.body)).toString('hex');
    return constantTimeEqualStrings(header(req.headers, 'X-Hub-Signature'), expected);
  },

  // @linear/sdk LinearWebhookClient.parseVerifiedPayload/verify
  // (dist/webhooks-*.mjs): hex HMAC of the raw body, then |now - webhookTimestamp| <= 60 s.
  async linear(req, { secret, now }) {
    return atTime(now, () => {
      try {
        new LinearWebhookClient(secret).parseVerifiedPayload(Buffer.from(req.body, 'utf8'),
          header(req.headers, 'Linear-Signature'), header(req.headers, 'Linear-Timestamp'));
        return true;
      } catch { return false; }
    });
  },

  // @paddle/paddle-node-sdk Webhooks.unmarshal → WebhooksValidator.isValidSignature
  // (dist/esm/notifications/helpers/webhooks-validator.js).
  async paddle(req, { secret, now }) {
    return atTime(now, async () => {
      try {
        // The documented entry point: new Paddle(apiKey).webhooks.unmarshal(rawBody, secretKey, signature).
        const paddleClient = new Paddle('pdl_sdbx_apikey_unused_offline', { environment: PaddleEnvironment.sandbox, logLevel: 'error' });
        await paddleClient.webhooks.unmarshal(req.body, secret, header(req.headers, 'Paddle-Signature'));
        return true;
      } catch { return false; }
    });
  },

  // @zoom/rivet AwsLambdaReceiver → CommonHttpRequest.processEvent (users/users.mjs):
  // 200 only when x-zm-signature matches. NB: rivet re-serialises the parsed
  // body with JSON.stringify before hashing, so it only accepts compact JSON;
  // a C++ verifier must hash the raw bytes (SCHEMES.md).
  async zoom(req, { secret }) {
    const res = await zoomLambda(req, secret);
    return res.statusCode === 200;
  },

  // No official verifier (mailgun.js has none): signature.signature in the
  // JSON body = hex HMAC-SHA256(signing key, timestamp + token). Independent WebCrypto path.
  async mailgun(req, { secret }) {
    const { signature } = JSON.parse(req.body);
    if (!signature) return false;
    const expected = (await webcryptoHmac('SHA-256', secret, String(signature.timestamp) + signature.token)).toString('hex');
    return constantTimeEqualStrings(signature.signature, expected);
  },

  // No official verifier (@typeform/api-client has none): Typeform-Signature =
  // "sha256=" + base64 HMAC-SHA256(secret, raw body). Independent WebCrypto path.
  async typeform(req, { secret }) {
    const expected = 'sha256=' + (await webcryptoHmac('SHA-256', secret, req.body)).toString('base64');
    return constantTimeEqualStrings(header(req.headers, 'Typeform-Signature'), expected);
  },

  // No official verifier (intercom-client has none): X-Hub-Signature =
  // "sha1=" + hex HMAC-SHA1(client secret, raw body). Independent WebCrypto path.
  async intercom(req, { secret }) {
    const expected = 'sha1=' + (await webcryptoHmac('SHA-1', secret, req.body)).toString('hex');
    return constantTimeEqualStrings(header(req.headers, 'X-Hub-Signature'), expected);
  },

  // @sendgrid/eventwebhook EventWebhook.verifySignature (src/eventwebhook.js,
  // starkbank-ecdsa underneath); cross-checked with node:crypto.verify.
  async sendgrid(req, { publicKeyBase64 }) {
    const sig = header(req.headers, EventWebhookHeader.SIGNATURE());
    const ts = header(req.headers, EventWebhookHeader.TIMESTAMP());
    const ew = new EventWebhook();
    const official = ew.verifySignature(ew.convertPublicKeyToECDSA(publicKeyBase64), req.body, sig, ts);
    const key = crypto.createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    const nodeOk = crypto.verify('sha256', Buffer.from(ts + req.body, 'utf8'), key, Buffer.from(sig, 'base64'));
    return official === true && nodeOk === true;
  },

  // discord-interactions verifyKey (dist/index.js): Ed25519 over timestamp + body.
  async discord(req, { publicKeyHex }) {
    return discordVerifyKey(req.body, header(req.headers, 'X-Signature-Ed25519'),
      header(req.headers, 'X-Signature-Timestamp'), publicKeyHex);
  },

  // standardwebhooks Webhook.verify (dist/index.js), the Standard Webhooks
  // reference library: webhook-* headers; tolerance 300 s both ways.
  async standard_webhooks(req, { secret, now }) {
    return atTime(now, () => {
      try { new StandardWebhook(secret).verify(req.body, req.headers); return true; } catch { return false; }
    });
  },

  // No verifier of GitHub's is among the dev dependencies: X-Hub-Signature-256 =
  // "sha256=" + hex HMAC-SHA256(secret, raw body). Independent WebCrypto path.
  async github(req, { secret }) {
    const expected = 'sha256=' + (await webcryptoHmac('SHA-256', secret, req.body)).toString('hex');
    return constantTimeEqualStrings(header(req.headers, 'X-Hub-Signature-256'), expected);
  },

  // No Stripe library is among the dev dependencies: Stripe-Signature =
  // "t=<s>,v1=<hex HMAC-SHA256(whsec_… string as is, t + '.' + body)>".
  // Independent WebCrypto path; no tolerance check (hookbridge has its own).
  async stripe(req, { secret }) {
    const parts = Object.fromEntries(String(header(req.headers, 'Stripe-Signature') ?? '').split(',')
      .map((p) => { const i = p.indexOf('='); return [p.slice(0, i), p.slice(i + 1)]; }));
    const expected = (await webcryptoHmac('SHA-256', secret, `${parts.t}.${req.body}`)).toString('hex');
    return constantTimeEqualStrings(parts.v1, expected);
  },

  // No CKEditor library verifies: X-CS-Signature = hex HMAC-SHA256(API secret,
  // METHOD + path with query + X-CS-Timestamp (ms) + raw body). Independent WebCrypto path.
  async ckeditor(req, { secret }) {
    const u = new URL(req.url);
    const signed = req.method.toUpperCase() + u.pathname + u.search + header(req.headers, 'X-CS-Timestamp') + req.body;
    const expected = (await webcryptoHmac('SHA-256', secret, signed)).toString('hex');
    return constantTimeEqualStrings(header(req.headers, 'X-CS-Signature'), expected);
  },

  // No ONLYOFFICE library verifies: x-docspace-signature-256 = "sha256=" +
  // UPPERCASE hex HMAC-SHA256(secret key, raw body). Independent WebCrypto path.
  async docspace(req, { secret }) {
    const expected = 'sha256=' + (await webcryptoHmac('SHA-256', secret, req.body)).toString('hex').toUpperCase();
    return constantTimeEqualStrings(header(req.headers, 'x-docspace-signature-256'), expected);
  },

  // svix Webhook.verify (dist/index.mjs → standardwebhooks dist/index.js):
  // accepts svix-* and webhook-* header names; tolerance 300 s both ways.
  async svix(req, { secret, now }) {
    return atTime(now, () => {
      try { new SvixWebhook(secret).verify(req.body, req.headers); return true; } catch { return false; }
    });
  },
};

async function zoomLambda(req, secret) {
  const receiver = new ZoomReceiver({ webhooksSecretToken: secret });
  receiver.init({ eventEmitter: { emit: async () => {} } });
  const handler = receiver.start();
  const origDebug = console.debug;
  console.debug = () => {}; // rivet logs every Lambda event at debug level
  try {
    return await handler({ body: req.body, headers: req.headers, isBase64Encoded: false }, {});
  } finally { console.debug = origDebug; }
}

// ---------------------------------------------------------------- signers

/**
 * Shopify: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256(app client secret, raw body).
 * Signed by @shopify/shopify-api's own test helper getHmac (test-helpers/get-hmac.ts).
 */
export async function shopify({ secret, method = 'POST', url, body, timestamp, topic, shopDomain,
  apiVersion = '2025-10', webhookId, eventId }) {
  const req = { method, url, body, headers: {
    'Content-Type': 'application/json',
    'X-Shopify-Topic': topic,
    'X-Shopify-Hmac-Sha256': shopifyTestHmac(body, secret),
    'X-Shopify-Shop-Domain': shopDomain,
    'X-Shopify-API-Version': apiVersion,
    'X-Shopify-Webhook-Id': webhookId,
    'X-Shopify-Event-Id': eventId,
    'X-Shopify-Triggered-At': new Date(timestamp * 1000).toISOString(),
  } };
  return mustVerify('shopify', req, { secret });
}

/**
 * Slack (Events API JSON, interactivity payload=…, slash commands form):
 * X-Slack-Signature = "v0=" + hex HMAC-SHA256(signing secret, "v0:" + ts + ":" + raw body).
 * Bolt only verifies, so node:crypto signs and verifySlackRequest must accept it.
 */
export async function slack({ secret, method = 'POST', url, body, timestamp,
  contentType = 'application/json', retryNum, retryReason }) {
  const headers = {
    'Content-Type': contentType,
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': 'v0=' + hmac('sha256', secret, `v0:${timestamp}:${body}`, 'hex'),
  };
  if (retryNum !== undefined) { headers['X-Slack-Retry-Num'] = String(retryNum); headers['X-Slack-Retry-Reason'] = retryReason; }
  return mustVerify('slack', { method, url, headers, body }, { secret, now: timestamp });
}

/**
 * Twilio, form-encoded (Messaging/Voice webhooks and status callbacks):
 * X-Twilio-Signature = base64 HMAC-SHA1(Auth Token, URL + concat(sorted key+value)).
 * Signed by twilio-node getExpectedTwilioSignature. `params` is an array of [k, v]
 * in the order they go on the wire. With sharedKey {secret, algorithm} the
 * SharedKey variant (X-Twilio-Webhooks-Signature-Settings) is produced instead.
 */
export async function twilioForm({ secret, method = 'POST', url, params, idempotencyToken, algorithm }) {
  const obj = {};
  for (const [k, v] of params) obj[k] = k in obj ? [].concat(obj[k], v) : v;
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Twilio-Signature': twilioLib.getExpectedTwilioSignature(secret, url, obj, algorithm),
  };
  if (algorithm && algorithm !== 'HMAC_SHA1') {
    headers['X-Twilio-Webhooks-Signature-Settings'] = `key=webhooks_sharedkey_test,algorithm=${algorithm}`;
  }
  if (idempotencyToken) headers['I-Twilio-Idempotency-Token'] = idempotencyToken;
  return mustVerify('twilio', { method, url, headers, body: formEncode(params) }, { secret });
}

/**
 * Twilio, JSON body (e.g. Event Streams webhook sinks): the URL gets
 * ?bodySHA256=<hex sha256(body)> (twilio-node getExpectedBodyHash), and the
 * signature is base64 HMAC-SHA1(Auth Token, that full URL) with no params.
 */
export async function twilioJson({ secret, method = 'POST', url, body, idempotencyToken }) {
  const u = new URL(url);
  u.searchParams.set('bodySHA256', twilioLib.getExpectedBodyHash(body));
  const fullUrl = u.toString();
  const headers = {
    'Content-Type': 'application/json',
    'X-Twilio-Signature': twilioLib.getExpectedTwilioSignature(secret, fullUrl, {}),
  };
  if (idempotencyToken) headers['I-Twilio-Idempotency-Token'] = idempotencyToken;
  return mustVerify('twilio', { method, url: fullUrl, headers, body }, { secret });
}

/**
 * Twilio, either variant: `params` ([k, v] pairs) gives the form-encoded
 * request (twilioForm), `body` (a JSON string) the bodySHA256 one (twilioJson).
 */
export async function twilio(opts) {
  return opts.params ? twilioForm(opts) : twilioJson(opts);
}

/** GitLab: the secret token itself in X-Gitlab-Token (not a signature). */
export async function gitlab({ secret, method = 'POST', url, body, event, eventUuid, webhookUuid,
  idempotencyKey, instance = 'https://gitlab.example.com', version = '18.6.0' }) {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': `GitLab/${version}`,
    'X-Gitlab-Event': event,
    'X-Gitlab-Token': secret,
    'X-Gitlab-Instance': instance,
    'X-Gitlab-Webhook-UUID': webhookUuid,
    'X-Gitlab-Event-UUID': eventUuid,
    'Idempotency-Key': idempotencyKey,
  };
  return mustVerify('gitlab', { method, url, headers, body }, { secret });
}

/** Bitbucket Cloud: X-Hub-Signature = "sha256=" + hex HMAC-SHA256(secret, raw body). */
export async function bitbucket({ secret, method = 'POST', url, body, eventKey, hookUuid, requestUuid, attempt = 1 }) {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Bitbucket-Webhooks/2.0',
    'X-Event-Key': eventKey,
    'X-Hook-UUID': hookUuid,
    'X-Request-UUID': requestUuid,
    'X-Attempt-Number': String(attempt),
    'X-Hub-Signature': 'sha256=' + hmac('sha256', secret, body, 'hex'),
  };
  return mustVerify('bitbucket', { method, url, headers, body }, { secret });
}

/**
 * Linear: Linear-Signature = hex HMAC-SHA256(secret, raw body); the body's
 * webhookTimestamp (ms) is the signed timestamp. @linear/sdk only verifies.
 */
export async function linear({ secret, method = 'POST', url, body, timestamp, delivery, event }) {
  const ms = JSON.parse(body).webhookTimestamp;
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'Linear-Webhook',
    'Linear-Delivery': delivery,
    'Linear-Event': event,
    'Linear-Timestamp': String(ms),
    'Linear-Signature': hmac('sha256', secret, body, 'hex'),
  };
  return mustVerify('linear', { method, url, headers, body }, { secret, now: timestamp });
}

/**
 * Paddle Billing: Paddle-Signature = "ts=<unix s>;h1=<hex HMAC-SHA256(secret, ts + ':' + raw body)>".
 * The SDK only verifies.
 */
export async function paddle({ secret, method = 'POST', url, body, timestamp }) {
  const headers = {
    'Content-Type': 'application/json',
    'Paddle-Signature': `ts=${timestamp};h1=${hmac('sha256', secret, `${timestamp}:${body}`, 'hex')}`,
  };
  return mustVerify('paddle', { method, url, headers, body }, { secret, now: timestamp });
}

/**
 * Zoom: x-zm-signature = "v0=" + hex HMAC-SHA256(secret token, "v0:" + ts + ":" + raw body),
 * x-zm-request-timestamp = unix seconds. Rivet only verifies.
 */
export async function zoom({ secret, method = 'POST', url, body, timestamp }) {
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'x-zm-request-timestamp': String(timestamp),
    'x-zm-signature': 'v0=' + hmac('sha256', secret, `v0:${timestamp}:${body}`, 'hex'),
  };
  return mustVerify('zoom', { method, url, headers, body }, { secret });
}

/**
 * Mailgun: the signature travels in the JSON body:
 * {"signature":{"token","timestamp","signature": hex HMAC-SHA256(signing key, timestamp + token)},"event-data":{…}}.
 * `eventData` is the object; the body is serialised here (compact, signature first).
 */
export async function mailgun({ secret, method = 'POST', url, timestamp, token, eventData }) {
  const signature = { token, timestamp: String(timestamp), signature: hmac('sha256', secret, String(timestamp) + token, 'hex') };
  const body = JSON.stringify({ signature, 'event-data': eventData });
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'mailgun/treq-16.12.0' };
  return mustVerify('mailgun', { method, url, headers, body }, { secret });
}

/** Typeform: Typeform-Signature = "sha256=" + base64 HMAC-SHA256(secret, raw body). */
export async function typeform({ secret, method = 'POST', url, body }) {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Typeform Webhooks',
    'Typeform-Signature': 'sha256=' + hmac('sha256', secret, body, 'base64'),
  };
  return mustVerify('typeform', { method, url, headers, body }, { secret });
}

/** Intercom: X-Hub-Signature = "sha1=" + hex HMAC-SHA1(app client secret, raw body). */
export async function intercom({ secret, method = 'POST', url, body }) {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Intercom-Webhooks',
    'X-Hub-Signature': 'sha1=' + hmac('sha1', secret, body, 'hex'),
  };
  return mustVerify('intercom', { method, url, headers, body }, { secret });
}

/**
 * SendGrid Event Webhook (signed): X-Twilio-Email-Event-Webhook-Signature =
 * base64 DER ECDSA-P256-SHA256 over (timestamp + raw body), timestamp in
 * X-Twilio-Email-Event-Webhook-Timestamp. Signed with node:crypto (ECDSA is
 * randomised: a given signature is one of many valid ones); the official lib
 * must accept it. `signature` may be passed to reuse an earlier one.
 */
export async function sendgrid({ key, method = 'POST', url, body, timestamp, signature }) {
  const sig = signature ?? crypto.sign('sha256', Buffer.from(String(timestamp) + body, 'utf8'),
    { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'SendGrid Event API',
    [EventWebhookHeader.SIGNATURE()]: sig,
    [EventWebhookHeader.TIMESTAMP()]: String(timestamp),
  };
  return mustVerify('sendgrid', { method, url, headers, body }, { publicKeyBase64: key.publicKeyBase64 });
}

/**
 * Discord (interactions endpoint and webhook events): X-Signature-Ed25519 =
 * hex Ed25519(timestamp + raw body), X-Signature-Timestamp = unix seconds.
 * Signed with node:crypto (Ed25519 is deterministic); verifyKey must accept it.
 */
export async function discord({ key, method = 'POST', url, body, timestamp }) {
  const sig = crypto.sign(null, Buffer.from(String(timestamp) + body, 'utf8'), key.privateKey).toString('hex');
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Discord-Interactions/1.0 (+https://discord.com)',
    'X-Signature-Ed25519': sig,
    'X-Signature-Timestamp': String(timestamp),
  };
  return mustVerify('discord', { method, url, headers, body }, { publicKeyHex: key.publicKeyHex });
}

/**
 * Svix (= Standard Webhooks with svix-* header names): svix-signature =
 * "v1," + base64 HMAC-SHA256(base64-decoded whsec_ secret, id + "." + ts + "." + body).
 * Signed by svix Webhook.sign. headerPrefix 'webhook' gives the Standard Webhooks names.
 */
export async function svix({ secret, method = 'POST', url, body, timestamp, msgId, headerPrefix = 'svix' }) {
  const sig = new SvixWebhook(secret).sign(msgId, new Date(timestamp * 1000), body);
  const headers = {
    'Content-Type': 'application/json',
    [`${headerPrefix}-id`]: msgId,
    [`${headerPrefix}-timestamp`]: String(timestamp),
    [`${headerPrefix}-signature`]: sig,
  };
  return mustVerify('svix', { method, url, headers, body }, { secret, now: timestamp });
}

/**
 * Standard Webhooks: webhook-signature = "v1," + base64 HMAC-SHA256(base64-decoded
 * whsec_ secret, id + "." + ts + "." + body). Signed by the reference library
 * standardwebhooks Webhook.sign (svix with headerPrefix 'webhook' makes the same).
 */
export async function standardWebhooks({ secret, method = 'POST', url, body, timestamp, msgId }) {
  const headers = {
    'Content-Type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new StandardWebhook(secret).sign(msgId, new Date(timestamp * 1000), body),
  };
  return mustVerify('standard_webhooks', { method, url, headers, body }, { secret, now: timestamp });
}

/**
 * GitHub: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(webhook secret, raw body).
 * Signed with node:crypto as GitHub documents it (validating webhook deliveries);
 * X-GitHub-Event and X-GitHub-Delivery are unsigned headers.
 */
export async function github({ secret, method = 'POST', url, body, event, delivery, hookId = '123456789' }) {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'GitHub-Hookshot/2a7b2e1',
    'X-GitHub-Event': event,
    'X-GitHub-Delivery': delivery,
    'X-GitHub-Hook-ID': hookId,
    'X-Hub-Signature-256': 'sha256=' + hmac('sha256', secret, body, 'hex'),
  };
  return mustVerify('github', { method, url, headers, body }, { secret });
}

/**
 * Stripe: Stripe-Signature = "t=<unix s>,v1=<hex HMAC-SHA256(secret, t + '.' + raw body)>",
 * the whsec_… secret used as its UTF-8 bytes. Signed with node:crypto as Stripe
 * documents manual verification.
 */
export async function stripe({ secret, method = 'POST', url, body, timestamp }) {
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'Stripe-Signature': `t=${timestamp},v1=${hmac('sha256', secret, `${timestamp}.${body}`, 'hex')}`,
  };
  return mustVerify('stripe', { method, url, headers, body }, { secret });
}

/**
 * CKEditor Cloud Services and CKBox: X-CS-Signature = hex HMAC-SHA256(API secret,
 * METHOD + path with query + timestamp + raw body), X-CS-Timestamp = unix
 * milliseconds. `url` is the URL the service was given: its path and query are signed.
 */
export async function ckeditor({ secret, method = 'POST', url, body, timestampMs }) {
  const u = new URL(url);
  const ts = String(timestampMs);
  const headers = {
    'Content-Type': 'application/json',
    'X-CS-Timestamp': ts,
    'X-CS-Signature': hmac('sha256', secret, method.toUpperCase() + u.pathname + u.search + ts + body, 'hex'),
  };
  return mustVerify('ckeditor', { method, url, headers, body }, { secret });
}

/** ONLYOFFICE DocSpace: x-docspace-signature-256 = "sha256=" + UPPERCASE hex HMAC-SHA256(secret key, raw body). */
export async function docspace({ secret, method = 'POST', url, body }) {
  const headers = {
    'Content-Type': 'application/json',
    'x-docspace-signature-256': 'sha256=' + hmac('sha256', secret, body, 'hex').toUpperCase(),
  };
  return mustVerify('docspace', { method, url, headers, body }, { secret });
}

/** Signers by scheme name (twilio has two body variants). */
export const signers = { shopify, slack, twilio, twilio_form: twilioForm, twilio_json: twilioJson, gitlab, bitbucket,
  linear, paddle, zoom, mailgun, typeform, intercom, sendgrid, discord, svix,
  standard_webhooks: standardWebhooks, github, stripe, ckeditor, docspace };

// ---------------------------------------------------------------- challenges

/**
 * Handshakes. Each returns { request, response: {status, headers, body} }
 * where response is exactly what the provider's own library answers.
 */
export const challenges = {
  /**
   * Slack Events API url_verification: a signed JSON POST; answer 200 with
   * the challenge. Bolt answers Content-Type application/json and
   * {"challenge":"…"} (HTTPModuleFunctions.buildUrlVerificationResponse);
   * Slack's docs also accept the bare challenge as text/plain.
   */
  async slack({ secret, url, timestamp, token, challenge }) {
    const body = JSON.stringify({ token, challenge, type: 'url_verification' });
    const request = await slack({ secret, url, body, timestamp });
    // Run it through Bolt's HTTPReceiver steps: parseAndVerifyHTTPRequest,
    // parseHTTPRequestBody, buildUrlVerificationResponse.
    const response = await atTime(timestamp, async () => {
      const req = Readable.from([Buffer.from(request.body, 'utf8')]);
      req.headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const res = fakeResponse();
      const buffered = await SlackHttp.parseAndVerifyHTTPRequest({ signingSecret: secret }, req, res);
      const parsed = SlackHttp.parseHTTPRequestBody(buffered);
      if (parsed.type !== 'url_verification') throw new Error('slack: not a url_verification');
      SlackHttp.buildUrlVerificationResponse(res, parsed);
      return res.result();
    });
    return { request, response };
  },

  /**
   * Zoom endpoint.url_validation: a signed JSON POST with payload.plainToken;
   * answer 200 JSON {plainToken, encryptedToken = hex HMAC-SHA256(secret token, plainToken)}.
   * The response is produced by @zoom/rivet's own receiver.
   */
  async zoom({ secret, url, timestamp, plainToken, eventTsMs }) {
    const body = JSON.stringify({ payload: { plainToken }, event_ts: eventTsMs, event: 'endpoint.url_validation' });
    const request = await zoom({ secret, url, body, timestamp });
    const res = await zoomLambda(request, secret);
    const expected = hmac('sha256', secret, plainToken, 'hex');
    const parsed = JSON.parse(res.body);
    if (res.statusCode !== 200 || parsed.encryptedToken !== expected || parsed.plainToken !== plainToken) {
      throw new Error('zoom: rivet answered the url_validation differently from the documented algorithm');
    }
    return { request, response: { status: res.statusCode, headers: { 'content-type': 'application/json' }, body: res.body } };
  },

  /**
   * Discord interactions PING (type 1): a signed POST; answer 200 JSON {"type":1}
   * (verifyKeyMiddleware in discord-interactions). Discord also sends requests
   * with a bad signature and expects 401 for them.
   */
  async discord({ key, url, timestamp, body }) {
    const request = await discord({ key, url, body, timestamp });
    if (JSON.parse(body).type !== InteractionType.PING) throw new Error('discord PING must be type 1');
    const response = await runDiscordMiddleware(verifyKeyMiddleware(key.publicKeyHex), request);
    return { request, response };
  },

  /**
   * Discord webhook events PING (outer type 0): a signed POST; answer 204 with
   * an empty body (verifyWebhookEventMiddleware in discord-interactions).
   */
  async discord_webhook_event({ key, url, timestamp, body }) {
    const request = await discord({ key, url, body, timestamp });
    if (JSON.parse(body).type !== 0) throw new Error('discord webhook-event PING must be type 0');
    const response = await runDiscordMiddleware(verifyWebhookEventMiddleware(key.publicKeyHex), request);
    return { request, response };
  },
};

/** A minimal ServerResponse stand-in that records what a library writes. */
function fakeResponse() {
  const rec = { status: 200, headers: {}, body: '' };
  return {
    set statusCode(v) { rec.status = v; },
    get statusCode() { return rec.status; },
    setHeader(k, v) { rec.headers[k.toLowerCase()] = String(v); },
    writeHead(status, headers = {}) { rec.status = status; for (const [k, v] of Object.entries(headers)) rec.headers[k.toLowerCase()] = String(v); },
    end(b = '') { rec.body += String(b); rec.ended = true; },
    result() { return { status: rec.status, headers: rec.headers, body: rec.body }; },
    get ended() { return rec.ended === true; },
  };
}

/** Runs a discord-interactions Express-style middleware on a request. */
async function runDiscordMiddleware(mw, request) {
  const res = fakeResponse();
  const req = { body: Buffer.from(request.body, 'utf8'), header: (n) => header(request.headers, n) };
  let nextCalled = false;
  await mw(req, res, () => { nextCalled = true; });
  if (!res.ended && !nextCalled) throw new Error('discord middleware neither answered nor passed on');
  return res.result();
}
