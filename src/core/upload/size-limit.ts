/**
 * The largest object a connection accepts in one PutObject. S3 itself
 * refuses single uploads over 5 GiB; a memory connection holds every object
 * in the process, so it defaults much lower. `maxObjectSize` on a connection
 * overrides either.
 */
import type { ConnectionConfig } from '../config.ts';

/** S3's single-PUT limit (Amazon S3 User Guide, "Uploading objects"). */
export const S3_SINGLE_PUT_LIMIT = 5 * 1024 ** 3;
export const MEMORY_DEFAULT_MAX_OBJECT_SIZE = 256 * 1024 ** 2;

export function maxObjectSizeOf(connection: ConnectionConfig | undefined): number {
  if (connection?.maxObjectSize !== undefined) return connection.maxObjectSize;
  return connection?.type === 'memory' ? MEMORY_DEFAULT_MAX_OBJECT_SIZE : S3_SINGLE_PUT_LIMIT;
}
