import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicyChange } from './policy-change.ts';

describe('parsePolicyChange', () => {
  const cases: [name: string, payload: string | undefined, expected: ReturnType<typeof parsePolicyChange>][] = [
    ['an access key', '{"kind":"access-key","accessKeyId":"SLAKX"}', { kind: 'access-key', accessKeyId: 'SLAKX' }],
    ['an API key record', '{"kind":"api-key","jti":"0f1e"}', { kind: 'api-key', jti: '0f1e' }],
    ['an account\'s identity providers', '{"kind":"identity-providers","account":"acme"}', { kind: 'identity-providers', account: 'acme' }],
    ['a role', '{"kind":"role","account":"acme","name":"ci"}', { kind: 'role', account: 'acme', name: 'ci' }],
    ['buckets', '{"kind":"buckets"}', { kind: 'buckets' }],
    ['an API key without its id is "all"', '{"kind":"api-key"}', { kind: 'all' }],
    ['identity providers without an account are "all"', '{"kind":"identity-providers","account":7}', { kind: 'all' }],
    ['an unknown kind is "all"', '{"kind":"something-new"}', { kind: 'all' }],
    ['not JSON is "all"', 'api-key', { kind: 'all' }],
    ['no payload is "all"', undefined, { kind: 'all' }],
  ];
  for (const [name, payload, expected] of cases) {
    it(name, () => assert.deepEqual(parsePolicyChange(payload), expected));
  }
});
