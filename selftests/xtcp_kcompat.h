/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel type names for userspace builds of the module's pure logic
 * (module/xtcp_seq.h, module/xtcp_wire.h, ...), which use u8..u64, bool
 * and U32_MAX as the kernel spells them.  Forced in with -include.
 */
#ifndef _XTCP_KCOMPAT_H
#define _XTCP_KCOMPAT_H

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#define U32_MAX UINT32_MAX

/* <linux/math64.h>: a plain division where u64 divides natively. */
static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

#endif /* _XTCP_KCOMPAT_H */
