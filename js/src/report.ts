/**
 * The saved report's script (jupyter_dashmon/placement/report.py): tabs, and
 * the two task figures drawn from the page's JSON document.
 *
 * It runs in a page opened from a file, with no Jupyter and no network: it
 * imports only the pure drawing code of taskplot.ts, and the bundler puts
 * both into one script that the report carries inline.  Keys and other text
 * from the cluster reach the page through textContent only.
 */

import {
  IPlot,
  IRectColumns,
  RowIndex,
  clockTicks,
  paintRects,
  placeLabels,
  rowAt,
  tickCount,
  zoomed
} from './taskplot';

/** The document's task columns, as placement/report.py's TaskPack packs them. */
interface ITaskPack {
  count: number;
  origin: number;
  threads: [string, number][];
  colors: string[];
  templates: string[];
  blob: string;
}

interface IReportDocument {
  version: number;
  saved: number;
  clock_steps: number[];
  tasks: ITaskPack;
  stream: { first: number; rows: number[]; origin: number; rowcount: number };
  runs: [number, number][];
}

interface ITasks {
  x0: Float32Array;
  x1: Float32Array;
  row: Uint32Array;
  color: Uint32Array;
  template: Uint32Array;
  keys: string[];
}

const MARGIN = { top: 36, bottom: 30, left: 28, right: 28 };
const ROW_CAP = 40;
const HOVER_SLACK = 2;
const KEY_MARK = '\u0000';

async function unpack(pack: ITaskPack): Promise<ITasks> {
  const n = pack.count;
  const bytes = Uint8Array.from(atob(pack.blob), c => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  const raw = await new Response(stream).arrayBuffer();
  const column = <T>(make: new (b: ArrayBuffer, o: number, n: number) => T, k: number): T =>
    new make(raw, 4 * n * k, n);
  const keys = JSON.parse(new TextDecoder().decode(new Uint8Array(raw, 20 * n))) as string[];
  return {
    x0: column(Float32Array, 0),
    x1: column(Float32Array, 1),
    row: column(Uint32Array, 2),
    color: column(Uint32Array, 3),
    template: column(Uint32Array, 4),
    keys
  };
}

/** Hover text of task `i`: its template with the key put in (as text, by the caller). */
function labelOf(tasks: ITasks, templates: string[], i: number): string {
  const t = templates[tasks.template[i]] ?? '';
  const at = t.indexOf(KEY_MARK);
  return at < 0 ? t : t.slice(0, at) + tasks.keys[i] + t.slice(at + 1);
}

/** One task figure: a canvas over a window of the tasks, with pan, zoom and hover. */
class TaskFigure {
  constructor(
    host: HTMLElement,
    private doc: IReportDocument,
    rects: IRectColumns,
    private labels: (i: number) => string,
    private rows: number,
    private origin: number,
    private title: string,
    private tooltip: HTMLElement,
    runs: [number, number][] = []
  ) {
    this.rects = rects;
    this.height = Number(host.dataset.height ?? 260);
    this.box.style.height = `${this.height}px`;
    this.box.className = 'dashmon-plot-box';
    this.box.style.position = 'relative';
    this.titleEl.className = 'dashmon-plot-title';
    this.ticks.className = 'dashmon-plot-ticks';
    this.box.append(this.canvas, this.titleEl, this.ticks);
    const bar = document.createElement('div');
    bar.className = 'dashmon-plot-bar';
    const all = document.createElement('button');
    all.textContent = 'Show all';
    all.addEventListener('click', () => this.showAll());
    const hint = document.createElement('span');
    hint.textContent = 'drag to pan, wheel to zoom, hover a task for its key';
    bar.append(all);
    if (runs.length > 1) {
      // As on the live Tasks page: the newest run of work, past the idle time before it.
      const latest = document.createElement('button');
      latest.textContent = 'Latest run';
      latest.addEventListener('click', () => {
        const [lo, hi] = runs[runs.length - 1];
        this.span = [lo, hi > lo ? hi + (hi - lo) * 0.01 : lo + 1];
        this.schedule();
      });
      bar.append(latest);
    }
    bar.append(hint);
    host.append(bar, this.box);
    this.showAll(false);
    new ResizeObserver(() => this.schedule()).observe(this.box);
    const c = this.canvas;
    c.addEventListener('pointermove', e => this.onMove(e));
    c.addEventListener('pointerdown', e => this.onDown(e));
    c.addEventListener('pointerup', e => this.onUp(e));
    c.addEventListener('pointercancel', e => this.onUp(e));
    c.addEventListener('pointerleave', () => (this.tooltip.style.display = 'none'));
    c.addEventListener('wheel', e => this.onWheel(e), { passive: false });
  }

  showAll(draw = true): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < this.rects.count; i++) {
      if (this.rects.row[i] >= 0) {
        lo = Math.min(lo, this.rects.x0[i]);
        hi = Math.max(hi, this.rects.x1[i]);
      }
    }
    this.span = isFinite(lo) && hi > lo ? [lo, hi + (hi - lo) * 0.01] : [0, 1];
    if (draw) {
      this.schedule();
    }
  }

  /** Draw now (the page's test hook waits for `data-drawn`). */
  draw(): void {
    this.frame = 0;
    const width = Math.max(this.box.clientWidth, 1);
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(this.height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(this.height * dpr);
      c.style.width = `${width}px`;
      c.style.height = `${this.height}px`;
    }
    const ctx = c.getContext('2d');
    if (ctx === null) {
      return;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, this.height);
    const plot = this.plot();
    const [lo, hi] = this.span;
    const painted = paintRects(ctx, this.rects, this.doc.tasks.colors, lo, hi, plot, this.rows, ROW_CAP);
    const style = getComputedStyle(this.box);
    ctx.strokeStyle = style.getPropertyValue('--jp-border-color1').trim() || '#bdbdbd';
    ctx.beginPath();
    const base = plot.top + plot.height + 0.5;
    ctx.moveTo(plot.left, base);
    ctx.lineTo(plot.left + plot.width, base);
    const scale = plot.width / (hi - lo);
    // The reader's own clock: the report may be opened far from the cluster.
    const shift = -new Date((this.origin + lo) * 1000).getTimezoneOffset() * 60;
    const count = tickCount(plot.width);
    const ticks = clockTicks(this.origin + lo, this.origin + hi, this.doc.clock_steps, count, shift);
    const marks = ticks.map(tick => ({
      x: Math.round(plot.left + (tick.t - this.origin - lo) * scale) + 0.5,
      text: tick.text
    }));
    for (const { x } of marks) {
      ctx.moveTo(x, base);
      ctx.lineTo(x, base + 5);
    }
    ctx.stroke();
    // Labels as the live task stream places them (a narrow window has room for few).
    ctx.font = `11px ${style.fontFamily}`;
    this.ticks.replaceChildren(
      ...placeLabels(marks, width, text => ctx.measureText(text).width).map(label => {
        const span = document.createElement('span');
        span.textContent = label.text;
        span.style.left = `${label.left}px`;
        span.style.top = `${base + 7}px`;
        return span;
      })
    );
    let shown = 0;
    for (let i = 0; i < this.rects.count; i++) {
      shown += this.rects.row[i] >= 0 ? 1 : 0;
    }
    this.titleEl.textContent = `${this.title} \u2014 ${shown.toLocaleString('en-US')} tasks`;
    this.box.parentElement!.dataset.tasks = String(shown);
    this.box.parentElement!.dataset.painted = String(painted);
    const host = this.box.parentElement!;
    if (!this.draws) {
      // Milliseconds from opening the page to this figure's first picture (the bench reads it).
      host.dataset.firstDrawn = String(Math.round(performance.now()));
    }
    host.dataset.drawn = String(++this.draws);
  }

  schedule(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => this.draw());
    }
  }

  private plot(): IPlot {
    const width = Math.max(this.box.clientWidth, 1);
    return {
      left: MARGIN.left,
      top: MARGIN.top,
      width: Math.max(width - MARGIN.left - MARGIN.right, 1),
      height: Math.max(this.height - MARGIN.top - MARGIN.bottom, 1)
    };
  }

  private at(e: PointerEvent | WheelEvent): { t: number; x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    const plot = this.plot();
    const [lo, hi] = this.span;
    return { t: lo + ((x - plot.left) / plot.width) * (hi - lo), x, y };
  }

  private onMove(e: PointerEvent): void {
    const plot = this.plot();
    const [lo, hi] = this.span;
    const at = this.at(e);
    if (this.drag !== null) {
      const left = this.drag - ((at.x - plot.left) / plot.width) * (hi - lo);
      this.span = [left, left + (hi - lo)];
      this.tooltip.style.display = 'none';
      this.schedule();
      return;
    }
    const row = at.x >= plot.left && at.x <= plot.left + plot.width
      ? rowAt(at.y, plot, this.rows, ROW_CAP, HOVER_SLACK)
      : -1;
    if (this.index === null) {
      this.index = new RowIndex(this.rects);
    }
    const found = row < 0 ? -1 : this.index.find(at.t, row, (HOVER_SLACK * (hi - lo)) / plot.width);
    if (found < 0) {
      this.tooltip.style.display = 'none';
      return;
    }
    const tip = this.tooltip;
    tip.textContent = this.labels(found);
    tip.style.display = 'block';
    const w = tip.offsetWidth;
    const left = e.clientX + 12 + w > window.innerWidth - 4 ? e.clientX - 12 - w : e.clientX + 12;
    tip.style.left = `${Math.max(left, 4)}px`;
    tip.style.top = `${Math.max(e.clientY + 14, 4)}px`;
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) {
      return;
    }
    this.drag = this.at(e).t;
    this.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  private onUp(e: PointerEvent): void {
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) {
      this.canvas.releasePointerCapture(e.pointerId);
    }
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const [lo, hi] = this.span;
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    const next = zoomed(lo, hi, this.at(e).t, delta);
    if (next[1] > next[0] && next[1] - next[0] > 1e-6) {
      this.span = next;
      this.schedule();
    }
  }

  span: [number, number] = [0, 1];
  private rects: IRectColumns;
  private index: RowIndex | null = null;
  private height: number;
  private box = document.createElement('div');
  private canvas = document.createElement('canvas');
  private titleEl = document.createElement('div');
  private ticks = document.createElement('div');
  private drag: number | null = null;
  private frame = 0;
  private draws = 0;
}

/** Tabs over the page's sections; without this script every section shows, one below the other. */
function tabs(onShow: (name: string) => void): void {
  const main = document.getElementById('dashmon-report');
  if (main === null) {
    return;
  }
  const pages = Array.from(main.querySelectorAll<HTMLElement>('section.dashmon-page'));
  const nav = document.createElement('nav');
  nav.className = 'dashmon-tabs';
  nav.setAttribute('role', 'tablist');
  const show = (name: string) => {
    for (const page of pages) {
      page.hidden = page.dataset.page !== name;
    }
    for (const b of nav.querySelectorAll('button')) {
      b.setAttribute('aria-selected', String(b.dataset.page === name));
    }
    onShow(name);
  };
  for (const page of pages) {
    const name = page.dataset.page ?? '';
    const button = document.createElement('button');
    button.textContent = name;
    button.dataset.page = name;
    button.setAttribute('role', 'tab');
    button.addEventListener('click', () => {
      show(name);
      history.replaceState(null, '', `#${page.id}`);
    });
    nav.append(button);
    page.querySelector('h2')?.remove();
  }
  main.before(nav);
  // A link to report.html#page-tasks opens on that page.
  const chosen = pages.find(p => `#${p.id}` === location.hash) ?? pages[0];
  show(chosen?.dataset.page ?? '');
}

async function main(): Promise<void> {
  const node = document.getElementById('dashmon-report-data');
  const doc = JSON.parse(node?.textContent ?? '{}') as IReportDocument;
  const tasks = await unpack(doc.tasks);
  const pack = doc.tasks;
  const tooltip = document.createElement('div');
  tooltip.className = 'dashmon-tooltip';
  document.body.append(tooltip);
  const labels = (i: number) => labelOf(tasks, pack.templates, i);
  const figures: TaskFigure[] = [];

  // The Tasks page: every retained task, a row per worker thread.
  const all: IRectColumns = { count: pack.count, x0: tasks.x0, x1: tasks.x1, row: tasks.row, color: tasks.color };
  // The Status stream: the newest records, on the stream's own rows and origin.
  const first = Math.min(doc.stream.first, pack.count);
  const n = pack.count - first;
  const shift = pack.origin - doc.stream.origin;
  const sx0 = new Float32Array(n);
  const sx1 = new Float32Array(n);
  const srow = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    sx0[k] = tasks.x0[first + k] + shift;
    sx1[k] = tasks.x1[first + k] + shift;
    srow[k] = doc.stream.rows[tasks.row[first + k]] ?? -1;
  }
  const stream: IRectColumns = { count: n, x0: sx0, x1: sx1, row: srow, color: tasks.color.subarray(first) };

  const hosts = document.querySelectorAll<HTMLElement>('.dashmon-plot[data-figure]');
  for (const host of hosts) {
    const title = host.dataset.title ?? '';
    if (host.dataset.figure === 'tasks') {
      figures.push(
        new TaskFigure(host, doc, all, labels, pack.threads.length, pack.origin, title, tooltip, doc.runs)
      );
    } else {
      figures.push(
        new TaskFigure(host, doc, stream, i => labels(first + i), doc.stream.rowcount, doc.stream.origin, title, tooltip)
      );
    }
  }
  tabs(() => figures.forEach(f => f.schedule()));
  document.body.dataset.ready = 'true';
}

main().catch((err: unknown) => {
  document.body.dataset.ready = 'error';
  const box = document.createElement('div');
  box.className = 'dashmon-noscript';
  box.textContent = `The task figures could not be drawn: ${String(err)}`;
  document.body.prepend(box);
});
