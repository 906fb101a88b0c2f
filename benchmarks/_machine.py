"""What every benchmark records about the machine it ran on."""

from __future__ import annotations

import platform
from pathlib import Path

__all__ = ["cpu"]


def cpu() -> str:
    """The processor's model name (``/proc/cpuinfo``), or what the platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
