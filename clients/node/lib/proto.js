'use strict';
// Loads the hookbridge .proto files at run time with protobufjs (no code
// generation) and converts messages to and from the plain objects the
// library hands out.

const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');

// The files the library needs; their imports (the provider packages,
// google/protobuf/*) are loaded with them. The well-known types come from
// protobufjs' bundled copies.
const FILES = ['hookbridge/v1/service.proto', 'google/rpc/status.proto', 'google/rpc/error_details.proto'];

// How messages become objects, as @grpc/proto-loader does with the same
// options: proto field names (keepCase, applied when parsing), 64-bit
// integers as decimal strings, enums as their names, bytes as Buffers, every
// field present (scalars at their defaults, unset messages as null, except
// oneof members, which are present only when set), and each oneof named by a
// virtual property holding the name of its set member (`event.payload` is
// 'ckeditor').
const CONVERSION = Object.freeze({ longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true });

// Where the .proto files are: a copy inside the package (an installed
// tarball), or the repository's proto/ (this directory in a checkout).
function defaultProtoDir() {
  const candidates = [
    process.env.HOOKBRIDGE_PROTO_DIR,
    path.join(__dirname, '..', 'proto'),
    path.join(__dirname, '..', '..', '..', 'proto'),
  ];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, FILES[0]))) return dir;
  }
  throw new Error(`hookbridge .proto files not found (looked in ${candidates.filter(Boolean).join(', ')})`);
}

const roots = new Map();

// The protobufjs Root with every hookbridge message, loaded once per
// directory.
function loadRoot(protoDir = defaultProtoDir()) {
  let root = roots.get(protoDir);
  if (root) return root;
  root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    const full = path.join(protoDir, target);
    // google/protobuf/*.proto that are not here resolve to protobufjs'
    // bundled definitions by their plain name.
    return fs.existsSync(full) ? full : target;
  };
  root.loadSync(FILES, { keepCase: true });
  root.resolveAll();
  roots.set(protoDir, root);
  return root;
}

// The Type of a fully qualified message name, e.g. 'hookbridge.v1.Event'.
function messageType(name, root = loadRoot()) {
  return root.lookupType(name);
}

// Encoder and decoder pair for gRPC: objects in, Buffers out and back.
function codec(type) {
  return {
    serialize: (object) => Buffer.from(type.encode(type.fromObject(object)).finish()),
    deserialize: (buffer) => type.toObject(type.decode(buffer), CONVERSION),
  };
}

module.exports = { CONVERSION, defaultProtoDir, loadRoot, messageType, codec };
