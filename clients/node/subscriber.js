#!/usr/bin/env node
// Subscribes to hookbridge and prints each matching event as one JSON line.
//
// After each event it saves the event's sequence (the cursor) to a file;
// when started again it resumes right after that sequence, so a restart
// neither skips nor repeats an event. Without a cursor file it starts live,
// or at the oldest retained event with --earliest.
//
//   (cd clients/node && npm ci)
//   node clients/node/subscriber.js --target localhost:50051 \
//       --types 'comment.*' --cursor comments.cursor
//
// The .proto files are loaded at run time: no code generation.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const START_AFTER_HEADER = 'hookbridge-start-after';
const RESUME_AFTER_TRAILER = 'hookbridge-resume-after';
// proto/ of this repository; HOOKBRIDGE_PROTO_DIR points elsewhere.
const PROTO_DIR = process.env.HOOKBRIDGE_PROTO_DIR || path.join(__dirname, '..', '..', 'proto');

const USAGE = `usage: subscriber.js [options]
  --target HOST:PORT  hookbridge gRPC address (default: $HOOKBRIDGE_TARGET or localhost:50051)
  --types LIST        event types or patterns, comma-separated, e.g. 'comment.*,*.removed'
  --sources LIST      source names, comma-separated
  --cursor FILE       file holding the last sequence processed
                      (default: $HOOKBRIDGE_CURSOR or ./hookbridge.cursor)
  --earliest          without a cursor file, start at the oldest retained event (default: live)
  --count N           exit after N events (default: never)
The subscriber token is read from $HOOKBRIDGE_TOKEN.`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: process.env.HOOKBRIDGE_TARGET || 'localhost:50051' },
      types: { type: 'string', multiple: true, default: [] },
      sources: { type: 'string', multiple: true, default: [] },
      cursor: { type: 'string', default: process.env.HOOKBRIDGE_CURSOR || 'hookbridge.cursor' },
      earliest: { type: 'boolean', default: false },
      count: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  // Lists are comma-separated and the flags may repeat.
  const list = (items) => items.flatMap((item) => item.split(',')).filter(Boolean);
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 0) throw new Error(`--count: not a count: ${values.count}`);
  return { ...values, types: list(values.types), sources: list(values.sources), count };
}

// Returns the sequence saved in `file` as a decimal string (uint64 does not
// fit a JS number), or null when there is no file.
function loadCursor(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'ascii').trim();
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
  if (!/^\d+$/.test(text)) throw new Error(`${file} does not hold a sequence number`);
  return text;
}

// Replaces `file` with `sequence` atomically: a crash leaves the old or the
// new cursor, never a torn one.
function saveCursor(file, sequence) {
  const tmp = path.join(path.dirname(file), `.cursor-${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, `${sequence}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function main() {
  let options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`subscriber: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const definition = protoLoader.loadSync('hookbridge/v1/service.proto', {
    includeDirs: ['/usr/include', PROTO_DIR], // well-known types, then ours
    keepCase: true, // proto field names: environment_id, after_sequence
    longs: String, // uint64 sequences as exact decimal strings
    enums: String, // PROVIDER_CKEDITOR_CLOUD_SERVICES, not 1
    defaults: false, // like proto3 JSON: unset fields are left out
    oneofs: true, // adds e.g. payload: 'ckeditor' naming the set field
  });
  const { EventBridgeService } = grpc.loadPackageDefinition(definition).hookbridge.v1;

  const request = { types: options.types, sources: options.sources };
  let cursor;
  try {
    cursor = loadCursor(options.cursor);
  } catch (error) {
    console.error(`subscriber: ${error.message}`);
    return 2;
  }
  if (cursor !== null) {
    request.after_sequence = cursor; // resume right after the last event processed
  } else if (options.earliest) {
    request.earliest = true;
  } // else live: only events appended from now on

  // No TLS here; put hookbridge behind TLS and use grpc.credentials.createSsl() in production.
  const client = new EventBridgeService(options.target, grpc.credentials.createInsecure());
  // The subscriber token, from the environment (flags show in the process list).
  const metadata = new grpc.Metadata();
  if (process.env.HOOKBRIDGE_TOKEN) metadata.set('authorization', `Bearer ${process.env.HOOKBRIDGE_TOKEN}`);
  const call = client.subscribe(request, metadata);
  let processed = 0;
  let done = false;

  // The server sends this once the stream is established.
  call.on('metadata', (metadata) => {
    const [start] = metadata.get(START_AFTER_HEADER);
    if (start !== undefined) console.error(`subscriber: streaming events after sequence ${start}`);
  });

  call.on('data', (response) => {
    for (const event of response.events) onEvent(event);
  });

  const onEvent = (event) => {
    if (done) return;
    // Process the event; here: print it.
    process.stdout.write(`${JSON.stringify(event)}\n`);
    // Only then move the cursor past it.
    try {
      saveCursor(options.cursor, event.sequence);
    } catch (error) {
      console.error(`subscriber: saving the cursor: ${error.message}`);
      done = true;
      process.exitCode = 1;
      call.cancel();
      return;
    }
    processed += 1;
    if (options.count > 0 && processed >= options.count) {
      done = true;
      call.cancel();
    }
  };

  call.on('error', (error) => {
    client.close();
    if (done) return; // our own cancel after --count
    // When the stream had started, the server says up to where every
    // matching event was sent: a restart may resume from there.
    const [resume] = error.metadata ? error.metadata.get(RESUME_AFTER_TRAILER) : [];
    let message = `subscriber: stream ended: ${grpc.status[error.code]}: ${error.details}`;
    if (resume !== undefined) message += ` (${RESUME_AFTER_TRAILER}: ${resume})`;
    console.error(message);
    process.exitCode = 1;
  });

  call.on('end', () => client.close()); // the server ended the stream

  process.once('SIGINT', () => {
    done = true;
    process.exitCode = 130;
    call.cancel();
  });
  return 0;
}

process.exitCode = main();
