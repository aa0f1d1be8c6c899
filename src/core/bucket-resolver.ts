/**
 * The resolve stage: the bucket (or path-mapped account/product) a request
 * names → its `BucketConfig` and a backend scoped to the bucket's prefix.
 */
import type { Backend } from './backend.ts';
import type { AddressingMode, BucketConfig } from './config.ts';
import type { ResolutionStore } from './resolution-store.ts';
import { scopeBackend } from './scoped-backend.ts';

export interface ObjectTarget {
  bucket: BucketConfig;
  backend: Backend;
  /** The key within the bucket. */
  key: string;
}

export class Resolver {
  private readonly scoped = new WeakMap<BucketConfig, Backend>();

  constructor(
    readonly store: ResolutionStore,
    private readonly backends: ReadonlyMap<string, Backend>,
    readonly mode: AddressingMode,
  ) {}

  /** The bucket addressed by name (path or virtual-host style). Path-mapped mode has no such buckets. */
  async bucket(name: string): Promise<BucketConfig | null> {
    return this.mode === 'path' ? this.store.getBucket(name) : null;
  }

  /**
   * The object a request names. In path-mapped mode `first` is the account
   * and the product is the key's first segment.
   */
  async object(first: string, key: string): Promise<ObjectTarget | null> {
    if (this.mode === 'path') {
      const bucket = await this.store.getBucket(first);
      return bucket && { bucket, backend: this.backendFor(bucket), key };
    }
    const slash = key.indexOf('/');
    if (slash <= 0) return null;
    const bucket = await this.store.getProduct(first, key.slice(0, slash));
    return bucket && { bucket, backend: this.backendFor(bucket), key: key.slice(slash + 1) };
  }

  /** A connection's own backend, unscoped (to prepare or release a bucket's place in it). */
  connection(name: string): Backend {
    const connection = this.backends.get(name);
    if (!connection) throw new TypeError(`no backend for connection ${name}`);
    return connection;
  }

  backendFor(bucket: BucketConfig): Backend {
    let backend = this.scoped.get(bucket);
    if (!backend) {
      const connection = this.backends.get(bucket.connection);
      if (!connection) throw new TypeError(`bucket ${bucket.name}: no backend for connection ${bucket.connection}`);
      backend = scopeBackend(connection, bucket.prefix);
      this.scoped.set(bucket, backend);
    }
    return backend;
  }
}
