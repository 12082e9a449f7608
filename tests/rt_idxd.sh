#!/bin/bash
# SPDX-License-Identifier: MIT
# The idxd platform on sim: tests/progs/rt_client (a plain program on the shared libsvart) runs
# under `svart sim --` with SVART_PLATFORM=idxd, so svart finds sim's devices through
# libaccel-config and the sysfs tree, opens /dev/dsa and /dev/iax WQ cdevs (SVA), and submits
# with write() (sim refuses the portal mmap, as a 6.9.1+ kernel does without CAP_SYS_RAWIO).
# Every operation's result is checked by the client; here the configurations: default (shared
# and dedicated), block on fault on and off, dedicated only, a disabled WQ, a WQ of type kernel,
# permission denied, no usable WQ, and a WQ disabled while the context uses it.
# Exit 0 pass, 1 fail.
set -u

B=${SVART_BINARY_DIR:?SVART_BINARY_DIR must name the build tree}
SVART=$B/tools/svart
CLIENT=$B/tests/progs/rt_client

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
unset SVART_SIM_CONFIG SVART_SIM_IDXD_STATE SVART_SIM_IDXD_DENY SVART_BLOCK_ON_FAULT SVART_LOG
unset SVART_DEVICES SVART_FALLBACK SVART_CPU_THRESHOLD
export SVART_PLATFORM=idxd

. "$(dirname "${BASH_SOURCE[0]}")/support/check.sh"

for f in "$SVART" "$CLIENT"; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f is not built"
		exit 1
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work" ${TMPDIR:+"$TMPDIR"}' EXIT
TMPDIR=$(mktemp -d -p /dev/shm 2>/dev/null || { mkdir "$work/tmp" && echo "$work/tmp"; })
export TMPDIR
unset XDG_RUNTIME_DIR
S=("$SVART" sim --)

# ---- default platform: dsa0 (shared wq0.0, dedicated wq0.1), iax1 (shared wq1.0) -----------
# Never-touched destinations end in partial completions that svart faults in and resumes.
expect 0 "default configuration" "${S[@]}" "$CLIENT" --faults=partial --min-wqs=3
contains "describe() says idxd with all three WQs" "Using idxd with 2 DSA and 1 IAA work queues."
lacks "describe() does not list never-configured WQs" "wq0.2"
printf '%s\n' "$out" | sed -n 2p | sed 's/^/    /'

# ---- block on fault: WQs with bof=1 and SVART_BLOCK_ON_FAULT=1 -> the kernel's (sim's) SVA
# page requests resolve every fault; svart sees no partial completion.
expect 0 "block on fault on" env SVART_BLOCK_ON_FAULT=1 \
	SVART_SIM_CONFIG='dsa wq=shared:64:bof=1 wq=dedicated:32:bof=1' \
	"${S[@]}" "$CLIENT" --faults=none --min-wqs=2
contains "two DSA WQs, no IAA" "Using idxd with 2 DSA and 0 IAA work queues."
# The WQs can block, the runtime does not ask: partial completions again.
expect 0 "block on fault capable WQ, not requested" env \
	SVART_SIM_CONFIG='dsa wq=shared:64:bof=1' "${S[@]}" "$CLIENT" --faults=partial
expect 0 "block on fault requested, WQ without it" env SVART_BLOCK_ON_FAULT=1 \
	SVART_SIM_CONFIG='dsa wq=shared:64' "${S[@]}" "$CLIENT" --faults=partial

# ---- dedicated only (MOVDIR64B semantics through write(), svart's credits) ----------------
expect 0 "dedicated WQ only" env SVART_SIM_CONFIG='dsa wq=dedicated:16' \
	"${S[@]}" "$CLIENT" --faults=partial
contains "one DSA WQ" "Using idxd with 1 DSA and 0 IAA work queue."
# Shared only, several devices.
expect 0 "two devices, shared WQs" env \
	SVART_SIM_CONFIG='dsa wq=shared:32; dsa node=0 wq=shared:8:retries=0' \
	"${S[@]}" "$CLIENT" --faults=partial --min-wqs=2

# ---- a disabled WQ: the context uses the other, describe() names it with the fix ----------
expect 0 "a disabled WQ beside a usable one" env \
	SVART_SIM_CONFIG='dsa wq=shared:64:enabled=0 wq=dedicated:32' "${S[@]}" "$CLIENT"
contains "describe() names it, with enable-wq" \
	"idxd: dsa0/wq0.0 is disabled (accel-config enable-wq dsa0/wq0.0)."
contains "the other WQ is used" "Using idxd with 1 DSA and 0 IAA work queue."

# ---- a WQ of type kernel (bound to dmaengine), configured as accel-config would -------------
cat >"$work/kernel.state" <<'EOF'
/sys/bus/dsa/drivers/user/unbind wq0.1
/sys/bus/dsa/devices/wq0.1/mode dedicated
/sys/bus/dsa/devices/wq0.1/priority 10
/sys/bus/dsa/devices/wq0.1/type kernel
/sys/bus/dsa/devices/wq0.1/name k
/sys/bus/dsa/devices/wq0.1/driver_name dmaengine
/sys/bus/dsa/drivers/dmaengine/bind wq0.1
EOF
expect 0 "the kernel WQ is enabled" env SVART_SIM_IDXD_STATE="$work/kernel.state" \
	"${S[@]}" cat /sys/bus/dsa/devices/wq0.1/type /sys/bus/dsa/devices/wq0.1/state
[ "$(echo $out)" = "kernel enabled" ] && ok "wq0.1 is kernel, enabled" ||
	bad "wq0.1 reads '$out'"
expect 0 "a WQ of type kernel beside usable ones" env \
	SVART_SIM_IDXD_STATE="$work/kernel.state" "${S[@]}" "$CLIENT" --faults=partial
contains "describe() names it, with the reconfiguration" \
	"idxd: dsa0/wq0.1 is of type kernel, not user (accel-config disable-wq dsa0/wq0.1; accel-config config-wq dsa0/wq0.1 --type=user --driver-name=user --name=svart)."
contains "the others are used" "Using idxd with 1 DSA and 1 IAA work queues."

# ---- permission denied (sim's SVART_SIM_IDXD_DENY: open EACCES, as a 0600 root node) --------
expect 0 "one WQ not accessible" env SVART_SIM_IDXD_DENY=wq0.0 "${S[@]}" "$CLIENT"
contains "describe() names it, with the fix" \
	"idxd: permission denied on /dev/dsa/wq0.0 (give this user access to it"
contains "the others are used" "Using idxd with 1 DSA and 1 IAA work queues."

# ---- no usable WQ: svart_ctx_create() fails with -ENODEV and says why ----------------------
expect 0 "every WQ denied: -ENODEV" env SVART_LOG=info SVART_SIM_IDXD_DENY=wq0.0,wq0.1,wq1.0 \
	"${S[@]}" "$CLIENT" --create=ENODEV
contains "the error" "svart_ctx_create: No such device"
contains "the explanation names each node" \
	"permission denied on /dev/iax/wq1.0 (give this user access to it, e.g. chown or a udev rule for /dev/iax/*)"
contains "and the verdict" "idxd: no usable work queue."
expect 0 "only a disabled WQ: -ENODEV" env SVART_LOG=info \
	SVART_SIM_CONFIG='dsa wq=shared:64:enabled=0' "${S[@]}" "$CLIENT" --create=ENODEV
contains "the explanation" "no platform: idxd: dsa0/wq0.0 is disabled (accel-config enable-wq dsa0/wq0.0)."
expect 0 "a disabled device: -ENODEV" env SVART_LOG=info \
	SVART_SIM_CONFIG='dsa enabled=0 wq=shared:64' "${S[@]}" "$CLIENT" --create=ENODEV
contains "the explanation" "idxd: dsa0 is disabled (accel-config enable-device dsa0)."
expect 0 "no device at all: -ENODEV" env SVART_LOG=info SVART_SIM_CONFIG='' \
	"${S[@]}" "$CLIENT" --create=ENODEV
contains "the explanation" "no platform: idxd:"
# Without `svart sim` there is no sim sysfs tree: idxd is what the host has (nothing here).
if [ ! -e /sys/bus/dsa/devices ] || [ -z "$(ls -A /sys/bus/dsa/devices 2>/dev/null)" ]; then
	expect 0 "the host without idxd: -ENODEV" env SVART_LOG=info "$CLIENT" --create=ENODEV
	contains "the explanation" "no platform: idxd:"
fi

# ---- a WQ disabled while in use (disable-wq from inside the process): nothing lost ----------
expect 0 "disable-wq of the shared WQ between two rounds" "${S[@]}" "$CLIENT" \
	--faults=partial --disable=wq0.0
contains "the unbind worked" "disable-wq wq0.0: Success"
expect 0 "disable-wq of the dedicated WQ between two rounds" "${S[@]}" "$CLIENT" \
	--faults=partial --disable=wq0.1
# With the only DSA WQ gone, the second round runs on the CPU: the client
# checks the device path, so this one must fail, and say so (the check can fail).
expect 1 "disable-wq of the only DSA WQ: the client sees the CPU path" env \
	SVART_SIM_CONFIG='dsa wq=shared:64' "${S[@]}" "$CLIENT" --disable=wq0.0
contains "it reports the path" "path 3"

# ---- docs/PLATFORMS.md's accel-config recipe, command by command, then the client -----------
if command -v accel-config >/dev/null 2>&1; then
	export SVART_SIM_IDXD_STATE=$work/recipe.state
	A=("${S[@]}" accel-config)
	expect 0 "recipe: disable-device dsa0" "${A[@]}" disable-device dsa0
	expect 0 "recipe: engine0.0" "${A[@]}" config-engine dsa0/engine0.0 --group-id=0
	expect 0 "recipe: engine0.1" "${A[@]}" config-engine dsa0/engine0.1 --group-id=0
	expect 0 "recipe: shared wq0.0" "${A[@]}" config-wq dsa0/wq0.0 --group-id=0 \
		--mode=shared --wq-size=96 --threshold=96 --priority=10 --type=user --name=svart \
		--driver-name=user --block-on-fault=1
	expect 0 "recipe: dedicated wq0.1" "${A[@]}" config-wq dsa0/wq0.1 --group-id=0 \
		--mode=dedicated --wq-size=32 --priority=10 --type=user --name=svart-dwq \
		--driver-name=user --block-on-fault=1
	expect 0 "recipe: enable-device dsa0" "${A[@]}" enable-device dsa0
	expect 0 "recipe: enable-wq" "${A[@]}" enable-wq dsa0/wq0.0 dsa0/wq0.1
	expect 0 "recipe: disable-device iax1" "${A[@]}" disable-device iax1
	expect 0 "recipe: engine1.0" "${A[@]}" config-engine iax1/engine1.0 --group-id=0
	expect 0 "recipe: shared wq1.0" "${A[@]}" config-wq iax1/wq1.0 --group-id=0 \
		--mode=shared --wq-size=128 --threshold=128 --priority=10 --type=user --name=svart \
		--driver-name=user --block-on-fault=1
	expect 0 "recipe: enable-device iax1" "${A[@]}" enable-device iax1
	expect 0 "recipe: enable-wq iax1/wq1.0" "${A[@]}" enable-wq iax1/wq1.0
	expect 0 "recipe: the client, block on fault" env SVART_BLOCK_ON_FAULT=1 \
		"${S[@]}" "$CLIENT" --faults=none --min-wqs=3
	contains "recipe: all three WQs used" "Using idxd with 2 DSA and 1 IAA work queues."
	unset SVART_SIM_IDXD_STATE
else
	echo "note: no accel-config binary, the recipe of docs/PLATFORMS.md is left out"
fi

left=$(ls -A "$TMPDIR")
[ -z "$left" ] && ok "no tree left behind" || bad "left behind in \$TMPDIR: $left"

if [ $fail -ne 0 ]; then
	echo "rt_idxd: FAILED"
	exit 1
fi
echo "rt_idxd: all passed"
exit 0
