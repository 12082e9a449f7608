#!/usr/bin/env python3
# Smoke test of svart-bench-xlate: runs one quick case of each benchmark family, checks that
# stdout is Google Benchmark JSON with every expected run, positive times, and the counters
# that have a hand-computed value (memory references of a walk, walks per translation, what an
# invalidation scanned and left, requests per faulting access).
# Usage: check_xlate_json.py PROGRAM
import json
import re
import subprocess
import sys

prog = sys.argv[1]

# name -> {counter: expected value}. Exact values come from the VT-d walk and sim's charging
# (docs/IOMMU_MODEL.md): a second-stage translation costs 4 references; a 4-level nested walk
# with A/D preset reads 4 first-stage entries and translates 4 tables + the leaf: 4 + 5*4 = 24;
# 5-level: 5 + 6*4 = 29; first-stage only: one read per level.
EXPECT = {
    "baseline/memcpy/4096": {},
    "xlate/hit/4k/iotlb": {"walks_per_xlate": 0, "hit_ratio": 1},
    "xlate/hit/4k/devtlb": {"walks_per_xlate": 0, "hit_ratio": 1},
    "xlate/walk_s1only/4lvl/4k": {"mem_refs_per_walk": 4},
    "xlate/walk_s1only/5lvl/1g": {"mem_refs_per_walk": 3},
    "xlate/walk_nested/4lvl/4k/iotlb": {"mem_refs_per_walk": 24, "walks_per_xlate": 1, "hit_ratio": 0},
    "xlate/walk_nested/5lvl/4k/iotlb": {"mem_refs_per_walk": 29, "walks_per_xlate": 1},
    "xlate/walk_nested/4lvl/2m/iotlb": {"mem_refs_per_walk": 19, "walks_per_xlate": 1},
    "xlate/ws/seq/iotlb/pages:16384": {"walks_per_xlate": 1, "mem_refs_per_walk": 24},
    "inval/pasid/warm/entries:64/iterations:500/manual_time": {"cached": 64, "left": 0, "scanned_per_flush": 0},
    "inval/range/one_call/pages:8/iterations:500/manual_time": {"cached": 8, "left": 0},
    "inval/next_access/after_inv/iterations:500/manual_time": {"walks_per_xlate": 1},
    "fault/roundtrip/minimal/4k/iterations:2000/manual_time": {"requests_per_access": 1},
    "fault/prefaulted/minimal/4k/iterations:2000/manual_time": {"requests_per_access": 0},
    "fault/roundtrip/pasid_as/4k/iterations:1000/manual_time": {"requests_per_access": 1},
    "inval/munmap_uffd/2m/iterations:300/manual_time": {},
}
# Runs that may end with an error whose message contains this text (a missing capability).
MAY_SKIP = {"inval/munmap_uffd/2m/iterations:300/manual_time": ["userfaultfd unavailable"]}

names = "|".join(re.escape(n.split("/iterations:")[0]) for n in EXPECT)
args = [prog, "--benchmark_format=json", "--benchmark_min_time=0.01",
        f"--benchmark_filter=^({names})(/|$)"]
out = subprocess.run(args, stdout=subprocess.PIPE, check=True, timeout=120).stdout
doc = json.loads(out)
runs = {b.get("name"): b for b in doc.get("benchmarks", [])}
bad = []
if "context" not in doc:
    bad.append("no context")
for name, counters in EXPECT.items():
    run = runs.get(name)
    if run is None:
        bad.append(f"{name}: missing (have {sorted(runs)})")
        continue
    if run.get("error_occurred"):
        msg = run.get("error_message", "")
        if not any(s in msg for s in MAY_SKIP.get(name, [])):
            bad.append(f"{name}: error: {msg}")
        continue
    if not run.get("real_time", 0) > 0 or not run.get("iterations", 0) > 0:
        bad.append(f"{name}: bad time {run}")
    for c, want in counters.items():
        got = run.get(c)
        if got is None or abs(got - want) > 1e-9 * max(1, abs(want)):
            bad.append(f"{name}: {c} = {got}, want {want}")
    print(f"{name}: {run['real_time']:.1f} {run['time_unit']}")
if bad:
    sys.exit("\n".join(bad))
