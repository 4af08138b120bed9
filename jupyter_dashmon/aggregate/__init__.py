"""Runs in the kernel: collector deltas become traitlets models."""

from .listener import Listener
from .models import DashboardModel

__all__ = ["DashboardModel", "Listener"]
