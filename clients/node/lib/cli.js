'use strict';
// hookbridge-subscribe: prints the events of a subscription, or of a
// durable consumer, as JSON lines.

const fs = require('node:fs');
const { parseArgs } = require('node:util');
const { Client } = require('./client');
const { FileCursorStore } = require('./cursor');
const { messageToJSON } = require('./json');
const { formatStatus } = require('./status');

// The reason a --nack gives.
const NACK_REASON = 'hookbridge-subscribe --nack';
// Flags of a subscription, which a consumer has in its own config, and the
// consumer's own.
const SUBSCRIPTION_ONLY = ['types', 'sources', 'subjects', 'environment-ids', 'cursor', 'earliest', 'after', 'include-raw', 'allow-gaps'];
const CONSUMER_ONLY = ['member', 'nack', 'nack-delay', 'no-ack'];

const USAGE = `usage: hookbridge-subscribe --target HOST:PORT [--ca FILE | --tls] [--server-name NAME]
    [--types a,b] [--sources a,b] [--subjects a,b] [--environment-ids a,b]
    [--cursor FILE] [--earliest | --after N] [--include-raw] [--allow-gaps]
    [--count N]
       hookbridge-subscribe --target HOST:PORT ... --consumer NAME [--member ID]
    [--nack] [--nack-delay MS] [--no-ack] [--count N]

  --target HOST:PORT     server address (default: $HOOKBRIDGE_TARGET or localhost:50051)
  --ca FILE              TLS, trusting the PEM root certificate(s) in FILE
  --tls                  TLS, trusting the system's root certificates
  --server-name NAME     the name the server certificate is checked against
  --types LIST           event types or patterns ('comment.*'), comma-separated
  --sources LIST         source names, comma-separated
  --subjects LIST        subjects (document, asset, file ids), comma-separated
  --environment-ids LIST provider environment ids, comma-separated
  --cursor FILE          resume after the sequence in FILE when it exists, and
                         keep it updated (written atomically)
  --earliest             start at the oldest retained event (default: live)
  --after N              start after sequence N
  --include-raw          also receive each event's original request body
  --allow-gaps           report evicted events as a gap and go on, instead of failing
  --count N              exit after N events (with --consumer: once their
                         acknowledgements are confirmed)

  --consumer NAME        consume the durable consumer NAME as one member of its
                         group instead of subscribing (the filter and start flags
                         do not apply: the consumer has its own)
  --member ID            this member's id (default: the server chooses)
  --nack                 negatively acknowledge each event (reason
                         '${NACK_REASON}') instead of acknowledging it
  --nack-delay MS        with --nack: deliver it again after MS milliseconds
  --no-ack               leave each event unacknowledged until its deadline

The bearer token is read from $HOOKBRIDGE_TOKEN. List flags may repeat.
Each event is printed to stdout as one line of JSON (protobuf JSON mapping,
proto field names; with --consumer, the ConsumedEvent). Exit status: 0 after
--count events or on SIGINT/SIGTERM, 1 when the subscription fails, 2 for a
usage error.`;

class UsageError extends Error {}

function parse(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        ca: { type: 'string' },
        tls: { type: 'boolean' },
        'server-name': { type: 'string' },
        types: { type: 'string', multiple: true },
        sources: { type: 'string', multiple: true },
        subjects: { type: 'string', multiple: true },
        'environment-ids': { type: 'string', multiple: true },
        cursor: { type: 'string' },
        earliest: { type: 'boolean' },
        after: { type: 'string' },
        'include-raw': { type: 'boolean' },
        'allow-gaps': { type: 'boolean' },
        count: { type: 'string' },
        consumer: { type: 'string' },
        member: { type: 'string' },
        nack: { type: 'boolean' },
        'nack-delay': { type: 'string' },
        'no-ack': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const v = parsed.values;
  const list = (items) => (items || []).flatMap((item) => item.split(',')).map((s) => s.trim()).filter(Boolean);
  const options = {
    help: Boolean(v.help),
    target: v.target || env.HOOKBRIDGE_TARGET || 'localhost:50051',
    ca: v.ca,
    tls: Boolean(v.tls),
    serverName: v['server-name'],
    types: list(v.types),
    sources: list(v.sources),
    subjects: list(v.subjects),
    environmentIds: list(v['environment-ids']),
    cursor: v.cursor,
    earliest: Boolean(v.earliest),
    after: undefined,
    includeRaw: Boolean(v['include-raw']),
    allowGaps: Boolean(v['allow-gaps']),
    count: 0,
    consumer: v.consumer,
    member: v.member || undefined,
    nack: Boolean(v.nack),
    nackDelayMs: undefined,
    noAck: Boolean(v['no-ack']),
  };
  const [wrong, why] =
    v.consumer !== undefined
      ? [SUBSCRIPTION_ONLY, 'not with --consumer (the consumer has its own filter and position)']
      : [CONSUMER_ONLY, 'needs --consumer'];
  for (const flag of wrong) {
    if (v[flag] !== undefined) throw new UsageError(`--${flag}: ${why}`);
  }
  if (v.consumer === '') throw new UsageError('--consumer: a name is required');
  if (options.nack && options.noAck) throw new UsageError('--nack and --no-ack exclude each other');
  if (v['nack-delay'] !== undefined) {
    if (!options.nack) throw new UsageError('--nack-delay needs --nack');
    if (!/^\d+$/.test(v['nack-delay']) || !Number.isSafeInteger(Number(v['nack-delay']))) {
      throw new UsageError(`--nack-delay: not milliseconds: ${v['nack-delay']}`);
    }
    options.nackDelayMs = Number(v['nack-delay']);
  }
  if (v.ca === '') throw new UsageError('--ca: a file is required');
  if (v.cursor === '') throw new UsageError('--cursor: a file is required');
  if (v.after !== undefined) {
    if (!/^\d+$/.test(v.after) || BigInt(v.after) >= 2n ** 64n) throw new UsageError(`--after: not a sequence: ${v.after}`);
    options.after = BigInt(v.after).toString();
  }
  if (options.earliest && options.after !== undefined) throw new UsageError('--earliest and --after exclude each other');
  if (v.count !== undefined) {
    if (!/^\d+$/.test(v.count) || !Number.isSafeInteger(Number(v.count))) throw new UsageError(`--count: not a count: ${v.count}`);
    options.count = Number(v.count);
  }
  return options;
}

// Runs the CLI; resolves to the exit status. `io` is for tests: {env,
// stdout, stderr, signals (an EventEmitter like process)}.
async function main(argv, io = {}) {
  const env = io.env || process.env;
  const stdout = io.stdout || process.stdout;
  const stderr = io.stderr || process.stderr;
  const signals = io.signals || process;
  const say = (line) => stderr.write(`${line}\n`);

  let options;
  try {
    options = parse(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`hookbridge-subscribe: ${error.message}`);
    say(USAGE);
    return 2;
  }
  if (options.help) {
    stdout.write(`${USAGE}\n`);
    return 0;
  }

  let client;
  try {
    client = new Client(options.target, {
      token: env.HOOKBRIDGE_TOKEN || undefined,
      ca: options.ca !== undefined ? fs.readFileSync(options.ca) : undefined,
      tls: options.tls,
      serverName: options.serverName,
    });
  } catch (error) {
    say(`error: ${error.message}`);
    return 1;
  }

  const controller = new AbortController();
  const stop = () => controller.abort();
  signals.on('SIGINT', stop);
  signals.on('SIGTERM', stop);
  const onOutputError = (error) => {
    if (error.code !== 'EPIPE') say(`error: writing the output: ${error.message}`);
    controller.abort();
  };
  stdout.on('error', onOutputError);

  const consuming = options.consumer !== undefined;
  const type = client.messageType(consuming ? 'hookbridge.v1.ConsumedEvent' : 'hookbridge.v1.Event');
  const common = {
    signal: controller.signal,
    onReconnecting: (info) => say(`reconnecting in ${info.delayMs} ms: ${formatStatus(info)}`),
    onGap: (gap) => say(`gap: sequences ${gap.first_sequence}..${gap.last_sequence} were not retained`),
  };
  let printed = 0;
  let code = 0;
  try {
    const stream = consuming
      ? client.consume(options.consumer, {
          ...common,
          memberId: options.member,
          onConsuming: () => say(`consuming: ${options.consumer} as member ${options.member || '(server-chosen)'}`),
          onRejected: (rejected) => say(`rejected: ${rejected.sequences.length} sequences: ${rejected.reason}`),
        })
      : client.subscribe({
          ...common,
          types: options.types,
          sources: options.sources,
          subjects: options.subjects,
          environmentIds: options.environmentIds,
          earliest: options.earliest || undefined,
          afterSequence: options.after,
          includeRaw: options.includeRaw,
          allowGaps: options.allowGaps,
          cursorStore: options.cursor !== undefined ? new FileCursorStore(options.cursor) : undefined,
          onSubscribed: (startAfter) => say(`subscribed: streaming events after sequence ${startAfter}`),
        });
    for await (const item of stream) {
      stdout.write(`${JSON.stringify(messageToJSON(type, consuming ? item.consumedEvent : item))}\n`);
      if (consuming) settle(item, options);
      printed += 1;
      if (options.count > 0 && printed >= options.count) {
        if (consuming && !(await stream.flush(stream.flushTimeoutMs))) {
          say(
            `error: DEADLINE_EXCEEDED: acknowledgements not confirmed (within ${stream.flushTimeoutMs / 1000} s, ` +
              'or before their stream ended)',
          );
          code = 1;
          await stream.close(0); // no second wait
        }
        break;
      }
    }
  } catch (error) {
    say(`error: ${error.message}`);
    code = 1;
  } finally {
    signals.removeListener('SIGINT', stop);
    signals.removeListener('SIGTERM', stop);
    await client.close();
  }
  return code;
}

// What the CLI does with a consumer's message once it is printed.
function settle(message, options) {
  if (options.nack) message.nack({ delayMs: options.nackDelayMs, reason: NACK_REASON });
  else if (!options.noAck) message.ack();
}

module.exports = { main, parse, USAGE, UsageError };
