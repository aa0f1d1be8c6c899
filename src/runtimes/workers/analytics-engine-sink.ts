/**
 * The Workers metering sink: each usage record is one Workers Analytics
 * Engine data point. `writeDataPoint` returns at once (the platform delivers
 * in the background), so nothing here waits. Layout, for SQL queries over
 * the dataset: index1 = account (or "anonymous"); blob1..6 = account,
 * bucket, operation, method, request id, access key id; double1..5 = bytes
 * in, bytes out, duration (ms), status, aborted (0/1).
 */
import type { MeteringSink, UsageRecord } from '../../core/metering/usage-record.ts';

/** The part of an Analytics Engine dataset binding used here. */
export interface AnalyticsEngineDataset {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

export function isAnalyticsEngineDataset(value: unknown): value is AnalyticsEngineDataset {
  return typeof value === 'object' && value !== null && typeof (value as Partial<AnalyticsEngineDataset>).writeDataPoint === 'function';
}

export function analyticsEngineDataPoint(record: UsageRecord): { indexes: string[]; blobs: string[]; doubles: number[] } {
  return {
    indexes: [record.account ?? 'anonymous'],
    blobs: [record.account ?? '', record.bucket ?? '', record.operation, record.method, record.requestId, record.accessKeyId ?? ''],
    doubles: [record.bytesIn, record.bytesOut, record.durationMs, record.status, record.aborted ? 1 : 0],
  };
}

export function createAnalyticsEngineSink(dataset: AnalyticsEngineDataset, onDrop: (count: number) => void): MeteringSink {
  return {
    write(record) {
      try {
        dataset.writeDataPoint(analyticsEngineDataPoint(record));
      } catch {
        // Over the platform's per-invocation limits: the record is lost, and counted.
        onDrop(1);
      }
    },
  };
}
