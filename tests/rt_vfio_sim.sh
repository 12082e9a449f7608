#!/bin/bash
# SPDX-License-Identifier: MIT
# The vfio platform under `svart sim --`: tests/progs/rt_client (a plain program on the shared
# libsvart) runs with SVART_PLATFORM=vfio and SVART_SIM_DRIVER=vfio-pci, so the interposer
# presents sim's DSA and IAA as bound to vfio-pci (/dev/vfio/devices/vfioN with their regions,
# /dev/iommu, no idxd tree). The client's libsvart binds each cdev to an iommufd, binds its
# address space to a PASID through a nested IOAS, programs the devices over BAR0 with
# pread/pwrite, maps the BAR2 portals, and reaches the interposer's copy of sim for the portal
# stores through svart_sim_vfio_portal_v1 (dlsym). Every operation's result is checked by the
# client. Exit 0 pass, 1 fail.
set -u

B=${SVART_BINARY_DIR:?SVART_BINARY_DIR must name the build tree}
SVART=$B/tools/svart
CLIENT=$B/tests/progs/rt_client

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
unset SVART_SIM_CONFIG SVART_SIM_IDXD_STATE SVART_SIM_IDXD_DENY SVART_BLOCK_ON_FAULT SVART_LOG
unset SVART_DEVICES SVART_FALLBACK SVART_CPU_THRESHOLD SVART_VFIO_SIM SVART_VFIO_WQS
unset SVART_VFIO_XFER SVART_SIM_DRIVER
export SVART_PLATFORM=vfio

. "$(dirname "${BASH_SOURCE[0]}")/support/check.sh"

for f in "$SVART" "$CLIENT"; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f is not built"
		exit 1
	fi
done
S=(env SVART_SIM_DRIVER=vfio-pci "$SVART" sim --)

# ---- the default platform (dsa0, iax1) as vfio-pci functions: 2 dedicated WQs each ---------
# Never-touched destinations end in partial completions that svart maps into the IOAS and
# resumes.
expect 0 "default platform over VFIO" "${S[@]}" "$CLIENT" --faults=partial --min-wqs=4
contains "describe() says vfio with both functions' WQs" \
	"Using vfio with 2 DSA and 2 IAA work queues."
printf '%s\n' "$out" | sed -n 2p | sed 's/^/    /'

# ---- block on fault: the device's page requests go to the nested HWPT's fault queue and
# svart answers them; no partial completion.
expect 0 "block on fault over VFIO" env SVART_BLOCK_ON_FAULT=1 "${S[@]}" "$CLIENT" \
	--faults=none
# One WQ per function, a DSA only, small transfers: many descriptors per operation.
expect 0 "one WQ, 64 KiB transfers" env SVART_VFIO_WQS=1 SVART_VFIO_XFER=64k \
	SVART_SIM_CONFIG='dsa wq=shared:16' "${S[@]}" "$CLIENT" --faults=partial
contains "one DSA WQ" "Using vfio with 1 DSA and 0 IAA work queue."

# ---- the idxd face (the default) has no VFIO cdevs: -ENODEV, explained ----------------------
expect 0 "idxd face: no VFIO device" env SVART_LOG=info "$SVART" sim -- "$CLIENT" \
	--create=ENODEV
contains "the explanation" "no platform: vfio:"
# ... and the vfio-pci face has no idxd tree: the idxd platform finds nothing.
expect 0 "vfio-pci face: no idxd device" env SVART_PLATFORM=idxd SVART_LOG=info "${S[@]}" \
	"$CLIENT" --create=ENODEV
contains "the explanation" "no platform: idxd:"
# No device at all on the vfio-pci face.
expect 0 "vfio-pci face, no device: -ENODEV" env SVART_LOG=info SVART_SIM_CONFIG='' "${S[@]}" \
	"$CLIENT" --create=ENODEV
contains "the explanation" "no platform: vfio:"

# ---- svart sim rejects a driver it does not know ------------------------------------------
expect 2 "SVART_SIM_DRIVER=nvme is a usage error" env SVART_SIM_DRIVER=nvme "$SVART" sim -- \
	/bin/true
contains "the message" "expected idxd or vfio-pci"

if [ $fail -ne 0 ]; then
	echo "rt_vfio_sim: FAILED"
	exit 1
fi
echo "rt_vfio_sim: all passed"
exit 0
