"""Helpers of bench/chaos.py: worker pages that reconnect and retry, the processes and their faults,
and the verdict (entries lost, duplicated, reordered; recovery time)."""
