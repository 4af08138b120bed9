/**
 * Where the dashboard's tooltips go: inside the viewport, clear of the row
 * under the pointer.
 *
 * bqplot positions a mark's tooltip with popper.js beside a 20 px box around
 * the pointer, on whichever side has most room, and nudges it only within
 * its own scroll parent: beside a row chart in a narrow side panel it went
 * off the page's left edge, and the margins the kernel once added to keep it
 * off the row put it about 100 px from the pointer.  This module places every
 * dashboard tooltip itself (bqplot's in the figures whose tooltips hold a
 * `.dashmon-tooltip`, and the task canvas's): below the hovered row, else above it, starting
 * beside the pointer, always inside the viewport.  The CSS in
 * `style/index.css` pins bqplot's box at the position set here, over
 * popper's.
 */

import { IDisposable } from '@lumino/disposable';

/** bqplot's mark tooltip boxes in the dashboard's figures (those holding a `.dashmon-tooltip`). */
const BQPLOT_TIP = '.bqplot_tooltip_div:has(.dashmon-tooltip) > .bqplot_mark_tooltip';

/** Least distance from the tooltip to the viewport's edges, in pixels. */
const EDGE = 4;
/** Distance between the tooltip and the row it describes. */
const GAP = 6;
/** Distance from the pointer to the tooltip's side, across. */
const ASIDE = 12;
/** A hovered mark taller than this is not a row (a time column): keep clear of the pointer only. */
const ROW_MAX = 40;
/** Half the band kept clear around the pointer when the mark is not a row. */
const CLEAR = 12;

export interface IBox {
  width: number;
  height: number;
}

export interface ISpan {
  top: number;
  bottom: number;
}

/**
 * The top-left corner, in viewport pixels, for a tooltip of size `box`
 * shown for a pointer at (`x`, `y`) over a row spanning `row` vertically, in a
 * viewport of size `view`.
 *
 * Below the row if it fits, else above it, else on the side with more room,
 * moved into the viewport (then it may cover the row, never leave the page).
 * Across: starting just right of the pointer, else ending just left of it,
 * else flush with the viewport's nearer edge.
 */
export function placeTooltip(
  box: IBox,
  x: number,
  y: number,
  row: ISpan,
  view: IBox
): { left: number; top: number } {
  const maxLeft = Math.max(EDGE, view.width - EDGE - box.width);
  let left = x + ASIDE;
  if (left > maxLeft) {
    left = x - ASIDE - box.width;
  }
  left = Math.min(Math.max(left, EDGE), maxLeft);
  const below = row.bottom + GAP;
  const above = row.top - GAP - box.height;
  const maxTop = Math.max(EDGE, view.height - EDGE - box.height);
  let top: number;
  if (below <= maxTop) {
    top = below;
  } else if (above >= EDGE) {
    top = above;
  } else {
    const roomBelow = view.height - row.bottom;
    top = roomBelow >= row.top ? below : above;
  }
  top = Math.min(Math.max(top, EDGE), maxTop);
  return { left, top };
}

/**
 * Show `text` in the tooltip box `tip` (made on the page's body when null: a
 * notebook's cells may clip what is inside them), placed by `placeTooltip`
 * beside the pointer and clear of `row`.  Returns the box, to be kept.
 */
export function showTooltip(
  tip: HTMLDivElement | null,
  text: string,
  clientX: number,
  clientY: number,
  row: ISpan
): HTMLDivElement {
  if (tip === null) {
    tip = document.createElement('div');
    tip.className = 'dashmon-stream-tooltip';
    document.body.appendChild(tip);
  }
  if (tip.textContent !== text) {
    tip.textContent = text;
  }
  tip.style.display = 'block';
  const { left, top } = placeTooltip(
    { width: tip.offsetWidth, height: tip.offsetHeight },
    clientX,
    clientY,
    row,
    { width: window.innerWidth, height: window.innerHeight }
  );
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
  return tip;
}

/** The vertical span of the mark under the pointer, if it is a row; else a band around `y`. */
export function hoveredRow(target: EventTarget | null, y: number): ISpan {
  if (target instanceof SVGGraphicsElement) {
    const rect = target.getBoundingClientRect();
    // A thick line (the row charts' bands) has a box of its geometry only.
    const stroke = parseFloat(getComputedStyle(target).strokeWidth) || 0;
    const top = rect.top - stroke / 2;
    const bottom = rect.bottom + stroke / 2;
    if (bottom - top <= ROW_MAX && top <= y && y <= bottom) {
      return { top, bottom };
    }
  }
  return { top: y - CLEAR, bottom: y + CLEAR };
}

/**
 * Place `tip` (shown) for a pointer at (`x`, `y`) over `row`, by moving
 * `holder` (`tip` itself, or the fixed box around it) there.
 */
export function showAt(
  tip: HTMLElement,
  x: number,
  y: number,
  row: ISpan,
  holder: HTMLElement = tip
): void {
  const box = { width: tip.offsetWidth, height: tip.offsetHeight };
  const view = { width: window.innerWidth, height: window.innerHeight };
  const { left, top } = placeTooltip(box, x, y, row, view);
  holder.style.setProperty('--dashmon-tip-x', `${Math.round(left)}px`);
  holder.style.setProperty('--dashmon-tip-y', `${Math.round(top)}px`);
}

function shown(tip: HTMLElement): boolean {
  return tip.style.display !== 'none' && tip.style.opacity !== '0';
}

/**
 * Place the dashboard's bqplot tooltips in `root` on every pointer move,
 * until disposed.  bqplot shows a tooltip and fills it on `mouseover` and
 * moves it on `mousemove`, both on the mark; this listens on the document,
 * after them.
 */
export function placeTooltips(root: Document): IDisposable {
  let lastX = NaN;
  let lastY = NaN;
  const onMove = (event: MouseEvent) => {
    lastX = event.clientX;
    lastY = event.clientY;
    const tips = root.querySelectorAll<HTMLElement>(BQPLOT_TIP);
    let row: ISpan | null = null;
    for (const tip of tips) {
      if (shown(tip)) {
        row ??= hoveredRow(event.target, event.clientY);
        showAt(tip, event.clientX, event.clientY, row, tip.parentElement ?? tip);
      }
    }
  };
  // A redraw that replaces the mark under a resting pointer (a line chart's hover
  // columns re-tiled as time moves on) gets the old element a `mouseout`, which
  // hides its tooltip, and the new one a `mouseover` only on the next move: the
  // tooltip vanished under a still pointer.  A `mouseout` where the pointer last
  // moved to is such a one: once the redraw is done, the element now under the
  // pointer hears what the next move would have told it.
  const onOut = (event: MouseEvent) => {
    const left = event.target;
    if (
      event.clientX !== lastX ||
      event.clientY !== lastY ||
      !(left instanceof SVGElement) ||
      left.closest('.dashmon-dashboard') === null
    ) {
      return;
    }
    const [x, y] = [lastX, lastY];
    window.requestAnimationFrame(() => {
      const under = root.elementFromPoint(x, y);
      if (
        x !== lastX ||
        y !== lastY ||
        !(under instanceof SVGElement) ||
        under.closest('.dashmon-dashboard') === null
      ) {
        return;
      }
      const init = { bubbles: true, cancelable: true, clientX: x, clientY: y, view: window };
      under.dispatchEvent(new MouseEvent('mouseover', init));
      under.dispatchEvent(new MouseEvent('mousemove', init));
    });
  };
  root.addEventListener('mousemove', onMove);
  root.addEventListener('mouseout', onOut);
  let disposed = false;
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      root.removeEventListener('mousemove', onMove);
      root.removeEventListener('mouseout', onOut);
      disposed = true;
    }
  };
}
