/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* Warnings from the block devices' passive history (their counters since
 * boot and the EBS statistics page): an EBS volume that was throttled, by its
 * own limits or the instance's; requests piled up in flight; a mean request
 * time far above what the device is documented to give. One per device and
 * finding, under the first mount of the device. Pure. Returns 0 or -ENOMEM. */
int classify_block_history(struct report *r);
