/**
 * A minimal metrics registry — counters, gauges and histograms with fixed
 * label names — rendered in the Prometheus text exposition format (0.0.4).
 * Runtime-agnostic (no `node:*`), so the same registry serves Node and
 * Workers. Every metric bounds its label sets: past `maxSeries` distinct
 * combinations, new ones are folded into one series whose labels all read
 * `other`, so no client input can grow memory or the scrape without limit.
 */

export type Labels = Readonly<Record<string, string>>;

/** One series of a counter, looked up once, for a hot path that counts the same labels again and again. */
export interface CounterSeries {
  inc(amount?: number): void;
}

/** One series of a gauge, looked up once. */
export interface GaugeSeries {
  inc(amount?: number): void;
  dec(amount?: number): void;
}

/** One series of a histogram, looked up once. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** The label value every label of an overflowing series takes. */
export const OVERFLOW_LABEL = 'other';

/** Series per metric before new label combinations fold into `other`. */
const DEFAULT_MAX_SERIES = 500;

/** Seconds; from 1 ms to 30 s, fine enough around the 5–100 ms of a small-object request. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  maxSeries?: number;
}

type MetricType = 'counter' | 'gauge' | 'histogram';

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly byKey = new Map<string, { labels: string[]; state: S }>();
  private readonly maxSeries: number;
  private overflowKey: string;

  constructor(options: MetricOptions) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(options.name)) throw new TypeError(`invalid metric name ${options.name}`);
    for (const label of options.labelNames ?? []) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label) || label.startsWith('__') || label === 'le') throw new TypeError(`invalid label name ${label}`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.overflowKey = this.labelNames.map(() => OVERFLOW_LABEL).join('\u0000');
  }

  protected abstract initial(): S;

  /** The state for these label values, created on first use (or the overflow series once the metric is full). */
  protected state(values: readonly string[]): S {
    const key = values.join('\u0000');
    let entry = this.byKey.get(key);
    if (entry) return entry.state;
    if (this.byKey.size >= this.maxSeries) {
      entry = this.byKey.get(this.overflowKey);
      if (entry) return entry.state;
      entry = { labels: this.labelNames.map(() => OVERFLOW_LABEL), state: this.initial() };
      this.byKey.set(this.overflowKey, entry);
      return entry.state;
    }
    entry = { labels: [...values], state: this.initial() };
    this.byKey.set(key, entry);
    return entry.state;
  }

  protected values(labels: Labels | undefined): string[] {
    return this.labelNames.map((name) => labels?.[name] ?? '');
  }

  /** The metric's lines in the text format, `# HELP` and `# TYPE` first. */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { labels, state } of this.byKey.values()) this.renderSeries(out, labels, state);
  }

  protected abstract renderSeries(out: string[], labels: readonly string[], state: S): void;

  protected labelText(labels: readonly string[], extra?: string): string {
    const parts = labels.map((value, i) => `${this.labelNames[i]}="${escapeLabel(value)}"`);
    if (extra !== undefined) parts.push(extra);
    return parts.length === 0 ? '' : `{${parts.join(',')}}`;
  }
}

export class Counter extends Metric<{ value: number }> {
  readonly type = 'counter';
  protected initial() {
    return { value: 0 };
  }
  inc(labels?: Labels, amount = 1): void {
    if (!(amount >= 0)) throw new RangeError(`${this.name}: a counter only goes up`);
    this.state(this.values(labels)).value += amount;
  }
  /** The series of these labels (created, or the overflow series, as `inc` would). */
  series(labels?: Labels): CounterSeries {
    const state = this.state(this.values(labels));
    const name = this.name;
    return {
      inc(amount = 1) {
        if (!(amount >= 0)) throw new RangeError(`${name}: a counter only goes up`);
        state.value += amount;
      },
    };
  }
  /** The current value of one series (0 when it has none yet). */
  get(labels?: Labels): number {
    return this.byKey.get(this.values(labels).join('\u0000'))?.state.value ?? 0;
  }
  protected renderSeries(out: string[], labels: readonly string[], state: { value: number }) {
    out.push(`${this.name}${this.labelText(labels)} ${formatNumber(state.value)}`);
  }
}

export class Gauge extends Metric<{ value: number }> {
  readonly type = 'gauge';
  protected initial() {
    return { value: 0 };
  }
  set(value: number, labels?: Labels): void {
    this.state(this.values(labels)).value = value;
  }
  inc(labels?: Labels, amount = 1): void {
    this.state(this.values(labels)).value += amount;
  }
  dec(labels?: Labels, amount = 1): void {
    this.state(this.values(labels)).value -= amount;
  }
  series(labels?: Labels): GaugeSeries {
    const state = this.state(this.values(labels));
    return {
      inc: (amount = 1) => void (state.value += amount),
      dec: (amount = 1) => void (state.value -= amount),
    };
  }
  get(labels?: Labels): number {
    return this.byKey.get(this.values(labels).join('\u0000'))?.state.value ?? 0;
  }
  protected renderSeries(out: string[], labels: readonly string[], state: { value: number }) {
    out.push(`${this.name}${this.labelText(labels)} ${formatNumber(state.value)}`);
  }
}

interface HistogramState {
  /** Per bucket (not cumulative); the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: MetricOptions & { buckets?: readonly number[] }) {
    super(options);
    const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
    if (buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) throw new TypeError(`${options.name}: buckets must increase`);
    this.buckets = buckets;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(value: number, labels?: Labels): void {
    this.record(this.state(this.values(labels)), value);
  }

  series(labels?: Labels): HistogramSeries {
    const state = this.state(this.values(labels));
    return { observe: (value) => this.record(state, value) };
  }

  private record(state: HistogramState, value: number): void {
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    state.counts[i]!++;
    state.sum += value;
    state.count++;
  }

  /** Count and sum of one series (zeros when it has none yet). */
  get(labels?: Labels): { count: number; sum: number } {
    const state = this.byKey.get(this.values(labels).join('\u0000'))?.state;
    return { count: state?.count ?? 0, sum: state?.sum ?? 0 };
  }

  protected renderSeries(out: string[], labels: readonly string[], state: HistogramState) {
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += state.counts[i]!;
      out.push(`${this.name}_bucket${this.labelText(labels, `le="${formatNumber(this.buckets[i]!)}"`)} ${cumulative}`);
    }
    out.push(`${this.name}_bucket${this.labelText(labels, 'le="+Inf"')} ${state.count}`);
    out.push(`${this.name}_sum${this.labelText(labels)} ${formatNumber(state.sum)}`);
    out.push(`${this.name}_count${this.labelText(labels)} ${state.count}`);
  }
}

/** The metrics of one process (or isolate), by name. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric<unknown>>();
  /** Called before each scrape, so gauges read from elsewhere (connections) are current. */
  private readonly collectors: Array<() => void> = [];

  counter(options: MetricOptions): Counter {
    return this.add(new Counter(options));
  }

  gauge(options: MetricOptions): Gauge {
    return this.add(new Gauge(options));
  }

  histogram(options: MetricOptions & { buckets?: readonly number[] }): Histogram {
    return this.add(new Histogram(options));
  }

  /** Runs `collect` before every scrape. */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** The names of every registered metric. */
  names(): string[] {
    return [...this.metrics.keys()];
  }

  get(name: string): Counter | Gauge | Histogram | undefined {
    return this.metrics.get(name) as Counter | Gauge | Histogram | undefined;
  }

  /** Every metric in the Prometheus text exposition format. */
  render(): string {
    for (const collect of this.collectors) collect();
    const out: string[] = [];
    for (const metric of this.metrics.values()) metric.render(out);
    return out.join('\n') + '\n';
  }

  private add<M extends Metric<any>>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new TypeError(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric as Metric<unknown>);
    return metric;
  }
}

/** The exposition format's content type. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
