"""autograder: grade nbgrader assignments from GitHub in sandboxed containers."""

__version__ = "0.1.0"
