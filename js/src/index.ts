/**
 * Plugin wiring: the `jupyter-dashmon:open` command, the launcher panel in
 * the right sidebar, and one `NotebookKernel` per open notebook.
 *
 * The right sidebar holds one dashboard icon: the launcher's while no
 * dashboard panel is open, else the dashboard panels' (the launcher comes
 * back only to show a message, e.g. why a dashboard could not be shown).
 */

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { ICommandPalette, ISessionContext } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { barExports } from './bars';
import { courierExports } from './courier';
import { lineExports } from './lines';
import { NotebookKernel, requestDashboard } from './kernel';
import { DashboardPanel, DashmonPanel, dashboardIcon } from './panel';
import { MODULE_NAME, MODULE_VERSION, widgetExports } from './stream';
import { sortOnHeaderClick } from './table';
import { placeTooltips } from './tooltips';
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

  // The launcher's icon would duplicate a dashboard panel's: it steps aside
  // while one is open, and comes back when the last one goes.
  const anyOpen = () => [...panels.values()].some(p => !p.isDisposed && p.isAttached);
  const stepAside = () => {
    const launcher = getLauncher();
    const open = anyOpen();
    if (open && launcher.isAttached) {
      launcher.parent = null;
    } else if (!open && !launcher.isAttached) {
      app.shell.add(launcher, 'right', { rank: RANK });
    }
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
      panel.disposed.connect(() => {
        panels.delete(modelId);
        stepAside();
      });
      void panel.render();
    }
    reveal(panel);
    stepAside();
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
      const asking = `Asking the kernel of ${name} for its dashboard…`;
      if (anyOpen()) {
        getLauncher().showMessage(asking); // no second icon just to say this
      } else {
        tell(asking);
      }
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
  sortOnHeaderClick(document);
  placeTooltips(document);
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dashmon:plugin',
  description: 'Shows the jupyter_dashmon Dask dashboard in the right sidebar.',
  autoStart: true,
  optional: [INotebookTracker, ICommandPalette, IConsoleTracker],
  activate
};

/**
 * The package's own widgets (the task-rectangle canvas).  Optional: without
 * ipywidgets' manager there is nothing to register with, and the side panel
 * plugin above does not depend on this one.
 */
const widgets: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-dashmon:widgets',
  description: 'Registers the jupyter_dashmon widgets with the widget manager.',
  autoStart: true,
  optional: [IJupyterWidgetRegistry],
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry | null) => {
    registry?.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: { ...widgetExports, ...barExports, ...lineExports, ...courierExports }
    });
  }
};

export default [plugin, widgets];
