"""Runs in the kernel: one bqplot figure per module, each reading models only."""

from .memory import MemoryView
from .progress import ProgressView
from .resources import ResourcesView
from .status import StatusView
from .task_stream import TaskStreamView
from .tasks import TasksView

__all__ = ["MemoryView", "ProgressView", "ResourcesView", "StatusView", "TaskStreamView", "TasksView"]
