#!/usr/bin/env python3
# Runs a benchmark program and checks that its stdout is Google Benchmark JSON with one run of
# each given name, each with a positive time and bytes per second, and that the named
# counters have the given values.
# Usage: check_json.py PROGRAM NAME[,NAME...] [--expect=NAME:COUNTER=VALUE ...] ARGS...
# (--expect arguments are this script's; the rest go to PROGRAM. A NAME in --expect is a
# run's full name; VALUE is compared exactly, as counters that follow from a layout are.)
import json
import subprocess
import sys

prog, names = sys.argv[1], sys.argv[2].split(",")
expect = [a[len("--expect="):] for a in sys.argv[3:] if a.startswith("--expect=")]
args = [a for a in sys.argv[3:] if not a.startswith("--expect=")]
out = subprocess.run([prog] + args, stdout=subprocess.PIPE, check=True, timeout=50).stdout
doc = json.loads(out)
have = [b.get("name") for b in doc.get("benchmarks", [])]
for name in names:
    runs = [b for b in doc.get("benchmarks", []) if b.get("name") == name]
    if "context" not in doc or len(runs) != 1:
        sys.exit(f"{prog}: no single run named {name} in {have}")
    run = runs[0]
    if run.get("error_occurred") or not run.get("real_time", 0) > 0 or \
            not run.get("bytes_per_second", 0) > 0:
        sys.exit(f"{prog}: {name}: bad numbers {run}")
    print(f"{name}: {run['real_time']:.1f} {run['time_unit']}, "
          f"{run['bytes_per_second'] / 1e9:.2f} GB/s")
for e in expect:
    name, _, rest = e.rpartition(":")
    counter, _, value = rest.partition("=")
    run = next((b for b in doc["benchmarks"] if b.get("name") == name), None)
    if run is None or run.get(counter) != float(value):
        sys.exit(f"{prog}: {name}: {counter} is {run.get(counter) if run else 'absent'}, "
                 f"want {value}")
    print(f"{name}: {counter} = {value}")
