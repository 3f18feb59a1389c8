'use strict';
// Cursor stores: where a subscription resumes after a restart.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { toSequence } = require('./sequence');

// Keeps the cursor in memory (for tests, or to hand to something else).
class MemoryCursorStore {
  constructor(initial = null) {
    this.sequence = initial === null || initial === undefined ? null : toSequence(initial);
  }

  load() {
    return this.sequence;
  }

  save(sequence) {
    this.sequence = toSequence(sequence);
  }
}

// Keeps the cursor in a file holding the decimal sequence and a newline.
// Each save writes a temporary file in the same directory, fsyncs it and
// renames it over the file, so a crash leaves the old or the new cursor,
// never a torn one.
class FileCursorStore {
  constructor(file) {
    if (typeof file !== 'string' || file === '') throw new TypeError('FileCursorStore: a file path is required');
    this.path = path.resolve(file);
  }

  // The stored sequence as a decimal string, or null when the file does not
  // exist (or is empty). Throws when it holds anything else.
  async load() {
    let text;
    try {
      text = await fs.promises.readFile(this.path, 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') return null;
      throw error;
    }
    text = text.trim();
    if (text === '') return null;
    try {
      return toSequence(text);
    } catch {
      throw new Error(`${this.path} does not hold a sequence number`);
    }
  }

  async save(sequence) {
    const value = toSequence(sequence);
    const dir = path.dirname(this.path);
    const tmp = path.join(dir, `.${path.basename(this.path)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    let handle;
    try {
      handle = await fs.promises.open(tmp, 'w', 0o644);
      await handle.writeFile(`${value}\n`);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.promises.rename(tmp, this.path);
    } catch (error) {
      if (handle) await handle.close().catch(() => {});
      await fs.promises.unlink(tmp).catch(() => {});
      throw error;
    }
    // Make the rename itself durable; not every file system lets a
    // directory be opened for that, which is no error.
    try {
      const dirHandle = await fs.promises.open(dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch {
      // best effort
    }
  }
}

module.exports = { MemoryCursorStore, FileCursorStore };
