/**
 * Rules for the hot-range cache sections that span sections: a bucket's
 * chunk size against the tiers it reads (its own or its connection's), and
 * one disk folder per set of tiers. Like the other cross-checks they run on
 * the raw document and look only at parts of the right shape.
 */
import { CACHE_DEFAULTS } from '../core/range-cache/settings.ts';
import { isPlainObject, type FieldProblem } from './problem.ts';

type Path = Array<string | number>;

export function checkCacheSections(document: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const connections = isPlainObject(document.connections) ? document.connections : {};
  const buckets = isPlainObject(document.buckets) ? document.buckets : {};
  const diskOwners = new Map<string, Path>();
  const claimDisk = (cache: Record<string, unknown>, at: Path) => {
    const disk = isPlainObject(cache.disk) ? cache.disk : undefined;
    if (typeof disk?.path !== 'string' || disk.path === '') return;
    const owner = diskOwners.get(disk.path);
    if (owner) problems.push({ path: [...at, 'disk', 'path'], message: `the same folder as ${owner.join('.')}.disk.path; each cache needs a folder of its own` });
    else diskOwners.set(disk.path, at);
  };
  for (const [name, connection] of Object.entries(connections)) {
    if (isPlainObject(connection) && isPlainObject(connection.cache)) claimDisk(connection.cache, ['connections', name, 'cache']);
  }
  for (const [key, bucket] of Object.entries(buckets)) {
    if (!isPlainObject(bucket) || !isPlainObject(bucket.cache)) continue;
    const own = bucket.cache;
    const at: Path = ['buckets', key, 'cache'];
    claimDisk(own, at);
    const connection = typeof bucket.connection === 'string' ? connections[bucket.connection] : undefined;
    const base = isPlainObject(connection) && isPlainObject(connection.cache) ? connection.cache : {};
    const chunkSize = typeof own.chunkSize === 'number' ? own.chunkSize : typeof base.chunkSize === 'number' ? base.chunkSize : CACHE_DEFAULTS.chunkSize;
    // Within one section the schema already compares; here only a chunk size and tiers from different sections.
    const tiers = own.memory !== undefined || own.disk !== undefined ? own : base;
    if (tiers === own && typeof own.chunkSize === 'number') continue;
    const memory = isPlainObject(tiers.memory) && typeof tiers.memory.maxBytes === 'number' ? tiers.memory.maxBytes : CACHE_DEFAULTS.memoryMaxBytes;
    const disk = isPlainObject(tiers.disk) && typeof tiers.disk.maxBytes === 'number' ? tiers.disk.maxBytes : undefined;
    const where = tiers === own ? 'this bucket\'s' : `connection ${String(bucket.connection)}'s`;
    if (memory > 0 && memory < chunkSize) {
      problems.push({ path: [...at, 'chunkSize'], message: `larger than ${where} cache.memory.maxBytes (${memory}): the memory tier would hold nothing` });
    } else if (disk !== undefined && disk < chunkSize) {
      problems.push({ path: [...at, 'chunkSize'], message: `larger than ${where} cache.disk.maxBytes (${disk}): the disk tier would hold nothing` });
    }
  }
  return problems;
}
