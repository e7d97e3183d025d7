// Types of `ringside/timeline`: the status timeline chart (SPEC S6).

/** One status held by one user, as `GET /reports/status` answers it. */
export interface StatusRow {
  user: string;
  status: string;
  label: string;
  colour: string;
  /** The secondary status (S6). */
  secondary: string | null;
  /** Whether the system set it (auto-away, S11). */
  automatic: boolean;
  /** Server milliseconds since the Unix epoch, clipped to the range. */
  from: number;
  /** The next change, or, for a status still held, the range's end or the report's time. */
  to: number;
}

/** A status report: the range asked for and one row per status held, by user then time. */
export interface StatusReport {
  from: number;
  to: number;
  rows: StatusRow[];
}

export interface ReportOptions {
  /** A supervisor's or admin's token. */
  token: string;
  /** The team to report on. */
  team?: string;
  /** Or one user. */
  user?: string;
  /** Range start and end, in milliseconds since the Unix epoch (at most 31 days). */
  from: number;
  to: number;
  /** The server's origin; the page's own if omitted. */
  origin?: string;
}

export interface DrawOptions {
  /** Where a status still held ends: now, by default. */
  now?: number;
  /** The width of the drawing's coordinate system; it scales to its box. */
  width?: number;
  /** The height of one lane. */
  laneHeight?: number;
}

/**
 * Fetches the status report of a team or user.
 * @example const report = await fetchStatusReport({ token, team: 'north', from: Date.now() - 86_400_000, to: Date.now() });
 */
export function fetchStatusReport(options: ReportOptions): Promise<StatusReport>;
/**
 * Draws a report into `target`: one lane per user, a bar per status with a
 * tooltip, hour ticks, a legend. Returns the `<svg>`.
 * @example drawTimeline(document.getElementById('chart')!, report);
 */
export function drawTimeline(target: HTMLElement, report: StatusReport, options?: DrawOptions): SVGSVGElement;
/**
 * Fetches and draws.
 * @example await showStatusTimeline(chart, { token, team: 'north', from: midnight, to: Date.now() });
 */
export function showStatusTimeline(target: HTMLElement, options: ReportOptions & DrawOptions): Promise<StatusReport>;
