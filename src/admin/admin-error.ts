/**
 * The management API's errors: one code → status table and the JSON
 * envelope `{ error: { code, message, problems? }, requestId }`. Messages
 * are safe to show the caller; 5xx messages are opaque.
 */
import { jsonResponse } from '../core/routes.ts';
import type { GatewayResponse } from '../core/http.ts';

const STATUS_BY_CODE = {
  BadRequest: 400,
  ValidationFailed: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  NotAvailable: 501,
  InternalError: 500,
} as const satisfies Record<string, number>;

export type AdminErrorCode = keyof typeof STATUS_BY_CODE;

export interface Problem {
  field: string;
  message: string;
}

export class AdminError extends Error {
  override name = 'AdminError';
  readonly status: number;

  constructor(readonly code: AdminErrorCode, message: string, readonly problems?: readonly Problem[]) {
    super(message);
    this.status = STATUS_BY_CODE[code];
  }
}

export function validationFailed(problems: readonly Problem[]): AdminError {
  return new AdminError('ValidationFailed', `The request has ${problems.length} problem${problems.length === 1 ? '' : 's'}.`, problems);
}

export function renderAdminError(error: AdminError, requestId: string, headers: Record<string, string> = {}): GatewayResponse {
  const body = { code: error.code, message: error.message, ...(error.problems && { problems: error.problems }) };
  const extra: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer realm="sluice-admin", AWS4-HMAC-SHA256' } : {};
  return jsonResponse(error.status, { error: body, requestId }, { 'cache-control': 'no-store', ...extra, ...headers });
}
