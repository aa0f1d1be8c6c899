/**
 * Options of the Azure Blob backend, their defaults, and the checks that
 * catch a bad configuration at start-up.
 */
import type { HttpClient } from '../../core/http.ts';
import { checkEndpoint, isBadPrefix, resolveTiming, type HttpBackendTimingOptions, type ResolvedHttpBackendTiming } from '../http-backend-options.ts';
import type { AzureAuth } from './auth.ts';

export interface AzureBackendOptions extends HttpBackendTimingOptions {
  /** Storage account name. */
  account: string;
  container: string;
  /** Blob service URL; default `https://{account}.blob.core.windows.net`. Azurite: `http://127.0.0.1:10000/devstoreaccount1`. */
  endpoint?: string;
  /** Base prefix within the container: "" or ending in "/". */
  prefix?: string;
  auth: AzureAuth;
  http: HttpClient;
  readOnly?: boolean;
  /** Size of a staged block, and the largest body sent in one Put Blob. Default 8 MiB. */
  blockSize?: number;
}

export interface ResolvedAzureOptions extends ResolvedHttpBackendTiming {
  account: string;
  container: string;
  /** Without a trailing slash. */
  endpoint: string;
  prefix: string;
  auth: AzureAuth;
  http: HttpClient;
  readOnly: boolean;
  blockSize: number;
}

/** Azure's limit for one staged block (4000 MiB), far above any sensible buffer. */
const MAX_BLOCK_SIZE = 256 * 1024 * 1024;

/** Validate and fill defaults; throws `TypeError` naming every problem found. */
export function resolveAzureOptions(options: AzureBackendOptions): ResolvedAzureOptions {
  const problems: string[] = [];
  if (!/^[a-z0-9]{3,24}$/.test(options.account)) problems.push('account must be 3–24 lower-case letters and digits');
  if (!/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(options.container) && options.container !== '$root') {
    problems.push('container must be 3–63 lower-case letters, digits and single hyphens');
  }
  const endpoint = checkEndpoint(options.endpoint ?? `https://${options.account}.blob.core.windows.net`, problems);
  const prefix = options.prefix ?? '';
  if (isBadPrefix(prefix)) problems.push('prefix must be "" or end in "/" without a leading "/"');
  const blockSize = options.blockSize ?? 8 * 1024 * 1024;
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > MAX_BLOCK_SIZE) problems.push(`blockSize must be an integer from 1 to ${MAX_BLOCK_SIZE}`);
  const timing = resolveTiming(options, problems);
  if (problems.length > 0) throw new TypeError(`invalid Azure backend options: ${problems.join('; ')}`);
  return {
    account: options.account,
    container: options.container,
    endpoint,
    prefix,
    auth: options.auth,
    http: options.http,
    readOnly: options.readOnly ?? false,
    blockSize,
    ...timing,
  };
}

/** A blob name as a URL path: every byte percent-encoded except unreserved characters and `/`. */
export function encodeBlobPath(name: string): string {
  return encodeURIComponent(name).replace(/%2F/g, '/').replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
