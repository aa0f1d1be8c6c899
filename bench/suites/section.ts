/**
 * What each benchmark section hands back: its table, and one-line ratios
 * for the summary at the end of the run.
 */
export interface SectionResult {
  lines: string[];
  summary: string[];
}
