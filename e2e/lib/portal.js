'use strict';
// Starts the real `target/debug/direct-signin` binary (the portal with its embedded Okta
// emulator) on free loopback ports, waits for `/readyz`, and stops it again.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.DIRECT_SIGNIN_BIN || path.join(ROOT, 'target', 'debug', 'direct-signin');
const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');

/** Limits raised for a browser suite: all of its traffic comes from 127.0.0.1. */
const TEST_LIMITS = {
  DIRECT_SIGNIN_PROTECTION__IP_SIGNIN_PER_MINUTE: '10000',
  DIRECT_SIGNIN_PROTECTION__IP_CODE_PER_MINUTE: '10000',
  DIRECT_SIGNIN_PROTECTION__IP_RESEND_PER_MINUTE: '10000',
  DIRECT_SIGNIN_PROTECTION__IP_POLL_PER_MINUTE: '10000',
  // Kept below Okta's 4 per second (validated); the burst covers back-to-back tests.
  DIRECT_SIGNIN_PROTECTION__USERNAME_PER_SECOND: '3',
  DIRECT_SIGNIN_PROTECTION__USERNAME_BURST: '50',
  DIRECT_SIGNIN_PROTECTION__FAILURE_FLOOR_MS: '0',
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

async function ready(url, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await fetch(url);
      if (res.status === 200) return true;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  return false;
}

/**
 * Starts a portal. `name` names its log file under artifacts/logs; `env` adds or
 * overrides configuration (`DIRECT_SIGNIN_<SECTION>__<KEY>`).
 */
async function startPortal({ name = 'portal', env = {} } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`${BIN} is missing: run \`cargo build --bin direct-signin\` (scripts/e2e does)`);
  }
  fs.mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    let emulatorPort = await freePort();
    while (emulatorPort === port) emulatorPort = await freePort();
    const logFile = path.join(ARTIFACTS, 'logs', `${name}.log`);
    const log = fs.openSync(logFile, attempt === 1 ? 'w' : 'a');
    const childEnv = { ...process.env };
    // Never a real org: the embedded emulator is what these tests drive.
    for (const key of ['OKTA_OAUTH2_ISSUER', 'OKTA_OAUTH2_CLIENT_ID', 'OKTA_OAUTH2_CLIENT_SECRET']) {
      delete childEnv[key];
    }
    Object.assign(childEnv, {
      ROCKET_PROFILE: 'debug',
      ROCKET_ADDRESS: '127.0.0.1',
      ROCKET_PORT: String(port),
      ROCKET_CLI_COLORS: 'false',
      DIRECT_SIGNIN_EMULATOR__PORT: String(emulatorPort),
      ...TEST_LIMITS,
      ...env,
    });
    const child = spawn(BIN, [], { cwd: ROOT, env: childEnv, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    running.add(child);
    child.on('exit', () => running.delete(child));
    const base = `http://127.0.0.1:${port}`;
    if (await ready(`${base}/readyz`, child, Date.now() + 30_000)) {
      return {
        base,
        emulatorBase: `http://127.0.0.1:${emulatorPort}`,
        logFile,
        stop: () => stop(child),
      };
    }
    await stop(child);
    const output = fs.readFileSync(logFile, 'utf8');
    lastError = new Error(`the portal did not become ready (attempt ${attempt}); see ${logFile}:\n` +
      output.split('\n').slice(-20).join('\n'));
    // Only a port taken between choosing and binding it is worth another try.
    if (!/in use/i.test(output)) break;
  }
  throw lastError;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

module.exports = { startPortal, freePort, ARTIFACTS, ROOT, sleep };
