/**
 * Messages exchanged with the kernel on the `jupyter_dashmon` comm target.
 *
 * Mirrors `jupyter_dashmon/placement/messages.py`; change both together
 * (`tests/placement/test_protocol.py` fails when the two disagree).
 */

/** The one comm target name, used in both directions. */
export const COMM_TARGET = 'jupyter_dashmon';

/** MIME type under which ipywidgets renders a widget view. */
export const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

/** Front-end to kernel: data of the comm_open asking for the dashboard. */
export interface IDashboardRequest {
  request: 'dashboard';
}

/** Kernel to front-end: the dashboard exists and is this widget model. */
export interface IDashboardReplyOk {
  status: 'ok';
  model_id: string;
}

/** Kernel to front-end: no dashboard, and why, in plain words. */
export interface IDashboardReplyError {
  status: 'error';
  message: string;
}

export type DashboardReply = IDashboardReplyOk | IDashboardReplyError;

/** Kernel to front-end: data of the comm_open sent by `Dashboard.sidebar()`. */
export interface IShowMessage {
  action: 'show';
  model_id: string;
  title: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Return the reply if `data` is a well-formed one, otherwise `null`. */
export function parseReply(data: unknown): DashboardReply | null {
  if (!isRecord(data)) {
    return null;
  }
  if (data.status === 'ok' && typeof data.model_id === 'string') {
    return { status: 'ok', model_id: data.model_id };
  }
  if (data.status === 'error' && typeof data.message === 'string') {
    return { status: 'error', message: data.message };
  }
  return null;
}

/** Return the show message if `data` is a well-formed one, otherwise `null`. */
export function parseShow(data: unknown): IShowMessage | null {
  if (
    !isRecord(data) ||
    data.action !== 'show' ||
    typeof data.model_id !== 'string'
  ) {
    return null;
  }
  const title = typeof data.title === 'string' ? data.title : 'Dask dashboard';
  return { action: 'show', model_id: data.model_id, title };
}

/**
 * Comm target on which a kernel's dashboards learn whether this page is
 * visible (`jupyter_dashmon.placement.visibility`).  The kernel opens it with
 * `{watch: 'visibility'}`; a page opened later finds it with a
 * `comm_info_request`.
 */
export const VISIBILITY_TARGET = 'jupyter_dashmon_visibility';

/** Kernel to page: data of the comm_open on the visibility target. */
export interface IVisibilityWatch {
  watch: 'visibility';
}

/**
 * Page to kernel on the visibility comm: the user picked tab `tab` of the
 * dashboard whose Tab widget has model id `dashboard` (its element carries the
 * class TABS_CLASS_PREFIX + id).  The Tab's own message waits while a cell
 * runs; this comm is answered on a subshell, so the page picked draws at once.
 */
export interface ITabReport {
  dashboard: string;
  tab: number;
}

/** Class prefix of a dashboard's Tab widget (`placement/messages.py`). */
export const TABS_CLASS_PREFIX = 'dashmon-tabs-';

/** Page to kernel on the visibility comm: on every change and once a minute. */
export interface IVisibilityReport {
  visibility: 'visible' | 'hidden' | 'closed';
}

/** True if `data` is the kernel's request to report visibility. */
export function isVisibilityWatch(data: unknown): data is IVisibilityWatch {
  return isRecord(data) && data.watch === 'visibility';
}
