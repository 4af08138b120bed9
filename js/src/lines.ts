/**
 * Lines over clock time drawn on a canvas (the Status page's CPU and memory,
 * and network charts).  The kernel (`views/line_chart.py`) sends a whole
 * redraw as one state update: the sample times, each line's values (null
 * breaks a line across an idle gap), the value axis's ticks, where each
 * line's name goes at its right end, and the hover text of each sample.  The
 * browser picks the clock ticks for the width it has, as the task stream
 * does, and shows the hover text of the sample nearest the pointer, again
 * after each redraw when the pointer has not moved.
 *
 * Text is set as text (`textContent`), never parsed as HTML.
 */

import { DOMWidgetModel } from '@jupyter-widgets/base';

import { packageDefaults } from './stream';
import { CanvasFigureView, cleared, spans } from './canvas';
import { clockTicks, placeLabels, tickCount } from './taskplot';
import { showTooltip } from './tooltips';

/** One line as the kernel sends it: its colour and a value per sample (null: a gap). */
interface ILine {
  color: string;
  y: (number | null)[];
}

/**
 * A label beside the plot: a clock tick's (`x`, under it), a value tick's
 * (`y`, left of it, ending at `left`), or a line's name at its right end.
 */
interface ILabel {
  kind: 'x' | 'y' | 'name';
  text: string;
  left: number;
  top: number;
  color?: string;
}

/** Pixels of the tick labels' font, as the task stream's. */
const TICK_FONT_PX = 11;
/** Pixels around the pointer the tooltip keeps clear of. */
const POINTER_BAND = 10;

export class LineChartModel extends DOMWidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      ...packageDefaults('LineChartModel', 'LineChartView'),
      title: '',
      height: 220,
      margin: { top: 44, bottom: 30, left: 64, right: 44 },
      t: [],
      lines: [],
      y_ticks: [],
      ends: [],
      tips: [],
      clock: {}
    };
  }
}

export class LineChartView extends CanvasFigureView {
  render(): void {
    this.el.classList.add('dashmon-lines');
    super.render();
    this.listenTo(this.model, 'change:t change:lines change:y_ticks change:ends change:clock', () =>
      this._schedule()
    );
    this._canvas.addEventListener('pointermove', this._onMove);
    this._canvas.addEventListener('pointerleave', this._onLeave);
  }

  /** Draw in the next frame, once however many changes come before it. */
  protected _schedule(): void {
    if (this._frame) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._draw();
    });
  }

  private _plot(): { left: number; top: number; width: number; height: number } {
    const m = this.model.get('margin') as { top: number; bottom: number; left: number; right: number };
    const width = this._widthNow();
    const height = Number(this.model.get('height'));
    return {
      left: m.left,
      top: m.top,
      width: Math.max(width - m.left - m.right, 1),
      height: Math.max(height - m.top - m.bottom, 1)
    };
  }

  /** The time range drawn: the first and last sample. */
  private _span(): [number, number] {
    const t = (this.model.get('t') as (number | null)[]) ?? [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of t) {
      if (v !== null) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(hi > lo)) {
      return isFinite(lo) ? [lo - 1, lo] : [0, 1];
    }
    return [lo, hi];
  }

  private _draw(): void {
    const width = this._widthNow();
    if (width <= 1 || !this.el.isConnected) {
      return;
    }
    const ctx = cleared(this._canvas, width, Number(this.model.get('height')));
    if (ctx === null) {
      return;
    }
    const style = getComputedStyle(this.el);
    const axisColor = style.getPropertyValue('--jp-border-color1').trim() || '#bdbdbd';
    const font = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';

    const plot = this._plot();
    const t = (this.model.get('t') as (number | null)[]) ?? [];
    const lines = (this.model.get('lines') as ILine[]) ?? [];
    const yTicks = (this.model.get('y_ticks') as [number, string][]) ?? [];
    const top = yTicks.length ? yTicks[yTicks.length - 1][0] : 1;
    const [lo, hi] = this._span();
    const xOf = (v: number) => plot.left + ((v - lo) / (hi - lo)) * plot.width;
    const yOf = (v: number) => plot.top + plot.height - (v / (top || 1)) * plot.height;

    // Axes: a line left of the plot and under it, with a mark at each tick.
    const base = plot.top + plot.height + 0.5;
    const left = plot.left - 0.5;
    ctx.strokeStyle = axisColor;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, plot.top);
    ctx.lineTo(left, base);
    ctx.lineTo(plot.left + plot.width, base);
    for (const [v] of yTicks) {
      const y = Math.round(yOf(v)) + 0.5;
      ctx.moveTo(left - 5, y);
      ctx.lineTo(left, y);
    }
    const xTicks: { x: number; text: string }[] = [];
    if (t.length) {
      const clock = this.model.get('clock') as { offset?: number; steps?: number[] };
      const steps = clock?.steps ?? [1];
      for (const tick of clockTicks(lo, hi, steps, tickCount(plot.width), clock?.offset ?? 0)) {
        if (tick.t < lo || tick.t > hi) {
          continue;
        }
        const x = Math.round(xOf(tick.t)) + 0.5;
        ctx.moveTo(x, base);
        ctx.lineTo(x, base + 5);
        xTicks.push({ x, text: tick.text });
      }
    }
    ctx.stroke();

    // The lines, broken where a value is null.
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    let points = 0;
    for (const line of lines) {
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      let down = false;
      line.y.forEach((v, i) => {
        const at = t[i];
        if (v === null || at === null || at === undefined) {
          down = false;
          return;
        }
        const x = xOf(at);
        const y = yOf(v);
        if (down) {
          ctx.lineTo(x, y);
        } else {
          ctx.moveTo(x, y);
          down = true;
        }
        points++;
      });
      ctx.stroke();
    }
    // What a test can read: the points drawn in this frame.
    this.el.dataset.points = String(points);

    // The hovered sample: a faint rule across the plot.
    if (this._hovered >= 0 && t[this._hovered] !== null && t[this._hovered] !== undefined) {
      const x = Math.round(xOf(t[this._hovered] as number)) + 0.5;
      ctx.strokeStyle = axisColor;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, plot.top);
      ctx.lineTo(x, plot.top + plot.height);
      ctx.stroke();
    }

    // Text: tick labels under and left of the plot, line names at their ends.
    ctx.font = `${TICK_FONT_PX}px ${font}`;
    const labels: ILabel[] = [];
    for (const p of placeLabels(xTicks, width, text => ctx.measureText(text).width)) {
      labels.push({ kind: 'x', text: p.text, left: p.left, top: base + 7 });
    }
    const middle = (v: number) => yOf(v) - TICK_FONT_PX / 2 - 1;
    for (const [v, text] of yTicks) {
      labels.push({ kind: 'y', text, left: left - 7, top: middle(v) });
    }
    for (const [name, color, v] of (this.model.get('ends') as [string, string, number][]) ?? []) {
      labels.push({ kind: 'name', text: name, left: plot.left + plot.width + 4, top: middle(v), color });
    }
    this._setLabels(labels);
    if (this._pointer !== null) {
      this._hover(this._pointer.x, this._pointer.y, false);
    }
  }

  /** Labels as text elements (themed by CSS, measurable by tests). */
  private _setLabels(labels: ILabel[]): void {
    const made = spans(this._ticks, labels.length);
    labels.forEach((label, i) => {
      const span = made[i];
      if (span.textContent !== label.text) {
        span.textContent = label.text;
      }
      span.className = `dashmon-lines-${label.kind}`;
      span.style.top = `${label.top}px`;
      span.style.color = label.color ?? '';
      // The value axis's labels end at `left`, beside their tick marks.
      span.style.transform = label.kind === 'y' ? 'translateX(-100%)' : '';
      span.style.left = `${label.left}px`;
    });
  }

  // -- hover ----------------------------------------------------------------------

  private _onMove = (event: PointerEvent): void => {
    this._pointer = { x: event.clientX, y: event.clientY };
    this._hover(event.clientX, event.clientY, true);
  };

  private _onLeave = (): void => {
    this._pointer = null;
    this._setHovered(-1);
    this._hideTooltip();
  };

  /** Show the hover text of the sample nearest `clientX`, if the pointer is over the plot. */
  private _hover(clientX: number, clientY: number, redraw: boolean): void {
    const box = this._canvas.getBoundingClientRect();
    const plot = this._plot();
    const x = clientX - box.left;
    const y = clientY - box.top;
    const t = (this.model.get('t') as (number | null)[]) ?? [];
    const tips = (this.model.get('tips') as string[]) ?? [];
    const inside =
      x >= plot.left - 4 && x <= plot.left + plot.width + 4 && y >= plot.top && y <= plot.top + plot.height;
    let found = -1;
    if (inside && t.length) {
      const [lo, hi] = this._span();
      const at = lo + ((x - plot.left) / plot.width) * (hi - lo);
      let best = Infinity;
      t.forEach((v, i) => {
        if (v !== null && tips[i] && Math.abs(v - at) < best) {
          best = Math.abs(v - at);
          found = i;
        }
      });
    }
    if (redraw) {
      this._setHovered(found);
    } else {
      this._hovered = found;
    }
    if (found < 0) {
      this._hideTooltip();
      return;
    }
    this._tooltip = showTooltip(this._tooltip, tips[found], clientX, clientY, {
      top: clientY - POINTER_BAND,
      bottom: clientY + POINTER_BAND
    });
  }

  private _setHovered(i: number): void {
    if (i !== this._hovered) {
      this._hovered = i;
      this._schedule();
    }
  }

  private _hovered = -1;
  private _pointer: { x: number; y: number } | null = null;
}

/** What the widget registry is given for the line charts. */
export const lineExports = {
  LineChartModel,
  LineChartView
};
