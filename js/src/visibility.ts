/**
 * Tells a kernel's dashboards whether this page is visible.
 *
 * A page hidden behind another browser tab does not draw, and bqplot's
 * pending transitions pile up with every update it receives; so the kernel
 * holds its dashboards' redraws while every page says it is hidden
 * (`jupyter_dashmon/placement/visibility.py`).  One reporter per kernel
 * connection: it answers the kernel's `{watch: 'visibility'}` comm, joins one
 * the kernel opened before this page connected, and sends
 * `document.visibilityState` on every change, once a minute, and `closed`
 * when the page goes away.
 */

import { Kernel } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';

import {
  ITabReport,
  IVisibilityReport,
  TABS_CLASS_PREFIX,
  VISIBILITY_TARGET,
  isVisibilityWatch
} from './protocol';

/** Reports are repeated this often, so that the kernel can forget silent pages. */
const HEARTBEAT_MS = 60_000;

function currentState(): IVisibilityReport['visibility'] {
  return document.visibilityState === 'hidden' ? 'hidden' : 'visible';
}

/** The dashboard tab a click landed on, if any: its Tab widget's model id and index. */
export function pickedTab(target: EventTarget | null): ITabReport | null {
  const tab = target instanceof Element ? target.closest('.lm-TabBar-tab') : null;
  const panel = tab?.closest(`[class*="${TABS_CLASS_PREFIX}"]`);
  if (!tab || !panel || !tab.parentElement) {
    return null;
  }
  const name = [...panel.classList].find(c => c.startsWith(TABS_CLASS_PREFIX));
  const index = [...tab.parentElement.children].indexOf(tab);
  if (!name || index < 0) {
    return null;
  }
  return { dashboard: name.slice(TABS_CLASS_PREFIX.length), tab: index };
}

export class VisibilityReporter implements IDisposable {
  constructor(private readonly _kernel: Kernel.IKernelConnection) {
    _kernel.registerCommTarget(VISIBILITY_TARGET, this._onOpen);
    document.addEventListener('visibilitychange', this._onChange);
    window.addEventListener('pagehide', this._onPageHide);
    document.addEventListener('click', this._onClick, true);
    this._timer = window.setInterval(this._onChange, HEARTBEAT_MS);
    void this._joinOpen();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Say `closed` on every comm and stop reporting. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._sendAll('closed');
    document.removeEventListener('visibilitychange', this._onChange);
    window.removeEventListener('pagehide', this._onPageHide);
    document.removeEventListener('click', this._onClick, true);
    window.clearInterval(this._timer);
    if (!this._kernel.isDisposed) {
      this._kernel.removeCommTarget(VISIBILITY_TARGET, this._onOpen);
    }
    this._comms.clear();
  }

  /** Join the comm the kernel opened before this page connected, if any. */
  private async _joinOpen(): Promise<void> {
    try {
      const reply = await this._kernel.requestCommInfo({
        target_name: VISIBILITY_TARGET
      });
      if (this._isDisposed || reply.content.status !== 'ok') {
        return;
      }
      for (const id of Object.keys(reply.content.comms)) {
        if (!this._kernel.hasComm(id)) {
          this._join(this._kernel.createComm(VISIBILITY_TARGET, id));
        }
      }
    } catch {
      // The kernel went away or restarted: its new dashboards will ask again.
    }
  }

  private _join(comm: Kernel.IComm): void {
    this._comms.add(comm);
    comm.onClose = () => {
      this._comms.delete(comm);
    };
    this._send(comm, currentState());
  }

  private _send(comm: Kernel.IComm, visibility: IVisibilityReport['visibility']): void {
    const report: IVisibilityReport = { visibility };
    try {
      comm.send({ ...report });
    } catch {
      this._comms.delete(comm); // the kernel is gone
    }
  }

  private _sendAll(visibility: IVisibilityReport['visibility']): void {
    for (const comm of [...this._comms]) {
      this._send(comm, visibility);
    }
  }

  private _onOpen = (comm: Kernel.IComm, msg: { content: { data: unknown } }): void => {
    if (!isVisibilityWatch(msg.content.data)) {
      console.warn('jupyter-dashmon: ignored a malformed message', msg.content.data);
      return;
    }
    this._join(comm);
  };

  private _onChange = (): void => {
    this._sendAll(currentState());
  };

  private _onPageHide = (): void => {
    this._sendAll('closed');
  };

  /** A dashboard's tab picked: say so now (a kernel that does not know the id ignores it). */
  private _onClick = (event: MouseEvent): void => {
    const picked = pickedTab(event.target);
    if (picked === null) {
      return;
    }
    for (const comm of [...this._comms]) {
      try {
        comm.send({ ...picked });
      } catch {
        this._comms.delete(comm);
      }
    }
  };

  private _comms = new Set<Kernel.IComm>();
  private _isDisposed = false;
  private _timer: number;
}
