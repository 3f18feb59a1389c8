// proto/ through buf, the protobuf ecosystem's own tool (npm @bufbuild/buf,
// a static binary; scripts/setup.sh installs it here): the module builds
// with buf's compiler as well as with protoc, and it is formatted as
// `buf format` writes it, and `buf lint` (STANDARD, proto/buf.yaml) finds
// nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoDir = path.resolve(here, '../../proto');
const buf = path.join(here, 'node_modules/.bin/buf');
if (!fs.existsSync(buf)) {
  throw new Error(`${buf} is missing: run scripts/setup.sh (npm ci in tests/proto)`);
}

function run(...args) {
  const r = spawnSync(buf, args, { cwd: protoDir, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

test('proto/ builds with buf', () => {
  const r = run('build');
  assert.equal(r.status, 0, r.stderr);
});

// proto/io/cloudevents is the CloudEvents spec's own file, vendored as
// published: not ours to reformat.
test('proto/ is formatted as buf format writes it (fix: buf format -w proto)', () => {
  const r = run('format', '-d', '--exit-code', '--exclude-path', 'io');
  assert.equal(r.status, 0, `buf format would change:\n${r.stdout}${r.stderr}`);
});

test('buf lint (STANDARD) finds nothing', () => {
  const r = run('lint');
  assert.equal(r.status === 0 || r.status === 100, true, r.stderr);
  const findings = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(findings.length, 0, `${findings.length} lint findings:\n${r.stdout}`);
});

// The languages protoc generates for without a plugin: each gets the
// package layout the file options promise (docs/CLIENTS.md shows these
// commands), and the gRPC plugins Debian ships produce their stubs.
test('protoc built-in generators honour the language options', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-gen-'));
  try {
    const langs = ['java', 'kotlin', 'csharp', 'ruby', 'php', 'objc'];
    for (const l of langs) fs.mkdirSync(path.join(out, l));
    const protos = listProtos();
    const r = spawnSync('protoc', ['-I', protoDir, '-I', '/usr/include',
      ...langs.map((l) => `--${l}_out=${path.join(out, l)}`), ...protos], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const read = (p) => fs.readFileSync(path.join(out, p), 'utf8');
    // Java: one file per message, in com.hookbridge.<package>.
    assert.match(read('java/com/hookbridge/v1/SubscribeResponse.java'), /^package com\.hookbridge\.v1;/m);
    assert.match(read('java/com/hookbridge/ckeditor/v1/CommentAdded.java'), /^package com\.hookbridge\.ckeditor\.v1;/m);
    assert.ok(fs.existsSync(path.join(out, 'java/com/hookbridge/v1/EventProto.java')));
    assert.match(read('kotlin/com/hookbridge/v1/SubscribeResponseKt.kt'), /^package com\.hookbridge\.v1/m);
    assert.match(read('csharp/Service.cs'), /^namespace Hookbridge\.V1 \{/m);
    assert.match(read('csharp/Ckeditor.cs'), /^namespace Hookbridge\.Ckeditor\.V1 \{/m);
    assert.match(read('ruby/hookbridge/v1/service_pb.rb'), /module Hookbridge\n\s+module V1/);
    assert.match(read('php/Hookbridge/V1/SubscribeResponse.php'), /^namespace Hookbridge\\V1;/m);
    assert.match(read('objc/hookbridge/v1/Service.pbobjc.h'), /@interface HBXSubscribeResponse /);
    // gRPC stubs, for the plugins that are installed.
    for (const [plugin, flag, file, pattern] of [
      ['/usr/bin/grpc_ruby_plugin', 'grpc', 'ruby/hookbridge/v1/service_services_pb.rb', /class Service/],
      ['/usr/bin/grpc_php_plugin', 'grpc', 'php/Hookbridge/V1/EventBridgeServiceClient.php', /class EventBridgeServiceClient/],
    ]) {
      if (!fs.existsSync(plugin)) continue;
      const lang = file.split('/')[0];
      const g = spawnSync('protoc', ['-I', protoDir, '-I', '/usr/include',
        `--plugin=protoc-gen-${flag}=${plugin}`, `--${flag}_out=${path.join(out, lang)}`,
        path.join(protoDir, 'hookbridge/v1/service.proto')], { encoding: 'utf8' });
      assert.equal(g.status, 0, g.stderr);
      assert.match(read(file), pattern);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

function listProtos(dir = protoDir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listProtos(p);
    return e.name.endsWith('.proto') ? [p] : [];
  });
}

// API v1 does not break: the image of proto/ as v1 was last released
// (tests/proto/api-v1.binpb, `buf build --exclude-source-info` in proto/,
// now with the durable consumers' RPCs) is the baseline of `buf breaking`
// (FILE rules, proto/buf.yaml). Additions pass; a renumbered, renamed or
// retyped field, a removed message or RPC fail.
const baseline = path.join(here, 'api-v1.binpb');

test('buf breaking against API v1 finds nothing', () => {
  const r = run('breaking', '--against', baseline);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('buf breaking against API v1 catches a breaking change', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-proto-'));
  try {
    fs.cpSync(protoDir, copy, { recursive: true });
    const service = path.join(copy, 'hookbridge/v1/service.proto');
    const text = fs.readFileSync(service, 'utf8');
    const changed = text.replace('bool include_raw = 8;', 'bool include_raw = 18;');
    assert.notEqual(changed, text);
    fs.writeFileSync(service, changed);
    const r = spawnSync(buf, ['breaking', '--against', baseline], { cwd: copy, encoding: 'utf8' });
    assert.notEqual(r.status, 0, 'a renumbered field passed');
    assert.match(r.stdout, /include_raw/);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
