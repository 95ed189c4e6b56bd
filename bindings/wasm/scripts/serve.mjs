// A tiny static server for the demo: serves bindings/wasm (so /www/ and
// /pkg-web/) on 127.0.0.1. Usage: node scripts/serve.mjs [port]  (default
// 8080), then open http://127.0.0.1:8080/www/. Also imported by the browser test.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const base = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain',
};

/** Starts the server; resolves to `{ server, url }` (port 0 = any free port). */
export function serve(port = 0) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/') {
      res.writeHead(302, { location: '/www/' });
      return res.end();
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    let ok = file.startsWith(base + sep) && !file.includes(`${sep}node_modules${sep}`);
    try {
      ok = ok && statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await serve(Number(process.argv[2] ?? 8080));
  console.log(`clv demo: ${url}/www/`);
}
