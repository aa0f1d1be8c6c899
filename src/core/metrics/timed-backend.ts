/**
 * A backend whose calls are timed: every method that returns a promise
 * reports its name, how long it took to settle and whether it succeeded.
 * For reads that is the time to the backend's response headers — the body
 * streams afterwards, at the client's pace. Used once per connection (the
 * backend latency histogram) and, with `Server-Timing` on, once per request
 * (the backend's share of that request). Capabilities pass through
 * unchanged: `multipart` is timed too, `withPrefix` returns a timed view.
 */
import type { Backend } from '../backend.ts';

export type BackendTimer = (call: string, ms: number, ok: boolean) => void;

export function timeBackend<B extends Backend>(backend: B, timer: BackendTimer): B {
  return timedObject(backend, timer, '') as B;
}

/**
 * An object inheriting from `target` whose methods, found once, are timed
 * wrappers. Plain own properties rather than a Proxy: a proxy's trap runs on
 * every property access and keeps the engine from caching them, which cost
 * several microseconds per request on the hot path.
 */
function timedObject(target: object, timer: BackendTimer, prefix: string): object {
  const timed = Object.create(target) as object;
  const define = (name: string, value: unknown) =>
    Object.defineProperty(timed, name, { value, writable: true, configurable: true, enumerable: false });
  for (const name of methodNames(target)) {
    const method = Reflect.get(target, name) as (...args: unknown[]) => unknown;
    define(name, name === 'withPrefix'
      ? (p: string) => timedObject(method.call(target, p) as object, timer, prefix)
      : timedMethod(target, method, prefix + name, timer));
  }
  const multipart: unknown = Reflect.get(target, 'multipart');
  // A backend's non-writable properties (a scoped view's `multipart`) are replaced by defining, not assigning.
  if (typeof multipart === 'object' && multipart !== null) define('multipart', timedObject(multipart, timer, 'multipart.'));
  return timed;
}

function timedMethod(target: object, method: (...args: unknown[]) => unknown, call: string, timer: BackendTimer) {
  return function timed(...args: unknown[]): unknown {
    const started = performance.now();
    const out = method.apply(target, args);
    if (!(out instanceof Promise)) return out;
    return out.then(
      (v) => {
        timer(call, performance.now() - started, true);
        return v;
      },
      (error: unknown) => {
        timer(call, performance.now() - started, false);
        throw error;
      },
    );
  };
}

/** Method names by object: a request timed for `Server-Timing` wraps the same scoped backends again and again. */
const namesOf = new WeakMap<object, Set<string>>();

/** Every method name `target` has, own or inherited (up to `Object.prototype`). */
function methodNames(target: object): Set<string> {
  let names = namesOf.get(target);
  if (!names) namesOf.set(target, (names = findMethodNames(target)));
  return names;
}

function findMethodNames(target: object): Set<string> {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || names.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (descriptor && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return names;
}
