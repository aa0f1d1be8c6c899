/**
 * The baseline the benchmarks compare Sluice with: the least a Node static
 * file server can do. `node:http`, `stat` for Content-Length, then
 * `fs.createReadStream(path).pipe(res)`. No routing beyond "drop the bucket
 * segment", no headers beyond length and type, no logging.
 *
 *   node --import tsx bench/servers/baseline-server.ts --root DIR --listen 127.0.0.1:PORT
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string' }, listen: { type: 'string' } } });
if (!values.root || !values.listen) throw new TypeError('usage: baseline-server --root DIR --listen HOST:PORT');
const root = values.root;
const [host, port] = values.listen.split(':') as [string, string];

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  // "/bucket/key…" → "<root>/key…"; refuse anything that could climb out.
  const key = decodeURIComponent(path.slice(path.indexOf('/', 1) + 1));
  if (path.indexOf('/', 1) === -1 || key === '' || key.split('/').includes('..')) {
    res.writeHead(404).end();
    return;
  }
  const file = join(root, key);
  stat(file).then(
    (stats) => {
      if (!stats.isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': stats.size, 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(file);
      stream.once('error', () => res.destroy());
      res.once('close', () => stream.destroy());
      stream.pipe(res);
    },
    () => res.writeHead(404).end(),
  );
});
server.keepAliveTimeout = 5_000;
server.listen(Number(port), host);
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
