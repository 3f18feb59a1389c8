'use strict';
// @hookbridge/client: subscribe to hookbridge's typed event stream, or
// consume a durable consumer's events as a member of its group.

const { Client } = require('./lib/client');
const { Subscription } = require('./lib/subscription');
const { Consumer, ConsumerMessage, ConsumerError } = require('./lib/consumer');
const { FileCursorStore, MemoryCursorStore } = require('./lib/cursor');
const { Backoff } = require('./lib/backoff');
const { Position, toSequence, compareSequences, sequenceRuns } = require('./lib/sequence');
const {
  SubscriptionError,
  RETRYABLE_CODES,
  isRetryable,
  START_AFTER_HEADER,
  RESUME_AFTER_TRAILER,
} = require('./lib/status');
const { messageToJSON, structToJSON } = require('./lib/json');
const { loadRoot } = require('./lib/proto');

// The protobuf JSON form (proto field names) of an event the library handed
// out, as a plain object: JSON.stringify(eventToJSON(event)).
function eventToJSON(event) {
  return messageToJSON(loadRoot().lookupType('hookbridge.v1.Event'), event);
}

module.exports = {
  Client,
  Subscription,
  SubscriptionError,
  Consumer,
  ConsumerMessage,
  ConsumerError,
  FileCursorStore,
  MemoryCursorStore,
  Backoff,
  Position,
  toSequence,
  compareSequences,
  sequenceRuns,
  isRetryable,
  RETRYABLE_CODES,
  START_AFTER_HEADER,
  RESUME_AFTER_TRAILER,
  eventToJSON,
  messageToJSON,
  structToJSON,
  loadRoot,
};
