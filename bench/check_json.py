#!/usr/bin/env python3
# Runs a benchmark program and checks that its stdout is Google Benchmark JSON with a run of
# the given name and a positive time. Usage: check_json.py PROGRAM NAME ARGS...
import json
import subprocess
import sys

prog, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]
out = subprocess.run([prog] + args, stdout=subprocess.PIPE, check=True, timeout=50).stdout
doc = json.loads(out)
runs = [b for b in doc.get("benchmarks", []) if b.get("name") == name]
if "context" not in doc or len(runs) != 1:
    sys.exit(f"{prog}: no single run named {name} in {[b.get('name') for b in doc.get('benchmarks', [])]}")
run = runs[0]
if not run.get("real_time", 0) > 0 or not run.get("bytes_per_second", 0) > 0:
    sys.exit(f"{prog}: {name}: bad numbers {run}")
print(f"{name}: {run['real_time']:.1f} {run['time_unit']}, {run['bytes_per_second'] / 1e9:.2f} GB/s")
