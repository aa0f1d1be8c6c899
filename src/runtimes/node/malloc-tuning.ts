/**
 * glibc's allocator setting for a process that streams large bodies.
 *
 * Node reads every socket into a fresh 64 KiB buffer, and V8 frees those
 * buffers in batches when it collects garbage: tens of MiB at once when
 * external memory pressure starts a full collection. With glibc's default
 * trim threshold, each such batch is handed back to the kernel, and the next
 * reads fault every page in again. On a 256 MiB proxied GET that was
 * measured as 65,000–110,000 page faults and about five times the CPU of the
 * same transfer with the heap top kept (docs/deployment.md). A threshold above
 * what one collection frees (V8's 64 MiB external-memory limit) keeps the
 * pages; the memory stays reusable by the process, and RSS after large
 * transfers settles some 20 MiB higher.
 *
 * glibc reads the setting once, when the process starts, so it can only be
 * given to processes this one starts (cluster workers) or by whoever starts
 * Sluice (`npm start`, a unit file, a container image).
 */

export const TRIM_THRESHOLD_VARIABLE = 'MALLOC_TRIM_THRESHOLD_';
/** 128 MiB: 32 MiB was measured as still trimming. */
export const RECOMMENDED_TRIM_THRESHOLD = String(128 * 1024 * 1024);

/** Whether the environment already tunes glibc's allocator (then it is left as given). */
export function allocatorTuned(env: NodeJS.ProcessEnv): boolean {
  return env[TRIM_THRESHOLD_VARIABLE] !== undefined || env.GLIBC_TUNABLES !== undefined;
}

/** Variables to add to a child's environment: the recommended threshold unless the allocator is tuned already. */
export function allocatorEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return allocatorTuned(env) ? {} : { [TRIM_THRESHOLD_VARIABLE]: RECOMMENDED_TRIM_THRESHOLD };
}

/** A start-up hint for a Linux process started without the setting, or undefined. */
export function allocatorAdvice(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'linux' || allocatorTuned(env)) return undefined;
  return `${TRIM_THRESHOLD_VARIABLE} is not set: large transfers may cost several times the CPU; ` +
    `start Sluice with ${TRIM_THRESHOLD_VARIABLE}=${RECOMMENDED_TRIM_THRESHOLD} (see docs/deployment.md)`;
}
