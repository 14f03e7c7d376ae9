"""Execution side of autograder: job specs, runners, GPU slots, the in-sandbox executor.

Deployable alone on GPU machines; never imports `autograder`.
"""

from gpu_runner.job import CellStatus, Job, Probe, Resources, RunOutput, RunStatus
from gpu_runner.runners.base import Runner

__all__ = ["CellStatus", "Job", "Probe", "Resources", "RunOutput", "RunStatus", "Runner"]
