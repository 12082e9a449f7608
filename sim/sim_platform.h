/* SPDX-License-Identifier: MIT */
/*
 * The whole sim platform for svart's runtime: the DSA/IAA devices of SVART_SIM_CONFIG
 * (sim/accel/), each one also a sim PCI device behind the sim VT-d IOMMU (sim/iommu/), i.e. a
 * VFIO device cdev /dev/vfio/devices/vfioN that iommufd can bind and attach PASIDs of, and
 * whose engines translate every access through the IOMMU with the descriptor's PASID.
 */
#ifndef SVART_SIM_SIM_PLATFORM_H
#define SVART_SIM_SIM_PLATFORM_H

#include "sim/accel/sim_accel.h"

/**
 * sim_platform_get() - create the platform on first use (thread-safe); takes a reference.
 *
 * Return: 0, or -errno with sim_accel_platform_error() saying why.
 */
int sim_platform_get(void);

/* Drop a reference; the last destroys the devices. Pairs with sim_platform_get(). */
void sim_platform_put(void);

/**
 * sim_platform_vfio_index() - N of the VFIO cdev /dev/vfio/devices/vfioN behind @dev.
 * @dev: a device of the platform.
 *
 * Return: N >= 0, or -ENODEV for a device without one (created outside the platform).
 */
int sim_platform_vfio_index(const struct sim_accel_dev *dev);

/**
 * sim_platform_dev_by_vfio() - the device behind /dev/vfio/devices/vfio@index.
 * @index: N.
 *
 * The pointer is valid while the platform holds the device (until its last put).
 *
 * Return: the device, or NULL (no platform device has that cdev).
 */
struct sim_accel_dev *sim_platform_dev_by_vfio(int index);

#endif /* SVART_SIM_SIM_PLATFORM_H */
