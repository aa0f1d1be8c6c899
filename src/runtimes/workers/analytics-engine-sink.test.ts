/** The Workers metering sink: usage records become Analytics Engine data points on the bound dataset; a missing binding is a start-up error; a refused write is counted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageRecord } from '../../core/metering/usage-record.ts';
import { createBackgroundWork } from './background.ts';
import { createWorkersServices } from './services.ts';

const record: UsageRecord = {
  time: '2026-01-01T00:00:00.000Z', requestId: 'R1', account: 'acme', accessKeyId: 'SLAK1', bucket: 'tiles',
  operation: 'GetObject', method: 'GET', status: 206, bytesIn: 0, bytesOut: 65536, durationMs: 3.5, aborted: true,
};

test('records become data points on the dataset the binding names', () => {
  const points: unknown[] = [];
  const dataset = { writeDataPoint: (point: unknown) => void points.push(point) };
  const services = createWorkersServices(createBackgroundWork(), { write: () => {} }, () => ({ USAGE: dataset }));
  const sink = services.openMeteringSink!({ type: 'analytics-engine', binding: 'USAGE' }, { onDrop: () => assert.fail('nothing dropped') });
  sink!.write(record);
  sink!.write({ ...record, account: undefined, accessKeyId: undefined, aborted: undefined });
  assert.deepEqual(points, [
    { indexes: ['acme'], blobs: ['acme', 'tiles', 'GetObject', 'GET', 'R1', 'SLAK1'], doubles: [0, 65536, 3.5, 206, 1] },
    { indexes: ['anonymous'], blobs: ['', 'tiles', 'GetObject', 'GET', 'R1', ''], doubles: [0, 65536, 3.5, 206, 0] },
  ]);
});

test('a missing binding is refused by name; a write the platform refuses is counted', () => {
  const services = createWorkersServices(createBackgroundWork(), { write: () => {} }, () => ({ OTHER: 'text' }));
  assert.throws(() => services.openMeteringSink!({ type: 'analytics-engine', binding: 'USAGE' }, { onDrop: () => {} }), /no Analytics Engine dataset bound as USAGE/);
  assert.equal(services.openMeteringSink!({ type: 'file', path: '/x' }, { onDrop: () => {} }), undefined);
  let dropped = 0;
  const failing = createWorkersServices(createBackgroundWork(), { write: () => {} }, () => ({ USAGE: { writeDataPoint: () => { throw new Error('limit'); } } }));
  failing.openMeteringSink!({ type: 'analytics-engine', binding: 'USAGE' }, { onDrop: (n) => (dropped += n) })!.write(record);
  assert.equal(dropped, 1);
});
