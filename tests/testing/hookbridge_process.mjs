// Starts the real hookbridge binary for the Node test suites
// (tests/deploy, tests/console). Node built-ins only, so each suite can
// import it whatever its own node_modules hold.
import { spawn } from 'node:child_process';

// Starts BIN with --config FILE and environment ENV (PATH is passed on).
// Resolves, once its "listening" log line names the ports, with
//   ports:  that line's fields (http_port, grpc_port, admin_port, ...)
//   stderr: () => everything it logged so far
//   stop:   () => SIGTERM; resolves with its exit code (or "signal X")
// Rejects, with its log, if it exits first or logs no such line in 20 s.
export function startHookbridge(bin, file, env = {}) {
  const child = spawn(bin, ['--config', file], {
    env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no listening line:\n${stderr}`)); }, 20000);
    exited.then((code) => { clearTimeout(timer); reject(new Error(`hookbridge exited ${code}:\n${stderr}`)); });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const line = stderr.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        ports: JSON.parse(line),
        stderr: () => stderr,
        stop: () => { child.kill('SIGTERM'); return exited; },
      });
    });
  });
}
