/**
 * The courier: one kernel message carrying the widget messages of one turn of
 * the Client's event loop (`jupyter_dashmon/views/package_widget.py`).
 *
 * Each carried message is handed to its widget's model exactly as if it had
 * come on that model's own comm, in the order the kernel sent them.  The
 * returned promise holds the kernel connection's message queue until every
 * one has been handed over, so a message that comes later on a model's own
 * comm cannot overtake one carried here.
 */

import { WidgetModel } from '@jupyter-widgets/base';
import type { KernelMessage } from '@jupyterlab/services';

import { packageDefaults } from './stream';

/** One carried message (the kernel's `Carried`). */
interface ICarried {
  id: string;
  data: Record<string, unknown>;
  buffers: number;
}

function carriedList(content: unknown): ICarried[] | null {
  const batch = (content as { batch?: unknown } | null)?.batch;
  if (!Array.isArray(batch)) {
    return null;
  }
  const ok = batch.every(
    (item: ICarried) =>
      typeof item?.id === 'string' &&
      typeof item.data === 'object' &&
      item.data !== null &&
      Number.isInteger(item.buffers) &&
      item.buffers >= 0
  );
  return ok ? (batch as ICarried[]) : null;
}

export class CourierModel extends WidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      ...packageDefaults('CourierModel', ''),
      _view_name: null,
      _view_module: null
    };
  }

  async _handle_comm_msg(msg: KernelMessage.ICommMsgMsg): Promise<void> {
    const data = msg.content.data as { method?: string; content?: unknown };
    const carried = data.method === 'custom' ? carriedList(data.content) : null;
    if (carried === null) {
      return super._handle_comm_msg(msg);
    }
    const buffers = msg.buffers ?? [];
    let at = 0;
    for (const item of carried) {
      const own = buffers.slice(at, at + item.buffers);
      at += item.buffers;
      let model: WidgetModel;
      try {
        model = await this.widget_manager.get_model(item.id);
      } catch {
        continue; // closed meanwhile: its message has no one to go to
      }
      // As if on the model's own comm: same content, its share of the buffers.
      void model._handle_comm_msg({
        ...msg,
        content: { ...msg.content, comm_id: item.id, data: item.data },
        buffers: own
      } as KernelMessage.ICommMsgMsg);
    }
  }
}

export const courierExports = {
  CourierModel
};
