/**
 * A `Backend` over a folder (Node only). A plain tree of files publishes as
 * it is: key `a/b/c.txt` is the file `<root>/a/b/c.txt`. Every valid key is
 * stored byte-faithfully; segments a file system cannot hold literally are
 * escaped into reserved `.sluice~…` / `.sluice#…` names (see `key-paths.ts`).
 *
 * Gateway-private files live under `<root>/.sluice/` and are never listed:
 * upload temp files, long-name records and metadata sidecars (see
 * `sidecar.ts`). A file without a sidecar (a published file) gets the MD5 of
 * its content as ETag, computed once and cached in memory and, on a writable
 * root, in a sidecar; its content type is guessed from the extension.
 *
 * Reads cost one open, one fstat and a cache lookup before streaming.
 * Uploads go to a temp file and are renamed into place, so a failed upload
 * never leaves a partial object. Every commit (rename or delete) holds the
 * key's lock file (`commit-lock.ts`), shared with other processes serving the
 * root, so a conditional write's check and rename are one atomic step. A key that would need a file where a folder
 * is (or the reverse) fails with `KeyConflictError`. Symbolic links are
 * followed only when they stay inside the root, and, for a bucket's view
 * (`withPrefix`), inside the bucket's folder.
 */
import { createReadStream, fstatSync, type Stats } from 'node:fs';
import { mkdir, realpath, rename, rmdir, unlink } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import type {
  Backend, GetOptions, GetResult, ListParams, ListResult, ObjectInfo, ObjectMetadata, ObjectSummary, PutResult, ReadConditions,
} from '../../core/backend.ts';
import {
  BackendError, BackendUnavailableError, KeyConflictError, KeyOutsideScopeError, ObjectNotFoundError, RangeNotSatisfiableError,
  UnsupportedKeyError, WriteNotAllowedError,
} from '../../core/backend-errors.ts';
import type { BucketPlaces, ConditionalWrites, WriteConditions } from '../../core/backend-capabilities.ts';
import { RuntimeBody, type Body, type WebByteStream } from '../../core/body.ts';
import { prefixKeys } from '../../core/scoped-backend.ts';
import { applyConditions } from '../../core/s3/conditions.ts';
import { listSorted, listStartPoint } from '../../core/s3/list-sorted.ts';
import { resolveRange } from '../../core/s3/range.ts';
import { checkWriteConditions } from '../../core/s3/write-conditions.ts';
import { CommitLock } from './commit-lock.ts';
import { KeyedLock } from './concurrency.ts';
import { closeQuietly, errnoCode, isAbsent, lstatAsync, openForRead, statAsync, syncFolder } from './fs-ops.ts';
import { encodeKey } from './key-paths.ts';
import { LongNames } from './long-names.ts';
import { DEFAULT_MULTIPART_MAX_AGE_HOURS, FsMultipart } from './fs-multipart.ts';
import { receiveToTemp } from './object-writer.ts';
import { PrivateArea } from './private-area.ts';
import { RootGuard } from './root-guard.ts';
import { objectInfo, ObjectMetaStore, putMeta } from './object-meta.ts';
import type { StoredMeta } from './sidecar.ts';
import { TreeWalker, type WalkEntry } from './tree-walker.ts';

export interface FsBackendOptions {
  root: string;
  readOnly: boolean;
  /** Age in hours after which a multipart upload nobody completed or aborted is removed (default 24). */
  multipartMaxAgeHours?: number;
}

/** Linux PATH_MAX: longer paths cannot be opened at all. */
const PATH_MAX_BYTES = 4095;
const TEMP_MAX_AGE_MS = 24 * 3600 * 1000;

/** A bucket's view of the connection: the keys it receives all start with `prefix`; links may not leave `folder`. */
interface BucketScope {
  connection: FsBackend;
  prefix: string;
  folder: string;
}

/** Where a key lives: its file path and the folder holding it. */
interface Location {
  path: string;
  folder: string;
}

/**
 * Read size for object bodies. Node's 64 KiB default makes a large object
 * thousands of Buffers and callbacks, whose garbage-collection cost halved
 * throughput against a plain static server (`npm run bench`); 512 KiB chunks
 * remove that while keeping what one slow reader can hold bounded. Small
 * objects still get one exactly-sized read.
 */
const READ_CHUNK_BYTES = 512 * 1024;

export class FsBackend implements Backend, ConditionalWrites, BucketPlaces {
  readonly kind = 'fs';

  get writable(): boolean {
    return !this.readOnly;
  }
  readonly root: string;
  readonly readOnly: boolean;
  private guard: RootGuard | undefined;
  private starting: Promise<RootGuard> | undefined;
  private readonly area: PrivateArea;
  private readonly names: LongNames;
  private readonly locks: KeyedLock;
  private readonly commitLock: CommitLock;
  private readonly meta: ObjectMetaStore;
  /** For a bucket's view: the connection's backend (whose state it shares), the bucket's prefix and its folder. */
  private readonly scope: BucketScope | undefined;
  /** Bucket views by prefix: one per bucket in use, so each keeps its guard's caches. */
  private readonly views = new Map<string, FsBackend>();
  /** Multipart uploads, kept in the private area; a bucket view completes them inside its own folder. */
  readonly multipart: FsMultipart;
  private readonly maxAgeHours: number;

  /** `scope` is for the bucket views `withPrefix` makes; a connection's backend is made without it. */
  constructor(options: FsBackendOptions, scope?: BucketScope) {
    this.root = resolvePath(options.root);
    this.readOnly = options.readOnly;
    this.scope = scope;
    if (scope) {
      ({ area: this.area, names: this.names, locks: this.locks, meta: this.meta, commitLock: this.commitLock } = scope.connection);
    } else {
      this.area = new PrivateArea(this.root);
      this.names = new LongNames(this.area);
      this.locks = new KeyedLock();
      this.commitLock = new CommitLock(this.area.dir);
      this.meta = new ObjectMetaStore(this.area, this.locks, !this.readOnly);
    }
    const maxAgeHours = options.multipartMaxAgeHours ?? DEFAULT_MULTIPART_MAX_AGE_HOURS;
    this.maxAgeHours = maxAgeHours;
    if (!(maxAgeHours > 0)) throw new TypeError(`fs backend: multipartMaxAgeHours must be positive, not ${maxAgeHours}`);
    this.multipart = new FsMultipart({
      readOnly: this.readOnly,
      area: this.area,
      checkKey: async (key) => {
        const guard = this.guard ?? (await this.start());
        const location = this.locate(key);
        if (Buffer.byteLength(location.path) > PATH_MAX_BYTES) throw new UnsupportedKeyError(key, 'path too long for the file system');
        if (location.folder !== this.root && !(await guard.canCreateInside(location.folder))) throw new KeyOutsideScopeError(key);
      },
      failure: writeFailure,
      place: (key, temp, stats, metadata, etag, partSizes, conditions) => this.place(key, temp, stats, putMeta(etag, metadata, partSizes), { ...(conditions && { conditions }) }),
    }, maxAgeHours * 3600 * 1000, this.locks);
  }

  /**
   * The connection as the bucket at `prefix` sees it: keys relative to the
   * prefix, and links followed only when they resolve inside the bucket's
   * folder, so a link in one bucket's folder cannot reach another bucket.
   * The folder is the prefix up to its last `/` (`a/b/` and `a/b/x-` are
   * both confined to `<root>/a/b`; a prefix without `/` to the root).
   */
  withPrefix(prefix: string): Backend {
    const connection = this.scope?.connection ?? this;
    const cut = prefix.lastIndexOf('/');
    const folder = cut < 0 ? connection.root : `${connection.root}/${encodeKey(prefix.slice(0, cut)).names.join('/')}`;
    let view = connection.views.get(prefix);
    if (!view) {
      view = new FsBackend({ root: connection.root, readOnly: connection.readOnly, multipartMaxAgeHours: connection.maxAgeHours }, { connection, prefix, folder });
      connection.views.set(prefix, view);
    }
    return prefixKeys(view, prefix);
  }

  /** A new bucket's folder, `<root>/<prefix>`: made inside the root only (a link out of it is refused). */
  async createBucketPlace(prefix: string): Promise<void> {
    const guard = this.guard ?? (await this.start());
    const folder = this.bucketFolder(prefix);
    if (folder !== undefined) await this.prepareFolder(guard, prefix, folder);
  }

  /** A deleted bucket's folder goes only if it is empty (anything in it — even a stray file — keeps it). */
  async removeBucketPlace(prefix: string): Promise<void> {
    const folder = this.bucketFolder(prefix);
    if (folder === undefined) return;
    try {
      await rmdir(folder);
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
    }
  }

  /** The folder of a bucket whose prefix ends in "/"; undefined for the whole connection. */
  private bucketFolder(prefix: string): string | undefined {
    const path = prefix.replace(/\/$/, '');
    return path === '' ? undefined : `${this.root}/${encodeKey(path).names.join('/')}`;
  }

  async head(key: string, options: { conditions?: ReadConditions; signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const guard = this.guard ?? (await this.start());
    const location = this.locate(key);
    const { stats, readPath } = await this.statObject(guard, key, location);
    const meta = this.meta.cached(location.path, stats) ?? (await this.meta.load(key, location.path, readPath, stats));
    const info = objectInfo(key, stats, meta);
    applyConditions(info, options.conditions);
    return info;
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const guard = this.guard ?? (await this.start());
    const location = this.locate(key);
    const { fd, stats, readPath } = await this.openObject(guard, key, location);
    try {
      const meta = this.meta.cached(location.path, stats) ?? (await this.meta.load(key, location.path, readPath, stats, fd));
      const info = objectInfo(key, stats, meta);
      applyConditions(info, options.conditions);
      let range: GetResult['range'];
      if (options.range) {
        const resolved = resolveRange(options.range, stats.size);
        if (resolved === 'unsatisfiable') throw new RangeNotSatisfiableError(stats.size);
        range = resolved;
      }
      // An explicit end serves exactly the size announced (even if the file grows) and saves the EOF read.
      const end = range?.end ?? (stats.size > 0 ? stats.size - 1 : undefined);
      const stream = createReadStream(readPath, { fd, start: range?.start ?? 0, end, autoClose: true, highWaterMark: READ_CHUNK_BYTES });
      const body = new RuntimeBody(stream, () => Readable.toWeb(stream) as unknown as WebByteStream, () => stream.destroy());
      return range ? { info, body, range } : { info, body };
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
  }

  async list(params: ListParams): Promise<ListResult> {
    const guard = this.guard ?? (await this.start());
    const cut = params.prefix.lastIndexOf('/') + 1;
    const folderKey = params.prefix.slice(0, cut);
    const path = folderKey ? `${this.root}/${encodeKey(folderKey.slice(0, -1)).names.join('/')}` : this.root;
    const real = folderKey || guard.confined ? await guard.resolveInside(path) : guard.realRoot;
    if (real === undefined || Buffer.byteLength(path) > PATH_MAX_BYTES) return { objects: [], commonPrefixes: [], isTruncated: false };
    const start = { path, key: folderKey, real, segmentFilter: params.prefix.slice(cut), clientKeyOffset: this.scope?.prefix.length ?? 0 };
    const walker = new TreeWalker(guard, this.names, start, listStartPoint(params));
    return listSorted(walker, params, {
      skipPrefix: (prefix) => walker.skipPrefix(prefix),
      summarize: (entry) => this.summarize(guard, entry),
    });
  }

  put(key: string, body: Body, metadata: ObjectMetadata, options: { signal?: AbortSignal } = {}): Promise<PutResult> {
    return this.write(key, body, metadata, undefined, options);
  }

  /** A put that commits only if `conditions` hold at the rename, in this process or any other sharing the root. */
  conditionalPut(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions, options: { signal?: AbortSignal } = {}): Promise<PutResult> {
    return this.write(key, body, metadata, conditions, options);
  }

  private async write(
    key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions | undefined, options: { signal?: AbortSignal },
  ): Promise<PutResult> {
    if (this.readOnly) throw new WriteNotAllowedError('fs backend is read-only');
    const guard = this.guard ?? (await this.start());
    const fail = (error: unknown) => writeFailure(error, key);
    const { hashed } = encodeKey(key);
    const location = this.locate(key);
    if (Buffer.byteLength(location.path) > PATH_MAX_BYTES) throw new UnsupportedKeyError(key, 'path too long for the file system');
    await this.area.ensure().catch((error: unknown) => {
      throw fail(error);
    });
    const temp = this.area.tempPath();
    const received = await receiveToTemp(temp, body, options.signal, fail);
    const meta = putMeta(`"${received.md5}"`, metadata);
    try {
      await this.place(key, temp, received.stats, meta, { signal: options.signal, guard, hashed, conditions });
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw fail(error);
    }
    return { etag: meta.etag };
  }

  /**
   * Rename a finished temp file into place as `key` and record its metadata,
   * under the key's locks (in-process and across processes), once `conditions`
   * hold against the object there now.
   */
  private async place(
    key: string,
    temp: string,
    stats: Stats,
    meta: StoredMeta,
    options: { signal?: AbortSignal; guard?: RootGuard; hashed?: Parameters<LongNames['record']>[0]; conditions?: WriteConditions } = {},
  ): Promise<void> {
    const { signal, guard, hashed, conditions } = options;
    const rootGuard = guard ?? this.guard ?? (await this.start());
    const location = this.locate(key);
    await this.commit(key, location, conditions, async () => {
      signal?.throwIfAborted();
      await this.names.record(hashed ?? encodeKey(key).hashed);
      await this.prepareFolder(rootGuard, key, location.folder);
      await this.moveIntoPlace(rootGuard, key, temp, location);
      // After the rename: a failed rename must leave the previous object's sidecar alone.
      await this.meta.store(key, location.path, stats, meta);
    });
  }

  async delete(key: string): Promise<void> {
    if (this.readOnly) throw new WriteNotAllowedError('fs backend is read-only');
    const guard = this.guard ?? (await this.start());
    const location = this.locate(key);
    if (Buffer.byteLength(location.path) > PATH_MAX_BYTES) return;
    try {
      await this.commit(key, location, undefined, async () => {
        if (!(await guard.folderInside(location.folder))) return;
        const stats = await lstatAsync(location.path).catch(() => undefined);
        if (!stats || stats.isDirectory()) return; // No such object (a folder holds other keys).
        await unlink(location.path);
        await this.meta.forget(key, location.path);
      });
      await this.pruneEmptyFolders(location.folder);
    } catch (error) {
      if (isAbsent(error)) return;
      throw writeFailure(error, key);
    }
  }

  /**
   * Run a write's commit (`task`) as the one writer of the key's path, in this
   * process (the keyed lock) and across processes sharing the root (the
   * commit lock), after checking `conditions` against the object there now.
   * The commit point of every write and delete.
   */
  private commit(key: string, location: Location, conditions: WriteConditions | undefined, task: () => Promise<void>): Promise<void> {
    return this.locks.run(location.path, () =>
      this.commitLock.run(location.path.slice(this.root.length), key, conditions !== undefined, async () => {
        if (conditions) checkWriteConditions(key, await this.current(key, location), conditions);
        await task();
      }),
    );
  }

  /** The object at `location` now (its ETag), or undefined when there is none. */
  private async current(key: string, location: Location): Promise<{ etag: string } | undefined> {
    const guard = this.guard ?? (await this.start());
    try {
      const { stats, readPath } = await this.statObject(guard, key, location);
      return this.meta.cached(location.path, stats) ?? (await this.meta.load(key, location.path, readPath, stats));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    }
  }

  /** Resolve the root once; a writable root is created if missing and swept of stale temp files. */
  private start(): Promise<RootGuard> {
    const scope = this.scope;
    if (scope) {
      this.starting ??= (scope.connection.guard ? Promise.resolve(scope.connection.guard) : scope.connection.start()).then(
        (guard) => (this.guard = guard.within(scope.folder)),
        (error: unknown) => {
          this.starting = undefined;
          throw error;
        },
      );
      return this.starting;
    }
    this.starting ??= (async () => {
      try {
        if (!this.readOnly) await mkdir(this.root, { recursive: true });
        const guard = new RootGuard(this.root, await realpath(this.root));
        if (!this.readOnly) {
          await this.area.sweepTemp(TEMP_MAX_AGE_MS);
          await this.multipart.sweep();
        }
        this.guard = guard;
        return guard;
      } catch (error) {
        this.starting = undefined;
        throw new BackendUnavailableError(`fs root ${this.root} is not usable`, error);
      }
    })();
    return this.starting;
  }

  private locate(key: string): Location {
    const names = encodeKey(key).names;
    const path = `${this.root}/${names.join('/')}`;
    return { path, folder: path.slice(0, path.lastIndexOf('/')) };
  }

  /** Open an object for reading, following a final symlink only into the root. */
  private async openObject(guard: RootGuard, key: string, { path, folder }: Location) {
    const inside = guard.folderInside(folder);
    if (inside !== true && !(await inside)) throw new ObjectNotFoundError(key);
    let fd: number;
    let readPath = path;
    try {
      fd = await openForRead(path);
    } catch (error) {
      if (errnoCode(error) !== 'ELOOP') throw readFailure(error, key);
      readPath = (await guard.resolveInside(path)) ?? '';
      if (!readPath) throw new ObjectNotFoundError(key);
      fd = await openForRead(readPath, true).catch((e: unknown) => {
        throw readFailure(e, key);
      });
    }
    try {
      // fstat on an open descriptor does not touch the disk: synchronous saves a thread-pool round trip.
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw new ObjectNotFoundError(key);
      return { fd, stats, readPath };
    } catch (error) {
      closeQuietly(fd);
      throw readFailure(error, key);
    }
  }

  /** Stat an object without opening it, following a final symlink only into the root. */
  private async statObject(guard: RootGuard, key: string, { path, folder }: Location): Promise<{ stats: Stats; readPath: string }> {
    try {
      const inside = guard.folderInside(folder);
      if (inside !== true && !(await inside)) throw new ObjectNotFoundError(key);
      let stats = await lstatAsync(path);
      let readPath = path;
      if (stats.isSymbolicLink()) {
        readPath = (await guard.resolveInside(path)) ?? '';
        if (!readPath) throw new ObjectNotFoundError(key);
        stats = await statAsync(readPath);
      }
      if (!stats.isFile()) throw new ObjectNotFoundError(key);
      return { stats, readPath };
    } catch (error) {
      throw readFailure(error, key);
    }
  }

  private async summarize(guard: RootGuard, entry: WalkEntry): Promise<ObjectSummary | undefined> {
    const folder = entry.path.slice(0, entry.path.lastIndexOf('/'));
    try {
      const { stats, readPath } = await this.statObject(guard, entry.key, { path: entry.path, folder });
      const meta = this.meta.cached(entry.path, stats) ?? (await this.meta.load(entry.key, entry.path, readPath, stats));
      const summary: ObjectSummary = { key: entry.key, size: stats.size, etag: meta.etag, lastModified: stats.mtime };
      if (meta.storageClass !== undefined) summary.storageClass = meta.storageClass;
      return summary;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return undefined; // Removed since the folder was read.
      throw error;
    }
  }

  /** Create the folders a key needs; a file in the way is a conflict, a link out of the root is refused. */
  private async prepareFolder(guard: RootGuard, key: string, folder: string): Promise<void> {
    if (folder === this.root) return;
    // Checked before creating anything, so not even an empty folder appears outside the root.
    if (!(await guard.canCreateInside(folder))) throw new KeyOutsideScopeError(key);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new KeyConflictError(key, 'a parent of the key is an object');
      throw error;
    }
  }

  private async moveIntoPlace(guard: RootGuard, key: string, temp: string, { path, folder }: Location): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(temp, path);
        await syncFolder(folder);
        return;
      } catch (error) {
        const code = errnoCode(error);
        if (attempt >= 3) throw error;
        if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          // A folder holds the name: fine if it is empty (left by deleted keys), a conflict otherwise.
          await rmdir(path).catch(() => {
            throw new KeyConflictError(key, 'other keys continue below this key');
          });
        } else if (code === 'ENOTDIR') {
          throw new KeyConflictError(key, 'a parent of the key is an object');
        } else if (code === 'ENOENT') {
          await this.prepareFolder(guard, key, folder); // A concurrent delete pruned the folder.
        } else {
          throw error;
        }
      }
    }
  }

  /** Remove folders left empty by a delete, up to (never including) the bucket's folder, or the root. */
  private async pruneEmptyFolders(folder: string): Promise<void> {
    const floor = this.scope?.folder ?? this.root;
    for (let dir = folder; dir.length > floor.length && dir.startsWith(floor + '/'); dir = dir.slice(0, dir.lastIndexOf('/'))) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
    }
  }
}

function readFailure(error: unknown, key: string): Error {
  if (error instanceof BackendError) return error;
  if (isAbsent(error)) return new ObjectNotFoundError(key);
  return new BackendUnavailableError(`fs read failed (${errnoCode(error) ?? 'error'})`, error);
}

function writeFailure(error: unknown, key: string): Error {
  if (error instanceof BackendError) return error;
  const code = errnoCode(error);
  if (code === undefined || !code.startsWith('E')) return error instanceof Error ? error : new Error(String(error));
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new WriteNotAllowedError(`fs write refused (${code})`);
  if (code === 'ENAMETOOLONG') return new UnsupportedKeyError(key, 'path too long for the file system');
  return new BackendUnavailableError(`fs write failed (${code})`, error);
}
