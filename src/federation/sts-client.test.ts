import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackendAuthenticationError, BackendCredentialsDeniedError, BackendUnavailableError } from '../core/backend-errors.ts';
import { bytesBody, readAll } from '../core/body.ts';
import { toS3Error } from '../core/errors/to-s3-error.ts';
import type { HttpClient, OutboundRequest } from '../core/http.ts';
import { roleSessionName } from './session-name.ts';
import { assumeRoleWithWebIdentity, regionalStsEndpoint } from './sts-client.ts';

const OK = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret/with+chars</SecretAccessKey>
      <SessionToken>token&amp;more</SessionToken>
      <Expiration>2030-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

function stsError(code: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
}

function answering(status: number, text: string, seen: OutboundRequest[] = []): HttpClient {
  return {
    async request(req) {
      seen.push({ ...req, body: bytesBody(await readAll(req.body!)) });
      return { status, headers: {}, body: bytesBody(text) };
    },
  };
}

const request = {
  endpoint: 'https://sts.eu-west-1.amazonaws.com',
  roleArn: 'arn:aws:iam::123456789012:role/r',
  roleSessionName: 'sluice-conn-c',
  webIdentityToken: 'header.payload.signature',
};

describe('AssumeRoleWithWebIdentity client', () => {
  test('sends an unsigned form POST and reads the credentials', async () => {
    const seen: OutboundRequest[] = [];
    const result = await assumeRoleWithWebIdentity(answering(200, OK, seen), { ...request, policy: '{"Version":"2012-10-17"}', durationSeconds: 900 });
    assert.deepEqual(result, {
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret/with+chars',
      sessionToken: 'token&more',
      expiration: new Date('2030-01-01T00:00:00Z'),
    });
    const sent = seen[0]!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, 'https://sts.eu-west-1.amazonaws.com/');
    assert.equal(sent.headers.authorization, undefined);
    const form = new URLSearchParams(new TextDecoder().decode(await readAll(sent.body!)));
    assert.deepEqual(Object.fromEntries(form), {
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: request.roleArn,
      RoleSessionName: 'sluice-conn-c',
      WebIdentityToken: 'header.payload.signature',
      DurationSeconds: '900',
      Policy: '{"Version":"2012-10-17"}',
    });
  });

  const cases: [string, number, string, new (...args: never[]) => Error, number, string][] = [
    ['AccessDenied is a refusal: 403', 403, stsError('AccessDenied'), BackendCredentialsDeniedError, 403, 'AccessDenied'],
    ['InvalidIdentityToken is a refusal: 403', 400, stsError('InvalidIdentityToken'), BackendCredentialsDeniedError, 403, 'AccessDenied'],
    ['MalformedPolicyDocument is another failure: 502', 400, stsError('MalformedPolicyDocument'), BackendAuthenticationError, 502, 'BackendAuthenticationFailed'],
    ['ExpiredTokenException is another failure: 502', 400, stsError('ExpiredTokenException'), BackendAuthenticationError, 502, 'BackendAuthenticationFailed'],
    ['an unreadable refusal: 502', 400, 'not xml', BackendAuthenticationError, 502, 'BackendAuthenticationFailed'],
    ['a 200 without credentials: 502', 200, '<AssumeRoleWithWebIdentityResponse/>', BackendAuthenticationError, 502, 'BackendAuthenticationFailed'],
    ['Throttling is transient: 503', 400, stsError('Throttling'), BackendUnavailableError, 503, 'ServiceUnavailable'],
    ['a 5xx answer is transient: 503', 500, stsError('InternalFailure'), BackendUnavailableError, 503, 'ServiceUnavailable'],
  ];
  for (const [name, status, text, type, clientStatus, clientCode] of cases) {
    test(name, async () => {
      const error = await assumeRoleWithWebIdentity(answering(status, text), request).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof type, `got ${String(error)}`);
      const s3 = toS3Error(error)!;
      assert.equal(s3.status, clientStatus);
      assert.equal(s3.code, clientCode);
      // The client learns nothing of STS's answer or the token.
      assert.doesNotMatch(s3.message, /STS|token service|header\.payload|AccessDenied|Invalid/i);
    });
  }

  test('an unreachable token service is 503', async () => {
    const failing: HttpClient = { request: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:1'); } };
    const error = await assumeRoleWithWebIdentity(failing, request).catch((e: unknown) => e);
    assert.ok(error instanceof BackendUnavailableError);
    assert.equal(toS3Error(error)!.status, 503);
  });

  test('a token service that does not answer in time is 503', async () => {
    const hanging: HttpClient = {
      request: (req) => new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(req.signal!.reason))),
    };
    const error = await assumeRoleWithWebIdentity(hanging, request, { timeoutMs: 20 }).catch((e: unknown) => e);
    assert.ok(error instanceof BackendUnavailableError);
  });

  test('regional endpoints', () => {
    assert.equal(regionalStsEndpoint('eu-west-1'), 'https://sts.eu-west-1.amazonaws.com');
    assert.equal(regionalStsEndpoint('cn-north-1'), 'https://sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('RoleSessionName', () => {
  const rows: [string, string, string][] = [
    ['the connection subject', 'sluice:conn:federated', 'sluice-conn-federated'],
    ['allowed punctuation kept', 'a+b=c,d.e@f-g_h', 'a+b=c,d.e@f-g_h'],
    ['spaces, slashes and non-ASCII replaced', 'sluice:conn:a b/ç', 'sluice-conn-a-b--'],
    ['too short padded', 'x', 'x-'],
  ];
  for (const [name, input, expected] of rows) test(name, () => assert.equal(roleSessionName(input), expected));
  test('cut at 64 characters', () => {
    const name = roleSessionName(`sluice:conn:${'c'.repeat(100)}`);
    assert.equal(name.length, 64);
    assert.match(name, /^[\w+=,.@-]{2,64}$/);
  });
});
