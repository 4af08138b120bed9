/**
 * Task rectangles on a canvas: the widget behind jupyter_dashmon/views/canvas.py.
 *
 * The model keeps every rectangle the kernel sent (custom messages with
 * binary buffers), so each view of it (the notebook output, the side panel)
 * draws from the same store.  A view paints on a canvas, batched by colour,
 * in one animation frame per burst of messages and only while it is on
 * screen; it shows the label of the task under the pointer, and pans and
 * zooms the time axis when the model's `pan_zoom` is on.
 */

import { DOMWidgetModel, IBackboneModelOptions, WidgetModel } from '@jupyter-widgets/base';

import {
  RowIndex,
  clockTicks,
  paintRects,
  placeLabels,
  rowGeometry,
  tickCount,
  zoomed
} from './taskplot';
import { CanvasFigureView, cleared, spans } from './canvas';
import { ISpan, showTooltip } from './tooltips';

/** The npm package name and version the Python side asks for (js/package.json). */
export const MODULE_NAME = 'jupyter-dashmon';
export const MODULE_VERSION = '0.1.0';

/** What every model of this package's widgets starts from: its names, module and version. */
export function packageDefaults(model: string, view: string): Backbone.ObjectHash {
  return {
    _model_name: model,
    _view_name: view,
    _model_module: MODULE_NAME,
    _view_module: MODULE_NAME,
    _model_module_version: `^${MODULE_VERSION}`,
    _view_module_version: `^${MODULE_VERSION}`
  };
}

/**
 * Kernel -> browser, the model's `rects` (the kernel's `RectsBatch`): binary
 * columns x0, x1 (float32), row (int32), colour index (uint8) into `colors`,
 * worker index (int32, -1 none) into `workers`, label code (uint8) and
 * seconds (float64).  `texts` are the keys (or a run's whole text, code
 * TEXT_CODE), joined by NUL characters in UTF-8; `seq` numbers the batches.
 */
interface IRectsBatch {
  op: 'replace' | 'append';
  seq: number;
  count: number;
  colors: string[];
  workers: string[];
  texts: DataView | ArrayBuffer;
  x0: DataView | ArrayBuffer;
  x1: DataView | ArrayBuffer;
  row: DataView | ArrayBuffer;
  color: DataView | ArrayBuffer;
  worker: DataView | ArrayBuffer;
  code: DataView | ArrayBuffer;
  seconds: DataView | ArrayBuffer;
}

/** The label code of a segment whose text is its whole label (task_marks.TEXT_CODE). */
const TEXT_CODE = 255;

/** One row of the kernel's `duration_units`: below `bound` seconds (null: any), scale, decimals, unit. */
type DurationUnit = [number | null, number, number, string];

/**
 * `value` with `digits` decimals, ties to even as Python's format does (JS
 * `toFixed` rounds ties up), so a hover text reads as the kernel's `drawn()`.
 */
export function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  // toFixed(100) is the double's exact decimal expansion for any value drawn here.
  const exact = value.toFixed(Math.min(digits + 60, 100));
  const rest = exact.slice(exact.length - 60);
  if (!/^50*$/.test(rest)) {
    return text;
  }
  const down = (Math.sign(value) * Math.floor(Math.abs(value) * 10 ** digits)) / 10 ** digits;
  const last = Math.round(Math.abs(down) * 10 ** digits) % 10;
  return last % 2 === 0 ? down.toFixed(digits) : text;
}

/** A duration as the kernel's `format_seconds` writes it, from its table of units. */
export function formatSeconds(seconds: number, units: DurationUnit[]): string {
  for (const [bound, scale, digits, unit] of units) {
    if (bound === null || seconds < bound) {
      return fixed(seconds * scale, digits) + unit;
    }
  }
  return String(seconds);
}

/** Margins of the plot, as the bqplot figures beside it have them. */
const MARGIN = { top: 36, bottom: 30, left: 28, right: 28 };
const TICK_FONT_PX = 11;
/** Pixels of slack around a rectangle that still count as hovering it. */
const HOVER_SLACK = 2;
/** Milliseconds a pan or zoom waits for the next before the kernel is told. */
const SAVE_DELAY = 150;

function copyOf<T extends Float32Array | Float64Array | Int32Array | Uint8Array>(
  make: new (buffer: ArrayBuffer) => T,
  view: DataView | ArrayBuffer
): T {
  // Copied: a typed array over a message buffer needs an aligned offset.
  if (view instanceof ArrayBuffer) {
    return new make(view.slice(0));
  }
  return new make(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

/**
 * What the kernel sent: rectangles in arrival order, oldest first, each with
 * an index into `colors` (a table that only grows).
 */
export class RectStore {
  count = 0;
  x0 = new Float32Array(0);
  x1 = new Float32Array(0);
  row = new Int32Array(0);
  color = new Uint8Array(0);
  worker = new Int32Array(0);
  code = new Uint8Array(0);
  seconds = new Float64Array(0);
  texts: string[] = [];
  colors: string[] = [];
  workers: string[] = [];
  /** Bumped on every change, so views and the hover index know they are stale. */
  version = 0;

  /** Take in one batch; `capacity` bounds what an append keeps. */
  take(msg: IRectsBatch, capacity: number): void {
    const n = msg.count;
    const x0 = copyOf(Float32Array, msg.x0);
    const x1 = copyOf(Float32Array, msg.x1);
    const row = copyOf(Int32Array, msg.row);
    const local = copyOf(Uint8Array, msg.color);
    const localWorker = copyOf(Int32Array, msg.worker);
    const code = copyOf(Uint8Array, msg.code);
    const seconds = copyOf(Float64Array, msg.seconds);
    const texts = new TextDecoder().decode(msg.texts).split('\x00');
    const color = new Uint8Array(n);
    const map = msg.colors.map(c => this._colorIndex(c));
    for (let i = 0; i < n; i++) {
      color[i] = map[local[i]];
    }
    if (msg.op === 'replace') {
      this.count = 0;
      this.texts = [];
      this.workers = [];
    }
    const worker = new Int32Array(n);
    const workers = (msg.workers ?? []).map(w => this._workerIndex(String(w)));
    for (let i = 0; i < n; i++) {
      worker[i] = localWorker[i] >= 0 ? workers[localWorker[i]] ?? -1 : -1;
    }
    const keep = msg.op === 'replace' ? 0 : Math.max(0, Math.min(this.count, capacity - n));
    const drop = this.count - keep;
    const total = keep + n;
    this._reserve(total);
    if (drop > 0) {
      for (const column of this._columns()) {
        column.copyWithin(0, drop, this.count);
      }
      this.texts.splice(0, drop);
    }
    this.x0.set(x0.subarray(0, n), keep);
    this.x1.set(x1.subarray(0, n), keep);
    this.row.set(row.subarray(0, n), keep);
    this.color.set(color, keep);
    this.worker.set(worker, keep);
    this.code.set(code.subarray(0, n), keep);
    this.seconds.set(seconds.subarray(0, n), keep);
    for (let i = 0; i < n; i++) {
      this.texts.push(String(texts[i] ?? ''));
    }
    this.count = total;
    this.version++;
    this._index = null;
  }

  /**
   * The hover text of rectangle `i`, joined as the kernel's `labels_of` does
   * from `parts` (head and tail per code) and `units` (the duration's).
   */
  label(i: number, parts: [string, string][], units: DurationUnit[]): string {
    const text = this.texts[i] ?? '';
    const code = this.code[i];
    if (code === TEXT_CODE || parts[code] === undefined) {
      return text;
    }
    const [head, tail] = parts[code];
    const worker = this.workers[this.worker[i]] ?? '';
    return `${head}${text} | ${worker} | ${formatSeconds(this.seconds[i], units)}${tail}`;
  }

  /** The record under (`t` seconds, `row`), within `slack` seconds, or -1. */
  find(t: number, row: number, slack: number): number {
    if (this._index === null) {
      this._index = new RowIndex(this);
    }
    return this._index.find(t, row, slack);
  }

  private _colorIndex(color: string): number {
    let i = this.colors.indexOf(color);
    if (i < 0) {
      i = this.colors.length;
      this.colors.push(color);
    }
    if (i > 255) {
      // Only runs of hundreds of distinct functions could get here; reuse rather than wrap.
      return 255;
    }
    return i;
  }

  private _workerIndex(worker: string): number {
    let i = this.workers.indexOf(worker);
    if (i < 0) {
      i = this.workers.length;
      this.workers.push(worker);
    }
    return i;
  }

  private _columns(): (Float32Array | Float64Array | Int32Array | Uint8Array)[] {
    return [this.x0, this.x1, this.row, this.color, this.worker, this.code, this.seconds];
  }

  private _reserve(n: number): void {
    if (this.x0.length >= n) {
      return;
    }
    const size = Math.max(n, this.x0.length * 2, 64);
    const grow = <T extends Float32Array | Float64Array | Int32Array | Uint8Array>(
      old: T,
      fresh: T
    ): T => {
      fresh.set(old.subarray(0, this.count));
      return fresh;
    };
    this.x0 = grow(this.x0, new Float32Array(size));
    this.x1 = grow(this.x1, new Float32Array(size));
    this.row = grow(this.row, new Int32Array(size));
    this.color = grow(this.color, new Uint8Array(size));
    this.worker = grow(this.worker, new Int32Array(size));
    this.code = grow(this.code, new Uint8Array(size));
    this.seconds = grow(this.seconds, new Float64Array(size));
  }

  private _index: RowIndex | null = null;
}

/** The kernel's `TaskCanvas.clock`: label the time axis with clock times. */
interface IClock {
  /** Epoch seconds of `span`'s 0. */
  origin: number;
  /** Seconds from UTC of the clock to read (the kernel's local time, as on every axis). */
  offset: number;
  /** Round steps to choose from, in seconds. */
  steps: number[];
}

export class TaskCanvasModel extends DOMWidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      ...packageDefaults('TaskCanvasModel', 'TaskCanvasView'),
      title: '',
      height: 260,
      span: [0, 1],
      tick_values: [],
      tick_labels: [],
      clock: {},
      rows: 0,
      row_cap: 40,
      pan_zoom: false,
      capacity: 1000,
      label_parts: [],
      duration_units: [],
      rects: {}
    };
  }

  readonly store = new RectStore();

  initialize(attributes: Backbone.ObjectHash, options: IBackboneModelOptions): void {
    super.initialize(attributes, options);
    // Only batches that arrive from now on: the one in the state this model
    // starts from is the last the kernel sent (perhaps an append).
    this.on('change:rects', this._onBatch, this);
    // A new model holds nothing, whatever the kernel sent before it existed
    // (e.g. before a page reload): ask for all of it.
    void Promise.resolve().then(() => {
      if (this.comm_live) {
        this.send({ op: 'resend' }, {});
      }
    });
  }

  private _onBatch(): void {
    const batch = this.get('rects') as IRectsBatch | undefined;
    const columns = [
      batch?.x0,
      batch?.x1,
      batch?.row,
      batch?.color,
      batch?.worker,
      batch?.code,
      batch?.seconds,
      batch?.texts
    ];
    if (
      (batch?.op !== 'replace' && batch?.op !== 'append') ||
      !columns.every(c => c instanceof DataView || c instanceof ArrayBuffer)
    ) {
      return;
    }
    this.store.take(batch, this.get('capacity') as number);
    this.trigger('rects');
  }
}

/**
 * What the canvas takes from JupyterLab's CSS variables (text is in elements
 * styled by CSS: the title and tick labels).
 */
interface ITheme {
  axis: string;
  font: string;
}

export class TaskCanvasView extends CanvasFigureView {
  declare model: TaskCanvasModel;

  render(): void {
    this.el.classList.add('dashmon-stream');
    super.render();
    const redraw = () => this._schedule();
    this.listenTo(this.model, 'rects', redraw);
    this.listenTo(
      this.model,
      'change:span change:tick_values change:tick_labels change:clock change:rows change:row_cap',
      redraw
    );
    this.listenTo(this.model, 'change:pan_zoom', this._setPanZoom);
    this._setPanZoom();
    this._seen = new IntersectionObserver(entries => {
      for (const entry of entries) {
        this._onScreen = entry.isIntersecting;
      }
      if (this._onScreen && this._dirty) {
        this._schedule();
      }
    });
    this._seen.observe(this._box);

    const c = this._canvas;
    c.addEventListener('pointermove', this._onPointerMove);
    c.addEventListener('pointerdown', this._onPointerDown);
    c.addEventListener('pointerup', this._onPointerUp);
    c.addEventListener('pointercancel', this._onPointerUp);
    c.addEventListener('pointerleave', this._onPointerLeave);
    c.addEventListener('wheel', this._onWheel, { passive: false });
  }

  remove(): unknown {
    this._onScreen = false;
    this._seen?.disconnect();
    window.clearTimeout(this._saveTimer);
    return super.remove();
  }

  protected _themeChanged(): void {
    this._theme = null;
    this._schedule();
  }

  // -- traits -------------------------------------------------------------------

  private _setPanZoom(): void {
    this.el.classList.toggle('dashmon-stream-panzoom', Boolean(this.model.get('pan_zoom')));
  }

  // -- drawing ------------------------------------------------------------------

  /** Draw in the next frame, once however many changes come before it; later if off screen. */
  protected _schedule(): void {
    this._dirty = true;
    if (this._frame || !this._onScreen) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (this._onScreen) {
        this._draw();
      }
    });
  }

  private _themeNow(): ITheme {
    if (this._theme === null) {
      const style = getComputedStyle(this.el);
      const v = (name: string, fallback: string) =>
        style.getPropertyValue(name).trim() || fallback;
      this._theme = {
        axis: v('--jp-border-color1', '#bdbdbd'),
        font: v('--jp-ui-font-family', 'sans-serif')
      };
    }
    return this._theme;
  }

  private _span(): [number, number] {
    const span = this.model.get('span') as number[];
    const lo = Number(span?.[0] ?? 0);
    const hi = Number(span?.[1] ?? 1);
    return hi > lo ? [lo, hi] : [lo, lo + 1];
  }

  private _plot(): { left: number; top: number; width: number; height: number } {
    const width = this._widthNow();
    const height = Number(this.model.get('height'));
    return {
      left: MARGIN.left,
      top: MARGIN.top,
      width: Math.max(width - MARGIN.left - MARGIN.right, 1),
      height: Math.max(height - MARGIN.top - MARGIN.bottom, 1)
    };
  }

  private _rowGeometry(plotHeight: number): { band: number; size: number } {
    return rowGeometry(plotHeight, Number(this.model.get('rows')), Number(this.model.get('row_cap')));
  }

  private _draw(): void {
    this._dirty = false;
    const width = this._widthNow();
    const height = Number(this.model.get('height'));
    const ctx = cleared(this._canvas, width, height);
    if (ctx === null) {
      return;
    }
    const theme = this._themeNow();
    const plot = this._plot();
    const [lo, hi] = this._span();
    const scale = plot.width / (hi - lo);
    const s = this.model.store;
    const painted = paintRects(
      ctx,
      s,
      s.colors,
      lo,
      hi,
      plot,
      Math.max(Number(this.model.get('rows')), 1),
      Number(this.model.get('row_cap'))
    );
    // What a test or benchmark can read: rectangles painted in this frame,
    // and the seconds the time axis spans.
    const count = String(painted);
    if (this.el.dataset.rects !== count) {
      this.el.dataset.rects = count;
    }
    const seconds = (hi - lo).toPrecision(4);
    if (this.el.dataset.span !== seconds) {
      this.el.dataset.span = seconds;
    }

    // The time axis: a line under the plot, a tick mark and a label per value.
    const base = plot.top + plot.height + 0.5;
    ctx.strokeStyle = theme.axis;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(plot.left, base);
    ctx.lineTo(plot.left + plot.width, base);
    const ticks: { x: number; text: string }[] = [];
    for (const { v, text } of this._tickValues(lo, hi, plot.width)) {
      if (v < lo || v > hi) {
        continue;
      }
      const x = Math.round(plot.left + (v - lo) * scale) + 0.5;
      ctx.moveTo(x, base);
      ctx.lineTo(x, base + 5);
      ticks.push({ x, text });
    }
    ctx.stroke();
    this._placeTicks(ctx, ticks, width, base + 7, theme);
  }

  /**
   * The time axis's ticks in the units of `span`: round clock times as many
   * as `width` has room for when the kernel set `clock` (so a pan or zoom,
   * and a narrow side panel, are labelled at once and readably), else the
   * kernel's own `tick_values` and `tick_labels`.
   */
  private _tickValues(lo: number, hi: number, width: number): { v: number; text: string }[] {
    const clock = this.model.get('clock') as Partial<IClock> | null;
    if (clock?.origin !== undefined && clock.offset !== undefined && clock.steps) {
      const { origin, offset, steps } = clock;
      return clockTicks(origin + lo, origin + hi, steps, tickCount(width), offset).map(t => ({
        v: t.t - origin,
        text: t.text
      }));
    }
    const values = (this.model.get('tick_values') as number[]) ?? [];
    const labels = (this.model.get('tick_labels') as string[]) ?? [];
    return values.map((v, i) => ({ v, text: String(labels[i] ?? '') }));
  }

  /**
   * Tick labels as text elements (measurable, themed by CSS), placed by
   * `placeLabels`: a 250 px side panel has room for few.
   */
  private _placeTicks(
    ctx: CanvasRenderingContext2D,
    ticks: { x: number; text: string }[],
    width: number,
    top: number,
    theme: ITheme
  ): void {
    ctx.font = `${TICK_FONT_PX}px ${theme.font}`;
    const shown = placeLabels(ticks, width, text => ctx.measureText(text).width);
    const labels = spans(this._ticks, shown.length);
    shown.forEach((t, i) => {
      const span = labels[i];
      if (span.textContent !== t.text) {
        span.textContent = t.text;
      }
      span.style.left = `${t.left}px`;
      span.style.top = `${top}px`;
    });
  }

  // -- pointer --------------------------------------------------------------------

  private _at(event: PointerEvent | WheelEvent): { t: number; x: number; y: number } {
    const box = this._canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const plot = this._plot();
    const [lo, hi] = this._span();
    return { t: lo + ((x - plot.left) / plot.width) * (hi - lo), x, y };
  }

  private _onPointerMove = (event: PointerEvent): void => {
    if (this._drag !== null) {
      const plot = this._plot();
      const [lo, hi] = this._span();
      const at = this._at(event);
      // Keep the time grabbed under the pointer.
      const left = this._drag - ((at.x - plot.left) / plot.width) * (hi - lo);
      this._setSpan(left, left + (hi - lo));
      this._hideTooltip();
      return;
    }
    this._hover(event);
  };

  private _onPointerDown = (event: PointerEvent): void => {
    if (!this.model.get('pan_zoom') || event.button !== 0) {
      return;
    }
    this._drag = this._at(event).t;
    this._canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  };

  private _onPointerUp = (event: PointerEvent): void => {
    if (this._drag !== null) {
      this._drag = null;
      if (this._canvas.hasPointerCapture(event.pointerId)) {
        this._canvas.releasePointerCapture(event.pointerId);
      }
    }
  };

  private _onPointerLeave = (): void => {
    this._hideTooltip();
  };

  private _onWheel = (event: WheelEvent): void => {
    // Off, the wheel scrolls the notebook as everywhere else.
    if (!this.model.get('pan_zoom')) {
      return;
    }
    event.preventDefault();
    const [lo, hi] = this._span();
    const at = this._at(event);
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    this._setSpan(...zoomed(lo, hi, at.t, delta));
  };

  /** Show `lo`..`hi` at once; tell the kernel when the pointer has rested. */
  private _setSpan(lo: number, hi: number): void {
    if (!(hi > lo) || !isFinite(lo) || !isFinite(hi)) {
      return;
    }
    this.model.set('span', [lo, hi]);
    window.clearTimeout(this._saveTimer);
    this._saveTimer = window.setTimeout(() => this.model.save_changes(), SAVE_DELAY);
  }

  private _hover(event: PointerEvent): void {
    const at = this._at(event);
    const plot = this._plot();
    const { band, size } = this._rowGeometry(plot.height);
    const row = Math.floor((at.y - plot.top) / band);
    const centre = plot.top + (row + 0.5) * band;
    const [lo, hi] = this._span();
    const inside =
      at.x >= plot.left && at.x <= plot.left + plot.width && Math.abs(at.y - centre) <= size / 2 + HOVER_SLACK;
    const found = inside
      ? this.model.store.find(at.t, row, (HOVER_SLACK * (hi - lo)) / plot.width)
      : -1;
    if (found < 0) {
      this._hideTooltip();
      return;
    }
    // The hovered row in the page's coordinates: the tooltip keeps clear of it.
    const rowTop = event.clientY - at.y + centre - size / 2;
    const text = this.model.store.label(
      found,
      (this.model.get('label_parts') as [string, string][]) ?? [],
      (this.model.get('duration_units') as DurationUnit[]) ?? []
    );
    this._showTooltip(text, event.clientX, event.clientY, {
      top: rowTop,
      bottom: rowTop + size
    });
  }

  private _showTooltip(text: string, clientX: number, clientY: number, row: ISpan): void {
    this._tooltip = showTooltip(this._tooltip, text, clientX, clientY, row);
  }

  private _seen: IntersectionObserver | null = null;
  private _theme: ITheme | null = null;
  private _dirty = true;
  private _onScreen = false;
  private _drag: number | null = null;
  private _saveTimer = 0;
}

/** What the widget registry is given. */
export const widgetExports = {
  TaskCanvasModel: TaskCanvasModel as unknown as typeof WidgetModel,
  TaskCanvasView
};
