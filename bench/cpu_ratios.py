#!/usr/bin/env python3
# Ratios "ours / baseline" from svart-bench-cpu's JSON (--benchmark_out=FILE
# --benchmark_out_format=json), by bytes_per_second; with --benchmark_repetitions=N, the
# median of the repetitions. Usage: cpu_ratios.py FILE.json
import json
import sys
from collections import defaultdict

PAIRS = [  # (op, ours, baseline)
    ("memmove", "ours", "glibc_memcpy"),
    ("memfill", "ours", "glibc_memset"),
    ("memcmp", "ours", "glibc"),
    ("crc32c", "ours", "isal"),
    ("crc32c", "fold", "isal"),
    ("crc32c", "hybrid", "isal"),
    ("crc32c", "crc32", "isal"),
    ("crc64", "ours_ecma", "isal_ecma"),
    ("deflate", "ours_z1_isal0", "isal_l0"),
    ("deflate", "ours_z2_isal1", "isal_l1"),
    ("deflate", "ours_z3_isal2", "isal_l2"),
    ("deflate", "ours_z6_isal3", "isal_l3"),
    ("deflate", "ours_z1_isal0", "zlib_z1"),
    ("deflate", "ours_z6_isal3", "zlib_z6"),
    ("inflate", "ours", "isal"),
    ("inflate", "ours", "zlib"),
]

doc = json.load(open(sys.argv[1]))
speed = defaultdict(list)  # (op, who, size) -> [bytes_per_second]
for b in doc["benchmarks"]:
    # Every repetition's own run; the aggregates are recomputed here as medians.
    if b.get("run_type") == "aggregate" or b.get("error_occurred"):
        continue
    parts = b.get("run_name", b["name"]).split("/")
    if len(parts) == 3 and "bytes_per_second" in b:
        speed[(parts[0], parts[1], int(parts[2]))].append(b["bytes_per_second"])

def median(v):
    v = sorted(v)
    return v[len(v) // 2]

sizes = sorted({k[2] for k in speed})
print(f"{'pair':44s}" + "".join(f"{s:>10d}" for s in sizes))
for op, ours, base in PAIRS:
    row = []
    for s in sizes:
        a, b = speed.get((op, ours, s)), speed.get((op, base, s))
        row.append(f"{median(a) / median(b):10.2f}" if a and b else f"{'-':>10s}")
    if any(r.strip() != "-" for r in row):
        print(f"{op + ' ' + ours + ' / ' + base:44s}" + "".join(row))
