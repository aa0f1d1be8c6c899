/**
 * What the federation tests need around moto: an IAM role to assume, and an
 * `HttpClient` that signs STS calls.
 *
 * Real STS takes `AssumeRoleWithWebIdentity` unsigned — the token is the
 * proof — but moto, once it checks signatures, checks every call. The
 * wrapper signs calls to the STS endpoint with the peer's IAM user (allowed
 * `sts:*`) and records each form it sends, so tests can read the token
 * Sluice presented. moto accepts any web identity token; the tests decode
 * and verify it themselves.
 */
import { createHash } from 'node:crypto';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import type { HttpClient } from '../../src/core/http.ts';
import type { S3Peer } from '../peers/s3-peer.ts';

/** One query-API call to moto (IAM), signed with the peer's user. */
export async function motoQuery(peer: S3Peer, service: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams(params).toString();
  const headers = await signRequest(
    { method: 'POST', url: `${peer.endpoint}/`, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    peer.credentials,
    { region: peer.region, service, payloadHash: createHash('sha256').update(body).digest('hex') },
  );
  delete headers.host;
  const res = await fetch(`${peer.endpoint}/`, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} ${params.Action} failed: ${res.status} ${text}`);
  return text;
}

/** A role allowed `s3:*`, trusting the issuer's tokens for one subject; returns its ARN. */
export async function createFederatedRole(peer: S3Peer, name: string, trust: Record<string, unknown>): Promise<string> {
  const created = await motoQuery(peer, 'iam', {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify(trust),
  });
  await motoQuery(peer, 'iam', {
    Action: 'PutRolePolicy',
    Version: '2010-05-08',
    RoleName: name,
    PolicyName: 's3-all',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(created)?.[1];
  if (!arn) throw new Error(`no role ARN in ${created}`);
  return arn;
}

export interface StsRecordingClient extends HttpClient {
  /** Each STS form sent, decoded. */
  readonly stsCalls: URLSearchParams[];
}

/**
 * Signs (for moto) and records STS calls (form POSTs to `{stsEndpoint}/`);
 * other calls pass through untouched. With `now`, answers are restated on
 * that (fake) clock: moto states `Expiration` on the real one, so a test
 * moving its clock forward would see every session expire at once.
 */
export function signingStsClient(inner: HttpClient, peer: S3Peer, stsEndpoint: string, now?: () => Date): StsRecordingClient {
  const stsCalls: URLSearchParams[] = [];
  return {
    stsCalls,
    async request(req) {
      // moto serves every service on one port: STS calls are the form POSTs to the root.
      const isSts = req.method === 'POST' && req.url === `${stsEndpoint}/` && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded');
      if (!isSts) return inner.request(req);
      const bytes = req.body === undefined ? new Uint8Array() : await readAll(req.body);
      const text = new TextDecoder().decode(bytes);
      stsCalls.push(new URLSearchParams(text));
      const headers = await signRequest(
        { method: req.method, url: req.url, headers: { ...req.headers } },
        peer.credentials,
        { region: peer.region, service: 'sts', payloadHash: createHash('sha256').update(bytes).digest('hex') },
      );
      const response = await inner.request({ ...req, headers, body: bytesBody(bytes) });
      if (now === undefined || response.status !== 200) return response;
      const seconds = Number(stsCalls.at(-1)!.get('DurationSeconds') ?? 3600);
      const answer = new TextDecoder().decode(await readAll(response.body));
      const restated = answer.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${new Date(now().getTime() + seconds * 1000).toISOString()}</Expiration>`);
      return { ...response, headers: { ...response.headers, 'content-length': String(Buffer.byteLength(restated)) }, body: bytesBody(restated) };
    },
  };
}
