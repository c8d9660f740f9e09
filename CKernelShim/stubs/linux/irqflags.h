/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: interrupt masking only moves the task in and out of atomic context. */
#ifndef _LINUX_IRQFLAGS_H
#define _LINUX_IRQFLAGS_H

#include "ksim/kernel.h"

#define local_irq_disable()		ksim_irq_disable()
#define local_irq_enable()		ksim_irq_enable()
#define local_irq_save(flags)		do { (flags) = 0; ksim_irq_disable(); } while (0)
#define local_irq_restore(flags)	do { (void)(flags); ksim_irq_enable(); } while (0)
#define irqs_disabled()			0

#endif
