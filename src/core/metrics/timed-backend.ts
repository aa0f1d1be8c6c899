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

function timedObject(target: object, timer: BackendTimer, prefix: string): object {
  const wrapped = new Map<PropertyKey, unknown>();
  const obj = target;
  // The proxy's own target is an empty object inheriting from the backend: a backend's
  // non-writable properties (a scoped view's `multipart`) could not be replaced otherwise.
  return new Proxy(Object.create(target) as object, {
    get(_shell, prop) {
      const value: unknown = Reflect.get(obj, prop);
      if (typeof prop !== 'string') return value;
      const cached = wrapped.get(prop);
      if (cached !== undefined) return cached;
      let result: unknown = value;
      if (prop === 'multipart' && typeof value === 'object' && value !== null) {
        result = timedObject(value, timer, 'multipart.');
      } else if (prop === 'withPrefix' && typeof value === 'function') {
        result = (p: string) => timedObject((value as (p: string) => object).call(obj, p), timer, prefix);
      } else if (typeof value === 'function') {
        const call = prefix + prop;
        result = function timed(this: unknown, ...args: unknown[]) {
          const started = performance.now();
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
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
      } else {
        return value;
      }
      wrapped.set(prop, result);
      return result;
    },
  });
}
