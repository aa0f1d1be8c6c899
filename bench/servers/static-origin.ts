/**
 * The proxy benchmarks' origin when nginx is not installed: a minimal static
 * file server that answers what an S3 backend's anonymous GET needs. The URL
 * path maps to a file under the root (`/bucket/key` → `<root>/bucket/key`);
 * GET and HEAD; one byte range (206, or 416 with the size); ETag and
 * Last-Modified from size and mtime, as nginx makes them; If-Match (412),
 * as nginx checks it.
 *
 *   node --import tsx bench/servers/static-origin.ts --root DIR --listen 127.0.0.1:PORT
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string' }, listen: { type: 'string' } } });
if (!values.root || !values.listen) throw new TypeError('usage: static-origin --root DIR --listen HOST:PORT');
const root = values.root;
const [host, port] = values.listen.split(':') as [string, string];

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against `size`; null when unsatisfiable, undefined when absent or not understood. */
function parseRange(header: string | undefined, size: number): { first: number; last: number } | null | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const length = Number(m[2]);
    return length === 0 || size === 0 ? null : { first: Math.max(0, size - length), last: size - 1 };
  }
  const first = Number(m[1]);
  if (first >= size) return null;
  return { first, last: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
}

function send(res: ServerResponse, file: string, stats: Stats, range: string | undefined, ifMatch: string | undefined, head: boolean): void {
  const etag = `"${Math.floor(stats.mtimeMs / 1000).toString(16)}-${stats.size.toString(16)}"`;
  if (ifMatch !== undefined && ifMatch.trim() !== '*' && !ifMatch.split(',').some((tag) => tag.trim() === etag)) {
    res.writeHead(412).end();
    return;
  }
  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'last-modified': stats.mtime.toUTCString(),
    etag,
    'accept-ranges': 'bytes',
  };
  const r = parseRange(range, stats.size);
  if (r === null) {
    res.writeHead(416, { 'content-range': `bytes */${stats.size}` }).end();
    return;
  }
  const [status, first, last] = r ? [206, r.first, r.last] : [200, 0, stats.size - 1];
  if (r) headers['content-range'] = `bytes ${first}-${last}/${stats.size}`;
  headers['content-length'] = last - first + 1;
  res.writeHead(status, headers);
  if (head || last < first) {
    res.end();
    return;
  }
  const stream = createReadStream(file, { start: first, end: last });
  stream.once('error', () => res.destroy());
  res.once('close', () => stream.destroy());
  stream.pipe(res);
}

const server = createServer((req, res) => {
  const path = decodeURIComponent((req.url ?? '/').split('?', 1)[0]!);
  if (path.split('/').includes('..') || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(path.includes('..') ? 404 : 405).end();
    return;
  }
  const file = join(root, path);
  stat(file).then(
    (stats) => (stats.isFile() ? send(res, file, stats, req.headers.range, req.headers['if-match'], req.method === 'HEAD') : res.writeHead(404).end()),
    () => res.writeHead(404).end(),
  );
});
server.keepAliveTimeout = 65_000; // as nginx: the proxies' pools decide when to let go
server.listen(Number(port), host);
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
