/**
 * Cache keys. A chunk is named by where the object lives (the connection's
 * identity and the key within it, so buckets over the same objects share
 * chunks), the object generation (its strong ETag), the chunk size and the
 * chunk's index — never by anything about the caller. A connection's
 * identity is its name and the settings that say which store and bucket it
 * reads; credentials and other settings are left out by construction
 * (only the fields named here are read).
 */
import type { ConnectionConfig } from '../config.ts';

/** Settings that locate a connection's objects, across every backend kind. */
const LOCATION_FIELDS = ['type', 'endpoint', 'region', 'bucket', 'root', 'account', 'container', 'prefix'] as const;

export function connectionIdentity(connection: ConnectionConfig): string {
  const parts: string[] = [connection.name];
  const settings = connection as unknown as Record<string, unknown>;
  for (const field of LOCATION_FIELDS) {
    const value = settings[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') parts.push(`${field}=${String(value)}`);
  }
  return JSON.stringify(parts);
}

/** The object (generation-free): what its metadata is cached under. */
export function objectKey(connection: string, backendKey: string): string {
  return `${connection}\n${backendKey}`;
}

export function chunkKey(object: string, etag: string, chunkSize: number, index: number): string {
  return `${object}\n${etag}\n${chunkSize}\n${index}`;
}
