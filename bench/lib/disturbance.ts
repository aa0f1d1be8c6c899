/**
 * The verdict on a section: was the machine quiet enough for its figures to
 * mean something? Other work (CPU the benchmark's own processes did not use)
 * and hypervisor steal, averaged over the measured rounds, must stay under
 * a threshold, and no single round may exceed twice that.
 */
import { describeTop, type WindowReport } from './machine.ts';

export interface Verdict {
  disturbed: boolean;
  /** One line for the output, whatever the verdict. */
  line: string;
}

type Window = WindowReport & { label?: string };

export function judge(windows: readonly Window[], maxForeignCpus: number): Verdict | undefined {
  if (windows.length === 0) return undefined;
  const seconds = windows.reduce((sum, w) => sum + w.seconds, 0);
  const mean = (pick: (w: Window) => number) => windows.reduce((sum, w) => sum + pick(w) * w.seconds, 0) / seconds;
  const other = (w: Window) => w.foreignCpus + w.stealCpus;
  const worst = windows.reduce((a, b) => (other(b) > other(a) ? b : a));
  const meanOther = mean(other);
  const disturbed = meanOther > maxForeignCpus || other(worst) > 2 * maxForeignCpus;
  const cpus = (n: number) => `${n.toFixed(2)} CPU`;
  const line =
    `machine: other work ${cpus(mean((w) => w.foreignCpus))} and steal ${cpus(mean((w) => w.stealCpus))} on average over ` +
    `${windows.length} window(s) of ${(seconds / windows.length).toFixed(1)} s; worst ${cpus(other(worst))}` +
    (worst.label ? ` (during "${worst.label}")` : '') +
    `; limit ${cpus(maxForeignCpus)} on average, ${cpus(2 * maxForeignCpus)} in any window` +
    (disturbed ? ` — DISTURBED; busiest other processes then: ${describeTop(worst)}` : '');
  return { disturbed, line };
}
