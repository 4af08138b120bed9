/**
 * Sorting the Workers table by clicking its header cells.
 *
 * The table is one HTML widget (its header cells share the `<table>` with the
 * rows, so they stay aligned) and HTML widgets send no events to the kernel.
 * A click on a header cell is therefore handed to the page's own sort
 * controls, a Dropdown and a ToggleButtons widget, exactly as if the user had
 * used them: they tell the kernel, which redraws the table.  Without this
 * extension (another front-end) those controls still sort the table.
 */

import { IDisposable } from '@lumino/disposable';

const HEADER = 'table.dashmon-workers th[data-key]';
const PAGE = '.dashmon-workers-page';
const SORT_KEY = '.dashmon-sort-key select';
const SORT_ORDER = '.dashmon-sort-order button';

/** Sort by the clicked column; the column already sorted by is reversed. */
function sortBy(header: HTMLTableCellElement): void {
  const page = header.closest(PAGE);
  const select = page?.querySelector<HTMLSelectElement>(SORT_KEY);
  if (!page || !select) {
    return;
  }
  // The Dropdown lists the columns in the table's order.
  const column = header.cellIndex;
  if (select.selectedIndex !== column) {
    select.selectedIndex = column;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    return;
  }
  const other = [...page.querySelectorAll<HTMLButtonElement>(SORT_ORDER)].find(
    button => !button.classList.contains('mod-active')
  );
  other?.click();
}

/** Listen for header clicks anywhere in `root`, until disposed. */
export function sortOnHeaderClick(root: Document): IDisposable {
  const onClick = (event: MouseEvent) => {
    const target = event.target;
    const header = target instanceof Element ? target.closest(HEADER) : null;
    if (header instanceof HTMLTableCellElement) {
      sortBy(header);
    }
  };
  root.addEventListener('click', onClick);
  let disposed = false;
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      root.removeEventListener('click', onClick);
      disposed = true;
    }
  };
}
