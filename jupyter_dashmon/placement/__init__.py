"""Runs in the kernel: where dashboards appear (cell output, side panel)."""
