/**
 * An `HttpClient` wrapper for tests that checks the SigV4 signature of every
 * outbound request with the gateway's own verifier (itself cross-checked
 * against the AWS SDK) before passing it on. A request that fails is answered
 * with S3's 403 `SignatureDoesNotMatch` instead, so the caller sees the failure.
 *
 * Test servers that do not check signatures (s3rver) or check them with
 * quirks of their own (moto rebuilds URLs with its own escaping) can still
 * carry every request of a suite through a real check this way.
 */
import { verifyRequest } from '../../src/auth/sigv4/verify.ts';
import { bytesBody, discardBody } from '../../src/core/body.ts';
import type { HttpClient } from '../../src/core/http.ts';

export interface VerifyingHttpClient extends HttpClient {
  /** How many requests were checked, and what failed. */
  readonly stats: { checked: number; failures: string[] };
}

export function verifyingHttpClient(
  inner: HttpClient,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
): VerifyingHttpClient {
  const stats = { checked: 0, failures: [] as string[] };
  return {
    stats,
    async request(req) {
      const match = /^[a-z]+:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(req.url);
      if (!match) throw new TypeError(`unexpected URL ${req.url}`);
      try {
        await verifyRequest(
          { method: req.method, rawPath: match[1] || '/', rawQuery: match[2] ?? '', headers: req.headers, client: {} },
          {
            lookupSecret: async (id) => (id === credentials.accessKeyId ? { secretAccessKey: credentials.secretAccessKey } : null),
            now: () => new Date(),
            allowedRegions: [region],
          },
        );
        stats.checked++;
      } catch (err) {
        const detail = `${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`;
        stats.failures.push(detail);
        discardBody(req.body);
        const xml = `<Error><Code>SignatureDoesNotMatch</Code><Message>${detail.replace(/[<&>]/g, ' ')}</Message></Error>`;
        return { status: 403, headers: { 'content-type': 'application/xml' }, body: bytesBody(xml) };
      }
      return inner.request(req);
    },
  };
}
