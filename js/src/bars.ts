/**
 * Row bar charts (Progress, Memory use) drawn as HTML: one row per function,
 * its segments as coloured boxes across the row, its text inside the bar, and
 * a tooltip on hover.  The kernel (`views/bar_rows.py`) sends a whole redraw
 * as one state update of `rows` (and `title`, `axis`, `note` when they change): a
 * bqplot figure took a message per mark, and each cost the kernel about as
 * much as the redraw itself.
 *
 * Text is set as text (`textContent`), never parsed as HTML: function names
 * come from the user's task keys.
 */

import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';

import { packageDefaults } from './stream';
import { placeLabels } from './taskplot';
import { ISpan, showTooltip } from './tooltips';

/** One segment of a bar: from `x0` to `x1` (shares of the row), colour, opacity. */
type Segment = [number, number, string, number];

/** One row as the kernel sends it. */
interface IRow {
  text: string;
  tip: string;
  faint: boolean;
  segments: Segment[];
}

/** Share of a row's height the bar covers (as `views/rows.py` BAR_SHARE). */
const BAR_SHARE = 0.78;

export class BarRowsModel extends DOMWidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      ...packageDefaults('BarRowsModel', 'BarRowsView'),
      title: '',
      rows: [],
      axis: [],
      row_px: 20,
      visible_rows: 12,
      min_rows: 2,
      note: ''
    };
  }
}

export class BarRowsView extends DOMWidgetView {
  render(): void {
    this.el.classList.add('dashmon-bars');
    this._title.className = 'dashmon-bars-title';
    this._rows.className = 'dashmon-bars-rows';
    this._axis.className = 'dashmon-bars-axis';
    this._note.className = 'dashmon-bars-note';
    this.el.append(this._title, this._rows, this._axis, this._note);
    this._rows.addEventListener('pointermove', this._onMove);
    this._rows.addEventListener('pointerleave', this._hideTooltip);
    this.listenTo(this.model, 'change:rows change:row_px change:visible_rows change:min_rows', this._drawRows);
    this.listenTo(this.model, 'change:title', this._drawTitle);
    this.listenTo(this.model, 'change:axis', this._drawAxis);
    this.listenTo(this.model, 'change:note', this._drawNote);
    this._drawTitle();
    this._drawNote();
    this._drawRows();
    this._drawAxis();
    // The axis's labels are placed in pixels: again when the chart's width changes.
    this._resize = new ResizeObserver(() => this._drawAxis());
    this._resize.observe(this._axis);
  }

  remove(): void {
    this._resize?.disconnect();
    this._tooltip?.remove();
    this._tooltip = null;
    super.remove();
  }

  private _drawTitle(): void {
    const title = String(this.model.get('title') ?? '');
    if (this._title.textContent !== title) {
      this._title.textContent = title;
    }
  }

  private _drawNote(): void {
    const note = String(this.model.get('note') ?? '');
    this._note.style.display = note ? '' : 'none';
    if (this._note.textContent !== note) {
      this._note.textContent = note;
    }
  }

  private _drawRows(): void {
    const rows = (this.model.get('rows') as IRow[]) ?? [];
    const px = Number(this.model.get('row_px')) || 20;
    const shown = Math.max(rows.length, Number(this.model.get('min_rows')) || 0);
    const visible = Number(this.model.get('visible_rows')) || 12;
    this._rows.style.height = `${Math.min(shown, visible + 0.5) * px}px`;
    this._rows.style.setProperty('--dashmon-row-px', `${px}px`);
    this._rows.style.setProperty('--dashmon-bar-px', `${Math.round(px * BAR_SHARE)}px`);
    const kids = this._rows.children;
    while (kids.length > rows.length) {
      kids[kids.length - 1].remove();
    }
    while (kids.length < rows.length) {
      const row = document.createElement('div');
      row.className = 'dashmon-bars-row';
      const bar = document.createElement('div');
      bar.className = 'dashmon-bars-bar';
      const text = document.createElement('span');
      text.className = 'dashmon-bars-text';
      row.append(bar, text);
      this._rows.append(row);
    }
    rows.forEach((r, i) => {
      const row = kids[i] as HTMLElement;
      const bar = row.firstElementChild as HTMLElement;
      const text = row.lastElementChild as HTMLElement;
      if (text.textContent !== r.text) {
        text.textContent = r.text;
      }
      row.classList.toggle('dashmon-bars-faint', Boolean(r.faint));
      const segs = bar.children;
      while (segs.length > r.segments.length) {
        segs[segs.length - 1].remove();
      }
      while (segs.length < r.segments.length) {
        const seg = document.createElement('div');
        seg.className = 'dashmon-bars-seg';
        bar.append(seg);
      }
      r.segments.forEach(([x0, x1, color, alpha], j) => {
        const s = (segs[j] as HTMLElement).style;
        s.left = `${x0 * 100}%`;
        s.width = `${Math.max(x1 - x0, 0) * 100}%`;
        s.background = color;
        s.opacity = String(alpha);
      });
    });
    if (this._hovered >= rows.length) {
      this._hideTooltip();
    }
  }

  private _drawAxis(): void {
    const axis = (this.model.get('axis') as [number, string][]) ?? [];
    this._axis.style.display = axis.length ? '' : 'none';
    const width = this._axis.clientWidth;
    if (!axis.length || width <= 0) {
      this._axis.replaceChildren();
      return;
    }
    // A mark at each tick; the labels placed clear of each other and inside
    // the axis (the last one, at the right edge, moves in rather than out).
    const labels = axis.map(([, text]) => {
      const label = document.createElement('span');
      label.className = 'dashmon-bars-label';
      label.textContent = text;
      return label;
    });
    this._axis.replaceChildren(
      ...axis.map(([x]) => {
        const mark = document.createElement('div');
        mark.className = 'dashmon-bars-tick';
        mark.style.left = `${x * 100}%`;
        return mark;
      }),
      ...labels
    );
    const widths = new Map(labels.map(l => [l.textContent ?? '', l.offsetWidth]));
    const place = (ticks: [number, string][]) =>
      placeLabels(
        ticks.map(([x, text]) => ({ x: x * width, text })),
        width,
        text => widths.get(text) ?? 0
      );
    // Where not every label fits (a narrow side panel), every other one: the
    // labels shown keep one step between them.
    let placed = place(axis);
    if (placed.length < axis.length) {
      placed = place(axis.filter((_, i) => i % 2 === 0));
    }
    const lefts = new Map(placed.map(p => [p.text, p.left]));
    labels.forEach(label => {
      const left = lefts.get(label.textContent ?? '');
      label.style.left = `${left ?? 0}px`;
      label.style.visibility = left === undefined ? 'hidden' : '';
    });
  }

  private _onMove = (event: PointerEvent): void => {
    const rows = (this.model.get('rows') as IRow[]) ?? [];
    const px = Number(this.model.get('row_px')) || 20;
    const box = this._rows.getBoundingClientRect();
    const i = Math.floor((event.clientY - box.top + this._rows.scrollTop) / px);
    const tip = rows[i]?.tip;
    if (!tip) {
      this._hideTooltip();
      return;
    }
    this._hovered = i;
    const top = box.top - this._rows.scrollTop + i * px;
    this._showTooltip(tip, event.clientX, event.clientY, { top, bottom: top + px });
  };

  private _showTooltip(text: string, clientX: number, clientY: number, row: ISpan): void {
    this._tooltip = showTooltip(this._tooltip, text, clientX, clientY, row);
  }

  private _hideTooltip = (): void => {
    this._hovered = -1;
    if (this._tooltip !== null) {
      this._tooltip.style.display = 'none';
    }
  };

  private _title = document.createElement('div');
  private _rows = document.createElement('div');
  private _axis = document.createElement('div');
  private _note = document.createElement('div');
  private _tooltip: HTMLDivElement | null = null;
  private _hovered = -1;
  private _resize: ResizeObserver | null = null;
}

/** What the widget registry is given for the row bar charts. */
export const barExports = {
  BarRowsModel,
  BarRowsView
};
