#!/usr/bin/env python3
# Smoke test of svart-bench-submit: runs one quick case of each submission family and checks
# that stdout is Google Benchmark JSON with every expected run, no run ended in error (each
# benchmark checks its completion records and data itself), and that the counters are sane:
# an accept ratio in (0, 1] that agrees with the retries per descriptor, one accepted
# descriptor per iteration, a 16-entry shared WQ that two submitters with 32 outstanding each
# drive full (so some ENQCMDs were refused), credits never above the dedicated WQ's size and
# every MOVDIR64B completed, every batch and single result correct.
# Usage: check_submit_json.py PROGRAM
import json
import re
import subprocess
import sys

prog = sys.argv[1]

ENQ = ["submit/enqcmd/wq:16/real_time/threads:1", "submit/enqcmd/wq:16/real_time/threads:2"]
MOVDIR = ["submit/movdir64b/credits/wq:16/real_time"]
GROUP = {"submit/single/n:1/manual_time": 1, "submit/single/n:16/manual_time": 16,
         "submit/batch/n:2/manual_time": 2, "submit/batch/n:16/manual_time": 16}
WAIT = ["submit/wait/default/bytes:65536/real_time", "submit/wait/sleep/bytes:0/real_time"]
EXPECT = ENQ + MOVDIR + list(GROUP) + WAIT


def base(name):
    return re.sub(r"/(real_time|manual_time)(/threads:\d+)?$", "", name)


names = "|".join(sorted({re.escape(base(n)) for n in EXPECT}))
args = [prog, "--benchmark_format=json", "--benchmark_min_time=0.01",
        f"--benchmark_filter=^({names})/"]
out = subprocess.run(args, stdout=subprocess.PIPE, check=True, timeout=110).stdout
doc = json.loads(out)
runs = {b.get("name"): b for b in doc.get("benchmarks", [])}
bad = []


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def need(run, name, *counters):
    vals = []
    for c in counters:
        v = run.get(c)
        if v is None:
            bad.append(f"{name}: no counter {c}")
            v = float("nan")
        vals.append(v)
    return vals


if "context" not in doc:
    bad.append("no context")
for name in EXPECT:
    run = runs.get(name)
    if run is None:
        bad.append(f"{name}: missing (have {sorted(runs)})")
        continue
    if run.get("error_occurred"):
        bad.append(f"{name}: error: {run.get('error_message', '')}")
        continue
    iters = run.get("iterations", 0)
    if not run.get("real_time", 0) > 0 or not iters > 0:
        bad.append(f"{name}: bad time or iterations {run}")
        continue
    if name in ENQ:
        acc, att, ratio, rpd, ips = need(run, name, "accepted", "attempts", "accept_ratio",
                                         "retries_per_desc", "items_per_second")
        if not 0 < ratio <= 1:
            bad.append(f"{name}: accept_ratio {ratio} not in (0, 1]")
        if not close(ratio, acc / att if att else 0):
            bad.append(f"{name}: accept_ratio {ratio} != accepted / attempts {acc} / {att}")
        if not close(rpd, (att - acc) / acc if acc else 0):
            bad.append(f"{name}: retries_per_desc {rpd} != (attempts - accepted) / accepted")
        if acc != iters:
            bad.append(f"{name}: {acc} accepted in {iters} iterations (one each)")
        if not ips > 0:
            bad.append(f"{name}: items_per_second {ips}")
        # 2 submitters x 32 outstanding against 16 entries: the WQ must have been full.
        if name.endswith("threads:2") and not (rpd > 0 and ratio < 1):
            bad.append(f"{name}: WQ of 16 never refused an ENQCMD (accept_ratio {ratio}, "
                       f"retries_per_desc {rpd}): it was not driven full")
        print(f"{name}: {ips / 1e3:.0f}k desc/s, accept_ratio {ratio:.3f}, "
              f"retries_per_desc {rpd:.3f}")
    elif name in MOVDIR:
        mif, mcu, size, done, share = need(run, name, "max_in_flight", "max_credits_used",
                                           "wq_size", "completed", "blocked_share")
        if not (1 <= mif <= size and 1 <= mcu <= size):
            bad.append(f"{name}: in flight {mif} / credits {mcu}, WQ size {size}")
        if done != iters:
            bad.append(f"{name}: {done} completed of {iters} submitted")
        if not 0 <= share <= 1:
            bad.append(f"{name}: blocked_share {share}")
        print(f"{name}: max in flight {mif:.0f} of {size:.0f}, blocked {share:.1%}")
    elif name in GROUP:
        ok, descs, ips = need(run, name, "ok", "descs", "items_per_second")
        if ok != 1 or descs != GROUP[name] or not ips > 0:
            bad.append(f"{name}: ok {ok}, descs {descs}, items_per_second {ips}")
        print(f"{name}: {run['real_time']:.0f} {run['time_unit']} per group")
    else:
        cpu, p50, p99 = need(run, name, "cpu_ns_per_op", "p50_ns", "p99_ns")
        if not (cpu > 0 and 0 < p50 <= p99):
            bad.append(f"{name}: cpu_ns_per_op {cpu}, p50 {p50}, p99 {p99}")
        print(f"{name}: p50 {p50 / 1e3:.1f} us, cpu {cpu / 1e3:.1f} us per op")
if bad:
    sys.exit("\n".join(bad))
