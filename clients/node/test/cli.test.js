'use strict';
// hookbridge-subscribe: flags, output lines and exit statuses, against the
// fake server.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const grpc = require('@grpc/grpc-js');
const { parse } = require('../lib/cli');
const { startServer, event, startAfter, fail, consumed, acked, until } = require('./fake-server');

const BIN = path.join(__dirname, '..', 'bin', 'hookbridge-subscribe.js');

function run(args, { env = {}, onStderr } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, HOOKBRIDGE_TOKEN: '', HOOKBRIDGE_TARGET: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (onStderr) onStderr(stderr, child);
  });
  const done = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('parse: lists split on commas and repeat; defaults from the environment', () => {
  const o = parse(['--types', 'a,b', '--types', 'c', '--sources', 's', '--environment-ids', 'e1,e2', '--subjects', 'x'], {
    HOOKBRIDGE_TARGET: 'h:1',
  });
  assert.deepEqual(o.types, ['a', 'b', 'c']);
  assert.deepEqual(o.sources, ['s']);
  assert.deepEqual(o.environmentIds, ['e1', 'e2']);
  assert.deepEqual(o.subjects, ['x']);
  assert.equal(o.target, 'h:1');
  assert.equal(parse([], {}).target, 'localhost:50051');
  assert.equal(parse(['--after', '18446744073709551615'], {}).after, '18446744073709551615');
  assert.equal(parse(['--count', '3'], {}).count, 3);
});

test('usage errors exit 2', async () => {
  for (const args of [
    ['--bogus'],
    ['positional'],
    ['--earliest', '--after', '3'],
    ['--after', 'x'],
    ['--count', '-1'],
    ['--count', 'many'],
    ['--target'],
  ]) {
    const { code, stdout, stderr } = await run(args).done;
    assert.equal(code, 2, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, /usage: hookbridge-subscribe/);
  }
  const help = await run(['--help']).done;
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--environment-ids/);
});

test('prints events as JSON lines, saves the cursor, exits 0 after --count', async (t) => {
  const server = await startServer({
    subscribe(call) {
      const after = Number(call.request.after_sequence || 0);
      call.sendMetadata(startAfter(after));
      const events = [];
      for (let n = after + 1; n <= after + 3; n += 1) {
        events.push(event(n, { ckeditor: { comment_added: { comment: { id: `c-${n}` } } }, received_at: { seconds: 1 } }));
      }
      call.write({ events });
    },
  });
  t.after(() => server.close());
  const cursor = path.join(tempDir(t), 'events.cursor');
  const first = await run(['--target', server.target, '--types', 'comment.*', '--earliest', '--count', '2', '--cursor', cursor], {
    env: { HOOKBRIDGE_TOKEN: 'tok' },
  }).done;
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.sequence), ['1', '2']);
  assert.deepEqual(lines[0].ckeditor, { comment_added: { comment: { id: 'c-1' } } });
  assert.equal(lines[0].received_at, '1970-01-01T00:00:01Z');
  assert.equal(fs.readFileSync(cursor, 'utf8'), '2\n');
  assert.equal(first.stderr, 'subscribed: streaming events after sequence 0\n');
  assert.equal(server.metadata[0].get('authorization')[0], 'Bearer tok');
  assert.equal(server.requests[0].earliest, true);

  // Again: the cursor wins over --earliest.
  const second = await run(['--target', server.target, '--earliest', '--count', '1', '--cursor', cursor]).done;
  assert.equal(second.code, 0, second.stderr);
  assert.equal(JSON.parse(second.stdout).sequence, '3');
  assert.equal(second.stderr, 'subscribed: streaming events after sequence 2\n');
  assert.equal(server.requests[1].after_sequence, '2');
  assert.equal(server.metadata[1].get('authorization').length, 0);
  assert.equal(fs.readFileSync(cursor, 'utf8'), '3\n');
});

test('reconnect, gap and error lines; exit 1 after error:', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        call.sendMetadata(startAfter(4));
        call.write({ gap: { first_sequence: '5', last_sequence: '6' } });
        call.write({ events: [event(7)] });
        fail(call, grpc.status.UNAVAILABLE, 'shutting down', { resumeAfter: 8 });
      } else {
        fail(call, grpc.status.OUT_OF_RANGE, 'sequence 8 is beyond the last sequence 7', { resumeAfter: 8 });
      }
    },
  });
  t.after(() => server.close());
  const r = await run(['--target', server.target, '--after', '4', '--allow-gaps']).done;
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).sequence, '7');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 4, r.stderr);
  assert.equal(lines[0], 'subscribed: streaming events after sequence 4');
  assert.equal(lines[1], 'gap: sequences 5..6 were not retained');
  assert.match(lines[2], /^reconnecting in \d+ ms: UNAVAILABLE: shutting down \(hookbridge-resume-after: 8\)$/);
  assert.equal(lines[3], 'error: OUT_OF_RANGE: sequence 8 is beyond the last sequence 7 (hookbridge-resume-after: 8)');
  assert.equal(server.requests[1].after_sequence, '8');
});

test('SIGTERM and SIGINT end it cleanly with status 0', async (t) => {
  const server = await startServer({ subscribe(call) { call.sendMetadata(startAfter(0)); call.write({ events: [event(1)] }); } });
  t.after(() => server.close());
  for (const signal of ['SIGTERM', 'SIGINT']) {
    const cursor = path.join(tempDir(t), 'c');
    const { done } = run(['--target', server.target, '--cursor', cursor], {
      onStderr: (text, child) => {
        if (text.includes('subscribed:')) setTimeout(() => child.kill(signal), 200);
      },
    });
    const r = await done;
    assert.equal(r.code, 0, `${signal}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).sequence, '1');
    assert.equal(fs.readFileSync(cursor, 'utf8'), '1\n');
  }
});

test('TLS with a CA file and a server name', async (t) => {
  const dir = tempDir(t);
  const { execFileSync } = require('node:child_process');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=hookbridge.test',
      '-addext', 'subjectAltName=DNS:hookbridge.test', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  } catch {
    t.skip('openssl is not available');
    return;
  }
  const fake = await startServer({
    subscribe(call) { call.sendMetadata(startAfter(0)); call.write({ events: [event(1)] }); },
    credentials: grpc.ServerCredentials.createSsl(null, [
      { private_key: fs.readFileSync(path.join(dir, 'key.pem')), cert_chain: fs.readFileSync(path.join(dir, 'cert.pem')) },
    ]),
  });
  t.after(() => fake.close());
  const ok = await run(['--target', fake.target, '--ca', path.join(dir, 'cert.pem'), '--server-name', 'hookbridge.test', '--count', '1']).done;
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).sequence, '1');
  // Plaintext against TLS fails (retried as UNAVAILABLE): stop it after the first retry line.
  const { done } = run(['--target', fake.target, '--count', '1'], {
    onStderr: (text, child) => {
      if (text.includes('reconnecting in')) child.kill('SIGTERM');
    },
  });
  const plain = await done;
  assert.equal(plain.code, 0);
  assert.match(plain.stderr, /^reconnecting in \d+ ms: UNAVAILABLE: /);
});

// -- --consumer

function accept(call) {
  call.sendMetadata(new grpc.Metadata());
}

async function endOnHalfClose(call) {
  await until(call, (c) => c.clientDone);
  call.end();
}

test('parse: consumer flags; subscription flags with --consumer and consumer flags without it are usage errors', async () => {
  const o = parse(['--consumer', 'indexer', '--member', 'm', '--nack', '--nack-delay', '1500', '--count', '2'], {});
  assert.deepEqual([o.consumer, o.member, o.nack, o.nackDelayMs, o.noAck, o.count], ['indexer', 'm', true, 1500, false, 2]);
  for (const args of [
    ['--consumer', 'c', '--types', 'a'],
    ['--consumer', 'c', '--sources', 'a'],
    ['--consumer', 'c', '--subjects', 'a'],
    ['--consumer', 'c', '--environment-ids', 'a'],
    ['--consumer', 'c', '--earliest'],
    ['--consumer', 'c', '--after', '3'],
    ['--consumer', 'c', '--cursor', 'f'],
    ['--consumer', 'c', '--include-raw'],
    ['--consumer', 'c', '--allow-gaps'],
    ['--member', 'm'],
    ['--nack'],
    ['--no-ack'],
    ['--consumer', 'c', '--nack', '--no-ack'],
    ['--consumer', 'c', '--nack-delay', '5'],
    ['--consumer', 'c', '--nack', '--nack-delay', '-5'],
    ['--consumer', ''],
  ]) {
    const { code, stdout, stderr } = await run(args).done;
    assert.equal(code, 2, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, /usage: hookbridge-subscribe/);
  }
});

test('--consumer prints ConsumedEvents, acknowledges them and exits 0 once they are confirmed', async (t) => {
  const server = await startServer({
    async consume(call) {
      accept(call);
      call.write(consumed([1, 2]));
      await until(call, (c) => acked(c).length >= 2);
      call.write({ acknowledged: { sequences: ['1', '2'] } });
      await endOnHalfClose(call);
    },
  });
  t.after(() => server.close());
  const r = await run(['--target', server.target, '--consumer', 'indexer', '--member', 'm-1', '--count', '2'], {
    env: { HOOKBRIDGE_TOKEN: 'tok' },
  }).done;
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.event.sequence, l.delivery_attempt]), [['1', 1], ['2', 1]]);
  assert.equal(lines[0].event.id, 'id-1');
  assert.equal(r.stderr, 'consuming: indexer as member m-1\n');
  const [call] = server.consumeCalls;
  assert.deepEqual(call.start, { consumer: 'indexer', member_id: 'm-1' });
  assert.deepEqual(acked(call).sort(), [1, 2]);
  assert.equal(call.metadata.get('authorization')[0], 'Bearer tok');
  assert.equal(call.halfClosed, true);
});

test('--consumer --count exits 1 when the acknowledgements are not confirmed', async (t) => {
  const server = await startServer({
    consume(call) {
      accept(call);
      call.write(consumed([1]));
    },
  });
  t.after(() => server.close());
  const r = await run(['--target', server.target, '--consumer', 'indexer', '--count', '1']).done;
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'consuming: indexer as member (server-chosen)',
    'error: DEADLINE_EXCEEDED: acknowledgements not confirmed (within 5 s, or before their stream ended)',
  ]);
  assert.deepEqual(server.consumeCalls[0].start, { consumer: 'indexer' });
});

test('--consumer --nack, --nack-delay and --no-ack', async (t) => {
  const server = await startServer({
    consume(call, index) {
      accept(call);
      call.write(consumed(index === 0 ? [1, 2] : [3]));
      endOnHalfClose(call);
    },
  });
  t.after(() => server.close());
  const nacked = await run(['--target', server.target, '--consumer', 'indexer', '--nack', '--nack-delay', '1500', '--count', '2']).done;
  assert.equal(nacked.code, 0, nacked.stderr);
  const first = server.consumeCalls[0];
  assert.deepEqual(acked(first), []);
  const nacks = first.requests.filter((r) => r.nack).map((r) => r.nack);
  assert.deepEqual(nacks.flatMap((n) => n.sequences).sort(), ['1', '2']);
  for (const n of nacks) {
    assert.equal(n.reason, 'hookbridge-subscribe --nack');
    assert.deepEqual(n.delay, { seconds: '1', nanos: 500000000 });
  }
  const left = await run(['--target', server.target, '--consumer', 'indexer', '--no-ack', '--count', '1']).done;
  assert.equal(left.code, 0, left.stderr);
  assert.equal(JSON.parse(left.stdout).event.sequence, '3');
  assert.deepEqual(server.consumeCalls[1].requests, []);
});

test('--consumer rejected, gap, reconnecting and error lines', async (t) => {
  const server = await startServer({
    async consume(call, index) {
      if (index > 0) {
        fail(call, grpc.status.NOT_FOUND, 'no consumer "indexer"');
        return;
      }
      accept(call);
      call.write(consumed([1]));
      await until(call, (c) => acked(c).length >= 1);
      call.write({ rejected: { sequences: ['1'], reason: 'redelivered' } });
      call.write({ gap: { first_sequence: '4', last_sequence: '6' } });
      fail(call, grpc.status.UNAVAILABLE, 'shutting down');
    },
  });
  t.after(() => server.close());
  const r = await run(['--target', server.target, '--consumer', 'indexer', '--member', 'm']).done;
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).event.sequence, '1');
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'consuming: indexer as member m',
    'rejected: 1 sequences: redelivered',
    'gap: sequences 4..6 were not retained',
  ]);
  assert.match(lines[3], /^reconnecting in \d+ ms: UNAVAILABLE: shutting down$/);
  assert.deepEqual(lines.slice(4), ['error: NOT_FOUND: no consumer "indexer"']);
});

test('--consumer: SIGTERM flushes the acknowledgements, then exits 0', async (t) => {
  const server = await startServer({
    async consume(call) {
      accept(call);
      call.write(consumed([1]));
      await until(call, (c) => acked(c).length >= 1);
      call.write({ acknowledged: { sequences: ['1'] } });
      await endOnHalfClose(call);
    },
  });
  t.after(() => server.close());
  let signalled = false;
  const { done } = run(['--target', server.target, '--consumer', 'indexer'], {
    onStderr: (text, child) => {
      if (text.includes('consuming:') && !signalled) {
        signalled = true;
        until(server.consumeCalls[0], (c) => acked(c).length >= 1).then(() => child.kill('SIGTERM'));
      }
    },
  });
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).event.sequence, '1');
  assert.equal(r.stderr, 'consuming: indexer as member (server-chosen)\n');
  assert.equal(server.consumeCalls[0].halfClosed, true);
});
