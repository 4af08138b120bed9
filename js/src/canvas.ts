/**
 * What the package's canvas charts share (the task canvases, `stream.ts`, and
 * the line charts, `lines.ts`): following the JupyterLab theme, sizing a
 * canvas for the screen's pixel ratio, keeping a box of label elements, and
 * the view they are drawn in (`CanvasFigureView`).
 */

import { DOMWidgetView } from '@jupyter-widgets/base';

/**
 * Call `changed` when the page's JupyterLab theme changes, and once more a
 * moment later: the new theme's variables may land just after the attribute.
 */
export function watchTheme(changed: () => void): MutationObserver {
  const watch = new MutationObserver(() => {
    changed();
    window.setTimeout(changed, 250);
  });
  watch.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name']
  });
  return watch;
}

/**
 * `canvas` sized `width` x `height` CSS pixels at the screen's pixel ratio,
 * and its context scaled to CSS pixels and cleared (null if it has none).
 */
export function cleared(
  canvas: HTMLCanvasElement,
  width: number,
  height: number
): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const pw = Math.round(width * dpr);
  const ph = Math.round(height * dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  if (ctx !== null) {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
  }
  return ctx;
}

/** `box`'s children made `n` spans (added or removed at the end), for labels. */
export function spans(box: HTMLElement, n: number): HTMLElement[] {
  const kids = box.children;
  while (kids.length > n) {
    kids[kids.length - 1].remove();
  }
  while (kids.length < n) {
    box.appendChild(document.createElement('span'));
  }
  return [...kids] as HTMLElement[];
}

/**
 * A chart drawn on a canvas: a box of the model's `height` holding the canvas,
 * the title (the model's `title`, also the element's `data-title`), a box of
 * label elements, and the tooltip; redrawn when its width or the theme
 * changes.  Subclasses draw in `_schedule`'s frame.
 */
export abstract class CanvasFigureView extends DOMWidgetView {
  render(): void {
    // Sized on a box of its own: the widget's Layout owns the element's style.
    this._box.className = 'dashmon-stream-box';
    this._title.className = 'dashmon-stream-title';
    this._ticks.className = 'dashmon-stream-ticks';
    this._canvas.className = 'dashmon-stream-canvas';
    this._box.append(this._canvas, this._title, this._ticks);
    this.el.appendChild(this._box);
    // listenTo, not on: a removed view (another tab shown) must stop listening.
    this.listenTo(this.model, 'change:title', this._setTitle);
    this.listenTo(this.model, 'change:height', this._setHeight);
    this._setTitle();
    this._setHeight();
    this._resize = new ResizeObserver(entries => {
      for (const entry of entries) {
        this._width = entry.contentRect.width;
      }
      this._schedule();
    });
    this._resize.observe(this._box);
    this._themeWatch = watchTheme(() => this._themeChanged());
  }

  remove(): unknown {
    this._resize?.disconnect();
    this._themeWatch?.disconnect();
    if (this._frame) {
      cancelAnimationFrame(this._frame);
      this._frame = 0;
    }
    this._tooltip?.remove();
    this._tooltip = null;
    return super.remove() as unknown;
  }

  /** Draw in a coming frame, once however many changes come before it. */
  protected abstract _schedule(): void;

  /** The page's theme changed: draw again in its colours. */
  protected _themeChanged(): void {
    this._schedule();
  }

  /** The chart's width in CSS pixels, as last observed. */
  protected _widthNow(): number {
    return Math.max(this._width || this._box.clientWidth, 1);
  }

  protected _hideTooltip(): void {
    if (this._tooltip !== null) {
      this._tooltip.style.display = 'none';
    }
  }

  private _setTitle(): void {
    const text = String(this.model.get('title') ?? '');
    this._title.textContent = text;
    this._title.title = text;
    this.el.dataset.title = text;
  }

  private _setHeight(): void {
    this._box.style.height = `${Number(this.model.get('height'))}px`;
    this._schedule();
  }

  protected _box = document.createElement('div');
  protected _canvas = document.createElement('canvas');
  protected _title = document.createElement('div');
  protected _ticks = document.createElement('div');
  protected _tooltip: HTMLDivElement | null = null;
  protected _frame = 0;
  private _resize: ResizeObserver | null = null;
  private _themeWatch: MutationObserver | null = null;
  private _width = 0;
}
