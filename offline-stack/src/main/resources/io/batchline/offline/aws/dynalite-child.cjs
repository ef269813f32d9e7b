'use strict';
// dynalite as a child of the JVM: node dynalite-child.cjs NODE_MODULES_DIR PORT [STATE_DIR]
// Prints "READY <port>" once listening (PORT 0 = a free port) and exits when its stdin closes,
// so it dies with its parent even when the parent is killed with SIGKILL.
const fs = require('fs');
const path = require('path');
// the JVM runs a temp copy of this script; it is loaded now, so remove it and a killed JVM leaves nothing
// behind (DynamoEmulator.close() deletes it too, so a failure here only means that one does the job)
fs.unlink(__filename, () => {});
const [nodeModules, portArg, stateDir] = process.argv.slice(2);
if (!nodeModules || portArg === undefined) {
  console.error('usage: dynalite-child.cjs NODE_MODULES_DIR PORT [STATE_DIR]');
  process.exit(64);
}
// resolved from the caller's node_modules: this script runs from a temp copy, not from the project
const dynalite = require(path.join(nodeModules, 'dynalite'));
const options = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
if (stateDir) options.path = stateDir;
const server = dynalite(options);
server.on('error', (e) => {
  console.error('dynalite failed: ' + (e && e.stack || e));
  process.exit(70);
});
server.listen(Number(portArg), '127.0.0.1', () => {
  console.log('READY ' + server.address().port);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
