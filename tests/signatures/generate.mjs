// Writes vectors.json: fixed, signed webhook requests for every scheme, made
// by sign.mjs with the providers' own libraries, plus what a verifier must
// extract from each (delivery id, event type, signed timestamp).
//
//   node generate.mjs          regenerate and write vectors.json
//   node generate.mjs --check  regenerate in memory, verify every vector in
//                              vectors.json with the official verifiers, and
//                              fail (exit 1) if anything differs or is refused
//
// ECDSA (SendGrid) signatures are randomised, so an existing signature for
// the same key, timestamp and body is reused (after being verified) to keep
// the file stable; everything else is deterministic.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as S from './sign.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, 'vectors.json');

// 2025-12-06T05:46:40Z; every vector is signed at (or around) this time.
const T = 1765000000;
const BASE = 'https://hooks.example.com/webhooks';

// Deterministic asymmetric test keys (never used by any provider):
// Ed25519 = RFC 8032 section 7.1 TEST 1 key; P-256 = RFC 6979 appendix A.2.5 key.
const DISCORD_KEY = S.ed25519FromSeed('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const SENDGRID_KEY = S.p256FromScalar('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');

const j = (o) => JSON.stringify(o);

// ---------------------------------------------------------------- payloads
// Bodies follow each provider's documented example payload (trimmed where
// the example is long); ids are illustrative. `source` says where from.

const P = {
  shopify: {
    source: 'https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance (customers/data_request example payload)',
    body: j({ shop_id: 954889, shop_domain: 'hookbridge-test.myshopify.com', orders_requested: [299938, 280263, 220458],
      customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' }, data_request: { id: 9999 } }),
  },
  slackEvent: {
    source: 'https://docs.slack.dev/apis/events-api/ (event_callback envelope) with the app_mention example event',
    body: j({ token: 'XXYYZZ', team_id: 'T123ABC456', api_app_id: 'A123ABC456',
      event: { type: 'app_mention', user: 'U123ABC456', text: 'What is the hour of the pearl, <@U0LAN0Z89>?',
        ts: '1515449522.000016', channel: 'C123ABC456', event_ts: '1515449522.000016' },
      type: 'event_callback', event_id: 'Ev123ABC456', event_time: 1515449522, authed_users: ['U0LAN0Z89'] }),
  },
  slackInteractive: {
    source: 'https://docs.slack.dev/reference/interaction-payloads/block_actions-payload (trimmed), sent as payload=<JSON> form body',
    payload: { type: 'block_actions', team: { id: 'T9TK3CUKW', domain: 'example' },
      user: { id: 'UA8RXUSPL', username: 'jtorrance', team_id: 'T9TK3CUKW' }, api_app_id: 'AABA1ABCD',
      token: '9s8d9as89d8as9d8as989', container: { type: 'message_attachment', message_ts: '1548261231.000200', attachment_id: 1,
        channel_id: 'CBR2V3XEX', is_ephemeral: false, is_app_unfurl: false },
      trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
      channel: { id: 'CBR2V3XEX', name: 'review-updates' },
      response_url: 'https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209',
      actions: [{ action_id: 'WaXA', block_id: '=qXel', text: { type: 'plain_text', text: 'View', emoji: true },
        value: 'click_me_123', type: 'button', action_ts: '1548426417.840180' }] },
  },
  twilioStatus: {
    source: 'https://www.twilio.com/docs/messaging/guides/track-outbound-message-status (status callback parameters)',
    params: [['SmsSid', 'SM1342fe1b2c904d1ab04f0fc7a58abca9'], ['SmsStatus', 'delivered'], ['MessageStatus', 'delivered'],
      ['To', '+15558675310'], ['MessageSid', 'SM1342fe1b2c904d1ab04f0fc7a58abca9'],
      ['AccountSid', 'AC00000000000000000000000000000000'], ['From', '+15017122661'], ['ApiVersion', '2010-04-01']],
  },
  twilioInbound: {
    source: 'https://www.twilio.com/docs/messaging/guides/webhook-request (incoming message parameters, trimmed); the Body exercises form decoding of "+", spaces, "&", "=" and UTF-8',
    params: [['ToCountry', 'US'], ['SmsMessageSid', 'SM5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c'], ['NumMedia', '0'],
      ['SmsSid', 'SM5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c'], ['SmsStatus', 'received'],
      ['Body', 'Hello from hookbridge: 1+1=2 & ça marche ✓'], ['To', '+15558675310'], ['NumSegments', '1'],
      ['MessageSid', 'SM5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c'], ['AccountSid', 'AC00000000000000000000000000000000'],
      ['From', '+14155552671'], ['ApiVersion', '2010-04-01']],
  },
  twilioEventStreams: {
    source: 'https://www.twilio.com/en-us/blog/developers/tutorials/validate-twilio-event-streams-webhooks-rust (Event Streams test event: a JSON array of CloudEvents)',
    body: j([{ specversion: '1.0', type: 'com.twilio.eventstreams.test-event', source: 'Sink',
      id: 'AC11111111111111111111111111111111', dataschema: 'https://events-schemas.twilio.com/EventStreams.TestSink/1.json',
      datacontenttype: 'application/json', time: '2025-12-06T05:46:39.377Z',
      data: { test_id: 'cae2f9e2-c277-4612-8ad3-93c1a7a3ef88' } }]),
  },
  gitlab: {
    source: 'https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events (push example, trimmed: repository and two commits removed)',
    body: j({ object_kind: 'push', event_name: 'push', before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', ref: 'refs/heads/master', ref_protected: true,
      checkout_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', user_id: 4, user_name: 'John Smith',
      user_username: 'jsmith', user_email: 'john@example.com', project_id: 15,
      project: { id: 15, name: 'Diaspora', description: '', web_url: 'http://example.com/mike/diaspora', avatar_url: null,
        git_ssh_url: 'git@example.com:mike/diaspora.git', git_http_url: 'http://example.com/mike/diaspora.git',
        namespace: 'Mike', visibility_level: 0, path_with_namespace: 'mike/diaspora', default_branch: 'master' },
      commits: [{ id: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327', message: 'Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information',
        title: 'Update Catalan translation to e38cb41.', timestamp: '2011-12-12T14:27:31+02:00',
        url: 'http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        author: { name: 'Jordi Mallach', email: 'jordi@softcatala.org' }, added: ['CHANGELOG'], modified: ['app/controller/application.rb'], removed: [] }],
      total_commits_count: 4 }),
  },
  bitbucket: {
    source: 'https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/#Push (repo:push, trimmed: links and commit list removed)',
    body: j({ push: { changes: [{ old: { type: 'branch', name: 'main', target: { type: 'commit', hash: '1e65c05c1d5171631d92438a13901ca7dae9618c' } },
      new: { type: 'branch', name: 'main', target: { type: 'commit', hash: '709d658dc5b6d6afcd46049c2f332ee3f515a67d',
        message: 'Fix the flaky retry test\n', date: '2025-12-06T05:46:31+00:00' } },
      created: false, forced: false, closed: false, truncated: false }] },
      repository: { type: 'repository', full_name: 'team_name/repo_name', name: 'repo_name', scm: 'git', is_private: true,
        uuid: '{dd9c2e3b-3c36-4b9d-a3bb-b4b1f6b6c6c1}' },
      actor: { type: 'user', display_name: 'Emma', uuid: '{a54f16da-24e9-4d7f-a3a7-b1ba2cd98aa3}', account_id: '557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443' } }),
  },
  linear: {
    source: 'https://linear.app/developers/webhooks (data change payload: action, actor, createdAt, data, url, type, organizationId, webhookTimestamp, webhookId; data trimmed)',
    body: j({ action: 'create', actor: { id: '2e6eea91-1111-0000-9486-acea0603064d', name: 'Tom Moor', email: 'tom@example.com',
      url: 'https://linear.app/example/profiles/tom', type: 'user' }, createdAt: '2025-12-06T05:46:39.812Z',
      data: { id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9', createdAt: '2025-12-06T05:46:39.812Z', updatedAt: '2025-12-06T05:46:39.812Z',
        number: 1234, title: 'Webhook test issue', priority: 0, priorityLabel: 'No priority', teamId: '72b2a2dc-6f4f-4423-9d34-24b5bd10634a',
        stateId: 'a1b2c3d4-0000-4000-8000-000000000001', labelIds: [], identifier: 'ENG-1234' },
      url: 'https://linear.app/example/issue/ENG-1234/webhook-test-issue', type: 'Issue',
      organizationId: '9f6b1c2d-0000-4000-8000-00000000f00d', webhookTimestamp: T * 1000,
      webhookId: '000042e3-d123-4980-b49f-8e140eef9329' }),
  },
  paddle: {
    source: 'https://developer.paddle.com/webhooks/customers/customer-created (customer.created notification; ids illustrative)',
    body: j({ event_id: 'evt_01kbrx9k8e4n3kqj2v0r3b6y1c', event_type: 'customer.created', occurred_at: '2025-12-06T05:46:39.512481Z',
      notification_id: 'ntf_01kbrx9kbf7s2q9d8m6c4y3z2x',
      data: { id: 'ctm_01kbrx9jx8a6e2p0g5w1q7t3nz', name: 'Jo Brown', email: 'jo@example.com', locale: 'en', status: 'active',
        created_at: '2025-12-06T05:46:39.4Z', updated_at: '2025-12-06T05:46:39.4Z', custom_data: null, import_meta: null, marketing_consent: false } }),
  },
  zoom: {
    source: 'https://developers.zoom.us/docs/api/meetings/events/#tag/meeting/POST/meeting.started (meeting.started example)',
    body: j({ event: 'meeting.started', event_ts: T * 1000 - 188, payload: { account_id: 'AAAAAABBBB',
      object: { id: '1234567890', uuid: '4444AAAiAAAAAiAiAiiAii==', host_id: 'x1yCzABCDEfg23HiJKl4mN', topic: 'My Meeting',
        type: 2, start_time: '2025-12-06T05:46:31Z', timezone: 'America/Los_Angeles', duration: 60 } } }),
  },
  mailgun: {
    source: 'https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads/ (delivered event-data, trimmed) and .../securing-webhooks/ (signature object)',
    token: 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123',
    eventData: { id: 'CPgfbmQMTCKtHW6uIWtuVe', timestamp: 1764999999.908181, 'log-level': 'info', event: 'delivered',
      'delivery-status': { tls: true, 'mx-host': 'smtp-in.example.com', code: 250, description: '', 'attempt-no': 1,
        message: 'OK', 'certificate-verified': true },
      flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
      envelope: { transport: 'smtp', sender: 'bob@sandbox.mgsend.net', 'sending-ip': '209.61.154.250', targets: 'alice@example.com' },
      message: { headers: { to: 'Alice <alice@example.com>', 'message-id': '20130503182626.18666.16540@sandbox.mgsend.net',
        from: 'Bob <bob@sandbox.mgsend.net>', subject: 'Test delivered webhook' }, attachments: [], size: 111 },
      recipient: 'alice@example.com', 'recipient-domain': 'example.com', storage: { url: 'https://se.api.mailgun.net/v3/domains/sandbox.mgsend.net/messages/message_key', key: 'message_key' },
      campaigns: [], tags: ['my_tag_1'], 'user-variables': { 'my_var_1': 'Mailgun Variable #1' } },
  },
  typeform: {
    source: 'https://www.typeform.com/developers/webhooks/example-payload/ (form_response example, trimmed to two fields)',
    body: j({ event_id: 'LtWXD3crgy', event_type: 'form_response', form_response: { form_id: 'lT4Z3j', token: 'a3a12ec67a1365927098a606107fac15',
      submitted_at: '2025-12-06T05:46:32Z', landed_at: '2025-12-06T05:45:02Z', calculated: { score: 9 },
      definition: { id: 'lT4Z3j', title: 'Webhooks example', fields: [
        { id: 'DlXFaesGBpoF', title: 'Thanks, {{answer_60906475}}! What\'s it like being a self-taught developer?', type: 'long_text', ref: 'readable_ref_long_text', properties: {} },
        { id: 'SMEUb7VJz92Q', title: 'What is your email address?', type: 'email', ref: 'readable_ref_email', properties: {} }] },
      answers: [{ type: 'text', text: 'It\'s cold right now! I\'m freezing...', field: { id: 'DlXFaesGBpoF', type: 'long_text' } },
        { type: 'email', email: 'laura@example.com', field: { id: 'SMEUb7VJz92Q', type: 'email' } }] } }),
  },
  intercom: {
    source: 'https://developers.intercom.com/docs/references/webhooks/webhook-models (notification_event model; contact.user.created item trimmed)',
    body: j({ type: 'notification_event', app_id: 'ecahpwf5', data: { type: 'notification_event_data', item: {
      type: 'contact', id: '6762f0ad1bb69f9f2193bb62', workspace_id: 'ecahpwf5', external_id: 'abc-123', role: 'user',
      email: 'joe@example.com', name: 'Joe Bloggs', created_at: 1764999999, updated_at: 1764999999 } },
      links: {}, id: 'notif_8f3b9a1c-6d2e-4c1a-9b7e-0f5d2a3c4b5e', topic: 'contact.user.created', delivery_status: 'pending',
      delivery_attempts: 1, delivered_at: 0, first_sent_at: T, created_at: T, self: null }),
  },
  sendgrid: {
    source: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event (processed/delivered examples); events separated by "\\r\\n" with a trailing "\\r\\n" as in @sendgrid/eventwebhook src/eventwebhook.spec.js',
    events: [
      { email: 'example@test.com', timestamp: T - 3, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', event: 'processed',
        category: 'cat facts', sg_event_id: 'rbtnWrG1DVDGGGFHFyun0A==', sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000' },
      { email: 'example@test.com', timestamp: T - 2, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', event: 'delivered',
        category: 'cat facts', sg_event_id: 'rWVYmVk90MjZJ9iohOBa3w==', sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000',
        response: '250 OK' }],
  },
  discordCommand: {
    source: 'https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object (APPLICATION_COMMAND example, trimmed)',
    body: j({ type: 2, token: 'A_UNIQUE_TOKEN', member: { user: { id: '53908232506183680', username: 'Mason', avatar: 'a_d5efa99b3eeaa7dd43acca82f5692432',
      discriminator: '1337', public_flags: 131141 }, roles: ['539082325061836999'], premium_since: null, permissions: '2147483647',
      pending: false, nick: null, mute: false, joined_at: '2017-03-13T19:19:14.040000+00:00', is_pending: false, deaf: false },
      id: '786008729715212338', guild_id: '290926798626357999', app_permissions: '442368', guild_locale: 'en-US', locale: 'en-US',
      data: { options: [{ type: 3, name: 'cardname', value: 'The Gitrog Monster' }], type: 1, name: 'cardsearch', id: '771825006014889984' },
      channel_id: '645027906669510667', application_id: '771824984434946049', version: 1 }),
  },
  discordPing: {
    source: 'https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction (PING, type 1; fields illustrative)',
    body: j({ application_id: '771824984434946049', id: '1170847398543274015', token: 'A_UNIQUE_PING_TOKEN', type: 1,
      user: { id: '53908232506183680', username: 'Mason' }, version: 1 }),
  },
  discordEvent: {
    source: 'https://discord.com/developers/docs/events/webhook-events#webhook-event-payloads (APPLICATION_AUTHORIZED example)',
    body: j({ version: 1, application_id: '1234560123453231555', type: 1, event: { type: 'APPLICATION_AUTHORIZED',
      timestamp: '2025-12-06T05:46:39.064834', data: { integration_type: 1, scopes: ['applications.commands'],
        user: { id: '1111111111111111111', username: 'tiny_tim', global_name: 'Tim' } } } }),
  },
  discordEventPing: {
    source: 'https://discord.com/developers/docs/events/webhook-events#responding-to-a-ping (PING, outer type 0)',
    body: j({ version: 1, application_id: '1234560123453231555', type: 0 }),
  },
  svix: {
    source: 'https://docs.svix.com/receiving/verifying-payloads/how (svix-* headers) with the invoice.paid example payload of https://docs.svix.com/idempotency',
    body: j({ type: 'invoice.paid', id: 'invoice_WF7WtCLFFtd8ubcTgboSFNql', status: 'paid', attempt: 2 }),
  },
};

// ---------------------------------------------------------------- build

const libs = S.libraryVersions();
const lib = (...names) => names.map((n) => `${n}@${libs[n]}`).join(', ');

function digestOf(body) { return S.sha256hex(body); }

async function build(previous) {
  const V = [];
  const add = (v) => { V.push(v); return v; };
  const prevSig = (name) => previous?.vectors?.find((v) => v.name === name);

  // ---- shopify
  {
    const inputs = { secret: 'hush-shopify-client-secret-7c1f', url: `${BASE}/shopify`, timestamp: T,
      topic: 'customers/data_request', shopDomain: 'hookbridge-test.myshopify.com', apiVersion: '2025-10',
      webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', eventId: '98880550-7158-44d4-b7cd-2c97c8a091b5' };
    const request = await S.shopify({ ...inputs, body: P.shopify.body });
    add({ scheme: 'shopify', name: 'shopify/customers-data-request', body_source: P.shopify.source,
      signed_by: lib('@shopify/shopify-api') + ' test-helpers getHmac', verified_by: lib('@shopify/shopify-api') + ' webhooks.validate',
      inputs, request, expect: { valid: true,
        delivery_id: inputs.eventId, delivery_id_from: 'header X-Shopify-Event-Id (unsigned; Shopify\'s documented de-duplication key); X-Shopify-Webhook-Id also sent',
        delivery_id_signed: false, alt_delivery_ids: { 'X-Shopify-Webhook-Id': inputs.webhookId }, signed_body_sha256: digestOf(request.body),
        event_type: 'customers/data_request', event_type_from: 'header X-Shopify-Topic (unsigned)', signed_timestamp: null } });
  }

  // ---- slack
  {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const inputs = { secret, url: `${BASE}/slack`, timestamp: T };
    const request = await S.slack({ ...inputs, body: P.slackEvent.body });
    add({ scheme: 'slack', name: 'slack/events-api-app-mention', body_source: P.slackEvent.source,
      signed_by: 'node:crypto per Slack docs', verified_by: lib('@slack/bolt') + ' verifySlackRequest', inputs, request,
      expect: { valid: true, delivery_id: 'Ev123ABC456', delivery_id_from: 'body event_id (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(request.body), event_type: 'app_mention',
        event_type_from: 'body event.type (signed); the envelope body type is "event_callback"', signed_timestamp: T } });

    const retry = await S.slack({ ...inputs, timestamp: T + 60, body: P.slackEvent.body, retryNum: 1, retryReason: 'http_timeout' });
    add({ scheme: 'slack', name: 'slack/events-api-retry', body_source: P.slackEvent.source,
      note: 'A retry: same body and event_id, new timestamp and signature, X-Slack-Retry-Num/Reason headers. Must be a duplicate of slack/events-api-app-mention.',
      signed_by: 'node:crypto per Slack docs', verified_by: lib('@slack/bolt') + ' verifySlackRequest',
      inputs: { ...inputs, timestamp: T + 60 }, request: retry,
      expect: { valid: true, delivery_id: 'Ev123ABC456', delivery_id_from: 'body event_id (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(retry.body), event_type: 'app_mention', event_type_from: 'body event.type (signed)',
        signed_timestamp: T + 60, duplicate_of: 'slack/events-api-app-mention' } });

    // Slack's own documented example (slash command), verified by Bolt at its own time.
    const docBody = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const docTs = 1531420618;
    const docReq = await S.slack({ secret, url: `${BASE}/slack`, body: docBody, timestamp: docTs, contentType: 'application/x-www-form-urlencoded' });
    const documentedSig = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
    add({ scheme: 'slack', name: 'slack/slash-command-documented', body_source: 'https://docs.slack.dev/authentication/verifying-requests-from-slack (the documented walk-through example: secret, timestamp, body and signature)',
      signed_by: 'node:crypto per Slack docs; equals the signature printed in Slack\'s docs: ' + String(docReq.headers['X-Slack-Signature'] === documentedSig),
      verified_by: lib('@slack/bolt') + ' verifySlackRequest (clock set to the example\'s timestamp)',
      inputs: { secret, url: `${BASE}/slack`, timestamp: docTs }, request: docReq,
      expect: { valid: true, delivery_id: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
        delivery_id_from: 'form field trigger_id (signed; slash commands carry no event id)', delivery_id_signed: true,
        signed_body_sha256: digestOf(docBody), event_type: 'slash_command', event_type_from: 'form body has "command" (here /webhook-collect); no type field',
        command: '/webhook-collect', signed_timestamp: docTs } });

    const formBody = S.formEncode([['payload', j(P.slackInteractive.payload)]]);
    const inter = await S.slack({ ...inputs, body: formBody, contentType: 'application/x-www-form-urlencoded' });
    add({ scheme: 'slack', name: 'slack/interactivity-block-actions', body_source: P.slackInteractive.source,
      signed_by: 'node:crypto per Slack docs', verified_by: lib('@slack/bolt') + ' verifySlackRequest', inputs, request: inter,
      expect: { valid: true, delivery_id: P.slackInteractive.payload.trigger_id,
        delivery_id_from: 'trigger_id inside the form field payload (JSON, signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(formBody), event_type: 'block_actions', event_type_from: 'payload JSON field type (signed)', signed_timestamp: T } });

    const ch = await S.challenges.slack({ secret, url: `${BASE}/slack`, timestamp: T, token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    add({ scheme: 'slack', name: 'slack/url-verification', kind: 'challenge',
      body_source: 'https://docs.slack.dev/reference/events/url_verification (example)',
      signed_by: 'node:crypto per Slack docs', verified_by: lib('@slack/bolt') + ' HTTPModuleFunctions.parseAndVerifyHTTPRequest; response from buildUrlVerificationResponse',
      inputs, request: ch.request, response: ch.response,
      expect: { valid: true, is_challenge: true, delivery_id: null, event_type: 'url_verification', signed_timestamp: T,
        response_note: 'Slack accepts the bare challenge as text/plain, application/x-www-form-urlencoded challenge=…, or this JSON; Bolt sends the JSON.' } });
  }

  // ---- twilio
  {
    const secret = '12345abcdef67890fedcba0987654321';
    const url = `${BASE}/twilio?source=sms`;
    const inputs = { secret, url, idempotencyToken: 'c3f7c1e4-8f5a-4f3e-9c1d-2a6b7e8f9a0b-status' };
    const request = await S.twilioForm({ ...inputs, params: P.twilioStatus.params });
    add({ scheme: 'twilio', name: 'twilio/form-status-callback', body_source: P.twilioStatus.source,
      signed_by: lib('twilio') + ' getExpectedTwilioSignature', verified_by: lib('twilio') + ' validateRequest', inputs, request,
      expect: { valid: true, delivery_id: inputs.idempotencyToken,
        delivery_id_from: 'header I-Twilio-Idempotency-Token (unsigned); signed alternative: sha256 of the signed string (URL + sorted params)',
        delivery_id_signed: false, signed_string_sha256: S.sha256hex(twilioSignedString(url, P.twilioStatus.params)),
        signed_body_sha256: digestOf(request.body), event_type: 'delivered', event_type_from: 'form field MessageStatus (signed; SmsStatus is the legacy twin)',
        message_sid: 'SM1342fe1b2c904d1ab04f0fc7a58abca9', signed_timestamp: null } });

    const inb = await S.twilioForm({ secret, url: `${BASE}/twilio`, params: P.twilioInbound.params,
      idempotencyToken: 'a9d0b1c2-d3e4-4f56-8a7b-9c0d1e2f3a4b-in' });
    add({ scheme: 'twilio', name: 'twilio/form-incoming-message', body_source: P.twilioInbound.source,
      signed_by: lib('twilio') + ' getExpectedTwilioSignature', verified_by: lib('twilio') + ' validateRequest',
      inputs: { secret, url: `${BASE}/twilio`, idempotencyToken: 'a9d0b1c2-d3e4-4f56-8a7b-9c0d1e2f3a4b-in' }, request: inb,
      expect: { valid: true, delivery_id: 'a9d0b1c2-d3e4-4f56-8a7b-9c0d1e2f3a4b-in', delivery_id_from: 'header I-Twilio-Idempotency-Token (unsigned)',
        delivery_id_signed: false, signed_string_sha256: S.sha256hex(twilioSignedString(`${BASE}/twilio`, P.twilioInbound.params)),
        signed_body_sha256: digestOf(inb.body), event_type: 'received', event_type_from: 'form field SmsStatus (signed)',
        message_sid: 'SM5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c', signed_timestamp: null } });

    // Twilio's own documented example (https://www.twilio.com/docs/usage/security#validating-requests).
    const docParams = [['CallSid', 'CA1234567890ABCDE'], ['Caller', '+12349013030'], ['Digits', '1234'], ['From', '+12349013030'], ['To', '+18005551212']];
    const docUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const doc = await S.twilioForm({ secret: '12345', url: docUrl, params: docParams });
    const twilioDocSig = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';
    add({ scheme: 'twilio', name: 'twilio/form-documented', body_source: 'https://www.twilio.com/docs/usage/security#validating-requests (Auth Token 12345, the documented parameters, URL https://mycompany.com/myapp.php?foo=1&bar=2)',
      signed_by: lib('twilio') + ' getExpectedTwilioSignature; equals the signature printed in Twilio\'s docs (' + twilioDocSig + '): ' + String(doc.headers['X-Twilio-Signature'] === twilioDocSig), verified_by: lib('twilio') + ' validateRequest',
      inputs: { secret: '12345', url: docUrl }, request: doc,
      expect: { valid: true, delivery_id: null, delivery_id_from: 'none sent: use sha256 of the signed string',
        signed_string: twilioSignedString(docUrl, docParams), signed_string_sha256: S.sha256hex(twilioSignedString(docUrl, docParams)),
        delivery_id_signed: true, signed_body_sha256: digestOf(doc.body), event_type: null, event_type_from: 'voice request: no status field (CallStatus absent in this example)', signed_timestamp: null } });

    const js = await S.twilioJson({ secret, url: `${BASE}/twilio-events`, body: P.twilioEventStreams.body });
    add({ scheme: 'twilio', name: 'twilio/json-body-sha256-event-streams', body_source: P.twilioEventStreams.source,
      signed_by: lib('twilio') + ' getExpectedBodyHash + getExpectedTwilioSignature', verified_by: lib('twilio') + ' validateRequestWithBody',
      inputs: { secret, url: `${BASE}/twilio-events` }, request: js,
      expect: { valid: true, body_sha256_query: S.sha256hex(js.body),
        events: [{ delivery_id: 'AC11111111111111111111111111111111', event_type: 'com.twilio.eventstreams.test-event' }],
        delivery_id_from: 'each CloudEvent id (signed through bodySHA256)', delivery_id_signed: true,
        event_type_from: 'each CloudEvent type (signed)', signed_body_sha256: digestOf(js.body), signed_timestamp: null } });

    const sk = await S.twilioForm({ secret: 'whsk_shared_key_secret_for_tests', url, params: P.twilioStatus.params,
      algorithm: 'HMAC_SHA256', idempotencyToken: 'c3f7c1e4-8f5a-4f3e-9c1d-2a6b7e8f9a0b-status' });
    add({ scheme: 'twilio', name: 'twilio/form-sharedkey-hmac-sha256', body_source: P.twilioStatus.source,
      note: 'Webhooks Rules SharedKey variant (twilio-node examples/WebhookSignatureValidation.md): same signed string, HMAC-SHA256, key = the SharedKey secret; announced by X-Twilio-Webhooks-Signature-Settings.',
      signed_by: lib('twilio') + ' getExpectedTwilioSignature(…, "HMAC_SHA256")', verified_by: lib('twilio') + ' validateRequest(…, getSignatureAlgorithm(header))',
      inputs: { secret: 'whsk_shared_key_secret_for_tests', url, algorithm: 'HMAC_SHA256' }, request: sk,
      expect: { valid: true, delivery_id: 'c3f7c1e4-8f5a-4f3e-9c1d-2a6b7e8f9a0b-status', delivery_id_from: 'header I-Twilio-Idempotency-Token (unsigned)',
        delivery_id_signed: false, event_type: 'delivered', event_type_from: 'form field MessageStatus', signed_timestamp: null } });
  }

  // ---- gitlab
  {
    const inputs = { secret: 'glwht-hookbridge-test-token', url: `${BASE}/gitlab`, event: 'Push Hook',
      eventUuid: '13792a34-cac6-4fda-95a8-c58e00a3954e', webhookUuid: '3c5c0404-c866-44bc-a5f6-452bb1bfc76e',
      idempotencyKey: 'f5e5f430-f57b-4e6e-9fac-d9128cd7232f' };
    const request = await S.gitlab({ ...inputs, body: P.gitlab.body });
    add({ scheme: 'gitlab', name: 'gitlab/push-hook', body_source: P.gitlab.source,
      signed_by: 'not signed: the secret token is sent as is', verified_by: 'constant-time compare (no official verifier exists)', inputs, request,
      expect: { valid: true, delivery_id: inputs.idempotencyKey, delivery_id_from: 'header Idempotency-Key (same on retries; recent GitLab); older GitLab: X-Gitlab-Event-UUID; nothing is signed',
        alt_delivery_ids: { 'X-Gitlab-Event-UUID': inputs.eventUuid },
        delivery_id_signed: false, signed_body_sha256: digestOf(request.body), event_type: 'push',
        event_type_from: 'body object_kind (unauthenticated); header X-Gitlab-Event "Push Hook"', signed_timestamp: null } });
  }

  // ---- bitbucket
  {
    const inputs = { secret: 'bb-hookbridge-webhook-secret', url: `${BASE}/bitbucket`, eventKey: 'repo:push',
      hookUuid: '{cb6a6c2a-6a35-4e1a-a5b8-0a5f5c7e1d11}', requestUuid: '1f3e5d7c-9b8a-4c6e-8d0f-2a4b6c8e0f12' };
    const request = await S.bitbucket({ ...inputs, body: P.bitbucket.body });
    add({ scheme: 'bitbucket', name: 'bitbucket/repo-push', body_source: P.bitbucket.source,
      signed_by: 'node:crypto per Bitbucket docs', verified_by: 'WebCrypto re-implementation (no official verifier exists)', inputs, request,
      expect: { valid: true, delivery_id: inputs.requestUuid, delivery_id_from: 'header X-Request-UUID (unsigned); signed alternative: sha256(body)',
        delivery_id_signed: false, signed_body_sha256: digestOf(request.body), event_type: 'repo:push',
        event_type_from: 'header X-Event-Key (unsigned; the body has no event name)', signed_timestamp: null } });
  }

  // ---- linear
  {
    const inputs = { secret: 'lin_wh_hookbridge_test_secret_4f2a', url: `${BASE}/linear`, timestamp: T,
      delivery: '234d1a4e-b617-4388-90fe-adc3633d6b72', event: 'Issue' };
    const request = await S.linear({ ...inputs, body: P.linear.body });
    add({ scheme: 'linear', name: 'linear/issue-create', body_source: P.linear.source,
      signed_by: 'node:crypto per Linear docs', verified_by: lib('@linear/sdk') + ' LinearWebhookClient.parseVerifiedPayload (clock set to webhookTimestamp)', inputs, request,
      expect: { valid: true, delivery_id: inputs.delivery, delivery_id_from: 'header Linear-Delivery (unsigned); signed alternative: sha256(body)',
        delivery_id_signed: false, signed_body_sha256: digestOf(request.body), event_type: 'Issue', action: 'create',
        event_type_from: 'body type + action (signed); header Linear-Event repeats type', signed_timestamp: T,
        signed_timestamp_from: 'body webhookTimestamp, milliseconds (' + (T * 1000) + ')' } });
  }

  // ---- paddle
  {
    const inputs = { secret: 'pdl_ntfset_01kbrx8zq2n5v7c9b1m3x5z7q9_hookbridgeTestSecretKey', url: `${BASE}/paddle`, timestamp: T };
    const request = await S.paddle({ ...inputs, body: P.paddle.body });
    add({ scheme: 'paddle', name: 'paddle/customer-created', body_source: P.paddle.source,
      signed_by: 'node:crypto per Paddle docs', verified_by: lib('@paddle/paddle-node-sdk') + ' Webhooks.unmarshal', inputs, request,
      expect: { valid: true, delivery_id: 'evt_01kbrx9k8e4n3kqj2v0r3b6y1c', delivery_id_from: 'body event_id (signed); notification_id identifies the per-destination notification',
        delivery_id_signed: true, signed_body_sha256: digestOf(request.body), event_type: 'customer.created', event_type_from: 'body event_type (signed)',
        signed_timestamp: T } });
  }

  // ---- zoom
  {
    const inputs = { secret: 'zoom_secret_token_hookbridge_test', url: `${BASE}/zoom`, timestamp: T };
    const request = await S.zoom({ ...inputs, body: P.zoom.body });
    add({ scheme: 'zoom', name: 'zoom/meeting-started', body_source: P.zoom.source,
      signed_by: 'node:crypto per Zoom docs', verified_by: lib('@zoom/rivet') + ' AwsLambdaReceiver (users) → CommonHttpRequest.isEventVerified', inputs, request,
      expect: { valid: true, delivery_id: digestOf(request.body), delivery_id_from: 'none sent: sha256(body) (signed)',
        delivery_id_signed: true, signed_body_sha256: digestOf(request.body), event_type: 'meeting.started', event_type_from: 'body event (signed)',
        event_ts_ms: T * 1000 - 188, signed_timestamp: T } });
    const ch = await S.challenges.zoom({ ...inputs, plainToken: 'qgg8vlvZRS6UYooatFL8Aw', eventTsMs: T * 1000 + 12 });
    add({ scheme: 'zoom', name: 'zoom/endpoint-url-validation', kind: 'challenge',
      body_source: 'https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint (example plainToken)',
      signed_by: 'node:crypto per Zoom docs', verified_by: lib('@zoom/rivet') + ' AwsLambdaReceiver answers it (response below is rivet\'s)',
      inputs: { ...inputs, plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, request: ch.request, response: ch.response,
      expect: { valid: true, is_challenge: true, delivery_id: null, event_type: 'endpoint.url_validation', signed_timestamp: T,
        encrypted_token: JSON.parse(ch.response.body).encryptedToken,
        response_note: 'JSON member order does not matter; Zoom needs 200 within 3 s with plainToken and encryptedToken.' } });
  }

  // ---- mailgun
  {
    const inputs = { secret: 'key-hookbridge-test-http-webhook-signing-key', url: `${BASE}/mailgun`, timestamp: T, token: P.mailgun.token };
    const request = await S.mailgun({ ...inputs, eventData: P.mailgun.eventData });
    add({ scheme: 'mailgun', name: 'mailgun/delivered', body_source: P.mailgun.source,
      signed_by: 'node:crypto per Mailgun docs', verified_by: 'WebCrypto re-implementation (mailgun.js has no verifier)', inputs, request,
      expect: { valid: true, delivery_id: P.mailgun.token, delivery_id_from: 'body signature.token (signed, 50 random chars); event-data.id is NOT signed',
        delivery_id_signed: true, signed_body_sha256: digestOf(request.body), event_type: 'delivered',
        event_type_from: 'body event-data.event (NOT signed)', event_data_id: 'CPgfbmQMTCKtHW6uIWtuVe', signed_timestamp: T,
        signed_string: String(T) + P.mailgun.token } });
  }

  // ---- typeform
  {
    const inputs = { secret: 'typeform-hookbridge-test-secret', url: `${BASE}/typeform` };
    const request = await S.typeform({ ...inputs, body: P.typeform.body });
    add({ scheme: 'typeform', name: 'typeform/form-response', body_source: P.typeform.source,
      signed_by: 'node:crypto per Typeform docs', verified_by: 'WebCrypto re-implementation (@typeform/api-client has no verifier)', inputs, request,
      expect: { valid: true, delivery_id: 'LtWXD3crgy', delivery_id_from: 'body event_id (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(request.body), event_type: 'form_response', event_type_from: 'body event_type (signed)', signed_timestamp: null } });
  }

  // ---- intercom
  {
    const inputs = { secret: 'intercom-app-client-secret-hookbridge', url: `${BASE}/intercom` };
    const request = await S.intercom({ ...inputs, body: P.intercom.body });
    add({ scheme: 'intercom', name: 'intercom/contact-user-created', body_source: P.intercom.source,
      signed_by: 'node:crypto per Intercom docs', verified_by: 'WebCrypto re-implementation (intercom-client has no verifier)', inputs, request,
      expect: { valid: true, delivery_id: 'notif_8f3b9a1c-6d2e-4c1a-9b7e-0f5d2a3c4b5e', delivery_id_from: 'body id (signed; same across retries, while delivery_attempts changes)',
        delivery_id_signed: true, signed_body_sha256: digestOf(request.body), event_type: 'contact.user.created', event_type_from: 'body topic (signed)',
        signed_timestamp: null, unsigned_time_fields: 'created_at / first_sent_at are inside the signed body but nothing enforces freshness' } });
  }

  // ---- sendgrid
  {
    const body = '[' + P.sendgrid.events.map((e) => j(e)).join(',\r\n') + ']\r\n';
    const name = 'sendgrid/processed-delivered';
    const prev = prevSig(name);
    const reuse = prev && prev.request.body === body && prev.inputs.timestamp === T
      && prev.inputs.public_key_base64 === SENDGRID_KEY.publicKeyBase64 ? prev.request.headers['X-Twilio-Email-Event-Webhook-Signature'] : undefined;
    const request = await S.sendgrid({ key: SENDGRID_KEY, url: `${BASE}/sendgrid`, body, timestamp: T, signature: reuse });
    add({ scheme: 'sendgrid', name, body_source: P.sendgrid.source,
      signed_by: 'node:crypto ECDSA P-256/SHA-256 (randomised; kept once made)', verified_by: lib('@sendgrid/eventwebhook', 'starkbank-ecdsa') + ' EventWebhook.verifySignature, and node:crypto.verify',
      inputs: { timestamp: T, url: `${BASE}/sendgrid`, public_key_base64: SENDGRID_KEY.publicKeyBase64,
        public_key_pem: SENDGRID_KEY.publicKeyPem, private_key_pem: SENDGRID_KEY.privateKeyPem,
        private_scalar_hex: SENDGRID_KEY.privateScalarHex, key_note: 'RFC 6979 appendix A.2.5 P-256 test key; test-only' },
      request,
      expect: { valid: true, events: P.sendgrid.events.map((e) => ({ delivery_id: e.sg_event_id, event_type: e.event })),
        delivery_id_from: 'each array element sg_event_id (signed)', delivery_id_signed: true, event_type_from: 'each element event (signed)',
        signed_body_sha256: digestOf(body), signed_timestamp: T } });

    // SendGrid's own vectors, from @sendgrid/eventwebhook src/eventwebhook.spec.js (real SendGrid keys; no private key).
    const spec = [
      { name: 'sendgrid/library-spec-single', pk: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==',
        sig: 'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=', ts: '1600112502',
        body: j([{ email: 'hello@world.com', event: 'dropped', reason: 'Bounced Address', sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
          sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0', 'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>', timestamp: 1600112492 }]) + '\r\n',
        events: [{ delivery_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA', event_type: 'dropped' }] },
      { name: 'sendgrid/library-spec-multiple', pk: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q==',
        sig: 'MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5', ts: '1619651159',
        body: j([{ email: 'invalid@gmail.com', event: 'processed', send_at: 0, sg_event_id: 'cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA',
          sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0', 'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>', timestamp: 1619651146 },
        { email: 'invalid@gmail.com', event: 'bounce', ip: '167.89.101.76', reason: '552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp',
          sg_event_id: 'Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w', sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
          'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>', status: '5.2.2', timestamp: 1619651147, tls: 1, type: 'blocked' }]).split('},{').join('},\r\n{') + '\r\n',
        events: [{ delivery_id: 'cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA', event_type: 'processed' },
          { delivery_id: 'Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w', event_type: 'bounce' }] },
    ];
    for (const s of spec) {
      const request = { method: 'POST', url: `${BASE}/sendgrid`, headers: { 'Content-Type': 'application/json',
        'X-Twilio-Email-Event-Webhook-Signature': s.sig, 'X-Twilio-Email-Event-Webhook-Timestamp': s.ts }, body: s.body };
      if (!(await S.verifiers.sendgrid(request, { publicKeyBase64: s.pk }))) throw new Error(`${s.name}: library vector does not verify`);
      add({ scheme: 'sendgrid', name: s.name, body_source: 'https://github.com/sendgrid/sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js (shipped in the npm package)',
        signed_by: 'SendGrid (real signature from the library\'s test suite)', verified_by: lib('@sendgrid/eventwebhook') + ' EventWebhook.verifySignature, and node:crypto.verify',
        inputs: { timestamp: Number(s.ts), url: `${BASE}/sendgrid`, public_key_base64: s.pk }, request,
        expect: { valid: true, events: s.events, delivery_id_from: 'each element sg_event_id (signed)', delivery_id_signed: true,
          event_type_from: 'each element event (signed)', signed_body_sha256: digestOf(s.body), signed_timestamp: Number(s.ts) } });
    }
  }

  // ---- discord
  {
    const keyInputs = { public_key_hex: DISCORD_KEY.publicKeyHex, private_seed_hex: DISCORD_KEY.seedHex,
      key_note: 'RFC 8032 section 7.1 TEST 1 Ed25519 key; test-only' };
    const url = `${BASE}/discord`;
    const request = await S.discord({ key: DISCORD_KEY, url, body: P.discordCommand.body, timestamp: T });
    add({ scheme: 'discord', name: 'discord/interaction-application-command', body_source: P.discordCommand.source,
      signed_by: 'node:crypto Ed25519', verified_by: lib('discord-interactions') + ' verifyKey', inputs: { ...keyInputs, url, timestamp: T }, request,
      expect: { valid: true, delivery_id: '786008729715212338', delivery_id_from: 'body id, the interaction snowflake (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(request.body), event_type: 'APPLICATION_COMMAND', interaction_type: 2, command_name: 'cardsearch',
        event_type_from: 'body type (2 = APPLICATION_COMMAND; signed); data.name names the command', signed_timestamp: T } });

    const ping = await S.challenges.discord({ key: DISCORD_KEY, url, timestamp: T, body: P.discordPing.body });
    add({ scheme: 'discord', name: 'discord/interaction-ping', kind: 'challenge', body_source: P.discordPing.source,
      signed_by: 'node:crypto Ed25519', verified_by: lib('discord-interactions') + ' verifyKeyMiddleware (response below is the middleware\'s)',
      inputs: { ...keyInputs, url, timestamp: T }, request: ping.request, response: ping.response,
      expect: { valid: true, is_challenge: true, delivery_id: '1170847398543274015', event_type: 'PING', interaction_type: 1, signed_timestamp: T } });

    const ev = await S.discord({ key: DISCORD_KEY, url: `${BASE}/discord-events`, body: P.discordEvent.body, timestamp: T });
    add({ scheme: 'discord', name: 'discord/webhook-event-application-authorized', body_source: P.discordEvent.source,
      signed_by: 'node:crypto Ed25519', verified_by: lib('discord-interactions') + ' verifyKey', inputs: { ...keyInputs, url: `${BASE}/discord-events`, timestamp: T }, request: ev,
      expect: { valid: true, delivery_id: digestOf(ev.body), delivery_id_from: 'none sent: sha256(body) (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(ev.body), event_type: 'APPLICATION_AUTHORIZED', event_type_from: 'body event.type (signed; outer type 1 = event)', signed_timestamp: T,
        response: { status: 204, body: '' } } });

    const evPing = await S.challenges.discord_webhook_event({ key: DISCORD_KEY, url: `${BASE}/discord-events`, timestamp: T, body: P.discordEventPing.body });
    add({ scheme: 'discord', name: 'discord/webhook-event-ping', kind: 'challenge', body_source: P.discordEventPing.source,
      signed_by: 'node:crypto Ed25519', verified_by: lib('discord-interactions') + ' verifyWebhookEventMiddleware (response below is the middleware\'s)',
      inputs: { ...keyInputs, url: `${BASE}/discord-events`, timestamp: T }, request: evPing.request, response: evPing.response,
      expect: { valid: true, is_challenge: true, delivery_id: null, event_type: 'PING', signed_timestamp: T } });
  }

  // ---- svix
  {
    const inputs = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', url: `${BASE}/svix`, timestamp: T, msgId: 'msg_2xJ8mW5eC4qP9gT1bVnR7yLs0Ad' };
    const request = await S.svix({ ...inputs, body: P.svix.body });
    add({ scheme: 'svix', name: 'svix/invoice-paid', body_source: P.svix.source,
      signed_by: lib('svix') + ' Webhook.sign', verified_by: lib('svix', 'standardwebhooks') + ' Webhook.verify', inputs, request,
      expect: { valid: true, delivery_id: inputs.msgId, delivery_id_from: 'header svix-id (signed: part of the signed content)', delivery_id_signed: true,
        signed_body_sha256: digestOf(request.body), event_type: 'invoice.paid', event_type_from: 'body type (by convention; Svix does not mandate a field)', signed_timestamp: T } });

    const std = await S.svix({ ...inputs, body: P.svix.body, headerPrefix: 'webhook' });
    add({ scheme: 'svix', name: 'svix/standard-webhooks-header-names', body_source: P.svix.source,
      note: 'Same message with the Standard Webhooks header names (webhook-id/-timestamp/-signature), which the svix library also accepts.',
      signed_by: lib('svix') + ' Webhook.sign', verified_by: lib('svix', 'standardwebhooks') + ' Webhook.verify', inputs, request: std,
      expect: { valid: true, delivery_id: inputs.msgId, delivery_id_from: 'header webhook-id (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(std.body), event_type: 'invoice.paid', event_type_from: 'body type', signed_timestamp: T } });

    const d = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', url: `${BASE}/svix`, timestamp: 1614265330, msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek' };
    const doc = await S.svix({ ...d, body: '{"test": 2432232314}' });
    if (doc.headers['svix-signature'] !== 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=') throw new Error('svix: documented vector mismatch');
    add({ scheme: 'svix', name: 'svix/documented', body_source: 'Standard Webhooks / Svix documented test vector (also in shared/providers.md section 5)',
      signed_by: lib('svix') + ' Webhook.sign (equals the documented signature)', verified_by: lib('svix', 'standardwebhooks') + ' Webhook.verify (clock set to the example\'s timestamp)',
      inputs: d, request: doc,
      expect: { valid: true, delivery_id: d.msgId, delivery_id_from: 'header svix-id (signed)', delivery_id_signed: true,
        signed_body_sha256: digestOf(doc.body), event_type: null, event_type_from: 'body has no type', signed_timestamp: d.timestamp } });
  }

  // ---- negative vectors: one byte of the body changed after signing
  const tamper = [
    ['shopify/customers-data-request', 'shopify', '"id":9999', '"id":9998', false],
    ['slack/events-api-app-mention', 'slack', 'hour of the pearl', 'hour of the pearL', false],
    ['twilio/form-status-callback', 'twilio', 'MessageStatus=delivered', 'MessageStatus=failed', false],
    ['gitlab/push-hook', 'gitlab', '"ref":"refs/heads/master"', '"ref":"refs/heads/mastex"', true],
    ['bitbucket/repo-push', 'bitbucket', '"forced":false', '"forced":true', false],
    ['linear/issue-create', 'linear', '"action":"create"', '"action":"remove"', false],
    ['paddle/customer-created', 'paddle', 'jo@example.com', 'jo@example.org', false],
    ['zoom/meeting-started', 'zoom', '"duration":60', '"duration":61', false],
    ['mailgun/delivered', 'mailgun', '"event":"delivered"', '"event":"failed"', true],
    ['typeform/form-response', 'typeform', 'laura@example.com', 'laura@example.org', false],
    ['intercom/contact-user-created', 'intercom', 'joe@example.com', 'joe@example.org', false],
    ['sendgrid/processed-delivered', 'sendgrid', '"event":"delivered"', '"event":"bounce"', false],
    ['discord/interaction-application-command', 'discord', 'The Gitrog Monster', 'The Gitrog MonsteR', false],
    ['svix/invoice-paid', 'svix', '"status":"paid"', '"status":"void"', false],
  ];
  for (const [from, scheme, a, b, stillValid] of tamper) {
    const v = V.find((x) => x.name === from);
    if (!v.request.body.includes(a)) throw new Error(`${from}: tamper anchor not found`);
    const request = { ...v.request, body: v.request.body.replace(a, b) };
    add({ scheme, name: `${from}#tampered-body`, kind: 'negative', derived_from: from,
      note: stillValid
        ? 'Body changed after signing and STILL accepted: this scheme does not authenticate that part of the body (SCHEMES.md).'
        : 'Body changed after signing: must be refused (401 bad_signature).',
      verified_by: v.verified_by, inputs: v.inputs, request, expect: { valid: stillValid } });
  }

  // ---- twilio: the URL Twilio signed had no port; the request arrives naming :443 (or the reverse).
  {
    const v = V.find((x) => x.name === 'twilio/form-status-callback');
    const request = { ...v.request, url: v.request.url.replace('https://hooks.example.com/', 'https://hooks.example.com:443/') };
    add({ scheme: 'twilio', name: 'twilio/form-status-callback#url-with-default-port', kind: 'variant', derived_from: v.name,
      note: 'Same signature, URL written with the default port: twilio validateRequest accepts it (it tries the URL with and without :443/:80). A verifier must try both forms.',
      verified_by: v.verified_by, inputs: v.inputs, request, expect: { ...v.expect, valid: true } });
  }

  return {
    about: 'Signed webhook test vectors for hookbridge, generated by tests/signatures/generate.mjs with the providers\' own libraries. See SCHEMES.md. Do not edit by hand.',
    generated_with: libs,
    fixed_time: T,
    note_on_time: 'Verifiers that check a timestamp must be run with their clock at expect.signed_timestamp (the vectors were signed then).',
    vectors: V,
  };
}

function twilioSignedString(url, params) {
  // URL followed by each parameter name immediately followed by its value, sorted by name
  // (byte order of the names; equal names: values sorted, duplicates removed — twilio-node).
  const byName = {};
  for (const [k, v] of params) (byName[k] ??= new Set()).add(v);
  return Object.keys(byName).sort().reduce((acc, k) => acc + [...byName[k]].sort().map((v) => k + v).join(''), url);
}

// ---------------------------------------------------------------- checks

const NOW_FOR = (v) => v.expect.signed_timestamp ?? v.inputs.timestamp ?? T;

function verifyOpts(v) {
  const i = v.inputs;
  if (v.scheme === 'sendgrid') return { publicKeyBase64: i.public_key_base64 };
  if (v.scheme === 'discord') return { publicKeyHex: i.public_key_hex };
  return { secret: i.secret, now: NOW_FOR(v) };
}

/** Timestamp-tolerance behaviour of each official library, checked against the vectors. */
const TOLERANCE = {
  'slack/events-api-app-mention': { lib: '@slack/bolt', past: 300, future: null },
  'svix/invoice-paid': { lib: 'svix', past: 300, future: 300 },
  'linear/issue-create': { lib: '@linear/sdk', past: 60, future: 60 },
  'paddle/customer-created': { lib: '@paddle/paddle-node-sdk', past: 5, future: null },
};

async function checkAll(doc) {
  const failures = [];
  for (const v of doc.vectors) {
    let ok;
    try { ok = await S.verifiers[v.scheme](v.request, verifyOpts(v)); } catch (e) { ok = `threw ${e.message}`; }
    if (ok !== v.expect.valid) failures.push(`${v.name}: official verifier said ${ok}, expected ${v.expect.valid}`);
  }
  for (const [name, t] of Object.entries(TOLERANCE)) {
    const v = doc.vectors.find((x) => x.name === name);
    const o = verifyOpts(v);
    const at = async (now) => S.verifiers[v.scheme](v.request, { ...o, now });
    if (!(await at(o.now + t.past))) failures.push(`${name}: ${t.lib} refused at the edge of its past tolerance (${t.past} s)`);
    if (await at(o.now + t.past + 1)) failures.push(`${name}: ${t.lib} accepted ${t.past + 1} s after the timestamp`);
    if (t.future !== null) {
      if (await at(o.now - t.future - 1)) failures.push(`${name}: ${t.lib} accepted a timestamp ${t.future + 1} s in the future`);
    } else if (!(await at(o.now - 3600))) failures.push(`${name}: ${t.lib} was expected to accept future timestamps (it has no future bound)`);
  }
  return failures;
}

// ---------------------------------------------------------------- main

const check = process.argv.includes('--check');
const previous = fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, 'utf8')) : undefined;
const doc = await build(previous);
const text = JSON.stringify(doc, null, 2) + '\n';

if (!check) {
  fs.writeFileSync(OUT, text);
  const failures = await checkAll(doc);
  for (const f of failures) console.error('FAIL', f);
  console.log(`wrote ${path.relative(process.cwd(), OUT)}: ${doc.vectors.length} vectors`);
  process.exit(failures.length ? 1 : 0);
}

const failures = [];
if (!previous) failures.push('vectors.json is missing: run node generate.mjs');
else {
  if (fs.readFileSync(OUT, 'utf8') !== text) failures.push('vectors.json differs from what generate.mjs makes now: regenerate it and review the diff');
  failures.push(...(await checkAll(previous)).map((f) => `vectors.json ${f}`));
}
failures.push(...(await checkAll(doc)).map((f) => `regenerated ${f}`));
const n = doc.vectors.length;
for (const f of failures) console.error('FAIL', f);
console.log(`${failures.length ? 0 : n} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
