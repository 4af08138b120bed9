"""Runs in the kernel: the running IPython kernel's comm manager, if there is one."""

from __future__ import annotations

from typing import Any


def kernel_comm_manager() -> Any | None:
    """The comm manager of the running IPython kernel, or None outside a kernel.

    Returns
    -------
    comm.base_comm.CommManager or None
        None in a plain Python process or a terminal IPython, where no
        front-end can open comms.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    return getattr(kernel, "comm_manager", None)
