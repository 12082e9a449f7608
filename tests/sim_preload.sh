#!/bin/bash
# SPDX-License-Identifier: MIT
# `svart sim` and libsvart-sim-preload.so: the command's usage, errors and environment; the
# library's exports; the interposer's mechanics against a fake node (tests/progs/preload_mech);
# ordinary programs running normally under it; and a plain iommufd client (tests/progs/
# uapi_client) against sim end to end. Exit 0 pass, 1 fail, 77 skip (sim has no /dev/iommu
# yet; every other check still runs first).
set -u

B=${SVART_BINARY_DIR:?SVART_BINARY_DIR must name the build tree}
S=${SVART_SOURCE_DIR:?SVART_SOURCE_DIR must name the source tree}
SVART=$B/tools/svart
LIB=$B/sim/preload/libsvart-sim-preload.so
FAKE=$B/tests/progs/libsvart-sim-preload-fake.so
CLIENT=$B/tests/progs/uapi_client
MECH=$B/tests/progs/preload_mech

skip=""
# Foreign programs under an ASan-built interposer get the ASan runtime too (svart sim puts it
# first); their own leaks at exit are not ours to report.
QUIET_ASAN="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

. "$(dirname "${BASH_SOURCE[0]}")/support/check.sh"

for f in "$SVART" "$LIB" "$FAKE" "$CLIENT" "$MECH"; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f is not built"
		exit 1
	fi
done

# ---- svart sim: usage, errors, environment -------------------------------------------------
expect 2 "no arguments is a usage error" "$SVART" sim
expect 2 "a program without -- is a usage error" "$SVART" sim /bin/true
expect 2 "-- without a program is a usage error" "$SVART" sim --
expect 2 "an unknown option is a usage error" "$SVART" sim --bogus -- /bin/true
expect 0 "--help" "$SVART" sim --help
contains "--help prints the usage" "usage: svart sim"
expect 0 "svart --help lists sim" "$SVART" --help
contains "svart --help lists sim" "  sim "

expect 1 "a missing SVART_SIM_PRELOAD fails" env SVART_SIM_PRELOAD=/nonexistent/libx.so \
	"$SVART" sim -- /bin/true
contains "the message names where it looked" "/nonexistent/libx.so"
expect 127 "a missing program exits 127" "$SVART" sim -- /nonexistent/svart-prog
contains "the message gives the reason" "No such file or directory"
expect 127 "a program not on PATH exits 127" "$SVART" sim -- svart-no-such-program
expect 126 "a file that cannot be run exits 126" "$SVART" sim -- "$S/docs/CONVENTIONS.md"

expect 3 "the program's exit status comes back" "$SVART" sim -- /bin/sh -c 'exit 3'
# (An ASan-built svart itself must not mind the preset entry going before its runtime.)
expect 0 "environment" env LD_PRELOAD=libm.so.6 "$QUIET_ASAN:verify_asan_link_order=0" \
	"$SVART" sim -- \
	/bin/sh -c 'printf "SVART_SIM=%s LD_PRELOAD=%s\n" "$SVART_SIM" "$LD_PRELOAD"'
contains "SVART_SIM is set" "SVART_SIM=1 "
lib_real=$(realpath "$LIB")
case $out in
*"LD_PRELOAD=$lib_real:libm.so.6" | *"LD_PRELOAD=libasan.so."*":$lib_real:libm.so.6")
	ok "the library goes first in LD_PRELOAD (after ASan's runtime), existing entries kept" ;;
*) bad "LD_PRELOAD is wrong: $out" ;;
esac

# ---- the library's exports: exactly SIM_PRELOAD_FUNCS ----------------------------------------
want=$(sed -n '/^#define SIM_PRELOAD_FUNCS/,/^$/p' "$S/sim/preload/preload.h" |
	grep -o 'X([_a-z0-9]*)' | sed 's/^X(\(.*\))$/\1/' | sort)
for l in "$LIB" "$FAKE"; do
	got=$(nm -D --defined-only "$l" | awk '{ print $3 }' | sort)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "$(basename "$l") exports exactly the interposed functions"
	else
		bad "$(basename "$l") exports differ from SIM_PRELOAD_FUNCS:"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
	fi
done

# ---- the interposer's mechanics, against the fake node ----------------------------------------
expect 0 "mechanics (tests/progs/preload_mech)" env SVART_SIM_PRELOAD="$FAKE" \
	"$SVART" sim -- "$MECH"
echo "$out" | tail -1 | sed 's/^/    /'
expect 0 "coreutils see the node (statx)" env SVART_SIM_PRELOAD="$FAKE" "$QUIET_ASAN" \
	"$SVART" sim -- ls -l /dev/svart-fake0
case $out in
crw-------*) ok "ls -l shows a character device" ;;
*) bad "ls -l /dev/svart-fake0: $out" ;;
esac
expect 0 "test -c sees the node (stat)" env SVART_SIM_PRELOAD="$FAKE" "$QUIET_ASAN" \
	"$SVART" sim -- /bin/sh -c 'test -c /dev/svart-fake0'

# ---- ordinary programs run normally under the interposer --------------------------------------
expect 0 "/bin/true" env "$QUIET_ASAN" "$SVART" sim -- /bin/true
expect 0 "ls /dev" env "$QUIET_ASAN" "$SVART" sim -- ls /dev
contains "ls /dev lists /dev" "null"
expect 0 "a shell pipeline" env "$QUIET_ASAN" "$SVART" sim -- /bin/sh -c \
	'cat /etc/passwd | wc -l'
if command -v python3 >/dev/null 2>&1; then
	f=/etc/hostname
	[ -r $f ] || f=/etc/passwd
	expect 0 "python3 reads a file" env "$QUIET_ASAN" "$SVART" sim -- python3 -c \
		"open('$f').read()"
else
	echo "note: no python3, its check is left out"
fi

# ---- installed: svart finds the library in $libdir -----------------------------------------
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
if "${CMAKE_COMMAND:-cmake}" --install "$B" --prefix "$prefix" >/dev/null 2>&1; then
	inst_lib=$(find "$prefix" -name libsvart-sim-preload.so | head -n1)
	if [ -n "$inst_lib" ] && [ -x "$prefix/bin/svart" ]; then
		expect 0 "installed svart sim runs" env -u SVART_SIM_PRELOAD "$QUIET_ASAN" \
			"$prefix/bin/svart" sim -- /bin/sh -c 'echo "LD_PRELOAD=$LD_PRELOAD"'
		contains "installed svart sim uses the installed library" "$(realpath "$inst_lib")"
	else
		bad "cmake --install put no svart or libsvart-sim-preload.so under $prefix"
	fi
else
	bad "cmake --install $B failed"
fi

# ---- a plain iommufd client, without and with sim ---------------------------------------------
if [ -e /dev/iommu ]; then
	echo "note: this host has /dev/iommu; the without-sim check is left out"
else
	expect 77 "without sim, the client finds no /dev/iommu" "$CLIENT"
	contains "it says why" "ENOENT"
fi
out=$("$SVART" sim -- "$CLIENT" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
case $rc in
0) ok "uapi_client runs on sim" ;;
77)
	case $out in
	*ENOENT*) skip="sim does not model /dev/iommu yet (open gives ENOENT)" ;;
	*) bad "uapi_client skipped on sim for another reason" ;;
	esac
	;;
*) bad "uapi_client on sim: exit $rc" ;;
esac

if [ $fail -ne 0 ]; then
	echo "sim_preload: FAILED"
	exit 1
fi
if [ -n "$skip" ]; then
	echo "SKIP: $skip"
	exit 77
fi
echo "sim_preload: all passed"
exit 0
