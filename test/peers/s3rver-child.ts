/**
 * The s3rver process started by `startS3rver`. s3rver maps keys straight to
 * file paths, so a key such as `../../etc/passwd` would write outside its data
 * folder; this launcher first confines every path s3rver builds to that
 * folder (such requests fail with a 500 instead), then starts the server.
 *
 * Arguments: <data folder> <bucket>. Prints `listening on 127.0.0.1:<port>`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

interface FilesystemStoreLike {
  rootDirectory: string;
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key?: string, resource?: string): string;
}

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) throw new Error('usage: s3rver-child <data folder> <bucket>');

const FilesystemStore = require('s3rver/lib/stores/filesystem.js') as { prototype: FilesystemStoreLike };
const store = FilesystemStore.prototype;

function confined(this: FilesystemStoreLike, resolved: string): string {
  const relative = path.relative(this.rootDirectory, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error('s3rver path escapes its data folder');
  }
  return resolved;
}

const getBucketPath = store.getBucketPath;
const getResourcePath = store.getResourcePath;
store.getBucketPath = function (name) {
  return confined.call(this, getBucketPath.call(this, name));
};
store.getResourcePath = function (name, key, resource) {
  return confined.call(this, getResourcePath.call(this, name, key, resource));
};

const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ address: string; port: number }> };
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
});
const { address, port } = await server.run();
console.log(`listening on ${address}:${port}`);
