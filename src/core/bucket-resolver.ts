/**
 * The resolve stage: the bucket (or path-mapped account/product) a request
 * names → its `BucketConfig` and a backend scoped to the bucket's prefix.
 */
import type { Backend } from './backend.ts';
import type { AddressingMode, BucketConfig } from './config.ts';
import type { ResolutionStore } from './resolution-store.ts';
import { scopeBackend } from './scoped-backend.ts';
import { timeBackend } from './metrics/timed-backend.ts';

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

  /**
   * A view of this resolver for one request whose backends report the time
   * each call takes (the backend's share in `Server-Timing`). It shares the
   * store and the scoped backends; only the timing wrapper is per request.
   */
  timed(onCall: (ms: number) => void): Resolver {
    const view = Object.create(this) as Resolver;
    // One timed view per bucket, so a copy within a bucket still sees one backend (and copies natively).
    const views = new Map<BucketConfig, Backend>();
    view.backendFor = (bucket) => {
      let backend = views.get(bucket);
      if (!backend) {
        backend = timeBackend(this.backendFor(bucket), (_call, ms) => onCall(ms));
        views.set(bucket, backend);
      }
      return backend;
    };
    return view;
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
