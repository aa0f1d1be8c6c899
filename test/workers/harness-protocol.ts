/** What the test harness entry and its clients share (a Worker's entry may export only handlers). */

/** The header naming the registered configuration a request is for. */
export const HARNESS_HEADER = 'x-harness-config';

/** POST a configuration here; DELETE `{path}/{id}` to drop it. */
export const HARNESS_CONFIGS_PATH = '/.harness/configs';
