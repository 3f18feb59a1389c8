'use strict';
// An in-process EventBridgeService for the tests: each Subscribe and
// Consume call is handed to the test's script, which writes responses and
// ends the call as hookbridge would.

const grpc = require('@grpc/grpc-js');
const { loadRoot, CONVERSION } = require('../lib/proto');

const root = loadRoot();

function method(name, requestType, responseType, responseStream, requestStream = false) {
  const req = root.lookupType(requestType);
  const res = root.lookupType(responseType);
  return {
    path: `/hookbridge.v1.EventBridgeService/${name}`,
    requestStream,
    responseStream,
    requestSerialize: (o) => Buffer.from(req.encode(req.fromObject(o)).finish()),
    requestDeserialize: (b) => req.toObject(req.decode(b), { ...CONVERSION, defaults: false }),
    responseSerialize: (o) => Buffer.from(res.encode(res.fromObject(o)).finish()),
    responseDeserialize: (b) => res.toObject(res.decode(b), CONVERSION),
  };
}

const SERVICE = {
  Subscribe: method('Subscribe', 'hookbridge.v1.SubscribeRequest', 'hookbridge.v1.SubscribeResponse', true),
  GetServerInfo: method('GetServerInfo', 'hookbridge.v1.GetServerInfoRequest', 'hookbridge.v1.GetServerInfoResponse', false),
  ListEventTypes: method('ListEventTypes', 'hookbridge.v1.ListEventTypesRequest', 'hookbridge.v1.ListEventTypesResponse', false),
  Consume: method('Consume', 'hookbridge.v1.ConsumeRequest', 'hookbridge.v1.ConsumeResponse', true, true),
};

// A minimal Event object of sequence `n`.
function event(n, extra = {}) {
  return { id: `id-${n}`, sequence: String(n), source: 'src', type: 'comment.added', ...extra };
}

// Metadata with `hookbridge-start-after: n`.
function startAfter(n) {
  const md = new grpc.Metadata();
  md.set('hookbridge-start-after', String(n));
  return md;
}

// A ConsumeResponse with these events, delivered for the attempt-th time.
function consumed(sequences, attempt = 1) {
  return { events: sequences.map((n) => ({ event: event(n), delivery_attempt: attempt })) };
}

// Every sequence a Consume call acknowledged, ranges expanded, in order.
function acked(call) {
  const out = [];
  for (const r of call.requests) {
    if (!r.ack) continue;
    out.push(...(r.ack.sequences || []).map(Number));
    for (const { first, last } of r.ack.ranges || []) {
      for (let n = Number(first); n <= Number(last); n += 1) out.push(n);
    }
  }
  return out;
}

// Resolves once `condition(call)` holds, checked on each request the call
// brings and when the client stops sending.
function until(call, condition) {
  return new Promise((resolve) => {
    const check = () => {
      if (!condition(call)) return;
      call.removeListener('request', check);
      resolve();
    };
    call.on('request', check);
    check();
  });
}

// Ends a Subscribe or Consume call with `code`, `details` and optional trailers:
// resumeAfter (hookbridge-resume-after), retryDelayMs (RetryInfo in
// grpc-status-details-bin), errorInfo ({reason, metadata}).
function fail(call, code, details, { resumeAfter, retryDelayMs, errorInfo } = {}) {
  const md = new grpc.Metadata();
  if (resumeAfter !== undefined) md.set('hookbridge-resume-after', String(resumeAfter));
  const anys = [];
  if (retryDelayMs !== undefined) {
    const t = root.lookupType('google.rpc.RetryInfo');
    const ms = retryDelayMs;
    anys.push({
      type_url: 'type.googleapis.com/google.rpc.RetryInfo',
      value: t.encode(t.fromObject({ retry_delay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } })).finish(),
    });
  }
  if (errorInfo) {
    const t = root.lookupType('google.rpc.ErrorInfo');
    anys.push({
      type_url: 'type.googleapis.com/google.rpc.ErrorInfo',
      value: t.encode(t.fromObject({ domain: 'hookbridge', ...errorInfo })).finish(),
    });
  }
  if (anys.length) {
    const st = root.lookupType('google.rpc.Status');
    md.set('grpc-status-details-bin', Buffer.from(st.encode(st.fromObject({ code, message: details, details: anys })).finish()));
  }
  call.emit('error', { code, details, metadata: md });
}

// Starts a server. `subscribe(call, index)` runs for each Subscribe call
// (index from 0), `consume(call, index)` for each Consume call once its
// first request arrived (`call.start`; the later ones are collected in
// `call.requests`, each emitting 'request'; `call.clientDone` once the
// client half-closed (`call.halfClosed`) or went away); `info` is the GetServerInfoResponse.
// Resolves to {target, requests, consumeCalls, close()}; requests collects
// the SubscribeRequests.
async function startServer({ subscribe, consume, info = {}, infoError, serverOptions = {}, credentials }) {
  const server = new grpc.Server(serverOptions);
  const state = { requests: [], metadata: [], infoCalls: 0, calls: [], consumeCalls: [] };
  server.addService(SERVICE, {
    Consume: (call) => {
      call.requests = [];
      call.clientDone = false;
      call.on('data', (request) => {
        if (!call.first) {
          call.first = request;
          call.start = request.start;
          state.consumeCalls.push(call);
          consume(call, state.consumeCalls.length - 1);
          return;
        }
        call.requests.push(request);
        call.emit('request');
      });
      const done = () => {
        if (call.clientDone) return;
        call.clientDone = true;
        call.emit('request');
      };
      call.on('end', () => {
        call.halfClosed = true;
        done();
      });
      call.on('cancelled', done);
      call.on('error', () => {});
    },
    Subscribe: (call) => {
      state.requests.push(call.request);
      state.metadata.push(call.metadata);
      state.calls.push(call);
      subscribe(call, state.requests.length - 1);
    },
    GetServerInfo: (call, callback) => {
      state.infoCalls += 1;
      if (infoError) {
        const error = infoError(state.infoCalls);
        if (error) {
          callback(error);
          return;
        }
      }
      callback(null, {
        version: 'test',
        log_backend: 'memory',
        max_response_bytes: String(8 << 20),
        heartbeat_interval: { seconds: 1 },
        ...info,
      });
    },
    ListEventTypes: (call, callback) => callback(null, { providers: [] }),
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials || grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    target: `127.0.0.1:${port}`,
    ...state,
    state,
    close: () => server.forceShutdown(),
  };
}

module.exports = { startServer, event, startAfter, fail, consumed, acked, until, root };
