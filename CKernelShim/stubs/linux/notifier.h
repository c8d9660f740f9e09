/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: notifier chains (CPU hotplug callbacks) are not used. */
#include <linux/kernel.h>
