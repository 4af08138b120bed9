/**
 * Comm handling for one notebook's kernel.
 *
 * Two directions share the `jupyter_dashmon` target: the front-end asks a
 * kernel for its dashboard (`requestDashboard`), and a kernel asks the
 * front-end to show one (`NotebookKernel`, which registers the target on
 * whichever kernel the notebook is connected to).
 */

import { NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, Session } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  COMM_TARGET,
  DashboardReply,
  IDashboardRequest,
  IShowMessage,
  parseReply,
  parseShow
} from './protocol';
import { VisibilityReporter } from './visibility';

export const RESTARTED = 'Disconnected: the kernel was restarted';
export const SHUT_DOWN = 'Disconnected: the kernel was shut down';
export const REPLACED = 'Disconnected: the notebook switched to another kernel';

/** The kernel went away before answering; the message is shown as it is. */
class KernelLost extends Error {}

/**
 * Ask `kernel` for its dashboard.
 *
 * First imports `jupyter_dashmon` silently, which registers the comm target
 * in the kernel, then opens a comm and waits for the one reply. Never
 * rejects: every failure becomes an error reply in plain words.
 */
export async function requestDashboard(
  kernel: Kernel.IKernelConnection
): Promise<DashboardReply> {
  try {
    const importError = await importPackage(kernel);
    if (importError !== null) {
      return {
        status: 'error',
        message: `jupyter_dashmon is not installed in this kernel's environment (${importError})`
      };
    }
    return await untilKernelLost(kernel, openDashboardComm(kernel));
  } catch (reason) {
    const message = reason instanceof KernelLost ? reason.message : String(reason);
    return { status: 'error', message };
  }
}

/** Run `import jupyter_dashmon` without a trace in the notebook; return the error. */
async function importPackage(
  kernel: Kernel.IKernelConnection
): Promise<string | null> {
  const future = kernel.requestExecute({
    code: 'import jupyter_dashmon',
    silent: true,
    store_history: false
  });
  const reply = await untilKernelLost(kernel, future.done);
  const content = reply.content;
  if (content.status === 'error') {
    return `${content.ename}: ${content.evalue}`;
  }
  if (content.status === 'aborted') {
    return 'the kernel aborted the import';
  }
  return null;
}

function openDashboardComm(
  kernel: Kernel.IKernelConnection
): Promise<DashboardReply> {
  return new Promise<DashboardReply>(resolve => {
    const comm = kernel.createComm(COMM_TARGET);
    comm.onMsg = msg => {
      resolve(
        parseReply(msg.content.data) ?? {
          status: 'error',
          message: 'The kernel answered in a form this extension does not understand.'
        }
      );
    };
    comm.onClose = () => {
      resolve({
        status: 'error',
        message: 'The kernel closed the request without answering.'
      });
    };
    const request: IDashboardRequest = { request: 'dashboard' };
    comm.open({ ...request });
  });
}

/**
 * Settle like `work`, or reject as soon as the kernel restarts, dies or is
 * disposed, so that a caller never waits on a kernel that will not answer.
 */
function untilKernelLost<T>(
  kernel: Kernel.IKernelConnection,
  work: Promise<T>
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onStatus = (_: unknown, status: Kernel.Status) => {
      if (status === 'restarting' || status === 'autorestarting') {
        finish(() => reject(new KernelLost(RESTARTED)));
      } else if (status === 'dead') {
        finish(() => reject(new KernelLost(SHUT_DOWN)));
      }
    };
    const onDisposed = () => finish(() => reject(new KernelLost(SHUT_DOWN)));
    const finish = (settle: () => void) => {
      kernel.statusChanged.disconnect(onStatus);
      kernel.disposed.disconnect(onDisposed);
      settle();
    };
    kernel.statusChanged.connect(onStatus);
    kernel.disposed.connect(onDisposed);
    work.then(
      value => finish(() => resolve(value)),
      (reason: unknown) => finish(() => reject(reason))
    );
  });
}

/**
 * Follows the kernel of one notebook.
 *
 * Registers the comm target on every kernel the notebook connects to, hands
 * each well-formed "show" message to `onShow`, and emits `lost` with a
 * plain-words reason when the kernel restarts, dies, is shut down or changes.
 */
export class NotebookKernel implements IDisposable {
  constructor(
    readonly notebook: NotebookPanel,
    private readonly _onShow: (msg: IShowMessage) => void
  ) {
    const context = notebook.sessionContext;
    context.kernelChanged.connect(this._onKernelChanged, this);
    context.statusChanged.connect(this._onStatusChanged, this);
    const kernel = context.session?.kernel;
    if (kernel) {
      this._listen(kernel);
    }
  }

  /** The notebook's current kernel, if it has one. */
  get kernel(): Kernel.IKernelConnection | null {
    return this.notebook.sessionContext.session?.kernel ?? null;
  }

  /** Emits why views of this kernel's widgets no longer work. */
  get lost(): ISignal<this, string> {
    return this._lost;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._reporter?.dispose();
    this._reporter = null;
    Signal.clearData(this);
  }

  private _listen(kernel: Kernel.IKernelConnection): void {
    this._reporter?.dispose();
    this._reporter = new VisibilityReporter(kernel);
    kernel.registerCommTarget(COMM_TARGET, (comm, msg) => {
      const show = parseShow(msg.content.data);
      if (show === null) {
        console.warn('jupyter-dashmon: ignored a malformed message', msg.content.data);
        return;
      }
      this._onShow(show);
    });
  }

  private _onKernelChanged(
    _: unknown,
    change: Session.ISessionConnection.IKernelChangedArgs
  ): void {
    if (change.oldValue) {
      this._lost.emit(change.newValue ? REPLACED : SHUT_DOWN);
    }
    if (change.newValue) {
      this._listen(change.newValue);
    }
  }

  private _onStatusChanged(_: unknown, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting') {
      this._lost.emit(RESTARTED);
    } else if (status === 'dead') {
      this._lost.emit(SHUT_DOWN);
    }
  }

  private _isDisposed = false;
  private _reporter: VisibilityReporter | null = null;
  private _lost = new Signal<this, string>(this);
}
