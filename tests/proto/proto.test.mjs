// proto/ through buf, the protobuf ecosystem's own tool (npm @bufbuild/buf,
// a static binary; scripts/setup.sh installs it here): the module builds
// with buf's compiler as well as with protoc, and it is formatted as
// `buf format` writes it, and `buf lint` (STANDARD, proto/buf.yaml) finds
// nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
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

test('proto/ is formatted as buf format writes it (fix: buf format -w proto)', () => {
  const r = run('format', '-d', '--exit-code');
  assert.equal(r.status, 0, `buf format would change:\n${r.stdout}${r.stderr}`);
});

test('buf lint (STANDARD) finds nothing', () => {
  const r = run('lint');
  assert.equal(r.status === 0 || r.status === 100, true, r.stderr);
  const findings = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(findings.length, 0, `${findings.length} lint findings:\n${r.stdout}`);
});
