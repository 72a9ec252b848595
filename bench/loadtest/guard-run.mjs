// Runs a program (the load test's redis-server) and stops it when the load test that started this wrapper is gone
// (its parent changes: killed without cleaning up) or when this wrapper is signalled.
import { spawn } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  process.stderr.write('usage: node guard-run.mjs <program> [args…]\n');
  process.exit(2);
}
const child = spawn(cmd, args, { stdio: 'inherit' });
const parent = process.ppid;
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
child.on('error', (err) => {
  process.stderr.write(`${cmd}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
