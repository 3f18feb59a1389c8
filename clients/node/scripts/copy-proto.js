#!/usr/bin/env node
'use strict';
// prepack: copies the repository's .proto files into the package (proto/),
// so that the tarball carries them; postpack (--remove) deletes the copy.
// Outside the repository (no ../../proto) it leaves proto/ alone.

const fs = require('node:fs');
const path = require('node:path');

const pkg = path.join(__dirname, '..');
const source = path.join(pkg, '..', '..', 'proto');
const target = path.join(pkg, 'proto');

if (!fs.existsSync(path.join(source, 'hookbridge', 'v1', 'service.proto'))) {
  if (!fs.existsSync(path.join(target, 'hookbridge', 'v1', 'service.proto'))) {
    console.error('copy-proto: no proto/ to pack');
    process.exit(1);
  }
  process.exit(0);
}

fs.rmSync(target, { recursive: true, force: true });
if (process.argv.includes('--remove')) process.exit(0);

const copy = (from, to) => {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copy(src, dst);
    // LICENSE: the vendored CloudEvents schema's (io/cloudevents/v1).
    else if (entry.name.endsWith('.proto') || entry.name === 'LICENSE') {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
};
copy(source, target);
