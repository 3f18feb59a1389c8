// ES module entry of @hookbridge/client (the same objects as require()).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const hookbridge = require('./index.js');

export const {
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
} = hookbridge;
export default hookbridge;
