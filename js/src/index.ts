/**
 * Plugin wiring: the `jupyter-dashmon:open` command, the launcher panel in
 * the right sidebar, and one `NotebookKernel` per open notebook.
 */

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, ISessionContext } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { NotebookKernel, requestDashboard } from './kernel';
import { DashboardPanel, DashmonPanel, dashboardIcon } from './panel';
import { VisibilityReporter } from './visibility';

const COMMAND = 'jupyter-dashmon:open';
const LAUNCHER_ID = 'jupyter-dashmon-launcher';
const RANK = 1000;

const WELCOME =
  "Shows the live Dask dashboard of the current notebook's kernel. Use the " +
  'button above, or "Show Dask dashboard" in the command palette.';
const NO_NOTEBOOK =
  'Open a notebook whose kernel has a Dask Client, then run this command again.';

/**
 * Report this page's visibility to whichever kernel `context` connects to
 * (consoles; notebooks do it through `NotebookKernel`).  A connection that
 * handles comms without the target would close the kernel's shared
 * visibility comm for every page.
 */
function reportVisibility(context: ISessionContext): void {
  let reporter: VisibilityReporter | null = null;
  const follow = () => {
    reporter?.dispose();
    const kernel = context.session?.kernel;
    reporter = kernel ? new VisibilityReporter(kernel) : null;
  };
  context.kernelChanged.connect(follow);
  context.disposed.connect(() => {
    context.kernelChanged.disconnect(follow);
    reporter?.dispose();
    reporter = null;
  });
  follow();
}

function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null,
  palette: ICommandPalette | null,
  consoles: IConsoleTracker | null
): void {
  const panels = new Map<string, DashboardPanel>();
  let launcher: DashmonPanel | null = null;

  const reveal = (panel: Widget) => {
    if (!panel.isAttached) {
      app.shell.add(panel, 'right', { rank: RANK });
    }
    app.shell.activateById(panel.id);
  };

  const getLauncher = () => {
    if (launcher === null || launcher.isDisposed) {
      launcher = new DashmonPanel(LAUNCHER_ID, 'Dask dashboard');
      launcher.addButton('Show Dask dashboard', 'jp-DashmonPanel-open', () => {
        void app.commands.execute(COMMAND);
      });
      launcher.showMessage(WELCOME);
    }
    return launcher;
  };

  const tell = (text: string) => {
    const panel = getLauncher();
    panel.showMessage(text);
    reveal(panel);
  };

  const showDashboard = (notebook: NotebookPanel, modelId: string, title: string) => {
    let panel = panels.get(modelId);
    if (panel === undefined) {
      // A restarted kernel's dashboard is replaced by the new one.
      for (const old of panels.values()) {
        if (old.notebook === notebook && old.modelId === null) {
          old.dispose();
        }
      }
      panel = new DashboardPanel(notebook, modelId, title);
      panels.set(modelId, panel);
      panel.disposed.connect(() => panels.delete(modelId));
      void panel.render();
    }
    reveal(panel);
  };

  const follow = (notebook: NotebookPanel) => {
    const kernel = new NotebookKernel(notebook, msg =>
      showDashboard(notebook, msg.model_id, msg.title)
    );
    kernel.lost.connect((_, reason) => {
      for (const panel of panels.values()) {
        if (panel.notebook === notebook) {
          panel.disconnect(reason);
        }
      }
    });
    notebook.disposed.connect(() => {
      kernel.dispose();
      for (const panel of panels.values()) {
        if (panel.notebook === notebook) {
          panel.dispose();
        }
      }
    });
  };

  app.commands.addCommand(COMMAND, {
    label: 'Show Dask dashboard',
    caption: "Show the live Dask dashboard of the current notebook's kernel",
    icon: dashboardIcon,
    execute: async () => {
      const notebook = tracker?.currentWidget ?? null;
      if (notebook === null) {
        tell(NO_NOTEBOOK);
        return;
      }
      const name = notebook.title.label;
      await notebook.sessionContext.ready;
      const kernel = notebook.sessionContext.session?.kernel;
      if (!kernel) {
        tell(`${name} has no kernel. ${NO_NOTEBOOK}`);
        return;
      }
      tell(`Asking the kernel of ${name} for its dashboard…`);
      const reply = await requestDashboard(kernel);
      if (reply.status === 'error') {
        tell(reply.message);
        return;
      }
      getLauncher().showMessage(`Showing the dashboard of ${name}.`);
      showDashboard(notebook, reply.model_id, 'Dask dashboard');
    }
  });

  palette?.addItem({ command: COMMAND, category: 'Dask' });
  if (tracker) {
    tracker.forEach(follow);
    tracker.widgetAdded.connect((_, notebook) => follow(notebook));
  }
  if (consoles) {
    consoles.forEach(panel => reportVisibility(panel.sessionContext));
    consoles.widgetAdded.connect((_, panel) => reportVisibility(panel.sessionContext));
  }
  app.shell.add(getLauncher(), 'right', { rank: RANK });
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dashmon:plugin',
  description: 'Shows the jupyter_dashmon Dask dashboard in the right sidebar.',
  autoStart: true,
  optional: [INotebookTracker, ICommandPalette, IConsoleTracker],
  activate
};

export default plugin;
