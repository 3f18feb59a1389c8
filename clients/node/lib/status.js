'use strict';
// gRPC statuses: which ones a subscription retries, and the facts hookbridge
// puts in them (the `hookbridge-resume-after` trailer and the google.rpc
// richer error model in `grpc-status-details-bin`).

const { status: Status } = require('@grpc/grpc-js');
const { loadRoot, CONVERSION } = require('./proto');

const START_AFTER_HEADER = 'hookbridge-start-after';
const RESUME_AFTER_TRAILER = 'hookbridge-resume-after';
const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

// Codes after which a subscription reconnects by itself. A transport failure
// (connection refused or lost) arrives as UNAVAILABLE.
const RETRYABLE_CODES = Object.freeze(
  new Set([
    Status.UNAVAILABLE,
    Status.RESOURCE_EXHAUSTED,
    Status.ABORTED,
    Status.INTERNAL,
    Status.UNKNOWN,
    Status.DEADLINE_EXCEEDED,
  ]),
);

function isRetryable(code) {
  return RETRYABLE_CODES.has(code);
}

// 'UNAVAILABLE' for 14; the number itself for a code gRPC does not name.
function codeName(code) {
  const name = Status[code];
  return typeof name === 'string' ? name : String(code);
}

const SEQUENCE = /^\d+$/;

// The first value of `key` in grpc-js Metadata when it is a sequence number.
function sequenceFrom(metadata, key) {
  if (!metadata || typeof metadata.get !== 'function') return undefined;
  const [value] = metadata.get(key);
  if (value === undefined) return undefined;
  const text = Buffer.isBuffer(value) ? value.toString('ascii') : String(value);
  return SEQUENCE.test(text.trim()) ? text.trim() : undefined;
}

function durationToMs(duration) {
  if (!duration) return 0;
  return Number(duration.seconds || 0) * 1000 + Math.ceil(Number(duration.nanos || 0) / 1e6);
}

// The google.rpc.Status in the trailers, with its ErrorInfo and RetryInfo
// details decoded: { errorInfo: {reason, domain, metadata} | undefined,
// retryDelayMs: number | undefined }. Empty when there is none or it does
// not parse.
function statusDetails(metadata) {
  const out = { errorInfo: undefined, retryDelayMs: undefined };
  if (!metadata || typeof metadata.get !== 'function') return out;
  const [bin] = metadata.get(STATUS_DETAILS_TRAILER);
  if (!bin) return out;
  try {
    const root = loadRoot();
    const status = root.lookupType('google.rpc.Status').decode(Buffer.isBuffer(bin) ? bin : Buffer.from(bin));
    for (const any of status.details || []) {
      const url = any.type_url || '';
      const name = url.slice(url.lastIndexOf('/') + 1);
      if (name === 'google.rpc.RetryInfo') {
        const type = root.lookupType(name);
        const info = type.toObject(type.decode(any.value), CONVERSION);
        out.retryDelayMs = durationToMs(info.retry_delay);
      } else if (name === 'google.rpc.ErrorInfo') {
        const type = root.lookupType(name);
        out.errorInfo = type.toObject(type.decode(any.value), CONVERSION);
      }
    }
  } catch {
    // A status we cannot read adds nothing.
  }
  return out;
}

// The hookbridge-resume-after sequence of an ended call: the trailer, or the
// `resume_after` of the status' ErrorInfo.
function resumeAfterOf(metadata, errorInfo) {
  const trailer = sequenceFrom(metadata, RESUME_AFTER_TRAILER);
  if (trailer !== undefined) return trailer;
  const fromInfo = errorInfo && errorInfo.metadata && errorInfo.metadata.resume_after;
  return fromInfo !== undefined && SEQUENCE.test(fromInfo) ? fromInfo : undefined;
}

// How a call ended, in one shape whether it failed or was given up on:
// { code, codeName, details, metadata, resumeAfter, retryDelayMs, errorInfo }.
function describeStatus({ code, details, metadata }) {
  const { errorInfo, retryDelayMs } = statusDetails(metadata);
  return {
    code,
    codeName: codeName(code),
    details: details || '',
    metadata,
    resumeAfter: resumeAfterOf(metadata, errorInfo),
    retryDelayMs,
    errorInfo,
  };
}

// "CODE: message (hookbridge-resume-after: N)", the parenthesis only when
// the server said where to resume.
function formatStatus({ codeName: name, details, resumeAfter }) {
  const suffix = resumeAfter !== undefined ? ` (${RESUME_AFTER_TRAILER}: ${resumeAfter})` : '';
  const text = String(details || '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return `${name}: ${text}${suffix}`;
}

// A subscription (or a call it made) ended with a status it does not retry.
class SubscriptionError extends Error {
  constructor(described) {
    super(formatStatus(described));
    this.name = 'SubscriptionError';
    this.code = described.code;
    this.codeName = described.codeName;
    this.details = described.details;
    this.resumeAfter = described.resumeAfter;
    this.errorInfo = described.errorInfo;
    this.retryDelayMs = described.retryDelayMs;
    this.metadata = described.metadata;
  }
}

module.exports = {
  START_AFTER_HEADER,
  RESUME_AFTER_TRAILER,
  RETRYABLE_CODES,
  isRetryable,
  codeName,
  sequenceFrom,
  statusDetails,
  resumeAfterOf,
  describeStatus,
  formatStatus,
  SubscriptionError,
};
