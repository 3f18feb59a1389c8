'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const grpc = require('@grpc/grpc-js');
const { isRetryable } = require('..');
const { describeStatus, formatStatus, sequenceFrom, codeName } = require('../lib/status');
const { root } = require('./fake-server');

test('retryable codes', () => {
  const retryable = ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'ABORTED', 'INTERNAL', 'UNKNOWN', 'DEADLINE_EXCEEDED'];
  for (const [name, code] of Object.entries(grpc.status)) {
    if (typeof code !== 'number') continue;
    assert.equal(isRetryable(code), retryable.includes(name), name);
  }
  for (const name of ['OUT_OF_RANGE', 'INVALID_ARGUMENT', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'CANCELLED', 'OK']) {
    assert.equal(isRetryable(grpc.status[name]), false, name);
  }
  assert.equal(codeName(14), 'UNAVAILABLE');
  assert.equal(codeName(99), '99');
});

function details(anys) {
  const md = new grpc.Metadata();
  const st = root.lookupType('google.rpc.Status');
  md.set('grpc-status-details-bin', Buffer.from(st.encode(st.fromObject({ code: 14, details: anys })).finish()));
  return md;
}

function any(name, object) {
  const type = root.lookupType(name);
  return { type_url: `type.googleapis.com/${name}`, value: type.encode(type.fromObject(object)).finish() };
}

test('the resume-after trailer, RetryInfo and ErrorInfo are read from the trailers', () => {
  const md = details([
    any('google.rpc.ErrorInfo', { reason: 'SHUTTING_DOWN', domain: 'hookbridge', metadata: { resume_after: '11' } }),
    any('google.rpc.RetryInfo', { retry_delay: { seconds: 2, nanos: 500000000 } }),
  ]);
  md.set('hookbridge-resume-after', '12');
  const d = describeStatus({ code: 14, details: 'shutting down', metadata: md });
  assert.equal(d.codeName, 'UNAVAILABLE');
  assert.equal(d.resumeAfter, '12'); // the trailer first
  assert.equal(d.retryDelayMs, 2500);
  assert.equal(d.errorInfo.reason, 'SHUTTING_DOWN');
  assert.equal(formatStatus(d), 'UNAVAILABLE: shutting down (hookbridge-resume-after: 12)');
});

test('without the trailer, ErrorInfo resume_after; without either, no parenthesis', () => {
  const md = details([any('google.rpc.ErrorInfo', { reason: 'X', metadata: { resume_after: '11' } })]);
  assert.equal(describeStatus({ code: 14, details: 'd', metadata: md }).resumeAfter, '11');
  const none = describeStatus({ code: 11, details: 'beyond\nthe end', metadata: new grpc.Metadata() });
  assert.equal(none.resumeAfter, undefined);
  assert.equal(none.retryDelayMs, undefined);
  assert.equal(formatStatus(none), 'OUT_OF_RANGE: beyond the end');
});

test('malformed facts are ignored', () => {
  const md = new grpc.Metadata();
  md.set('hookbridge-resume-after', 'soon');
  md.set('grpc-status-details-bin', Buffer.from([0xff, 0xff, 0xff]));
  const d = describeStatus({ code: 14, details: '', metadata: md });
  assert.equal(d.resumeAfter, undefined);
  assert.equal(d.retryDelayMs, undefined);
  const start = new grpc.Metadata();
  start.set('hookbridge-start-after', '0');
  assert.equal(sequenceFrom(start, 'hookbridge-start-after'), '0');
  assert.equal(sequenceFrom(start, 'missing'), undefined);
});
