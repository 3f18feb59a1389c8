'use strict';
// The client: one target, its credentials and channels, and the calls of
// hookbridge.v1.EventBridgeService.

const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const { loadRoot, codec } = require('./proto');
const { Subscription } = require('./subscription');
const { Consumer } = require('./consumer');

const SERVICE = '/hookbridge.v1.EventBridgeService/';
const MAX_INT32 = 2147483647;

function durationMs(duration) {
  if (!duration) return 0;
  return Number(duration.seconds || 0) * 1000 + Math.round(Number(duration.nanos || 0) / 1e6);
}

function channelCredentials(options) {
  if (options.credentials) return options.credentials;
  let ca = options.ca;
  if (ca === undefined && options.caFile) ca = fs.readFileSync(options.caFile);
  if (ca !== undefined) return grpc.credentials.createSsl(Buffer.isBuffer(ca) ? ca : Buffer.from(String(ca)));
  if (options.tls) return grpc.credentials.createSsl();
  return grpc.credentials.createInsecure();
}

class Client {
  // target: 'host:port' (or any gRPC target URI).
  // options:
  //   token        bearer token, sent as `authorization: Bearer <token>`
  //   tls          true: TLS with the system's root certificates
  //   ca           PEM root certificate(s) (Buffer or string): TLS trusting them
  //   caFile       path of such a PEM file
  //   serverName   the name to verify the server certificate against (and
  //                the :authority), when it differs from the target's host
  //   credentials  grpc.ChannelCredentials, instead of tls / ca / caFile
  //   channelOptions  extra grpc-js channel options
  //   serverInfoTimeoutMs  deadline of the GetServerInfo made before each
  //                subscribe attempt (default 10000)
  //   protoDir     directory with the .proto files (default: the package's)
  constructor(target, options = {}) {
    if (typeof target !== 'string' || target === '') throw new TypeError('Client: a target (host:port) is required');
    this.target = target;
    this._token = options.token || undefined;
    this._serverInfoTimeoutMs = options.serverInfoTimeoutMs ?? 10000;
    this._credentials = channelCredentials(options);
    this._channelOptions = { ...(options.channelOptions || {}) };
    if (options.serverName) {
      this._channelOptions['grpc.ssl_target_name_override'] = options.serverName;
      this._channelOptions['grpc.default_authority'] = options.serverName;
    }
    const root = loadRoot(options.protoDir);
    this._root = root;
    this._types = {
      event: root.lookupType('hookbridge.v1.Event'),
      subscribeResponse: root.lookupType('hookbridge.v1.SubscribeResponse'),
    };
    this._codecs = {
      subscribeRequest: codec(root.lookupType('hookbridge.v1.SubscribeRequest')),
      subscribeResponse: codec(this._types.subscribeResponse),
      getServerInfoRequest: codec(root.lookupType('hookbridge.v1.GetServerInfoRequest')),
      getServerInfoResponse: codec(root.lookupType('hookbridge.v1.GetServerInfoResponse')),
      listEventTypesRequest: codec(root.lookupType('hookbridge.v1.ListEventTypesRequest')),
      listEventTypesResponse: codec(root.lookupType('hookbridge.v1.ListEventTypesResponse')),
      consumeRequest: codec(root.lookupType('hookbridge.v1.ConsumeRequest')),
      consumeResponse: codec(root.lookupType('hookbridge.v1.ConsumeResponse')),
    };
    // Unary calls use the default receive limit; streams get a channel of
    // their own whose limit is the server's max_response_bytes.
    this._unary = new grpc.Client(target, this._credentials, this._channelOptions);
    this._streamChannels = new Map();
    this._streams = new Set(); // subscriptions and consumers
    this._closed = false;
  }

  // The protobufjs Type of a message of the API, e.g. 'hookbridge.v1.Event'
  // (for messageToJSON, or to encode and decode yourself).
  messageType(name) {
    return this._root.lookupType(name);
  }

  _metadata() {
    const metadata = new grpc.Metadata();
    if (this._token) metadata.set('authorization', `Bearer ${this._token}`);
    return metadata;
  }

  _unaryCall(method, requestCodec, responseCodec, request, { signal, timeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const callOptions = {};
      if (timeoutMs) callOptions.deadline = Date.now() + timeoutMs;
      const onAbort = () => call.cancel();
      const call = this._unary.makeUnaryRequest(
        SERVICE + method,
        requestCodec.serialize,
        responseCodec.deserialize,
        request,
        this._metadata(),
        callOptions,
        (error, response) => {
          if (signal) signal.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(response);
        },
      );
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // The server's version, event log and limits (GetServerInfoResponse).
  // Rejects with the grpc-js ServiceError (code, details, metadata).
  getServerInfo({ signal, timeoutMs } = {}) {
    const c = this._codecs;
    return this._unaryCall('GetServerInfo', c.getServerInfoRequest, c.getServerInfoResponse, {}, {
      signal,
      timeoutMs: timeoutMs ?? this._serverInfoTimeoutMs,
    });
  }

  // The typed event types per provider, and the configured sources
  // (ListEventTypesResponse).
  listEventTypes({ signal, timeoutMs } = {}) {
    const c = this._codecs;
    return this._unaryCall('ListEventTypes', c.listEventTypesRequest, c.listEventTypesResponse, {}, { signal, timeoutMs });
  }

  // What the subscription needs from GetServerInfo: the receive limit and
  // the idle timeout.
  async _prepareStream(signal) {
    const info = await this.getServerInfo({ signal });
    const limit = Number(info.max_response_bytes);
    return {
      info,
      receiveLimit: limit > 0 ? Math.min(limit, MAX_INT32) : undefined,
      heartbeatMs: durationMs(info.heartbeat_interval),
    };
  }

  _streamChannel(receiveLimit) {
    const key = receiveLimit ?? 0;
    let channel = this._streamChannels.get(key);
    if (!channel) {
      const options = { ...this._channelOptions };
      if (receiveLimit !== undefined) options['grpc.max_receive_message_length'] = receiveLimit;
      channel = new grpc.Client(this.target, this._credentials, options);
      this._streamChannels.set(key, channel);
    }
    return channel;
  }

  _openSubscribe(request, receiveLimit) {
    const c = this._codecs;
    return this._streamChannel(receiveLimit).makeServerStreamRequest(
      `${SERVICE}Subscribe`,
      c.subscribeRequest.serialize,
      c.subscribeResponse.deserialize,
      request,
      this._metadata(),
      {},
    );
  }

  _openConsume(receiveLimit) {
    const c = this._codecs;
    return this._streamChannel(receiveLimit).makeBidiStreamRequest(
      `${SERVICE}Consume`,
      c.consumeRequest.serialize,
      c.consumeResponse.deserialize,
      this._metadata(),
      {},
    );
  }

  // Subscribes; iterate the result with `for await`. See Subscription for
  // the options.
  subscribe(options = {}) {
    return this._track(() => new Subscription(this, options));
  }

  // Joins the group of the durable consumer `consumer` as a member; iterate
  // the result with `for await`. See Consumer for the options.
  consume(consumer, options = {}) {
    return this._track(() => new Consumer(this, consumer, options));
  }

  _track(make) {
    if (this._closed) throw new Error('Client is closed');
    const stream = make();
    this._streams.add(stream);
    return stream;
  }

  _forget(stream) {
    this._streams.delete(stream);
  }

  // Cancels the open subscriptions, closes the consumers (each flushes
  // first, for at most its flushTimeoutMs) and the channels; resolves once
  // done.
  async close() {
    this._closed = true;
    const streams = [...this._streams];
    this._streams.clear();
    this._unary.close();
    await Promise.allSettled(streams.map((stream) => (stream.close ? stream.close() : stream.cancel())));
    for (const channel of this._streamChannels.values()) channel.close();
    this._streamChannels.clear();
  }
}

module.exports = { Client };
