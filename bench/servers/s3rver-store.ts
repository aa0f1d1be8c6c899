/**
 * The cache section's object store: s3rver (an S3 implementation in Node,
 * files on disk) on one loopback port, with one bucket in a data folder that
 * several of these processes may share (each reads what the first wrote).
 * Not for untrusted keys: s3rver maps keys straight onto file paths, and the
 * benchmark only ever writes its own.
 *
 *   node --import tsx bench/servers/s3rver-store.ts --dir DIR --bucket NAME --listen 127.0.0.1:PORT
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { dir: { type: 'string' }, bucket: { type: 'string' }, listen: { type: 'string' } } });
if (!values.dir || !values.bucket || !values.listen) throw new TypeError('usage: s3rver-store --dir DIR --bucket NAME --listen HOST:PORT');
const [address, port] = values.listen.split(':') as [string, string];

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<unknown> };
await new S3rver({
  address,
  port: Number(port),
  silent: true,
  directory: values.dir,
  // Creates the bucket when missing; an existing one (and its objects) is kept.
  configureBuckets: [{ name: values.bucket, configs: [] }],
}).run();
