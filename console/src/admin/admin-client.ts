/**
 * The account pages' view of the management API (`/.admin/v1/`): roles,
 * access keys and API keys of the signed-in account, requested with the
 * session's SigV4 signature. A server without that API answers 404, which
 * the pages show as "not available" rather than as an error.
 */
import type { S3Client } from '../s3/client.ts';
import { errorFromResponse, S3RequestError } from '../s3/errors.ts';

export const ADMIN_PATHS = {
  roles: '/.admin/v1/roles',
  accessKeys: '/.admin/v1/access-keys',
  apiKeys: '/.admin/v1/api-keys',
} as const;

export type AdminResource = keyof typeof ADMIN_PATHS;

export type AdminResult = { kind: 'unavailable' } | { kind: 'items'; items: Record<string, unknown>[] };

export async function listAdmin(client: S3Client, resource: AdminResource): Promise<AdminResult> {
  const url = `${client.origin}${ADMIN_PATHS[resource]}`;
  const headers = await client.headersFor('GET', url, { accept: 'application/json' });
  let response: Response;
  try {
    response = await fetch(url, { headers, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    throw new S3RequestError(0, 'NetworkError', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 404 || response.status === 501) return { kind: 'unavailable' };
  const text = await response.text();
  if (!response.ok) {
    try {
      const body = JSON.parse(text) as { error?: string; code?: string; message?: string };
      throw new S3RequestError(response.status, body.code ?? body.error ?? `HTTP${response.status}`, body.message ?? '');
    } catch (error) {
      if (error instanceof S3RequestError) throw error;
      throw errorFromResponse(response.status, text);
    }
  }
  const body = JSON.parse(text) as unknown;
  const items = Array.isArray(body) ? body : Array.isArray((body as { items?: unknown }).items) ? (body as { items: unknown[] }).items : [];
  return { kind: 'items', items: items.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object') };
}
