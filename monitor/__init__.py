"""libya-monitor: flag news about tracked Libyan actors and events."""

__version__ = "0.1.0"
