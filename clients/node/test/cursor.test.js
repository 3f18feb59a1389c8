'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FileCursorStore, MemoryCursorStore } = require('..');

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-cursor-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('load is null without a file; save then load round-trips', async (t) => {
  const file = path.join(tempDir(t), 'events.cursor');
  const store = new FileCursorStore(file);
  assert.equal(await store.load(), null);
  await store.save('42');
  assert.equal(fs.readFileSync(file, 'utf8'), '42\n');
  assert.equal(await store.load(), '42');
  await store.save(43n);
  assert.equal(await new FileCursorStore(file).load(), '43');
});

test('sequences beyond 2^53 keep every digit', async (t) => {
  const store = new FileCursorStore(path.join(tempDir(t), 'c'));
  await store.save('18446744073709551615');
  assert.equal(await store.load(), '18446744073709551615');
  await assert.rejects(store.save('18446744073709551616'), TypeError);
  await assert.rejects(store.save(-1), TypeError);
});

test('reads what others wrote: whitespace, an empty file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'c');
  fs.writeFileSync(file, '  7 \n');
  assert.equal(await new FileCursorStore(file).load(), '7');
  fs.writeFileSync(file, '');
  assert.equal(await new FileCursorStore(file).load(), null);
  fs.writeFileSync(file, 'seven\n');
  await assert.rejects(new FileCursorStore(file).load(), /does not hold a sequence number/);
});

test('save replaces the file by rename and leaves no temporary file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'c');
  const store = new FileCursorStore(file);
  await store.save(1);
  const before = fs.statSync(file).ino;
  // Someone holding the old file keeps reading the old cursor.
  const fd = fs.openSync(file, 'r');
  await store.save(2);
  assert.notEqual(fs.statSync(file).ino, before, 'a new file was renamed over it');
  assert.equal(fs.readFileSync(fd, 'utf8'), '1\n');
  fs.closeSync(fd);
  assert.deepEqual(fs.readdirSync(dir), ['c']);
});

test('concurrent saves never leave a torn or mixed cursor', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'c');
  const store = new FileCursorStore(file);
  const values = Array.from({ length: 50 }, (_, i) => String(10 ** (i % 15) + i));
  await Promise.all(values.map((v) => store.save(v)));
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /^\d+\n$/);
  assert.ok(values.includes(text.trim()));
  assert.deepEqual(fs.readdirSync(dir), ['c']);
});

test('a failed save throws, keeps the old cursor and cleans up', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'c');
  const store = new FileCursorStore(file);
  await store.save(5);
  fs.mkdirSync(path.join(dir, 'blocker'));
  const blocked = new FileCursorStore(path.join(dir, 'blocker')); // rename over a directory fails
  await assert.rejects(blocked.save(6));
  assert.equal(await store.load(), '5');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['blocker', 'c']);
  await assert.rejects(new FileCursorStore(path.join(dir, 'missing', 'c')).save(1), { code: 'ENOENT' });
});

test('MemoryCursorStore', () => {
  const store = new MemoryCursorStore();
  assert.equal(store.load(), null);
  store.save(9);
  assert.equal(store.load(), '9');
  assert.equal(new MemoryCursorStore('3').load(), '3');
});
