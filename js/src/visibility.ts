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
  IVisibilityReport,
  VISIBILITY_TARGET,
  isVisibilityWatch
} from './protocol';

/** Reports are repeated this often, so that the kernel can forget silent pages. */
const HEARTBEAT_MS = 60_000;

function currentState(): IVisibilityReport['visibility'] {
  return document.visibilityState === 'hidden' ? 'hidden' : 'visible';
}

export class VisibilityReporter implements IDisposable {
  constructor(private readonly _kernel: Kernel.IKernelConnection) {
    _kernel.registerCommTarget(VISIBILITY_TARGET, this._onOpen);
    document.addEventListener('visibilitychange', this._onChange);
    window.addEventListener('pagehide', this._onPageHide);
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

  private _comms = new Set<Kernel.IComm>();
  private _isDisposed = false;
  private _timer: number;
}
