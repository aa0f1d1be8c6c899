/** Tests for account quotas: UTC periods, request and egress quotas, settlement, and counters that expire with their period. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { S3Error } from '../errors/s3-error.ts';
import type { PrincipalIdentity } from '../identity.ts';
import { LocalQuotaCounters, createAccountQuotas, currentPeriod } from './quotas.ts';

const acme: PrincipalIdentity = { kind: 'principal', account: 'acme', accessKeyId: 'K' };

describe('quota periods', () => {
  test('a UTC day and a UTC month, ending at the next one', () => {
    const at = new Date('2026-12-31T23:59:59.999Z');
    assert.deepEqual(currentPeriod('day', at), { id: '2026-12-31', endsAt: new Date('2027-01-01T00:00:00Z') });
    assert.deepEqual(currentPeriod('month', at), { id: '2026-12', endsAt: new Date('2027-01-01T00:00:00Z') });
    assert.deepEqual(currentPeriod('month', new Date('2028-02-10T00:00:00Z')).endsAt, new Date('2028-03-01T00:00:00Z'));
  });
});

describe('account quotas', () => {
  test('requests are counted per period and refused past the quota; a new period starts afresh', async () => {
    let now = new Date('2026-05-31T23:00:00Z');
    const refused: string[] = [];
    const quotas = createAccountQuotas({ period: 'day', accounts: { acme: { requests: 2 } }, shared: false }, new LocalQuotaCounters(() => now.getTime()), () => now, (kind) => refused.push(kind));
    await quotas.admit(acme, 'GET');
    await quotas.admit(acme, 'PUT');
    await assert.rejects(quotas.admit(acme, 'GET'), (error: unknown) => error instanceof S3Error && error.code === 'AccessDenied' && /resets at 2026-06-01T00:00:00.000Z/.test(error.message));
    now = new Date('2026-06-01T00:00:01Z');
    await quotas.admit(acme, 'GET');
    assert.deepEqual(refused, ['requests']);
  });

  test('egress: a GET is refused once the settled bytes reach the quota; other methods are not', async () => {
    const now = new Date('2026-05-10T12:00:00Z');
    const quotas = createAccountQuotas({ period: 'month', default: { egressBytes: 100 }, accounts: {}, shared: false }, new LocalQuotaCounters(() => now.getTime()), () => now);
    await quotas.admit(acme, 'GET');
    await quotas.settle('acme', 60);
    await quotas.admit(acme, 'GET');
    await quotas.settle('acme', 40);
    await assert.rejects(quotas.admit(acme, 'GET'), /egress quota \(100 bytes\) of account acme is exhausted/);
    await quotas.admit(acme, 'PUT');
    await quotas.admit({ kind: 'anonymous' }, 'GET');
  });

  test('local counters expire with their period', () => {
    let now = 0;
    const counters = new LocalQuotaCounters(() => now);
    assert.equal(counters.add('a', 5, 1000), 5);
    assert.equal(counters.add('a', 5, 1000), 10);
    now = 1000;
    assert.equal(counters.get('a'), 0);
    assert.equal(counters.add('a', 1, 1000), 1);
  });
});
