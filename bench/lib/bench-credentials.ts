/**
 * The one access key the signed benchmarks use, and the grant that lets its
 * account read the restricted bucket. Benchmark-only values.
 */
import type { PermissionStatement } from '../../src/core/identity.ts';
import { PRIVATE_BUCKET } from './data.ts';

export const BENCH_ACCOUNT = 'bench-account';
export const BENCH_KEY = { accessKeyId: 'AKIASLUICEBENCH00001', secretAccessKey: 'bench-only/secret+key/0000000000000000000' };
export const BENCH_REGION = 'us-east-1';
export const BENCH_GRANTS: readonly PermissionStatement[] = [{ bucket: PRIVATE_BUCKET, actions: ['read'] }];
