/**
 * A client of the management API for tests that also checks the API against
 * its own OpenAPI document: every answer must be a documented status of a
 * documented operation and match that status's schema (each `$ref` inlined,
 * validated with zod). Calls are SigV4-signed with a key, sent with a bearer
 * token, or anonymous.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';

export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: unknown } } }> }>>;
  components: { schemas: Record<string, unknown> };
}

export interface AdminCall {
  method?: string;
  path: string;
  body?: unknown;
  as?: { accessKeyId: string; secretAccessKey: string } | { bearer: string };
}

export interface AdminApiClient {
  doc: OpenApiDocument;
  /** A schema of the document (a `$ref` or an inline one) as a zod validator. */
  schemaOf(schema: unknown): z.ZodType;
  /** One request under `/.admin/v1`; its answer must validate against the document. */
  call(request: AdminCall): Promise<{ status: number; json: any }>;
}

/** Reads the server's document once; `call` checks every answer against it. */
export async function documentedAdminClient(serverUrl: string): Promise<AdminApiClient> {
  const doc = (await (await fetch(`${serverUrl}/.admin/v1/openapi.json`)).json()) as OpenApiDocument;
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (typeof record.$ref === 'string') return inline(doc.components.schemas[record.$ref.replace('#/components/schemas/', '')]);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, inline(v)]));
  };
  const schemaOf = (schema: unknown): z.ZodType => z.fromJSONSchema(inline(schema) as Parameters<typeof z.fromJSONSchema>[0]);

  async function call({ method = 'GET', path, body, as }: AdminCall): Promise<{ status: number; json: any }> {
    const url = `${serverUrl}/.admin/v1${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = payload === undefined ? {} : { 'content-type': 'application/json' };
    if (as && 'bearer' in as) headers.authorization = `Bearer ${as.bearer}`;
    else if (as) {
      headers = await signRequest({ method, url, headers }, as, { region: 'us-east-1', service: 's3', payloadHash: createHash('sha256').update(payload ?? '').digest('hex') });
      delete headers.host;
    }
    const response = await fetch(url, { method, headers, ...(payload !== undefined && { body: payload }) });
    const json = await response.json();
    const template = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]!));
    assert.ok(template, `${path} is documented`);
    const documented = doc.paths[template]![method.toLowerCase()]?.responses[String(response.status)];
    assert.ok(documented?.content, `${method} ${template} documents status ${response.status}`);
    const checked = schemaOf(documented.content['application/json'].schema).safeParse(json);
    assert.ok(checked.success, `${method} ${path} ${response.status} matches the document: ${checked.success ? '' : JSON.stringify(checked.error.issues)} ${JSON.stringify(json)}`);
    return { status: response.status, json };
  }

  return { doc, schemaOf, call };
}
