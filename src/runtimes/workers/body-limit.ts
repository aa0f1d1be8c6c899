/**
 * Request bodies a Worker cannot take: Cloudflare cuts bodies over the
 * plan's limit (100 MB on Free and Pro), so an upload declared larger is
 * answered at once with S3's `EntityTooLarge`, before a byte of it is read,
 * instead of failing part-way through.
 */
import { renderS3Error } from '../../core/errors/error-response.ts';
import { S3Error } from '../../core/errors/s3-error.ts';
import type { GatewayResponse } from '../../core/http.ts';

/** The binding that overrides the limit, in bytes. */
export const BODY_LIMIT_BINDING = 'SLUICE_MAX_REQUEST_BODY_BYTES';

/** 100 MiB: within the smallest plan's limit. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

/** The limit from the binding (a whole number of bytes), or the default; anything else is a start-up error. */
export function maxRequestBodyBytes(env: Record<string, unknown>): number {
  const value = env[BODY_LIMIT_BINDING];
  if (value === undefined) return DEFAULT_MAX_REQUEST_BODY_BYTES;
  const text = String(value).trim();
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new TypeError(`${BODY_LIMIT_BINDING} must be a positive whole number of bytes`);
  return Number(text);
}

/**
 * The refusal for a request whose Content-Length exceeds `limit`, or
 * undefined when the request may go on (no Content-Length: the platform
 * enforces its own limit on streamed bodies).
 */
export function refuseOversizedBody(request: Request, limit: number, requestId: string): GatewayResponse | undefined {
  const declared = request.headers.get('content-length');
  if (declared === null || !/^\d+$/.test(declared.trim()) || Number(declared.trim()) <= limit) return undefined;
  const error = new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.', {
    ProposedSize: declared.trim(),
    MaxSizeAllowed: String(limit),
  });
  const path = new URL(request.url).pathname;
  const response = renderS3Error(error, { resource: path, requestId, method: request.method });
  response.headers['x-amz-request-id'] = requestId;
  return response;
}
