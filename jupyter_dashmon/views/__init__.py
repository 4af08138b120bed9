"""Runs in the kernel: one figure or page per module, each reading models only."""

from .memory import MemoryView
from .progress import ProgressView
from .resources import ResourcesView
from .scheduler import SchedulerView
from .status import StatusView
from .task_stream import TaskStreamView
from .tasks import TasksView
from .workers import WorkersView

__all__ = [
    "MemoryView",
    "ProgressView",
    "ResourcesView",
    "SchedulerView",
    "StatusView",
    "TaskStreamView",
    "TasksView",
    "WorkersView",
]
