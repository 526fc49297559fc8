// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_widen - test only: hold open the window in which a new child
 * socket is on its listener's accept queue and softirq has yet to lock
 * it for the rest of the final ACK (issue 15, item 2).
 *
 * That window is a few instructions wide, too narrow for a race test to
 * hit.  This module, loaded by xtcp_race's accept_in_widened_window and
 * never part of xtcp.ko, makes each child of the listener on @port go
 * through it in a fixed order, with kprobes on kernel functions only
 * (the module's own functions differ between versions and may be
 * inlined):
 *
 *   sk_clone_lock() returns, in softirq, a child of @port (IPv4 or
 *	IPv6): ARMED
 *   softirq is about to lock the child's sk_lock.slock (_raw_spin_lock
 *	or _raw_spin_lock_nested): WAITING; it waits for the user
 *   accept() owns the child, inet_accept() calls release_sock() on it:
 *	OWNED; the user waits there, owning it, for the other side
 *   softirq takes the lock: LOCKING; it processes or backlogs the segment
 *   softirq is about to unlock it: it counts where the segment went,
 *	the backlog (@backlogged) or the state machine, run under
 *	bh_lock_sock() while the user owned the socket (@rcv_owned, the
 *	defect); UNLOCKING
 *   the user sees the lock free and goes on: @widened, IDLE
 *
 * Every wait is bounded by @wait_ms (then @timeouts counts it), so that
 * a test that does not play its part fails instead of hanging.  The
 * waits spin: softirq cannot sleep, nor can a kprobe handler.
 */
#include <linux/atomic.h>
#include <linux/in.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <net/inet_sock.h>
#include <net/sock.h>

static ushort port;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "listening port whose children are held (required)");

static uint proto = 253;
module_param(proto, uint, 0444);
MODULE_PARM_DESC(proto, "IP protocol number of xtcp (253)");

static uint wait_ms = 2000;
module_param(wait_ms, uint, 0444);
MODULE_PARM_DESC(wait_ms, "longest wait of either side, in ms (2000)");

static atomic_t widened, backlogged, rcv_owned, timeouts;

static int widen_get_count(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops widen_count_ops = {
	.get = widen_get_count,
};

module_param_cb(widened, &widen_count_ops, &widened, 0444);
MODULE_PARM_DESC(widened, "children taken through the whole sequence");
module_param_cb(backlogged, &widen_count_ops, &backlogged, 0444);
MODULE_PARM_DESC(backlogged, "segments backlogged while the user owned the child");
module_param_cb(rcv_owned, &widen_count_ops, &rcv_owned, 0444);
MODULE_PARM_DESC(rcv_owned, "segments processed in softirq while the user owned the child");
module_param_cb(timeouts, &widen_count_ops, &timeouts, 0444);
MODULE_PARM_DESC(timeouts, "waits that gave up after wait_ms");

enum {
	WIDEN_IDLE,
	WIDEN_ARMED,
	WIDEN_WAITING,
	WIDEN_OWNED,
	WIDEN_LOCKING,
	WIDEN_UNLOCKING,
};

static atomic_t stage = ATOMIC_INIT(WIDEN_IDLE);
/*
 * The child being held: compared with addresses, and read only where
 * softirq holds its lock and a reference (widen_unlock_pre()).
 */
static struct sock *armed_sk;

static u64 widen_deadline(void)
{
	return ktime_get_mono_fast_ns() + (u64)wait_ms * NSEC_PER_MSEC;
}

/* Spin until the stage is @want; false after wait_ms. */
static bool widen_wait(int want)
{
	u64 end = widen_deadline();

	while (atomic_read_acquire(&stage) != want) {
		if (ktime_get_mono_fast_ns() > end)
			return false;
		cpu_relax();
	}
	return true;
}

/* Is @regs's first argument the armed child's sk_lock.slock? */
static struct sock *widen_lock_of_armed(struct pt_regs *regs)
{
	struct sock *sk = READ_ONCE(armed_sk);

	if (!sk || (void *)regs_get_kernel_argument(regs, 0) !=
		   (void *)&sk->sk_lock.slock)
		return NULL;
	return in_serving_softirq() ? sk : NULL;
}

static int widen_clone_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_return_value(regs);
	int s;

	/*
	 * The copy still has the listener's family, port and protocol;
	 * IPv6's children (and v4-mapped ones, AF_INET6 too) take the
	 * same path through sk_clone_lock(), bh_lock_sock_nested() and
	 * inet_accept() as IPv4's.
	 */
	if (!sk || !in_serving_softirq() ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6) ||
	    sk->sk_protocol != proto || inet_sk(sk)->inet_num != port)
		return 0;
	s = atomic_read(&stage);
	if (s != WIDEN_IDLE && s != WIDEN_ARMED)
		return 0;
	WRITE_ONCE(armed_sk, sk);
	atomic_set_release(&stage, WIDEN_ARMED);
	return 0;
}

static int widen_lock_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (likely(!widen_lock_of_armed(regs)))
		return 0;
	if (atomic_cmpxchg(&stage, WIDEN_ARMED, WIDEN_WAITING) != WIDEN_ARMED)
		return 0;
	if (!widen_wait(WIDEN_OWNED) &&
	    atomic_cmpxchg(&stage, WIDEN_WAITING, WIDEN_IDLE) == WIDEN_WAITING) {
		atomic_inc(&timeouts);
		return 0;
	}
	atomic_set_release(&stage, WIDEN_LOCKING);
	return 0;
}

static int widen_unlock_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = widen_lock_of_armed(regs);

	if (likely(!sk) || atomic_read(&stage) != WIDEN_LOCKING)
		return 0;
	/*
	 * Softirq holds the child's lock (and a reference), its user owns
	 * it: either the segment waits on the backlog, or it went through
	 * the state machine here.
	 */
	if (READ_ONCE(sk->sk_backlog.tail))
		atomic_inc(&backlogged);
	else
		atomic_inc(&rcv_owned);
	atomic_set_release(&stage, WIDEN_UNLOCKING);
	return 0;
}

static int widen_release_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	u64 end;
	int s;

	if (likely(sk != READ_ONCE(armed_sk)) || !in_task())
		return 0;
	s = atomic_read(&stage);
	if (s != WIDEN_ARMED && s != WIDEN_WAITING)
		return 0;
	/* The user owns @sk: release_sock() has not begun. */
	if (!widen_wait(WIDEN_WAITING) ||
	    atomic_cmpxchg(&stage, WIDEN_WAITING, WIDEN_OWNED) !=
	    WIDEN_WAITING) {
		atomic_inc(&timeouts);
		return 0;
	}
	if (!widen_wait(WIDEN_UNLOCKING)) {
		atomic_inc(&timeouts);
		atomic_set(&stage, WIDEN_IDLE);
		return 0;
	}
	/*
	 * Softirq is about to unlock: let it, before release_sock() locks.
	 * A wait, not an assertion: lockdep has no way to say "until".
	 */
	end = widen_deadline();
	while (raw_spin_is_locked(&sk->sk_lock.slock.rlock)) {
		if (ktime_get_mono_fast_ns() > end) {
			atomic_inc(&timeouts);
			break;
		}
		cpu_relax();
	}
	WRITE_ONCE(armed_sk, NULL);
	atomic_inc(&widened);
	atomic_set_release(&stage, WIDEN_IDLE);
	return 0;
}

static struct kprobe widen_lock = {
	.symbol_name = "_raw_spin_lock",
	.pre_handler = widen_lock_pre,
};

/* bh_lock_sock_nested(), with lockdep. */
static struct kprobe widen_lock_nested = {
	.symbol_name = "_raw_spin_lock_nested",
	.pre_handler = widen_lock_pre,
};

static struct kprobe widen_unlock = {
	.symbol_name = "_raw_spin_unlock",
	.pre_handler = widen_unlock_pre,
};

static struct kprobe widen_release = {
	.symbol_name = "release_sock",
	.pre_handler = widen_release_pre,
};

static struct kprobe *widen_probes[] = {
	&widen_unlock, &widen_release, &widen_lock, &widen_lock_nested,
};

static struct kretprobe widen_clone = {
	.kp.symbol_name = "sk_clone_lock",
	.handler = widen_clone_ret,
	.maxactive = 16,
};

static int __init widen_init(void)
{
	int err;

	if (!port)
		return -EINVAL;
	err = register_kprobes(widen_probes, ARRAY_SIZE(widen_probes));
	if (err)
		return err;
	/* Last: nothing is armed before every probe is in place. */
	err = register_kretprobe(&widen_clone);
	if (err)
		unregister_kprobes(widen_probes, ARRAY_SIZE(widen_probes));
	return err;
}

static void __exit widen_exit(void)
{
	unregister_kretprobe(&widen_clone);
	unregister_kprobes(widen_probes, ARRAY_SIZE(widen_probes));
}

module_init(widen_init);
module_exit(widen_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp test only: hold a new child's first-segment window open");
