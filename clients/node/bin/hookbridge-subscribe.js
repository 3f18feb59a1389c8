#!/usr/bin/env node
'use strict';
// hookbridge-subscribe: prints the events of a hookbridge subscription as
// JSON lines (see --help and the package README).

// stderr carries the CLI's own lines only: no Node.js deprecation notices
// (grpc-js sets the TLS server name to the target's IP address, DEP0123).
process.noDeprecation = true;

const { main } = require('../lib/cli');

main(process.argv.slice(2)).then(
  (code) => {
    // Exit once the output is flushed, whatever handles are still open.
    process.stdout.write('', () => process.exit(code));
  },
  (error) => {
    process.stderr.write(`error: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
