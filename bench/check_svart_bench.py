#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Smoke test of `svart bench`: CRC-32C of 4 KiB through svart and ISA-L, an async CRC-32C
case (8 jobs of 64 KiB in flight) with its 64 KiB baseline, and the quick partial-completion
cases, with --json and --plot. The JSON must parse and hold exactly those runs with their
bytes per second; the summary's ratios must be svart / ISA-L as recomputed from the JSON; a
2 MiB untouched buffer (2 MiB aligned: one sim fault-in window) must take exactly one partial
completion and one resubmit per memmove, the prefaulted one none; the plot must exist when
gnuplot is installed. Exit 0 pass, 1 fail (77 is never needed: the sim always runs)."""
import json, os, shutil, subprocess, sys, tempfile

svart = sys.argv[1]
FILTER = ("^ops/crc32c(_async)?/(svart|isal)/(4096|65536)(/qd:8)?/"
          "|^fault/partial/4k/(untouched|prefaulted)/2097152/")
SYNC = ["ops/crc32c/svart/4096/real_time", "ops/crc32c/isal/4096/real_time",
        "ops/crc32c/svart/65536/real_time", "ops/crc32c/isal/65536/real_time"]
ASYNC = "ops/crc32c_async/svart/65536/qd:8/real_time"
UNTOUCHED = "fault/partial/4k/untouched/2097152/iterations:100/manual_time"
PREFAULTED = "fault/partial/4k/prefaulted/2097152/iterations:100/manual_time"


def summary_ratio(stdout, start, size):
    """The ratio column of the summary row that starts with @start at @size."""
    rows = [l for l in stdout.splitlines()
            if l.startswith(start) and " %s " % size in l and "isal" in l]
    if len(rows) != 1:
        sys.exit("no single '%s' row at %s in the summary: %s" % (start, size, rows))
    return float([w for w in rows[0].split() if w.endswith("x")][0][:-1])


def check_ratio(got, want, what):
    if abs(got - want) > 0.006 + 0.01 * want:
        sys.exit("%s: summary ratio %.2f, JSON says %.4f" % (what, got, want))


with tempfile.TemporaryDirectory() as d:
    js, png = os.path.join(d, "out.json"), os.path.join(d, "out.png")
    p = subprocess.run([svart, "bench", "--filter", FILTER,
                        "--min-time", "0.01", "--json", js, "--plot", png],
                       capture_output=True, text=True, timeout=60)
    sys.stderr.write(p.stderr)
    print(p.stdout)
    if p.returncode != 0:
        sys.exit("svart bench exited %d" % p.returncode)
    runs = {b["name"]: b for b in json.load(open(js))["benchmarks"]}
    want = SYNC + [ASYNC, UNTOUCHED, PREFAULTED]
    if sorted(runs) != sorted(want):
        sys.exit("the runs are not the filter's: %s" % sorted(runs))
    for name in want:
        if runs[name].get("error_occurred") or not runs[name].get("bytes_per_second", 0) > 0:
            sys.exit("%s: failed or no bytes per second: %s" % (name, runs[name]))
    bps = {n: runs[n]["bytes_per_second"] for n in want}

    check_ratio(summary_ratio(p.stdout, "crc32c ", "4 KiB"),
                bps[SYNC[0]] / bps[SYNC[1]], "crc32c 4 KiB")
    # Async rows are judged against the sync baseline of the same op and size.
    check_ratio(summary_ratio(p.stdout, "crc32c async qd:8", "64 KiB"),
                bps[ASYNC] / bps[SYNC[3]], "crc32c async qd:8")
    a = runs[ASYNC]
    if not a.get("items_per_second", 0) > 0 or not 0 <= a.get("cpu_share", -1) <= 1:
        sys.exit("async run lacks items or cpu_share: %s" % a)

    # Partial completion: counts that follow from the layout, not from timing.
    u, f = runs[UNTOUCHED], runs[PREFAULTED]
    for run, faults in ((u, 1.0), (f, 0.0)):
        if run.get("faults_per_op") != faults or run.get("resubmits_per_op") != faults:
            sys.exit("%s: faults/resubmits per op %s/%s, want %s" %
                     (run["name"], run.get("faults_per_op"), run.get("resubmits_per_op"), faults))
    if not u.get("ns_per_faulting_page", 0) > 0 or not f.get("prefault_p50_ns", 0) > 0:
        sys.exit("partial runs lack ns_per_faulting_page / prefault_p50_ns")
    rows = [l for l in p.stdout.splitlines() if l.startswith("4k/untouched/2097152")]
    if len(rows) != 1 or float(rows[0].split()[3]) != 1.0:
        sys.exit("no partial-completion summary row with 1.00 faults/op: %s" % rows)

    if shutil.which("gnuplot"):
        if not os.path.getsize(png) > 0 or open(png, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
            sys.exit("gnuplot is installed but no PNG was written")
    else:
        print("gnuplot absent: plot not checked")
print("ok")
