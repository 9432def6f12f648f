#!/usr/bin/env python3
"""Checks a `kmsim run --trace FILE --json REPORT` trace against Perfetto's own protos.

Parses FILE as a perfetto.protos.Trace (the protos the PyPI `perfetto` package ships; needs the
`perfetto` and `protobuf` packages: `pip install perfetto protobuf`), then checks that every track is
declared before an event uses it, slices nest per track (every end closes an open slice, none is left
open), timestamps never go back on a packet sequence, and the counts of direct reclaim slices, OOM kill
instants, interrupt handler slices, dirty throttling pauses, direct compaction slices and kcompactd runs
equal the report's `reclaim.directReclaimStalls`, `reclaim.oomKills`, `interrupts`,
`reclaim.dirtyThrottles`, `compaction.stalls` (compact_stall) and `compaction.kcompactdWakeups`
(compact_daemon_wake). A trace made with --trace-all has `alloc` and `free` slices besides; they are
counted and printed, not compared (the trace keeps a bounded number of them).

Usage: Scripts/check-perfetto-trace.py TRACE REPORT.json
Exit status: 0 all checks hold, 1 a check failed, 2 the packages are missing (the check cannot run).
"""
import json
import sys
from collections import defaultdict

try:
    from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb
except ImportError as error:
    print(f"check-perfetto-trace: cannot import Perfetto's protos ({error}); pip install perfetto protobuf",
          file=sys.stderr)
    sys.exit(2)


def main(trace_path, report_path):
    trace = pb.Trace()
    with open(trace_path, "rb") as handle:
        trace.ParseFromString(handle.read())
    with open(report_path) as handle:
        report = json.load(handle)
    problems = []
    declared = set()
    last_time = {}
    open_slices = defaultdict(list)
    counts = defaultdict(int)
    TrackEvent = pb.TrackEvent
    for index, packet in enumerate(trace.packet):
        sequence = packet.trusted_packet_sequence_id
        if packet.HasField("timestamp"):
            if packet.timestamp < last_time.get(sequence, 0):
                problems.append(f"packet {index}: timestamp {packet.timestamp} before {last_time[sequence]} on sequence {sequence}")
            last_time[sequence] = packet.timestamp
        if packet.HasField("track_descriptor"):
            declared.add(packet.track_descriptor.uuid)
        if packet.HasField("track_event"):
            event = packet.track_event
            if event.track_uuid not in declared:
                problems.append(f"packet {index}: track {event.track_uuid} used before it is declared")
            if event.type == TrackEvent.TYPE_SLICE_BEGIN:
                open_slices[event.track_uuid].append(packet.timestamp)
                counts[tuple(event.categories)] += 1
            elif event.type == TrackEvent.TYPE_SLICE_END:
                if not open_slices[event.track_uuid]:
                    problems.append(f"packet {index}: slice end on track {event.track_uuid} with no open slice")
                else:
                    open_slices[event.track_uuid].pop()
            elif event.type == TrackEvent.TYPE_INSTANT:
                counts[tuple(event.categories)] += 1
    for track, stack in open_slices.items():
        if stack:
            problems.append(f"track {track}: {len(stack)} slice(s) never end")
    expected = {
        ("direct_reclaim",): report["reclaim"]["directReclaimStalls"],
        ("oom_kill",): report["reclaim"]["oomKills"],
        ("interrupt",): report["interrupts"],
        ("dirty_throttle",): report["reclaim"]["dirtyThrottles"],
        ("direct_compaction",): report["compaction"]["stalls"],
        ("kcompactd",): report["compaction"]["kcompactdWakeups"],
    }
    mismatched = False
    for category, count in expected.items():
        if counts[category] != count:
            problems.append(f"{category[0]}: {counts[category]} in the trace, {count} in the report")
            mismatched = True
    if mismatched:
        problems.append("(when kmsim warned that the trace was capped, events past the cap are missing and the counts "
                        "cannot match: trace a shorter --duration)")
    print(f"{trace_path}: {len(trace.packet)} packets, {len(declared)} tracks, "
          + ", ".join(f"{key[0]} {value}" for key, value in sorted(counts.items())))
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
