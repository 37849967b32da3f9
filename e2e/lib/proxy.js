'use strict';
// Starts real nginx and Caddy (Debian's packages) with the shipped configurations from
// examples/gateway/, only their marked addresses changed to this run's free loopback
// ports, so the tests prove what an operator deploys.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { ROOT, ARTIFACTS, sleep, freePort } = require('./portal');

const GATEWAY = path.join(ROOT, 'examples', 'gateway');

/** The shipped file with the portal's, the app's and the listening address replaced. */
function localized(file, { portalPort, appPort, port }) {
  const text = fs.readFileSync(path.join(GATEWAY, file), 'utf8');
  return text
    .replaceAll('127.0.0.1:8000', `127.0.0.1:${portalPort}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${appPort}`)
    .replace(/listen 8080;/g, `listen 127.0.0.1:${port};`)
    .replace(/^:8080 \{/m, `http://127.0.0.1:${port} {`);
}

async function listening(port, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

function stopper(child) {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
}

async function start(kind, command, args, port, logName) {
  fs.mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  const logFile = path.join(ARTIFACTS, 'logs', `${logName}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', log, log], env: { ...process.env, HOME: os.tmpdir() } });
  fs.closeSync(log);
  process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  if (!(await listening(port, child, Date.now() + 15_000))) {
    await stopper(child)();
    throw new Error(`${kind} did not start; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8')}`);
  }
  return { kind, base: `http://127.0.0.1:${port}`, port, logFile, stop: stopper(child) };
}

/** nginx with examples/gateway/nginx.conf as its only server. */
async function startNginx({ portalPort, appPort }) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'direct-signin-nginx-'));
  fs.writeFileSync(path.join(dir, 'site.conf'), localized('nginx.conf', { portalPort, appPort, port }));
  fs.copyFileSync(path.join(GATEWAY, 'direct-signin-identity.conf'), path.join(dir, 'direct-signin-identity.conf'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`);
  return start('nginx', '/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], port, 'nginx');
}

/** Caddy with examples/gateway/Caddyfile. */
async function startCaddy({ portalPort, appPort }) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'direct-signin-caddy-'));
  const file = path.join(dir, 'Caddyfile');
  const global = `{\n\tadmin off\n\tauto_https off\n\tstorage file_system ${dir}/data\n}\n\n`;
  fs.writeFileSync(file, global + localized('Caddyfile', { portalPort, appPort, port }));
  return start('caddy', '/usr/bin/caddy', ['run', '--config', file, '--adapter', 'caddyfile'], port, 'caddy');
}

module.exports = { startNginx, startCaddy };
