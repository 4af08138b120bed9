/**
 * Side panels: the launcher, and one panel per dashboard widget model.
 *
 * A dashboard panel is a second view of a widget model that a notebook
 * already owns, rendered with that notebook's own rendermime (and so its
 * widget manager). When the kernel goes away the view is replaced by a plain
 * message rather than left as a frozen plot.
 */

import { NotebookPanel } from '@jupyterlab/notebook';
import { MimeModel } from '@jupyterlab/rendermime';
import { LabIcon } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { WIDGET_MIME } from './protocol';

const CLOSED = 'The dashboard was closed in the kernel.';

export const dashboardIcon = new LabIcon({
  name: 'jupyter-dashmon:dashboard',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<rect x="1" y="9" width="3" height="6"/><rect x="6.5" y="4" width="3" height="11"/>' +
    '<rect x="12" y="1" width="3" height="14"/></g></svg>'
});

/** A side panel with a header and a body showing either a view or a message. */
export class DashmonPanel extends Panel {
  constructor(id: string, label: string) {
    super();
    this.id = id;
    this.addClass('jp-DashmonPanel');
    this.title.icon = dashboardIcon;
    this.title.caption = label;
    this._header.addClass('jp-DashmonPanel-header');
    this._header.node.textContent = label;
    this._body.addClass('jp-DashmonPanel-body');
    this.addWidget(this._header);
    this.addWidget(this._body);
  }

  /** Add a button to the header. */
  addButton(label: string, className: string, onClick: () => void): void {
    const button = document.createElement('button');
    button.className = `jp-DashmonPanel-button ${className}`;
    button.textContent = label;
    button.addEventListener('click', onClick);
    this._header.node.appendChild(button);
  }

  /** Replace the body with a plain message. */
  showMessage(text: string): void {
    const message = new Widget({ node: document.createElement('p') });
    message.addClass('jp-DashmonPanel-message');
    message.node.textContent = text;
    this._setContent(message);
  }

  /** Replace the body with a widget view. */
  showView(view: Widget): void {
    this._setContent(view);
  }

  private _setContent(content: Widget): void {
    this._content?.dispose();
    this._content = content;
    this._body.addWidget(content);
  }

  private _header = new Widget();
  private _body = new Panel();
  private _content: Widget | null = null;
}

/** The panel showing one dashboard model for the notebook that owns it. */
export class DashboardPanel extends DashmonPanel {
  constructor(
    readonly notebook: NotebookPanel,
    modelId: string,
    title: string
  ) {
    super(`jupyter-dashmon-${modelId}`, title);
    this.addClass('jp-DashboardPanel');
    this.title.caption = `${title}: ${notebook.title.label}`;
    this.addButton('Close', 'jp-DashmonPanel-close', () => this.dispose());
    this.modelId = modelId;
  }

  /** The widget model shown, or null once the kernel that held it is gone. */
  modelId: string | null;

  /** Render the model with the notebook's rendermime; show why if that fails. */
  async render(): Promise<void> {
    const modelId = this.modelId;
    if (modelId === null) {
      return;
    }
    this.showMessage('Loading the dashboard…');
    let renderer;
    try {
      renderer = this.notebook.content.rendermime.createRenderer(WIDGET_MIME);
      const data = { model_id: modelId, version_major: 2, version_minor: 1 };
      await renderer.renderModel(new MimeModel({ data: { [WIDGET_MIME]: data } }));
    } catch (reason) {
      renderer?.dispose();
      this.showMessage(`The dashboard could not be displayed (${String(reason)}).`);
      return;
    }
    if (this.isDisposed || this.modelId !== modelId) {
      renderer.dispose();
      return;
    }
    this.showView(renderer);
    // The renderer drops its view when the kernel closes the widget model.
    MessageLoop.installMessageHook(renderer, (_, msg) => {
      if (msg.type === 'child-removed') {
        // Not while the renderer is still handling the message it is sent.
        void Promise.resolve().then(() => {
          if (!this.isDisposed && !this._kernelLost && this.modelId === modelId) {
            this.modelId = null;
            this.showMessage(CLOSED);
          }
        });
      }
      return true;
    });
  }

  /**
   * Drop the view, which no longer has a kernel behind it, and say why.
   *
   * Wins over "closed in the kernel": a dying kernel's widgets close first.
   */
  disconnect(reason: string): void {
    if (this._kernelLost) {
      return;
    }
    this._kernelLost = true;
    this.modelId = null;
    this.showMessage(reason);
  }

  private _kernelLost = false;
}
