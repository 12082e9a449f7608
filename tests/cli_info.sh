#!/usr/bin/env bash
# svart info (table and --json), the CLI's usage errors and --version.
# Exit 0 pass, 1 fail, 77 skip (the JSON checks need python3).
set -u

svart="${SVART_BINARY_DIR:?SVART_BINARY_DIR not set}/tools/svart"
src="${SVART_SOURCE_DIR:-$(dirname "$0")/..}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run <name> <args...>: stdout, stderr and status into $tmp/<name>.{out,err,rc}
run() {
	local name=$1
	shift
	"$svart" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}

expect_rc() {
	local got
	got=$(cat "$tmp/$1.rc")
	[ "$got" = "$2" ] ||
		fail "svart $3: exit $got, expected $2 (stderr: $(head -c 300 "$tmp/$1.err"))"
}

if [ ! -x "$svart" ]; then
	echo "FAIL: $svart is not built" >&2
	exit 1
fi

# ---- svart info: the table ---------------------------------------------------------------
run info info
expect_rc info 0 info
out="$tmp/info.out"
for section in '^CPU$' '^OS interfaces$' '^idxd devices and work queues' '^Topology' \
	'^Platforms$'; do
	grep -Eq "$section" "$out" || fail "svart info: no section matching /$section/"
done
grep -Eq '^  sim +usable +embedded simulator$' "$out" || fail "svart info: no 'sim usable' line"
grep -Eq '^  idxd +(usable|not usable) +[^ ]' "$out" || fail "svart info: no idxd verdict line"
grep -Eq '^  vfio +(usable|not usable) +[^ ]' "$out" || fail "svart info: no vfio verdict line"
grep -Eq '^  auto +(sim|idxd|vfio)$' "$out" || fail "svart info: no auto line"
for feat in ENQCMD MOVDIR64B MOVDIRI WAITPKG; do
	grep -Eq "^  $feat +(yes|no) +(yes|no|unknown)$" "$out" || fail "svart info: no $feat row"
done
[ -s "$tmp/info.err" ] && fail "svart info wrote to stderr: $(head -c 300 "$tmp/info.err")"

# What this host lacks must be named (independent facts: test -e).
vfio_line=$(grep -E '^  vfio ' "$out")
idxd_line=$(grep -E '^  idxd ' "$out")
if [ ! -e /dev/iommu ]; then
	grep -q 'not usable' <<<"$vfio_line" || fail "vfio usable without /dev/iommu"
	grep -q 'no /dev/iommu' <<<"$vfio_line" || fail "vfio reason does not name /dev/iommu"
fi
if [ ! -e /dev/dsa ] && [ ! -e /dev/iax ]; then
	grep -q 'not usable' <<<"$idxd_line" || fail "idxd usable without /dev/dsa or /dev/iax"
	grep -q 'no /dev/dsa or /dev/iax' <<<"$idxd_line" ||
		fail "idxd reason does not name /dev/dsa"
	grep -q 'none found' "$out" || [ -e /sys/bus/dsa ] ||
		fail "no 'none found' for idxd devices"
fi
if ! grep -qw enqcmd /proc/cpuinfo && ! grep -qw movdir64b /proc/cpuinfo; then
	grep -q 'CPU lacks ENQCMD and MOVDIR64B' <<<"$idxd_line" || fail "idxd reason: no CPU"
	# vfio submits with MOVDIR64B only (dedicated WQs with svart's PASID).
	grep -q 'CPU lacks MOVDIR64B' <<<"$vfio_line" || fail "vfio reason: no CPU"
	grep -Eq '^  auto +sim$' "$out" || fail "auto is not sim on a CPU without ENQCMD/MOVDIR64B"
fi

# ---- usage errors, help, version ---------------------------------------------------------
run help info --help
expect_rc help 0 "info --help"
grep -q '^usage: svart info' "$tmp/help.out" || fail "svart info --help: no usage on stdout"

run bogus info --bogus
expect_rc bogus 2 "info --bogus"
grep -q "unknown option '--bogus'" "$tmp/bogus.err" || fail "svart info --bogus: no message"
grep -q 'usage: svart info' "$tmp/bogus.err" || fail "svart info --bogus: no usage on stderr"
[ -s "$tmp/bogus.out" ] && fail "svart info --bogus wrote to stdout"

run bogus2 info --json --bogus
expect_rc bogus2 2 "info --json --bogus"
[ -s "$tmp/bogus2.out" ] && fail "svart info --json --bogus wrote to stdout"

run cmd bogus
expect_rc cmd 2 bogus
grep -q "unknown command 'bogus'" "$tmp/cmd.err" || fail "svart bogus: no message"

run noargs
expect_rc noargs 2 "(no arguments)"

run version --version
expect_rc version 0 --version
want=$(sed -n 's/^project(svart VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$want" ] || fail "cannot read the version from $src/CMakeLists.txt"
grep -qx "svart $want" "$tmp/version.out" ||
	fail "svart --version: '$(cat "$tmp/version.out")', expected 'svart $want'"

# ---- svart info --json ---------------------------------------------------------------------
run json info --json
expect_rc json 0 "info --json"
if ! command -v python3 >/dev/null; then
	[ "$failures" -eq 0 ] || exit 1
	echo "SKIP: python3 not found: the JSON checks need it (scripts/install-deps installs it)"
	exit 77
fi
python3 -m json.tool "$tmp/json.out" >/dev/null || fail "svart info --json is not valid JSON"

# Keys and types, and the same verdicts as the table.
sim_t=$(grep -E '^  sim ' "$out" | awk '{print $2}')
idxd_t=$(awk '$1 == "idxd" && ($2 == "usable" || $2 == "not") {print $2}' "$out")
vfio_t=$(awk '$1 == "vfio" && ($2 == "usable" || $2 == "not") {print $2}' "$out")
auto_t=$(awk '$1 == "auto" {print $2}' "$out")
if ! python3 - "$tmp/json.out" "$sim_t" "$idxd_t" "$vfio_t" "$auto_t" <<'EOF'; then
import json, os, sys

path, sim_t, idxd_t, vfio_t, auto_t = sys.argv[1:]
with open(path, encoding="utf-8") as f:
    doc = json.load(f)  # one document: trailing data would raise
bad = []

def check(cond, what):
    if not cond:
        bad.append(what)

check(isinstance(doc, dict), "top level is an object")
for key in ("svart_version", "cpu", "os", "idxd", "topology", "platforms", "auto"):
    check(key in doc, "key " + key)
cpu = doc.get("cpu", {})
for feat in ("enqcmd", "movdir64b", "movdiri", "waitpkg"):
    check(isinstance(cpu.get("cpuid", {}).get(feat), bool), "cpu.cpuid." + feat + " is a bool")
plats = doc.get("platforms", {})
check(plats.get("sim", {}).get("usable") is True, "platforms.sim.usable is true")
for name, text in (("sim", sim_t), ("idxd", idxd_t), ("vfio", vfio_t)):
    p = plats.get(name, {})
    check(isinstance(p.get("usable"), bool), name + ".usable is a bool")
    check(isinstance(p.get("reason"), str) and p["reason"], name + ".reason is non-empty")
    check(p.get("usable") == (text == "usable"), name + " verdict matches the table")
check(doc.get("auto") == auto_t, "auto matches the table")
check(doc.get("auto") in ("sim", "idxd", "vfio"), "auto is a platform")
osj = doc.get("os", {})
check(osj.get("iommu", {}).get("present") == os.path.exists("/dev/iommu"), "os.iommu.present")
check(osj.get("sys_bus_dsa") == os.path.exists("/sys/bus/dsa"), "os.sys_bus_dsa")
check(osj.get("euid") == os.geteuid(), "os.euid")
idxd = doc.get("idxd", {})
check(isinstance(idxd.get("devices"), list), "idxd.devices is a list")
if not idxd.get("found"):
    check(isinstance(idxd.get("reason"), str) and idxd["reason"], "idxd.reason when none found")
if not os.path.exists("/dev/iommu"):
    check("/dev/iommu" in plats.get("vfio", {}).get("reason", ""), "vfio reason names /dev/iommu")
for b in bad:
    print("json check failed:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
	fail "svart info --json: content checks failed"
fi

if [ "$failures" -ne 0 ]; then
	echo "cli_info: $failures failures" >&2
	exit 1
fi
echo "cli_info: pass"
