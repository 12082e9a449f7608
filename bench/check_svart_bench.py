#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Smoke test of `svart bench`: one tiny pair of benchmarks (CRC-32C of 4 KiB through svart,
and ISA-L), with --json and --plot. The JSON must parse and hold both runs with their bytes
per second; the summary's ratio must be svart / ISA-L as recomputed from the JSON; the plot
must exist when gnuplot is installed. Exit 0 pass, 1 fail (77 is never needed: the sim always
runs)."""
import json, os, shutil, subprocess, sys, tempfile

svart = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    js, png = os.path.join(d, "out.json"), os.path.join(d, "out.png")
    p = subprocess.run([svart, "bench", "--filter", "^ops/crc32c/(svart|isal)/4096/",
                        "--min-time", "0.01", "--json", js, "--plot", png],
                       capture_output=True, text=True, timeout=60)
    sys.stderr.write(p.stderr)
    print(p.stdout)
    if p.returncode != 0:
        sys.exit("svart bench exited %d" % p.returncode)
    runs = {b["name"]: b for b in json.load(open(js))["benchmarks"]}
    s, i = runs.get("ops/crc32c/svart/4096/real_time"), runs.get("ops/crc32c/isal/4096/real_time")
    if not s or not i or not s["bytes_per_second"] > 0 or not i["bytes_per_second"] > 0:
        sys.exit("JSON lacks the two runs: %s" % sorted(runs))
    if len(runs) != 2:
        sys.exit("the filter let other runs through: %s" % sorted(runs))
    want = s["bytes_per_second"] / i["bytes_per_second"]
    row = [l for l in p.stdout.splitlines() if l.startswith("crc32c") and "isal" in l]
    if len(row) != 1:
        sys.exit("no crc32c row in the summary")
    got = float([w for w in row[0].split() if w.endswith("x")][0][:-1])
    if abs(got - want) > 0.006 + 0.01 * want:
        sys.exit("summary ratio %.2f, JSON says %.4f" % (got, want))
    if shutil.which("gnuplot"):
        if not os.path.getsize(png) > 0 or open(png, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
            sys.exit("gnuplot is installed but no PNG was written")
    else:
        print("gnuplot absent: plot not checked")
print("ok")
