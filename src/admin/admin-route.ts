/**
 * The management API as a special route under `/.admin/v1/`: JSON over
 * HTTP. The OpenAPI document is public; every other request is
 * authenticated (`admin-auth.ts`), its account checked (the caller's own,
 * any for an operator), its JSON body read (bounded), and its operation run.
 * Failures answer in the API's JSON envelope; nothing unexpected leaks.
 */
import { discardBody, readAll } from '../core/body.ts';
import type { GatewayRequest } from '../core/http.ts';
import { type RouteContext, type SpecialRoute, jsonResponse } from '../core/routes.ts';
import { type AdminAuthDeps, authenticateCaller } from './admin-auth.ts';
import { AdminError, renderAdminError } from './admin-error.ts';
import { type AdminServices, matchOperation } from './admin-routes.ts';
import { openApiDocument } from './openapi.ts';

export const ADMIN_PREFIX = '/.admin/v1';
const MAX_BODY_BYTES = 64 * 1024;

export interface AdminRouteDeps {
  auth: AdminAuthDeps;
  /** Absent without a database policy store: every operation answers 501. */
  services?: AdminServices;
}

export function createAdminRoute(deps: AdminRouteDeps): SpecialRoute {
  return { op: 'Admin', path: `${ADMIN_PREFIX}/`, handle: (req, ctx) => handle(deps, req, ctx) };
}

async function handle(deps: AdminRouteDeps, req: GatewayRequest, ctx: RouteContext) {
  try {
    const path = req.rawPath.slice(ADMIN_PREFIX.length);
    if (path === '/openapi.json') {
      discardBody(req.body);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new AdminError('MethodNotAllowed', 'Use GET.');
      return jsonResponse(200, openApiDocument(), { 'cache-control': 'public, max-age=300' });
    }
    const match = matchOperation(req.method, path);
    if (!match) {
      discardBody(req.body);
      throw new AdminError('NotFound', 'No management operation at this path.');
    }
    // Authentication comes before "method not allowed", so nothing about the API is told to strangers but its document.
    const { caller, body } = await authenticateCaller(deps.auth, req);
    if ('allowed' in match) {
      discardBody(body);
      return renderAdminError(new AdminError('MethodNotAllowed', `Use ${match.allowed.join(', ')}.`), ctx.requestId, { allow: match.allowed.join(', ') });
    }
    const { operation, params } = match;
    if (params.account !== undefined && params.account !== caller.account && !caller.operator) {
      discardBody(body);
      throw new AdminError('Forbidden', 'The caller may manage only its own account.');
    }
    const services = deps.services;
    if (!services) {
      discardBody(body);
      throw new AdminError('NotAvailable', 'The management API needs a database policy store (policy.sqlitePath or policy.postgresUrl, on a Node server).');
    }
    const input = await readJson(body, req.headers['content-type']);
    const result = await operation.handle({ caller, params, body: input, services });
    return jsonResponse(result.status, result.value, { 'cache-control': 'no-store' });
  } catch (error) {
    if (error instanceof AdminError) return renderAdminError(error, ctx.requestId, error.status === 405 ? { allow: 'GET' } : {});
    ctx.log.write({ level: 'error', msg: 'admin_internal_error', requestId: ctx.requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return renderAdminError(new AdminError('InternalError', 'The request failed on the server.'), ctx.requestId);
  }
}

async function readJson(body: GatewayRequest['body'], contentType: string | undefined): Promise<unknown> {
  if (!body) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await readAll(body, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof RangeError) throw new AdminError('BadRequest', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
    // A body that fails its signed digest is refused like a bad signature.
    throw new AdminError('Unauthenticated', 'The request body does not match its signature.');
  }
  if (bytes.byteLength === 0) return undefined;
  if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') throw new AdminError('BadRequest', 'The request body must be application/json.');
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw new AdminError('BadRequest', 'The request body is not valid JSON.');
  }
}
