#!/usr/bin/env node
'use strict';
// Generates the TypeScript declarations of the API's messages into
// types/generated (or the directory given as the argument):
// proto-loader-gen-types with the options the library decodes with, then
// tsc to declaration files, plus index.d.ts with every message's output
// type under its package namespace (hookbridge.ckeditor.v1.CommentAdded).
// Needs the devDependencies (npm ci). Run after changing proto/.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { defaultProtoDir } = require('../lib/proto');

const pkg = path.join(__dirname, '..');
const out = path.resolve(process.argv[2] || path.join(pkg, 'types', 'generated'));
const bin = (name) => path.join(pkg, 'node_modules', '.bin', name);
const protoDir = defaultProtoDir();
const FILES = ['hookbridge/v1/service.proto', 'google/rpc/status.proto', 'google/rpc/error_details.proto'];

// Inside the package, so that tsc resolves @grpc/proto-loader's types.
const work = fs.mkdtempSync(path.join(pkg, 'node_modules', '.hookbridge-types-'));
try {
  const src = path.join(work, 'src');
  execFileSync(
    bin('proto-loader-gen-types'),
    ['--keepCase', '--longs=String', '--enums=String', '--defaults', '--oneofs', '--includeComments', '-I', '.', '-O', src, ...FILES],
    { cwd: protoDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );

  // The barrel: namespaces of output types.
  const tree = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && dir !== src) {
        const rel = path.relative(src, full).replace(/\\/g, '/').replace(/\.ts$/, '');
        const parts = rel.split('/');
        parts.pop();
        const prefix = `_${parts.join('_')}_`;
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/^export (?:interface|type) (\w+)__Output\b/gm)) {
          const name = m[1].startsWith(prefix) ? m[1].slice(prefix.length) : m[1];
          let node = tree;
          for (const p of parts) node = node[p] = node[p] || {};
          (node['.types'] = node['.types'] || []).push(`export type ${name} = import('./${rel}').${m[1]}__Output;`);
        }
      }
    }
  };
  walk(src);
  const emit = (node, indent) => {
    const lines = [];
    for (const key of Object.keys(node).sort()) {
      if (key === '.types') continue;
      lines.push(`${indent}export namespace ${key} {`, ...emit(node[key], `${indent}  `), `${indent}}`);
    }
    for (const line of (node['.types'] || []).sort()) lines.push(indent + line);
    return lines;
  };
  fs.writeFileSync(
    path.join(src, 'index.ts'),
    ['// The output type of every message, by package (generated).', ...emit(tree, ''), ''].join('\n'),
  );

  execFileSync(
    bin('tsc'),
    ['--declaration', '--emitDeclarationOnly', '--removeComments', 'false', '--target', 'es2020', '--module', 'commonjs',
      '--moduleResolution', 'node', '--skipLibCheck', '--types', 'node', '--rootDir', src, '--outDir', path.join(work, 'out'),
      ...listTs(src)],
    { cwd: pkg, stdio: 'inherit' },
  );
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.renameSync(path.join(work, 'out'), out);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

function listTs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}
