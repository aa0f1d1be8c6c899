/**
 * CORS, as S3 applies a bucket's CORS configuration: preflight `OPTIONS`
 * answered from the configured rule, and `Access-Control-*` headers added to
 * responses whose `Origin` the rule allows. Rules are compiled once.
 */
import type { CorsConfig } from './config.ts';
import { S3Error } from './errors/s3-error.ts';
import type { GatewayRequest, GatewayResponse, HeaderMap } from './http.ts';

export interface CorsPolicy {
  preflight(req: GatewayRequest): GatewayResponse;
  /** Adds the response headers for an allowed origin (mutates `headers`). */
  decorate(req: GatewayRequest, headers: HeaderMap): void;
}

const NOT_ALLOWED = 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.';

export function compileCors(config: CorsConfig | undefined): CorsPolicy {
  if (!config) {
    return {
      preflight(req) {
        if (req.headers.origin === undefined) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
        throw new S3Error('AccessDenied', NOT_ALLOWED);
      },
      decorate() {},
    };
  }
  const anyOrigin = config.allowedOrigins.includes('*');
  const origins = new Set(config.allowedOrigins);
  const methods = new Set(config.allowedMethods.map((m) => m.toUpperCase()));
  const anyHeader = config.allowedHeaders.includes('*');
  const headers = new Set(config.allowedHeaders.map((h) => h.toLowerCase()));
  const allowMethods = [...methods].join(', ');
  const exposeHeaders = config.exposeHeaders.join(', ');
  const maxAge = String(config.maxAgeSeconds);

  const originAllowed = (origin: string | undefined): origin is string => origin !== undefined && (anyOrigin || origins.has(origin));
  const allowOriginValue = (origin: string) => (anyOrigin && !config.allowCredentials ? '*' : origin);

  return {
    preflight(req) {
      const origin = req.headers.origin;
      if (origin === undefined) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
      const method = req.headers['access-control-request-method'];
      if (method === undefined) throw new S3Error('BadRequest', 'Invalid Access-Control-Request-Method: null');
      const requested = (req.headers['access-control-request-headers'] ?? '')
        .split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
      if (!originAllowed(origin) || !methods.has(method.toUpperCase()) || (!anyHeader && !requested.every((h) => headers.has(h)))) {
        throw new S3Error('AccessDenied', NOT_ALLOWED);
      }
      const out: HeaderMap = {
        'access-control-allow-origin': allowOriginValue(origin),
        'access-control-allow-methods': allowMethods,
        'access-control-max-age': maxAge,
        vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
        'content-length': '0',
      };
      if (requested.length > 0) out['access-control-allow-headers'] = requested.join(', ');
      if (exposeHeaders) out['access-control-expose-headers'] = exposeHeaders;
      if (config.allowCredentials) out['access-control-allow-credentials'] = 'true';
      return { status: 200, headers: out };
    },
    decorate(req, out) {
      const origin = req.headers.origin;
      if (!originAllowed(origin) || !methods.has(req.method)) return;
      out['access-control-allow-origin'] = allowOriginValue(origin);
      out.vary = 'Origin';
      if (exposeHeaders) out['access-control-expose-headers'] = exposeHeaders;
      if (config.allowCredentials) out['access-control-allow-credentials'] = 'true';
    },
  };
}
