'use strict';
// The protobuf JSON mapping of events, as the CLI prints them.
const test = require('node:test');
const assert = require('node:assert/strict');
const { eventToJSON, messageToJSON, structToJSON, loadRoot } = require('..');
const { codec, CONVERSION } = require('../lib/proto');
const { timestampToJSON, durationToJSON } = require('../lib/json');

const root = loadRoot();
const Event = root.lookupType('hookbridge.v1.Event');

// An object as the library hands it out: encoded, then decoded.
function roundTrip(type, object) {
  const c = codec(type);
  return c.deserialize(c.serialize(object));
}

test('a typed event: proto names, uint64 as strings, enums by name, RFC 3339 times, Structs as JSON', () => {
  const event = roundTrip(Event, {
    id: 'd-1',
    sequence: '9007199254740993',
    source: 'ckeditor',
    provider: 'PROVIDER_CKEDITOR_CLOUD_SERVICES',
    type: 'comment.added',
    environment_id: 'environment-1',
    subject: 'doc-1',
    sent_at: { seconds: '1559117873', nanos: 457000000 },
    received_at: { seconds: '1559117874', nanos: 0 },
    ckeditor: {
      comment_added: {
        document: { id: 'doc-1' },
        comment: {
          id: 'c-1',
          content: 'text 1',
          created_at: { seconds: '1559117873', nanos: 450000000 },
          attributes: {
            fields: {
              n: { numberValue: 1.5 },
              s: { stringValue: 'x' },
              b: { boolValue: false },
              z: { nullValue: 'NULL_VALUE' },
              l: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'two' }] } },
              o: { structValue: { fields: { k: { stringValue: 'v' } } } },
            },
          },
        },
      },
    },
  });
  assert.equal(event.payload, 'ckeditor');
  // Struct values as protobufjs / @grpc/proto-loader give them.
  assert.deepEqual(event.ckeditor.comment_added.comment.attributes.fields.s, { kind: 'stringValue', stringValue: 'x' });
  assert.deepEqual(structToJSON(event.ckeditor.comment_added.comment.attributes).l, [1, 'two']);
  assert.deepEqual(eventToJSON(event), {
    id: 'd-1',
    sequence: '9007199254740993',
    source: 'ckeditor',
    provider: 'PROVIDER_CKEDITOR_CLOUD_SERVICES',
    type: 'comment.added',
    environment_id: 'environment-1',
    subject: 'doc-1',
    sent_at: '2019-05-29T08:17:53.457Z',
    received_at: '2019-05-29T08:17:54Z',
    ckeditor: {
      comment_added: {
        document: { id: 'doc-1' },
        comment: {
          id: 'c-1',
          content: 'text 1',
          created_at: '2019-05-29T08:17:53.450Z',
          attributes: { n: 1.5, s: 'x', b: false, z: null, l: [1, 'two'], o: { k: 'v' } },
        },
      },
    },
  });
});

test('defaults are left out, set oneof members and messages are kept; bytes in base64', () => {
  const event = roundTrip(Event, {
    sequence: '1',
    raw_body: Buffer.from('{"a":1}'),
    superseded: false,
    untyped: { fields: {} },
  });
  assert.deepEqual(eventToJSON(event), { sequence: '1', raw_body: Buffer.from('{"a":1}').toString('base64'), untyped: {} });
  assert.equal(JSON.stringify(eventToJSON(roundTrip(Event, {}))), '{}');
});

test('SubscribeRequest: a oneof member at its default value is printed', () => {
  const type = root.lookupType('hookbridge.v1.SubscribeRequest');
  const request = roundTrip(type, { after_sequence: '0', types: ['a', 'b'] });
  assert.deepEqual(messageToJSON(type, request), { types: ['a', 'b'], after_sequence: '0' });
});

test('maps, int64 and doubles', () => {
  const info = root.lookupType('hookbridge.v1.GetServerInfoResponse');
  const object = roundTrip(info, { max_response_bytes: '8388608', heartbeat_interval: { seconds: '1', nanos: 500000000 }, max_batch_events: 100 });
  assert.deepEqual(messageToJSON(info, object), { max_response_bytes: '8388608', heartbeat_interval: '1.500s', max_batch_events: 100 });
  const errorInfo = root.lookupType('google.rpc.ErrorInfo');
  assert.deepEqual(messageToJSON(errorInfo, roundTrip(errorInfo, { reason: 'R', metadata: { a: '1' } })), { reason: 'R', metadata: { a: '1' } });
});

test('Any is expanded with @type', () => {
  const status = root.lookupType('google.rpc.Status');
  const retry = root.lookupType('google.rpc.RetryInfo');
  const object = roundTrip(status, {
    code: 14,
    details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retry.encode(retry.fromObject({ retry_delay: { seconds: 3 } })).finish() }],
  });
  assert.deepEqual(messageToJSON(status, object), { code: 14, details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retry_delay: '3s' }] });
  assert.equal(CONVERSION.longs, String);
});

test('Timestamp and Duration digits', () => {
  assert.equal(timestampToJSON({ seconds: '0', nanos: 0 }), '1970-01-01T00:00:00Z');
  assert.equal(timestampToJSON({ seconds: '1', nanos: 1000 }), '1970-01-01T00:00:01.000001Z');
  assert.equal(timestampToJSON({ seconds: '1', nanos: 1 }), '1970-01-01T00:00:01.000000001Z');
  assert.equal(timestampToJSON({ seconds: '-1', nanos: 0 }), '1969-12-31T23:59:59Z');
  assert.equal(durationToJSON({ seconds: '0', nanos: 0 }), '0s');
  assert.equal(durationToJSON({ seconds: '-1', nanos: -500000000 }), '-1.500s');
  assert.equal(durationToJSON({ seconds: '0', nanos: -1000 }), '-0.000001s');
});
