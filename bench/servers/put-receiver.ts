/**
 * The baseline of the upload benchmark: the least a Node server can do to
 * take an object over HTTP and put it on disk. `PUT /bucket/key` pipes the
 * body into a temp file, syncs and renames it; `PUT ?partNumber&uploadId`
 * does the same for a part; `POST ?uploadId` streams the parts, in order,
 * into the object's file. No authentication, no checks, no logging.
 *
 *   node --import tsx bench/servers/put-receiver.ts --root DIR --listen 127.0.0.1:PORT
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string' }, listen: { type: 'string' } } });
if (!values.root || !values.listen) throw new TypeError('usage: put-receiver --root DIR --listen HOST:PORT');
const root = values.root;
const [host, port] = values.listen.split(':') as [string, string];
mkdirSync(join(root, '.parts'), { recursive: true });
let temps = 0;

/** Pipe the request into `path` by way of a temp file, synced before the rename. */
async function receive(req: NodeJS.ReadableStream, path: string): Promise<void> {
  const temp = join(root, `.tmp-${process.pid}-${temps++}`);
  const out = createWriteStream(temp);
  await pipeline(req, out);
  const handle = await open(temp, 'r+');
  await handle.datasync();
  await handle.close();
  await rename(temp, path);
}

async function assemble(uploadId: string, path: string): Promise<void> {
  const dir = join(root, '.parts', uploadId);
  const parts = (await readdir(dir)).sort((a, b) => Number(a) - Number(b));
  const temp = join(root, `.tmp-${process.pid}-${temps++}`);
  const out = createWriteStream(temp);
  for (const part of parts) await pipeline(createReadStream(join(dir, part)), out, { end: false });
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const handle = await open(temp, 'r+');
  await handle.datasync();
  await handle.close();
  await rename(temp, path);
  await rm(dir, { recursive: true, force: true });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://receiver');
  const key = url.pathname.split('/').slice(2).join('_');
  const uploadId = url.searchParams.get('uploadId');
  const partNumber = url.searchParams.get('partNumber');
  let work: Promise<void>;
  if (req.method === 'GET' && url.pathname === '/') work = Promise.resolve();
  else if (req.method === 'PUT' && uploadId && partNumber) {
    mkdirSync(join(root, '.parts', uploadId), { recursive: true });
    work = receive(req, join(root, '.parts', uploadId, partNumber));
  } else if (req.method === 'PUT' && key) work = receive(req, join(root, key));
  else if (req.method === 'POST' && uploadId && key) work = assemble(uploadId, join(root, key));
  else {
    res.writeHead(404).end();
    return;
  }
  work.then(
    () => res.writeHead(200, { 'content-length': 0 }).end(),
    () => res.writeHead(500, { 'content-length': 0 }).end(),
  );
});
server.listen(Number(port), host);
