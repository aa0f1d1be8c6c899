/**
 * Small schema builders shared by the configuration's section schemas.
 */
import { z } from 'zod';

/** A string checked by one of the rules in `rules.ts`. */
export function ruled(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
}

export const nonEmpty = (what: string) => z.string().min(1, { error: `${what} must not be empty` });
