"""Process and CPU accounting from /proc.

The benchmark's cost figure is server CPU time per viewer-second, so it reads the kernel's own
counters (``utime + stime`` of the whole thread group) rather than sampling: threads such as
aiortc's encoder pool or Janus's event loop are included and nothing is missed between samples.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by every thread of process ``pid``."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    # The command name (field 2) may contain spaces; fields after it are space separated.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / _TICKS_PER_S


def rss_mb(pid: int) -> float:
    """Resident set size of process ``pid`` in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class MachineTimes:
    """CPU seconds of all cores, to tell how loaded the machine was besides the benchmark.

    Interrupt time is apart: the kernel charges much of the loopback network stack (softirq)
    to no process, so it belongs to neither the server nor the foreign load.
    """

    busy: float  # everything but idle and iowait, interrupts included
    irq: float  # hard and soft interrupts


def machine_times() -> MachineTimes:
    """Summed over all cores (the ``cpu`` line of /proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(v) for v in f.readline().split()[1:9]
        )
    busy = user + nice + system + irq + softirq + steal
    return MachineTimes(busy=busy / _TICKS_PER_S, irq=(irq + softirq) / _TICKS_PER_S)


def thread_count(pid: int) -> int:
    """Threads of process ``pid``: shows whether a server spawns one per connection."""
    return len(os.listdir(f"/proc/{pid}/task"))


def load_average() -> float:
    """One-minute load average, printed with each point as a hint of foreign load."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def pin_to_core(pid: int, core: int) -> None:
    """Keep process ``pid`` (and the threads it creates later) on one core."""
    if core < (os.cpu_count() or 1):
        os.sched_setaffinity(pid, {core})
