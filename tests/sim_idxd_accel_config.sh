#!/bin/bash
# SPDX-License-Identifier: MIT
# sim as the kernel's idxd driver, seen by unmodified programs under `svart sim --`
# (docs/SIM_IDXD.md): accel-config 3.5.3 lists sim's devices and WQs, configures, enables and
# disables them (each command a new process, the configuration carried by
# $SVART_SIM_IDXD_STATE), refuses bad values with the kernel's errors; the shell reads and
# writes attributes; tests/progs/idxd_client configures through libaccel-config and submits
# through the WQ cdevs in one process. Exit 0 pass, 1 fail, 77 skip (no accel-config binary;
# everything else still runs first).
set -u

B=${SVART_BINARY_DIR:?SVART_BINARY_DIR must name the build tree}
SVART=$B/tools/svart
CLIENT=$B/tests/progs/idxd_client

skip=""
# Foreign programs under an ASan-built interposer get the ASan runtime; libaccel-config's own
# leaks (scandir() entries it never frees) are not ours to report.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
unset SVART_SIM_CONFIG SVART_SIM_IDXD_STATE

. "$(dirname "${BASH_SOURCE[0]}")/support/check.sh"

# block NAME: the JSON object of device/WQ NAME in $out (accel-config prints a key per line),
# with blanks removed: "dev":"wq0.2","mode":"dedicated",...
block() {
	printf '%s\n' "$out" | awk -v want="\"dev\":\"$1\"" '
		!on && (i = index($0, want)) {
			c = substr($0, i + length(want), 1)
			on = c == "," || c == ""
		}
		on && /^ *[}\]]/ { exit }
		on { gsub(/[ \t]/, ""); printf "%s", $0 }'
}

# has NAME WHAT FIELDS...: the object NAME in $out has each "key":value of FIELDS.
has() {
	local name=$1 what=$2 b f
	shift 2
	b=$(block "$name")
	for f in "$@"; do
		case $b in
		*"$f"*) ;;
		*)
			bad "$what: $name lacks $f"
			echo "    $b"
			return
			;;
		esac
	done
	ok "$what"
}

for f in "$SVART" "$CLIENT"; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f is not built"
		exit 1
	fi
done

# The tree goes to $TMPDIR (no $XDG_RUNTIME_DIR here): a private one, checked empty at the end,
# memory-backed where there is /dev/shm (a few hundred files per process).
work=$(mktemp -d)
trap 'rm -rf "$work" ${TMPDIR:+"$TMPDIR"}' EXIT
TMPDIR=$(mktemp -d -p /dev/shm 2>/dev/null || { mkdir "$work/tmp" && echo "$work/tmp"; })
export TMPDIR
unset XDG_RUNTIME_DIR
S=("$SVART" sim --)

# ---- plain libc programs see the tree ------------------------------------------------------
expect 0 "ls /sys/bus/dsa/devices" "${S[@]}" ls /sys/bus/dsa/devices
contains "the bus lists dsa0" "dsa0"
contains "the bus lists iax1" "iax1"
contains "the bus lists the cdev devices" "dsa!wq0.1"
expect 0 "realpath of a bus link" "${S[@]}" realpath /sys/bus/dsa/devices/wq0.1
contains "it resolves into the PCI device" "/sys/devices/pci0000:f0/0000:f0:01.0/dsa0/wq0.1"
lacks "the private tree is not seen" "$work"
expect 0 "cat an attribute" "${S[@]}" cat /sys/bus/dsa/devices/dsa0/cmd_status
[ "$out" = "0x0" ] && ok "cmd_status reads 0x0" || bad "cmd_status reads '$out'"
expect 0 "stat of a WQ node" "${S[@]}" stat -c '%F %t:%T' /dev/dsa/wq0.1
contains "it is character device 236:1 (hex)" "character special file ec:1"
# A shell that writes with write(2) (dash: open, dup2 to 1, write) reaches the store; bash's
# builtin echo writes through stdio, which the interposer cannot see (docs/SIM_IDXD.md).
if command -v dash >/dev/null 2>&1; then
	expect "!0" "dash: echo of a size to an enabled device fails" "${S[@]}" dash -c \
		'echo 8 > /sys/bus/dsa/devices/wq0.2/size'
	expect 0 "dash: echo to cmd_status" "${S[@]}" dash -c \
		'echo 1 > /sys/bus/dsa/devices/dsa0/cmd_status && cat /sys/bus/dsa/devices/wq0.2/size'
	[ "$out" = "0" ] && ok "the size was not changed" || bad "wq0.2/size reads '$out'"
else
	echo "note: no dash, the shell redirection checks are left out"
fi
if command -v python3 >/dev/null 2>&1; then
	expect 0 "python3: a write the store refuses" "${S[@]}" python3 -c '
import errno
try:
    with open("/sys/bus/dsa/devices/wq0.2/size", "w") as f:
        f.write("8")
except OSError as e:
    print("errno", errno.errorcode[e.errno])'
	contains "raises EPERM" "errno EPERM"
fi
expect 1 "/sys/module/idxd is there, /sys/bus/iax is not" "${S[@]}" sh -c \
	'test -d /sys/module/idxd && test -e /sys/bus/iax'

# ---- accel-config list ------------------------------------------------------------------------
if ! command -v accel-config >/dev/null 2>&1; then
	skip="no accel-config binary (Debian package accel-config)"
else
	expect 0 "accel-config list" "${S[@]}" accel-config list
	has dsa0 "dsa0 is listed, enabled" '"state":"enabled"' '"max_work_queues":8' \
		'"max_groups":4' '"max_engines":4' '"work_queue_size":128' '"version":"0x100"' \
		'"gen_cap":"0x915f0107"' '"cdev_major":236' '"pasid_enabled":1'
	has iax1 "iax1 is listed, enabled" '"state":"enabled"' '"cdev_major":235'
	has wq0.0 "wq0.0: shared, 64, enabled" '"mode":"shared"' '"size":64' '"group_id":0' \
		'"type":"user"' '"name":"svart"' '"driver_name":"user"' '"threshold":64' \
		'"cdev_minor":0' '"state":"enabled"'
	has wq0.1 "wq0.1: dedicated, 32, enabled" '"mode":"dedicated"' '"size":32' \
		'"cdev_minor":1' '"state":"enabled"'
	has wq1.0 "wq1.0: shared, 64, enabled" '"mode":"shared"' '"size":64' '"cdev_minor":0'
	lacks "disabled WQs are not listed without -i" '"dev":"wq0.2"'
	# accel-config 3.5.3 parses only the pre-6.1 op_cap format and leaves the key out for
	# the bitmap format sim shows, as it does on a current kernel (docs/SIM_IDXD.md).
	lacks "op_cap is left out by accel-config 3.5.3" '"op_cap"'
	expect 0 "accel-config list -i" "${S[@]}" accel-config list -i
	has wq0.2 "-i lists disabled WQs" '"mode":"shared"' '"size":0' '"state":"disabled"'
	has engine0.1 "-i lists ungrouped engines" '"dev":"engine0.1"'

	# ---- configuration across processes ---------------------------------------------------
	export SVART_SIM_IDXD_STATE=$work/state
	A=("${S[@]}" accel-config)
	expect 0 "disable-device dsa0" "${A[@]}" disable-device dsa0
	expect 0 "config-engine" "${A[@]}" config-engine dsa0/engine0.0 --group-id=0
	expect 0 "config-wq wq0.2 dedicated" "${A[@]}" config-wq dsa0/wq0.2 --mode=dedicated \
		--wq-size=16 --group-id=0 --type=user --name=t --driver-name=user --priority=10
	expect 0 "config-wq wq0.3 shared" "${A[@]}" config-wq dsa0/wq0.3 --mode=shared \
		--wq-size=16 --group-id=0 --type=user --name=s --driver-name=user --priority=5 \
		--threshold=12 --block-on-fault=1
	expect 0 "enable-device dsa0" "${A[@]}" enable-device dsa0
	contains "enable-device says so" "enabled 1 device(s) out of 1"
	expect 0 "enable-wq dsa0/wq0.2 dsa0/wq0.3" "${A[@]}" enable-wq dsa0/wq0.2 dsa0/wq0.3
	contains "enable-wq says so" "enabled 2 wq(s) out of 2"
	expect 0 "list after enabling" "${A[@]}" list
	has wq0.2 "wq0.2 is enabled as configured" '"mode":"dedicated"' '"size":16' \
		'"group_id":0' '"priority":10' '"type":"user"' '"name":"t"' '"cdev_minor":0' \
		'"state":"enabled"'
	has wq0.3 "wq0.3 is enabled as configured" '"mode":"shared"' '"size":16' \
		'"priority":5' '"threshold":12' '"block_on_fault":1' '"cdev_minor":1' \
		'"state":"enabled"'
	lacks "the default WQs went with disable-device" '"dev":"wq0.0"'
	expect 0 "the nodes follow" "${S[@]}" ls /dev/dsa
	[ "$(echo $out)" = "wq0.2 wq0.3" ] && ok "/dev/dsa has wq0.2 wq0.3" ||
		bad "/dev/dsa has '$out'"

	# Bad values and half-configured WQs: accel-config's error, a nonzero exit.
	expect "!0" "a size while the device is enabled" "${A[@]}" config-wq dsa0/wq0.4 \
		--wq-size=8
	contains "refused with EPERM" "Operation not permitted"
	expect "!0" "priority 16" "${A[@]}" config-wq dsa0/wq0.4 --priority=16
	contains "refused with EINVAL" "Invalid argument"
	expect "!0" "a size over the device's" "${A[@]}" config-wq dsa0/wq0.4 --wq-size=1000
	expect "!0" "a mode of an enabled WQ" "${A[@]}" config-wq dsa0/wq0.2 --mode=shared
	contains "refused with EPERM" "Operation not permitted"
	expect 0 "wq0.4 without group or size" "${A[@]}" config-wq dsa0/wq0.4 --mode=dedicated \
		--type=user --name=half --driver-name=user --priority=3
	expect "!0" "enable-wq of a WQ without group" "${A[@]}" enable-wq dsa0/wq0.4
	contains "the kernel's cmd_status" "Error[0x80030000] dsa0/wq0.4: wq error - group not set"

	expect 0 "disable-wq dsa0/wq0.2" "${A[@]}" disable-wq dsa0/wq0.2
	expect 0 "list -i after disabling" "${A[@]}" list -i
	# disable-wq resets the WQ as the kernel does (size and group stay).
	has wq0.2 "wq0.2 is disabled and reset" '"mode":"shared"' '"size":16' '"group_id":0' \
		'"type":"none"' '"state":"disabled"'
	has wq0.3 "wq0.3 is still enabled" '"state":"enabled"'
	expect 0 "the state file holds the configuration" cat "$SVART_SIM_IDXD_STATE"
	contains "it has the bind" "/sys/bus/dsa/drivers/user/bind wq0.3"
	lacks "it has no failed store" "priority 16"

	# A device with nothing configured does not come up.
	expect 0 "disable-device dsa0 again" "${A[@]}" disable-device dsa0
	expect "!0" "enable-device dsa0 with no WQ configured" "${A[@]}" enable-device dsa0
	contains "fails with the kernel's cmd_status" "Error[0x800d0000] dsa0"
	unset SVART_SIM_IDXD_STATE
fi

# ---- a libaccel-config client submitting through the cdevs, in one process ---------------------
expect 0 "idxd_client (libaccel-config + /dev/dsa)" "${S[@]}" "$CLIENT"
printf '%s\n' "$out" | tail -1 | sed 's/^/    /'

# ---- every process removed its tree ------------------------------------------------------------
left=$(ls -A "$TMPDIR")
[ -z "$left" ] && ok "no tree left behind" || bad "left behind in \$TMPDIR: $left"

if [ $fail -ne 0 ]; then
	echo "sim_idxd_accel_config: FAILED"
	exit 1
fi
if [ -n "$skip" ]; then
	echo "SKIP: $skip"
	exit 77
fi
echo "sim_idxd_accel_config: all passed"
exit 0
