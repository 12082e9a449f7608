# SPDX-License-Identifier: MIT
# Checks shared by the shell tests (sourced). Each records a failure in $fail and goes on, so
# a script reports every broken check, then exits 1 if any failed.

fail=0

ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}

# expect STATUS WHAT CMD...: runs CMD; its exit status must be STATUS ("!0": anything but 0).
# Its output (stdout and stderr) is left in $out for contains/lacks.
expect() {
	local want=$1 what=$2 got
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" = "$want" ] || { [ "$want" = "!0" ] && [ "$got" != 0 ]; }; then
		ok "$what"
	else
		bad "$what: exit $got, expected $want"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
}

# contains WHAT STRING: $out must contain STRING.
contains() {
	case $out in
	*"$2"*) ok "$1" ;;
	*)
		bad "$1: output lacks '$2'"
		printf '%s\n' "$out" | sed 's/^/    /'
		;;
	esac
}

# lacks WHAT STRING: $out must not contain STRING.
lacks() {
	case $out in
	*"$2"*)
		bad "$1: output has '$2'"
		printf '%s\n' "$out" | sed 's/^/    /'
		;;
	*) ok "$1" ;;
	esac
}
