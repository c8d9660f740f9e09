/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: no simulated task runs in interrupt context. */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <linux/kernel.h>

#ifndef in_interrupt
#define in_interrupt()		0
#define in_irq()		0
#define in_softirq()		0
#endif

#endif
