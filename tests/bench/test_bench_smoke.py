"""The benchmarks still run, end to end, at a tiny size, and end with the RESULT line their issue
names (the figures themselves are measured by hand: docs/performance.md, docs/bench-stream.md,
docs/reliability.md)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.procs import ROOT


def run(*argv: str) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), last
    return dict(re.findall(r"(\w+)=(\S+)", last))


def test_the_queue_benchmark_reports_its_result_line() -> None:
    result = run("bench/queue.py", "--clients", "40", "--rounds", "3", "--no-pin")
    assert result["connections"] == "40"
    assert float(result["update_p99_ms"]) > 0 and float(result["rss_per_conn_kb"]) > 0
    assert float(result["floor_p99_ms"]) > 0  # the bare broadcast, measured in the same run


def test_the_fair_benchmark_times_every_kind_of_event_on_two_nodes() -> None:
    result = run(
        "bench/fair.py", "--attendees", "20", "--nodes", "2", "--seconds", "5", "--speed", "10"
    )  # fmt: skip
    assert (result["attendees"], result["nodes"]) == ("20", "2")
    assert float(result["event_p99_ms"]) > 0  # "na" when an event never reached a recipient
    assert float(result["node_cpu_ms_per_attendee_s"]) > 0


def test_the_stream_benchmark_reports_its_result_line_for_jobfair() -> None:
    result = run(
        "bench/stream.py", "--targets", "jobfair", "--points", "1,2", "--viewers", "2",
        "--seconds", "3",
    )  # fmt: skip
    assert set(result) == {
        "viewers", "frames_delivered_min", "delay_p95_ms", "server_ms_per_viewer_s",
        "relay_ms_per_viewer_s", "janus_ms_per_viewer_s",
    }  # fmt: skip
    assert float(result["frames_delivered_min"]) > 90
    float(result["server_ms_per_viewer_s"])  # a number (a slope this small is noise, any sign)
    assert result["janus_ms_per_viewer_s"] == "na"  # not asked for


def test_the_stream_benchmark_runs_a_cascade_on_two_nodes() -> None:
    result = run(
        "bench/stream.py", "--targets", "cascade", "--nodes", "2", "--points", "1,2",
        "--viewers", "2", "--seconds", "3",
    )  # fmt: skip
    assert result["nodes"] == "2"
    assert float(result["origin_cpu_ms_per_s"]) > 0  # node A forwarded the leg
    float(result["edge_ms_per_viewer_s"])  # a number (noise at this size, any sign)


def test_the_chaos_benchmark_loses_no_acknowledged_join_and_recovers_from_each_fault() -> None:
    result = run("bench/chaos.py", "--workers", "20", "--freeze-seconds", "2")
    assert set(result) == {"lost", "duplicated", "reordered", "recovery_s"}
    assert (result["lost"], result["duplicated"], result["reordered"]) == ("0", "0", "0")
    assert float(result["recovery_s"]) < 30  # "na" if a scenario never recovered


def test_the_report_benchmark_reports_its_result_line() -> None:
    result = run("bench/report.py", "--events", "2000", "--repeat", "1")
    assert result["events"] == "2000" and float(result["build_ms"]) > 0
