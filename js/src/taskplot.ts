/**
 * Task rectangles on a 2D canvas, and the task under the pointer: pure code
 * shared by the live widget (stream.ts) and the saved report (report.ts).
 *
 * Nothing here imports anything, touches the DOM beyond the context it is
 * given, or knows where the rectangles came from: columns in, pixels and
 * indices out.  That is what lets `tsc` and a bundler put this file into a
 * report that opens with no Jupyter and no network.
 */

/** Rectangles in columns: `count` of them, times in seconds after some origin. */
export interface IRectColumns {
  count: number;
  x0: ArrayLike<number>;
  x1: ArrayLike<number>;
  row: ArrayLike<number>;
  /** Index into the colour table. */
  color: ArrayLike<number>;
}

/** The plot area inside the canvas, in CSS pixels. */
export interface IPlot {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A row's pitch (`band`) and the height of a rectangle in it (`size`). */
export function rowGeometry(
  plotHeight: number,
  rows: number,
  cap: number
): { band: number; size: number } {
  const band = plotHeight / Math.max(rows, 1);
  return { band, size: Math.min(band * 0.8, cap) };
}

/**
 * Paint every rectangle overlapping `lo`..`hi`, one path per colour (one fill
 * call each, whatever the number of rectangles).  Rows below 0 are skipped.
 * Where rectangles outnumber the pixels they fall on, each pixel of a row
 * takes the colour of the last rectangle covering it (rectangles come oldest
 * first), so a zoomed-out view of 100,000 tasks shows which function ran
 * when, not whichever colour happened to be filled last.  Returns the number
 * of rectangles in view.
 */
export function paintRects(
  ctx: CanvasRenderingContext2D,
  rects: IRectColumns,
  colors: readonly string[],
  lo: number,
  hi: number,
  plot: IPlot,
  rows: number,
  cap: number
): number {
  const scale = plot.width / (hi - lo);
  const { band, size } = rowGeometry(plot.height, rows, cap);
  const { x0, x1, row, color } = rects;
  const n = rects.count;
  const columns = Math.max(Math.floor(plot.width), 1);
  let shown = 0;
  for (let i = 0; i < n; i++) {
    if (x1[i] >= lo && x0[i] <= hi && row[i] >= 0) {
      shown++;
    }
  }
  const paths: (Path2D | null)[] = colors.map(() => null);
  const add = (c: number, x: number, r: number, w: number) => {
    let path = paths[c];
    if (path === null || path === undefined) {
      path = paths[c] = new Path2D();
    }
    path.rect(plot.left + x, plot.top + (r + 0.5) * band - size / 2, Math.max(w, 1), size);
  };
  if (shown > 2 * columns * Math.max(rows, 1)) {
    const grid = new Int32Array(columns * rows).fill(-1);
    for (let i = 0; i < n; i++) {
      const r = row[i];
      if (x1[i] < lo || x0[i] > hi || r < 0 || r >= rows) {
        continue;
      }
      const p0 = Math.min(Math.max(Math.floor((x0[i] - lo) * scale), 0), columns - 1);
      const p1 = Math.min(Math.max(Math.ceil((x1[i] - lo) * scale), p0 + 1), columns);
      grid.fill(color[i], r * columns + p0, r * columns + p1);
    }
    for (let r = 0; r < rows; r++) {
      let start = 0;
      for (let p = 1; p <= columns; p++) {
        const c = grid[r * columns + start];
        if (p === columns || grid[r * columns + p] !== c) {
          if (c >= 0) {
            add(c, start, r, p - start);
          }
          start = p;
        }
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = row[i];
      if (x1[i] < lo || x0[i] > hi || r < 0) {
        continue;
      }
      add(color[i], (x0[i] - lo) * scale, r, (x1[i] - x0[i]) * scale);
    }
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.left, plot.top, plot.width, plot.height);
  ctx.clip();
  paths.forEach((path, c) => {
    if (path !== null && path !== undefined) {
      ctx.fillStyle = colors[c];
      ctx.fill(path);
    }
  });
  ctx.restore();
  return shown;
}

/**
 * The rectangle under a point, per row: records of a row sorted by start, so
 * a lookup is a binary search plus a walk back over those that could still
 * reach the point (at most the row's longest rectangle before it).
 */
export class RowIndex {
  constructor(rects: IRectColumns) {
    this._rects = rects;
    const { x0, x1, row } = rects;
    for (let i = 0; i < rects.count; i++) {
      const r = row[i];
      let list = this._rows.get(r);
      if (list === undefined) {
        list = [];
        this._rows.set(r, list);
      }
      list.push(i);
      this._longest.set(r, Math.max(this._longest.get(r) ?? 0, x1[i] - x0[i]));
    }
    for (const list of this._rows.values()) {
      list.sort((a, b) => x0[a] - x0[b] || a - b);
    }
  }

  /** The record under (`t` seconds, `row`), within `slack` seconds, or -1. */
  find(t: number, row: number, slack: number): number {
    const order = this._rows.get(row);
    if (order === undefined) {
      return -1;
    }
    const { x0, x1 } = this._rects;
    const longest = this._longest.get(row) ?? 0;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x0[order[mid]] <= t + slack) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    let best = -1;
    let bestGap = Infinity;
    for (let k = lo - 1; k >= 0; k--) {
      const i = order[k];
      if (x0[i] < t - slack - longest) {
        break;
      }
      const gap = Math.max(x0[i] - t, t - x1[i], 0);
      // Inside wins; among several, the newest (drawn last, on top).
      if (gap <= slack && (gap < bestGap || (gap === bestGap && i > best))) {
        best = i;
        bestGap = gap;
      }
    }
    return best;
  }

  private _rects: IRectColumns;
  private _rows = new Map<number, number[]>();
  private _longest = new Map<number, number>();
}

/** The row under `y` (CSS pixels), or -1 when between rows' rectangles. */
export function rowAt(y: number, plot: IPlot, rows: number, cap: number, slack: number): number {
  const { band, size } = rowGeometry(plot.height, rows, cap);
  const row = Math.floor((y - plot.top) / band);
  const centre = plot.top + (row + 0.5) * band;
  if (row < 0 || row >= rows || Math.abs(y - centre) > size / 2 + slack) {
    return -1;
  }
  return row;
}

/** The span after a wheel turn of `deltaY` pixels over time `t`: zoom about `t`. */
export function zoomed(lo: number, hi: number, t: number, deltaY: number): [number, number] {
  const factor = Math.exp(Math.max(Math.min(deltaY, 200), -200) * 0.002);
  return [t - (t - lo) * factor, t + (hi - t) * factor];
}

/**
 * How many clock ticks a time axis `width` pixels wide asks for: about one per
 * 110 px (a label is some 50 px), so labels never touch, and two at least.
 */
export function tickCount(width: number): number {
  return Math.max(2, Math.min(6, Math.floor(width / 110)));
}

/**
 * Round clock times between `lo` and `hi` (epoch seconds), about `count` of
 * them and two at least, labelled as the clock reads at `shift` seconds from
 * UTC.  `steps` is the ladder of round steps; where the step for `count`
 * leaves one tick in the range, the next smaller step is taken (as the
 * kernel's `aggregate/ticks.py` clock_grid does for its own axes).
 */
export function clockTicks(
  lo: number,
  hi: number,
  steps: number[],
  count: number,
  shift: number
): { t: number; text: string }[] {
  const raw = (hi - lo) / Math.max(count, 1);
  const last = steps[steps.length - 1] ?? 1;
  let step = steps.find(s => s >= raw) ?? last * Math.ceil(raw / last);
  let out = ticksOn(lo, hi, step, shift);
  for (let i = steps.indexOf(step) - 1; out.length < 2 && i >= 0; i--) {
    step = steps[i];
    out = ticksOn(lo, hi, step, shift);
  }
  return out;
}

/** A tick label placed on an axis: its text and the left edge of its box. */
export interface IPlacedLabel {
  left: number;
  text: string;
}

/**
 * Tick labels that fit an axis `width` pixels wide: each centred under its
 * tick, moved inside at the ends, and left out where it would come within
 * `gap` pixels of the one before.  Where that leaves a single label of
 * several (a narrow side panel, spans of a second or two), the clock's hour
 * is dropped from labels with decimals (`12:25.5`, as the seconds step
 * shows) and they are placed again: an axis with one label has no scale.
 */
export function placeLabels(
  ticks: { x: number; text: string }[],
  width: number,
  measure: (text: string) => number,
  gap = 6
): IPlacedLabel[] {
  const place = (texts: string[]): IPlacedLabel[] => {
    const shown: IPlacedLabel[] = [];
    let right = -Infinity;
    ticks.forEach((t, i) => {
      const w = Math.ceil(measure(texts[i])) + 1;
      const left = Math.min(Math.max(t.x - w / 2, 0), width - w);
      if (left >= right + gap && left >= 0) {
        shown.push({ left, text: texts[i] });
        right = left + w;
      }
    });
    return shown;
  };
  const shown = place(ticks.map(t => t.text));
  if (shown.length >= 2 || ticks.length < 2) {
    return shown;
  }
  const short = ticks.map(t => t.text.replace(/^\d\d:(\d\d:\d\d\.\d+)$/, '$1'));
  return place(short);
}

function ticksOn(lo: number, hi: number, step: number, shift: number): { t: number; text: string }[] {
  const out: { t: number; text: string }[] = [];
  const decimals = step < 1 ? Math.min(3, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
  const pad = (v: number) => String(v).padStart(2, '0');
  for (let k = Math.ceil((lo + shift) / step - 1e-9); k * step - shift <= hi + 1e-9; k++) {
    const t = k * step - shift;
    // The clock at `shift` read as UTC fields: no dependence on the browser's zone.
    const d = new Date((t + shift) * 1000);
    let text = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    if (decimals) {
      const frac = Math.round(((t + shift) % 1) * 10 ** decimals) % 10 ** decimals;
      text += '.' + String(frac).padStart(decimals, '0');
    }
    out.push({ t, text });
  }
  return out;
}
