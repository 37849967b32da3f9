'use strict';
// A stand-in for "an app we did not build", put behind nginx or Caddy in the gateway
// tests: it answers every request with a page that shows the headers it received, and
// keeps them, so a test can read exactly what the proxy let through.

const http = require('node:http');

async function startUpstream() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: { ...req.headers } });
    const rows = Object.entries(req.headers)
      .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(String(v))}</td></tr>`)
      .join('\n');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Upstream app</title></head>
<body><main><h1 id="upstream">Upstream app: ${escape(req.url)}</h1><table>${rows}</table></main></body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    /** The requests that reached the app, oldest first. */
    seen,
    last: () => seen[seen.length - 1],
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

function escape(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

module.exports = { startUpstream };
