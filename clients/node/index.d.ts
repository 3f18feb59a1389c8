// Types of @hookbridge/client. The messages are the generated declarations
// in types/generated (the objects protobufjs decodes with the library's
// options: proto field names, 64-bit integers as decimal strings, enums by
// name, bytes as Buffers, scalars always present, unset messages null, a
// virtual property per oneof naming its set member).

import { EventEmitter } from 'node:events';
import type { ChannelCredentials, ChannelOptions, Metadata, ServiceError, status } from '@grpc/grpc-js';
import type { Root, Type } from 'protobufjs';
import type { google, hookbridge } from './types/generated/index';

export type { google, hookbridge } from './types/generated/index';

/** A uint64 sequence as a decimal string: it may exceed Number.MAX_SAFE_INTEGER. */
export type Sequence = string;
/** What the library accepts as a sequence. */
export type SequenceLike = string | number | bigint;

/** One event of the log, as a subscription yields it. */
export type Event = hookbridge.v1.Event;
export type Heartbeat = hookbridge.v1.Heartbeat;
export type Gap = hookbridge.v1.Gap;
export type Provider = hookbridge.v1.Provider;
export type GetServerInfoResponse = hookbridge.v1.GetServerInfoResponse;
export type ListEventTypesResponse = hookbridge.v1.ListEventTypesResponse;
/** One event of a durable consumer, as the server hands it to a member. */
export type ConsumedEvent = hookbridge.v1.ConsumedEvent;
export type RejectedSequences = hookbridge.v1.RejectedSequences;

export interface ClientOptions {
  /** Bearer token, sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS with the system's root certificates. */
  tls?: boolean;
  /** TLS trusting these PEM root certificates. */
  ca?: Buffer | string;
  /** TLS trusting the PEM root certificates in this file. */
  caFile?: string;
  /** The name the server certificate is checked against (and the :authority). */
  serverName?: string;
  /** Channel credentials to use instead of tls / ca / caFile. */
  credentials?: ChannelCredentials;
  /** More grpc-js channel options. */
  channelOptions?: ChannelOptions;
  /** Deadline of the GetServerInfo made before each subscribe attempt (default 10000). */
  serverInfoTimeoutMs?: number;
  /** Directory with the .proto files (default: the copy in the package). */
  protoDir?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Where a subscription resumes after a restart. */
export interface CursorStore {
  /** The stored sequence, or null/undefined when there is none. */
  load(): SequenceLike | null | undefined | Promise<SequenceLike | null | undefined>;
  /** Stores the sequence; called as events are handled and on heartbeats. */
  save(sequence: Sequence): void | Promise<void>;
}

/** A cursor file, replaced atomically on each save (temporary file, fsync, rename). */
export class FileCursorStore implements CursorStore {
  constructor(path: string);
  readonly path: string;
  load(): Promise<Sequence | null>;
  save(sequence: SequenceLike): Promise<void>;
}

export class MemoryCursorStore implements CursorStore {
  constructor(initial?: SequenceLike | null);
  sequence: Sequence | null;
  load(): Sequence | null;
  save(sequence: SequenceLike): void;
}

export interface BackoffOptions {
  /** First ceiling (default 100 ms). */
  initialMs?: number;
  /** Largest ceiling (default 10000 ms). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  multiplier?: number;
  /** Source of [0, 1) numbers (default Math.random). */
  random?: () => number;
}

/** Exponential backoff with full jitter. */
export class Backoff {
  constructor(options?: BackoffOptions);
  attempt: number;
  ceiling(): number;
  next(minimumMs?: number): number;
  reset(): void;
}

/** Told before each reconnection attempt. */
export interface ReconnectInfo {
  /** How long the subscription waits before the attempt. */
  delayMs: number;
  code: status;
  /** e.g. 'UNAVAILABLE' */
  codeName: string;
  details: string;
  /** The server's hookbridge-resume-after, when it sent one. */
  resumeAfter?: Sequence;
  /** The server's google.rpc.RetryInfo delay, when it sent one. */
  retryDelayMs?: number;
}

export interface SubscribeOptions {
  /** Event types or patterns (`comment.*`); empty: any. */
  types?: string[];
  sources?: string[];
  environmentIds?: string[];
  subjects?: string[];
  /** Start after this sequence (0: from the first event ever appended). */
  afterSequence?: SequenceLike;
  /** Start at the events appended at or after this time. */
  since?: Date | string | { seconds: SequenceLike; nanos?: number };
  /** Start at the oldest retained event. Without a start option: live. */
  earliest?: boolean;
  /** Also receive each event's original request body in raw_body. */
  includeRaw?: boolean;
  /** Report evicted events as a Gap and go on, instead of failing with OUT_OF_RANGE. */
  allowGaps?: boolean;
  /**
   * Resume after its sequence when it has one (the start options then do
   * not apply); the position is saved once each event was handled (the
   * next one is asked for, or the loop is left) and on heartbeats.
   */
  cursorStore?: CursorStore;
  /** Ends the subscription cleanly: the loop ends, without an error. */
  signal?: AbortSignal;
  /** The stream was established after `startAfter` (hookbridge-start-after). */
  onSubscribed?: (startAfter: Sequence) => void | Promise<void>;
  onGap?: (gap: Gap) => void | Promise<void>;
  onReconnecting?: (info: ReconnectInfo) => void | Promise<void>;
  onHeartbeat?: (heartbeat: Heartbeat) => void | Promise<void>;
  backoff?: BackoffOptions;
  /** Reconnect after this long without a message (default: 3 x heartbeat_interval; 0: never). */
  idleTimeoutMs?: number;
  /** Responses read ahead of the consumer before the stream is resumed later instead (default 64). */
  maxBufferedResponses?: number;
}

/** A subscription: iterate it with `for await`. */
export class Subscription extends EventEmitter implements AsyncIterableIterator<Event> {
  /** The last event handed out, or the later sequence the server said everything up to was delivered. */
  readonly position: Sequence | null;
  /** The GetServerInfo of the current connection. */
  serverInfo: GetServerInfoResponse | null;
  /** Ends the subscription: a pending next() resolves as done. */
  cancel(): void;
  next(): Promise<IteratorResult<Event, undefined>>;
  return(value?: unknown): Promise<IteratorResult<Event, undefined>>;
  throw(error?: unknown): Promise<IteratorResult<Event, undefined>>;
  [Symbol.asyncIterator](): this;

  on(event: 'subscribed', listener: (startAfter: Sequence) => void): this;
  on(event: 'gap', listener: (gap: Gap) => void): this;
  on(event: 'reconnecting', listener: (info: ReconnectInfo) => void): this;
  on(event: 'heartbeat', listener: (heartbeat: Heartbeat) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'subscribed', listener: (startAfter: Sequence) => void): this;
  once(event: 'gap', listener: (gap: Gap) => void): this;
  once(event: 'reconnecting', listener: (info: ReconnectInfo) => void): this;
  once(event: 'heartbeat', listener: (heartbeat: Heartbeat) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

export interface ConsumeOptions {
  /** Names the member in the server's metrics, logs and console (e.g. the pod name); default: the server chooses. */
  memberId?: string;
  /** Ends consumption cleanly: the loop ends without an error, after a flush of at most flushTimeoutMs. */
  signal?: AbortSignal;
  /** A Consume stream was established (the first, and after each reconnect). */
  onConsuming?: () => void | Promise<void>;
  /**
   * Acknowledgements (or nacks, extensions) of events no longer outstanding at
   * this member, e.g. redelivered elsewhere after their deadline: ignored by the
   * server. Called as the response arrives; throwing ends consumption with that error.
   */
  onRejected?: (rejected: RejectedSequences) => void | Promise<void>;
  /** Events the log's retention removed before the consumer acknowledged them. */
  onGap?: (gap: Gap) => void | Promise<void>;
  onReconnecting?: (info: ReconnectInfo) => void | Promise<void>;
  backoff?: BackoffOptions;
  /** Reconnect after this long without a message (default: 3 x heartbeat_interval; 0: never). */
  idleTimeoutMs?: number;
  /** How long closing waits for confirmations and the end of the stream (default 5000). */
  flushTimeoutMs?: number;
}

export interface NackOptions {
  /** Deliver it again after this long (default: at once). */
  delayMs?: number;
  /** Kept if the event becomes a dead letter. */
  reason?: string;
}

/**
 * One event handed to this member. ack(), nack() and extend() queue a request
 * (sent once the event loop turns, several per message) and return true; they
 * return false and do nothing once the message was acknowledged or negatively
 * acknowledged, or when its stream has ended (the event comes again).
 */
export class ConsumerMessage {
  /** The ConsumedEvent as received. */
  readonly consumedEvent: ConsumedEvent;
  readonly event: Event;
  /** 1 for the first delivery of this event to the consumer. */
  readonly deliveryAttempt: number;
  readonly sequence: Sequence;
  /** The event is done. */
  ack(): boolean;
  /** Give it back, to be delivered again (to any member). */
  nack(options?: NackOptions): boolean;
  /** Restart its ack deadline (long processing); may be repeated. */
  extend(): boolean;
}

/** A member of a durable consumer's group: iterate it with `for await`. */
export class Consumer extends EventEmitter implements AsyncIterableIterator<ConsumerMessage> {
  readonly name: string;
  readonly memberId: string | null;
  /** How long closing waits for confirmations (default 5000). */
  flushTimeoutMs: number;
  /** Acknowledgements the server confirmed as durable, on every stream. */
  readonly confirmed: number;
  /** Sequences the server rejected. */
  readonly rejected: number;
  /** The GetServerInfo of the current connection. */
  serverInfo: GetServerInfoResponse | null;
  /**
   * Sends what is queued and resolves true once every acknowledgement sent was
   * answered (and none was dropped with an ended stream since the previous
   * flush); false when timeoutMs (default: no bound) passed first.
   */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Cancels, flushes, half-closes and waits for the end of the stream, within timeoutMs (default flushTimeoutMs). */
  close(timeoutMs?: number): Promise<void>;
  /** Ends consumption: a pending next() resolves as done; the stream ends after a bounded flush. */
  cancel(): void;
  next(): Promise<IteratorResult<ConsumerMessage, undefined>>;
  return(value?: unknown): Promise<IteratorResult<ConsumerMessage, undefined>>;
  throw(error?: unknown): Promise<IteratorResult<ConsumerMessage, undefined>>;
  [Symbol.asyncIterator](): this;

  on(event: 'consuming', listener: () => void): this;
  on(event: 'rejected', listener: (rejected: RejectedSequences) => void): this;
  on(event: 'gap', listener: (gap: Gap) => void): this;
  on(event: 'reconnecting', listener: (info: ReconnectInfo) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'consuming', listener: () => void): this;
  once(event: 'rejected', listener: (rejected: RejectedSequences) => void): this;
  once(event: 'gap', listener: (gap: Gap) => void): this;
  once(event: 'reconnecting', listener: (info: ReconnectInfo) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** The subscription ended with a status it does not retry. */
export class SubscriptionError extends Error {
  /** gRPC status code. */
  code: status;
  /** e.g. 'OUT_OF_RANGE' */
  codeName: string;
  /** The status message. */
  details: string;
  /** The server's hookbridge-resume-after, when it sent one. */
  resumeAfter?: Sequence;
  /** The google.rpc.ErrorInfo of the status, when there is one. */
  errorInfo?: google.rpc.ErrorInfo;
  retryDelayMs?: number;
  /** The trailers. */
  metadata?: Metadata;
}

/** Consumption ended with a status it does not retry (NOT_FOUND, PERMISSION_DENIED, ...). */
export class ConsumerError extends SubscriptionError {}

export class Client {
  /** target: 'host:port' or a gRPC target URI. */
  constructor(target: string, options?: ClientOptions);
  readonly target: string;
  /** Rejects with the grpc-js ServiceError. */
  getServerInfo(options?: CallOptions): Promise<GetServerInfoResponse>;
  listEventTypes(options?: CallOptions): Promise<ListEventTypesResponse>;
  subscribe(options?: SubscribeOptions): Subscription;
  /** Joins the group of the durable consumer `consumer` as a member. */
  consume(consumer: string, options?: ConsumeOptions): Consumer;
  /** The protobufjs Type of an API message, e.g. 'hookbridge.v1.Event'. */
  messageType(name: string): Type;
  /** Cancels the open subscriptions, closes the consumers (each flushes first) and the channels. */
  close(): Promise<void>;
}

/** Sequence position that only moves forward. */
export class Position {
  constructor(initial?: SequenceLike | null);
  value: Sequence | null;
  advance(sequence: SequenceLike | null | undefined): boolean;
  covers(sequence: SequenceLike): boolean;
}

export function toSequence(value: SequenceLike, what?: string): Sequence;
export function compareSequences(a: SequenceLike, b: SequenceLike): -1 | 0 | 1;
/** Distinct sequences, ascending, as single ones and contiguous runs of two or more. */
export function sequenceRuns(sequences: Iterable<SequenceLike>): {
  singles: Sequence[];
  runs: { first: Sequence; last: Sequence }[];
};
export function isRetryable(code: status | number): boolean;
export const RETRYABLE_CODES: ReadonlySet<number>;
export const START_AFTER_HEADER: 'hookbridge-start-after';
export const RESUME_AFTER_TRAILER: 'hookbridge-resume-after';

/** JSON value (the protobuf JSON mapping's output). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An event in the protobuf JSON mapping with proto field names, as a plain object. */
export function eventToJSON(event: Event): { [key: string]: JsonValue };
/** Any message object of `type` in the protobuf JSON mapping. */
export function messageToJSON(type: Type, object: object): JsonValue;
/** A google.protobuf.Struct (e.g. event.untyped) as a plain JSON object. */
export function structToJSON(struct: google.protobuf.Struct | null | undefined): { [key: string]: JsonValue };
/** The protobufjs Root with the API's messages. */
export function loadRoot(protoDir?: string): Root;

export type { ServiceError };
