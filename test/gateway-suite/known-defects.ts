/**
 * Suite tests that fail on every adapter because the gateway itself departs
 * from S3, by test name, with what is wrong. Such a test still runs: while it
 * fails it is reported as TODO with the failure; once it passes it fails,
 * asking for its entry here to be removed, so the list never goes stale.
 */
export const KNOWN_DEFECTS: Record<string, string> = {};
