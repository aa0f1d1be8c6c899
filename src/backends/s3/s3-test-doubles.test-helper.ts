/**
 * Test doubles for the S3 backend's unit tests: an HttpClient answering from
 * a script and recording what it was asked, a signer recording what it was
 * given, and a backend wired to both with instant, recorded backoff waits.
 */
import { bytesBody, readAll } from '../../core/body.ts';
import type { HttpClient, OutboundRequest, OutboundResponse } from '../../core/http.ts';
import { S3Backend } from './s3-backend.ts';
import type { S3BackendOptions } from './options.ts';
import type { SignFunction } from './transport.ts';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type Reply = (Partial<Omit<OutboundResponse, 'body'>> & { body?: string }) | Error | ((req: OutboundRequest) => Promise<OutboundResponse>);

/** Answers requests from a script, in order, recording what was asked. */
export function scriptedHttp(replies: Reply[]): HttpClient & { requests: Recorded[] } {
  const requests: Recorded[] = [];
  return {
    requests,
    async request(req) {
      const body = req.body ? new TextDecoder().decode(await readAll(req.body)) : undefined;
      requests.push({ method: req.method, url: req.url, headers: req.headers, ...(body !== undefined ? { body } : {}) });
      const reply = replies.shift();
      if (reply === undefined) throw new Error(`unexpected request ${req.method} ${req.url}`);
      if (reply instanceof Error) throw reply;
      if (typeof reply === 'function') return reply(req);
      return { status: reply.status ?? 200, headers: reply.headers ?? {}, body: bytesBody(reply.body ?? '') };
    },
  };
}

export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** Records what it was asked to sign and adds a recognisable authorization header. */
export function recordingSigner(): SignFunction & { calls: Array<{ headers: Record<string, string>; payloadHash?: string }> } {
  const calls: Array<{ headers: Record<string, string>; payloadHash?: string }> = [];
  const sign: SignFunction = async (req, creds, opts) => {
    calls.push({ headers: req.headers, payloadHash: opts.payloadHash });
    return { ...req.headers, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/x, Signature=sig-of-${creds.secretAccessKey}` };
  };
  return Object.assign(sign, { calls });
}

export function backend(http: HttpClient, overrides: Partial<S3BackendOptions> = {}, sign: SignFunction = recordingSigner()) {
  const sleeps: number[] = [];
  const b = new S3Backend(
    {
      endpoint: 'http://127.0.0.1:4568',
      region: 'us-east-1',
      bucket: 'data',
      forcePathStyle: true,
      prefix: 'base/',
      credentials: { accessKeyId: 'AKID', secretAccessKey: SECRET },
      http,
      retry: { attempts: 3, baseDelayMs: 100 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    },
    sign,
  );
  return { backend: b, sleeps };
}

export const objectHeaders = {
  'content-length': '5',
  etag: '"e1"',
  'last-modified': 'Wed, 01 May 2024 10:00:00 GMT',
  'content-type': 'text/plain',
  'x-amz-meta-owner': 'ann',
};
export const errorXml = (code: string, extra = '') => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message>${extra}<RequestId>r</RequestId></Error>`;
