/**
 * The authorize stage: every S3 operation has an authorization mapping, and
 * each target is resolved and checked before a handler could use it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../backends/memory/memory-backend.ts';
import { publicOnlyPolicy, type AccessPolicy } from './access-policy.ts';
import { type AuthorizedOperation, authorizeOperation } from './authorize.ts';
import { Resolver } from './bucket-resolver.ts';
import type { BucketConfig } from './config.ts';
import { S3Error } from './errors/s3-error.ts';
import { ANONYMOUS, type Identity } from './identity.ts';
import { StaticResolutionStore } from './resolution-store.ts';
import type { BucketRegistry } from './bucket-registry.ts';
import { createGrantPolicy } from '../authz/grant-policy.ts';
import type { OperationName, OperationOf } from './s3/operation.ts';
import { planOperation } from './s3/targets.ts';

const bucket = (name: string, overrides: Partial<BucketConfig> = {}): BucketConfig => ({
  name, connection: 'main', prefix: `${name}/`, public: false, readOnly: false, ...overrides,
});
const BUCKETS = [bucket('open', { public: true }), bucket('closed'), bucket('frozen', { readOnly: true }), bucket('made', { account: 'writer' })];
const READER: Identity = { kind: 'principal', account: 'reader', accessKeyId: 'SLAKREADER' };
const WRITER: Identity = { kind: 'principal', account: 'writer', accessKeyId: 'SLAKWRITER' };

/** Readers read everything; the writer also writes anything. */
const policy: AccessPolicy = {
  async allows(identity, request) {
    if (await publicOnlyPolicy.allows(identity, request)) return true;
    if (identity.kind === 'anonymous') return false;
    return request.action === 'read' || (identity.account === 'writer' && !request.bucket.readOnly);
  },
  async canSee(identity, b) {
    return b.public || identity.kind === 'principal';
  },
};

function resolver(backend = new MemoryBackend({ readOnly: false })): Resolver {
  return new Resolver(new StaticResolutionStore(BUCKETS), new Map([['main', backend]]), 'path');
}

/** The writer's account may create buckets; `made` is one it created, `closed` was declared in the configuration. */
const registry: BucketRegistry = {
  async placement(account, name) {
    return account === 'writer' ? { connection: 'main', prefix: `${name}/` } : null;
  },
  async created(name) {
    return name === 'made' ? { name, account: 'writer', createdAt: new Date(0) } : null;
  },
  async create() {
    return 'created';
  },
  async remove() {
    return true;
  },
};

/** One sample of every operation: the type fails to compile when an operation is added without one. */
const SAMPLES: { [N in OperationName]: OperationOf<N> } = {
  ListBuckets: { name: 'ListBuckets' },
  HeadBucket: { name: 'HeadBucket', bucket: 'closed', style: 'path' },
  GetBucketLocation: { name: 'GetBucketLocation', bucket: 'closed', style: 'path' },
  ListObjects: { name: 'ListObjects', bucket: 'closed', style: 'path', list: { prefix: '', maxKeys: 1000, fetchOwner: true } },
  ListObjectsV2: { name: 'ListObjectsV2', bucket: 'closed', style: 'path', list: { prefix: 'a/', maxKeys: 1000, fetchOwner: false } },
  GetObject: { name: 'GetObject', bucket: 'closed', style: 'path', key: 'k', conditions: {}, overrides: {} },
  HeadObject: { name: 'HeadObject', bucket: 'closed', style: 'path', key: 'k', conditions: {}, overrides: {} },
  PutObject: { name: 'PutObject', bucket: 'closed', style: 'path', key: 'k', metadata: { metadata: {} } },
  DeleteObject: { name: 'DeleteObject', bucket: 'closed', style: 'path', key: 'k' },
  CopyObject: {
    name: 'CopyObject', bucket: 'closed', style: 'path', key: 'k', source: { bucket: 'open', key: 's' },
    metadataDirective: 'COPY', metadata: { metadata: {} }, sourceConditions: {},
  },
  DeleteObjects: { name: 'DeleteObjects', bucket: 'closed', style: 'path' },
  CreateMultipartUpload: { name: 'CreateMultipartUpload', bucket: 'closed', style: 'path', key: 'k', metadata: { metadata: {} } },
  UploadPart: { name: 'UploadPart', bucket: 'closed', style: 'path', key: 'k', uploadId: 'u', partNumber: 1 },
  UploadPartCopy: {
    name: 'UploadPartCopy', bucket: 'closed', style: 'path', key: 'k', uploadId: 'u', partNumber: 1,
    source: { bucket: 'open', key: 's' }, sourceConditions: {},
  },
  CompleteMultipartUpload: { name: 'CompleteMultipartUpload', bucket: 'closed', style: 'path', key: 'k', uploadId: 'u' },
  AbortMultipartUpload: { name: 'AbortMultipartUpload', bucket: 'closed', style: 'path', key: 'k', uploadId: 'u' },
  ListParts: { name: 'ListParts', bucket: 'closed', style: 'path', key: 'k', uploadId: 'u', maxParts: 1000 },
  ListMultipartUploads: { name: 'ListMultipartUploads', bucket: 'closed', style: 'path', uploads: { prefix: '', maxUploads: 1000 } },
  CreateBucket: { name: 'CreateBucket', bucket: 'fresh', style: 'path' },
  DeleteBucket: { name: 'DeleteBucket', bucket: 'made', style: 'path' },
  Unsupported: { name: 'Unsupported', operation: 'GetBucketAcl', bucket: 'closed' },
};

/** Which identities each operation lets through on the samples above. */
const EXPECTED: Record<OperationName, { anonymous: boolean; reader: boolean; writer: boolean }> = {
  ListBuckets: { anonymous: true, reader: true, writer: true },
  HeadBucket: { anonymous: false, reader: true, writer: true },
  GetBucketLocation: { anonymous: false, reader: true, writer: true },
  ListObjects: { anonymous: false, reader: true, writer: true },
  ListObjectsV2: { anonymous: false, reader: true, writer: true },
  GetObject: { anonymous: false, reader: true, writer: true },
  HeadObject: { anonymous: false, reader: true, writer: true },
  PutObject: { anonymous: false, reader: false, writer: true },
  DeleteObject: { anonymous: false, reader: false, writer: true },
  CopyObject: { anonymous: false, reader: false, writer: true },
  // The bucket is visible to readers; each key is authorized later, on its own.
  DeleteObjects: { anonymous: false, reader: true, writer: true },
  // Every step of a multipart upload writes the object; listing uploads needs list and write on the bucket.
  CreateMultipartUpload: { anonymous: false, reader: false, writer: true },
  UploadPart: { anonymous: false, reader: false, writer: true },
  UploadPartCopy: { anonymous: false, reader: false, writer: true },
  CompleteMultipartUpload: { anonymous: false, reader: false, writer: true },
  AbortMultipartUpload: { anonymous: false, reader: false, writer: true },
  ListParts: { anonymous: false, reader: false, writer: true },
  ListMultipartUploads: { anonymous: false, reader: false, writer: true },
  // Only an account allowed to create buckets; only the owner of a bucket created at run time.
  CreateBucket: { anonymous: false, reader: false, writer: true },
  DeleteBucket: { anonymous: false, reader: false, writer: true },
  // Nothing is touched: refused as not implemented after authentication.
  Unsupported: { anonymous: true, reader: true, writer: true },
};

async function outcome(identity: Identity, name: OperationName): Promise<AuthorizedOperation | 'denied'> {
  try {
    return await authorizeOperation({ identity, policy, resolver: resolver(), buckets: registry }, planOperation(SAMPLES[name]));
  } catch (error) {
    assert.ok(error instanceof S3Error && error.code === 'AccessDenied', `${name}: ${String(error)}`);
    return 'denied';
  }
}

describe('every operation has an authorization mapping', () => {
  for (const name of Object.keys(SAMPLES) as OperationName[]) {
    test(`${name}: planned with its targets and authorized as expected`, async () => {
      const planned = planOperation(SAMPLES[name]);
      assert.equal(planned.name, name);
      for (const [who, identity] of [['anonymous', ANONYMOUS], ['reader', READER], ['writer', WRITER]] as const) {
        const result = await outcome(identity, name);
        assert.equal(result !== 'denied', EXPECTED[name][who], `${name} as ${who}`);
        if (result !== 'denied') assert.equal(result.name, name);
      }
    });
  }
});

describe('the rules that live in the authorize stage', () => {
  test('a missing bucket and a forbidden one get the same AccessDenied', async () => {
    const op: OperationOf<'GetObject'> = { ...SAMPLES.GetObject, bucket: 'no-such-bucket' };
    await assert.rejects(authorizeOperation({ identity: READER, policy, resolver: resolver() }, planOperation(op)), { code: 'AccessDenied' });
    await assert.rejects(authorizeOperation({ identity: ANONYMOUS, policy, resolver: resolver() }, planOperation(SAMPLES.GetObject)), { code: 'AccessDenied' });
  });

  test('a write to a connection that cannot write is refused before any backend call', async () => {
    const readOnly = new MemoryBackend({ readOnly: true });
    const calls: string[] = [];
    const watched = new Proxy(readOnly, { get: (target, prop, receiver) => (typeof prop === 'string' && ['put', 'delete'].includes(prop) && calls.push(prop), Reflect.get(target, prop, receiver)) });
    await assert.rejects(
      authorizeOperation({ identity: WRITER, policy, resolver: resolver(watched) }, planOperation(SAMPLES.PutObject)),
      { code: 'AccessDenied' },
    );
    assert.deepEqual(calls, []);
  });

  test('CopyObject needs read on the source and write on the destination', async () => {
    const intoFrozen: OperationOf<'CopyObject'> = { ...SAMPLES.CopyObject, bucket: 'frozen' };
    await assert.rejects(authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(intoFrozen)), { code: 'AccessDenied' });
    const fromMissing: OperationOf<'CopyObject'> = { ...SAMPLES.CopyObject, source: { bucket: 'nowhere', key: 's' } };
    await assert.rejects(authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(fromMissing)), { code: 'AccessDenied' });
    const ok = await authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(SAMPLES.CopyObject));
    assert.ok(ok.name === 'CopyObject');
    assert.deepEqual([ok.source.bucket.name, ok.source.key, ok.destination.bucket.name, ok.destination.key], ['open', 's', 'closed', 'k']);
  });

  test('UploadPartCopy needs read on the source and write on the destination', async () => {
    const intoFrozen: OperationOf<'UploadPartCopy'> = { ...SAMPLES.UploadPartCopy, bucket: 'frozen' };
    await assert.rejects(authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(intoFrozen)), { code: 'AccessDenied' });
    const fromMissing: OperationOf<'UploadPartCopy'> = { ...SAMPLES.UploadPartCopy, source: { bucket: 'nowhere', key: 's' } };
    await assert.rejects(authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(fromMissing)), { code: 'AccessDenied' });
  });

  test('ListMultipartUploads on a read-only bucket is refused even to a writer', async () => {
    const frozen: OperationOf<'ListMultipartUploads'> = { ...SAMPLES.ListMultipartUploads, bucket: 'frozen' };
    await assert.rejects(authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(frozen)), { code: 'AccessDenied' });
  });

  test('DeleteObjects authorizes each key on its own; a denied key yields no target', async () => {
    const authorized = await authorizeOperation({ identity: READER, policy, resolver: resolver() }, planOperation(SAMPLES.DeleteObjects));
    assert.ok(authorized.name === 'DeleteObjects');
    assert.equal(await authorized.keys.authorize('a'), null);
    const writer = await authorizeOperation({ identity: WRITER, policy, resolver: resolver() }, planOperation(SAMPLES.DeleteObjects));
    assert.ok(writer.name === 'DeleteObjects');
    const object = await writer.keys.authorize('a');
    assert.equal(object?.key, 'a');
    assert.equal(object?.action, 'write');
  });
});

describe('creating and deleting buckets', () => {
  const ctx = (identity: Identity, backend = new MemoryBackend({ readOnly: false }), buckets: BucketRegistry | null = registry, access = policy) =>
    ({ identity, policy: access, resolver: resolver(backend), ...(buckets && { buckets }) });

  test('CreateBucket places the bucket where the account\'s template says, owned by the account', async () => {
    const ok = await authorizeOperation(ctx(WRITER), planOperation(SAMPLES.CreateBucket));
    assert.ok(ok.name === 'CreateBucket');
    assert.deepEqual(ok.creation.bucket, { name: 'fresh', connection: 'main', prefix: 'fresh/', public: false, readOnly: false, account: 'writer' });
  });

  test('without a bucket registry nobody may create or delete buckets', async () => {
    for (const name of ['CreateBucket', 'DeleteBucket'] as const) {
      await assert.rejects(authorizeOperation(ctx(WRITER, undefined, null), planOperation(SAMPLES[name])), { code: 'AccessDenied' });
    }
  });

  test('CreateBucket on a connection that cannot write is refused', async () => {
    await assert.rejects(authorizeOperation(ctx(WRITER, new MemoryBackend({ readOnly: true })), planOperation(SAMPLES.CreateBucket)), { code: 'AccessDenied' });
  });

  test('a ceiling that does not allow writing the new bucket refuses its creation', async () => {
    // The real grant policy: no grants, so only ownership of the new bucket and the ceiling decide.
    const grants = createGrantPolicy({ getGrants: async () => [] }, 'path');
    const ceiled: Identity = { ...WRITER, ceiling: [{ bucket: 'other', actions: ['read', 'write'] }] };
    await assert.rejects(authorizeOperation(ctx(ceiled, undefined, registry, grants), planOperation(SAMPLES.CreateBucket)), { code: 'AccessDenied' });
    const allowed: Identity = { ...WRITER, ceiling: [{ bucket: 'fresh', actions: ['write'] }] };
    assert.equal((await authorizeOperation(ctx(allowed, undefined, registry, grants), planOperation(SAMPLES.CreateBucket))).name, 'CreateBucket');
  });

  test('DeleteBucket of a missing bucket: NoSuchBucket for an account that may create buckets, AccessDenied for others', async () => {
    const missing: OperationOf<'DeleteBucket'> = { ...SAMPLES.DeleteBucket, bucket: 'nowhere' };
    await assert.rejects(authorizeOperation(ctx(WRITER), planOperation(missing)), { code: 'NoSuchBucket' });
    await assert.rejects(authorizeOperation(ctx(READER), planOperation(missing)), { code: 'AccessDenied' });
  });

  test('DeleteBucket of a bucket declared in the configuration is refused, even to an account that owns it', async () => {
    const declared: OperationOf<'DeleteBucket'> = { ...SAMPLES.DeleteBucket, bucket: 'closed' };
    await assert.rejects(authorizeOperation(ctx(WRITER), planOperation(declared)), { code: 'AccessDenied' });
    const owned = { ...registry, created: async () => null };
    await assert.rejects(authorizeOperation(ctx(WRITER, undefined, owned), planOperation(SAMPLES.DeleteBucket)), { code: 'AccessDenied' });
  });

  test('CreateBucket and DeleteBucket are not offered with path-mapped addressing', async () => {
    const mapped = new Resolver(new StaticResolutionStore(BUCKETS), new Map([['main', new MemoryBackend({ readOnly: false })]]), 'path-mapped');
    for (const name of ['CreateBucket', 'DeleteBucket'] as const) {
      await assert.rejects(authorizeOperation({ identity: WRITER, policy, resolver: mapped, buckets: registry }, planOperation(SAMPLES[name])), { code: 'NotImplemented' });
    }
  });
});
