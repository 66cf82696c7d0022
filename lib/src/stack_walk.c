/* stack_walk.c: collecting the return addresses above a traced op's caller: a checked frame-pointer walk, libunwind as the fallback. */
#define _GNU_SOURCE
#include "stack_walk.h"

#include <pthread.h>
#include <stddef.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

/* Frames of refblame's own between the walkers and the traced slow path. */
#define OWN_FRAMES_MAX 6
/* A return address or frame pointer below this is not one (null page, small integers). */
#define MIN_CODE_ADDRESS 4096u

/* The calling thread's stack, looked up once per thread. */
struct stack_bounds {
	uintptr_t lo, hi;
	int state; /* 0: not looked up yet, 1: known, -1: unknown */
};
static __thread struct stack_bounds bounds;

static const struct stack_bounds *thread_stack(void)
{
	if (bounds.state == 0) {
		pthread_attr_t attr;
		void *addr = NULL;
		size_t size = 0;
		bounds.state = -1;
		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 0) {
				bounds.lo = (uintptr_t)addr;
				bounds.hi = (uintptr_t)addr + size;
				bounds.state = 1;
			}
			pthread_attr_destroy(&attr);
		}
	}
	return &bounds;
}

/* A saved frame pointer `next` that can follow `fp` on this stack. */
static inline int plausible_frame(uintptr_t next, uintptr_t fp, const struct stack_bounds *b)
{
	return next > fp && next <= b->hi - 2 * sizeof(uintptr_t) && (next & (sizeof(uintptr_t) - 1)) == 0;
}

/*
 * Reads saved frame pointers and return addresses: ASan must not see these
 * loads (they are not the program's objects), and a frame is only read once
 * checked to lie within the thread's stack.
 */
__attribute__((noinline, no_sanitize_address)) enum refblame_walk_end
refblame__walk_frame_pointers(const void *caller, uint64_t *out, unsigned max, unsigned *n)
{
	*n = 0;
#if defined(__x86_64__) || defined(__aarch64__)
	/* Both keep {saved frame pointer, return address} at the frame pointer. */
	const struct stack_bounds *b = thread_stack();
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	if (b->state != 1 || fp < b->lo || fp >= b->hi)
		return REFBLAME_WALK_UNUSABLE; /* another stack (coroutine, signal stack) */

	/* Up our own frames to the slow path's: the one returning to `caller`. */
	int found = 0;
	for (int i = 0; i < OWN_FRAMES_MAX; i++) {
		const uintptr_t *frame = (const uintptr_t *)fp;
		if (frame[1] == (uintptr_t)caller) {
			found = 1;
			break;
		}
		if (!plausible_frame(frame[0], fp, b))
			return REFBLAME_WALK_UNUSABLE;
		fp = frame[0];
	}
	if (!found)
		return REFBLAME_WALK_UNUSABLE;

	/* fp: the slow path's frame; its saved frame pointer is the caller's. */
	while (*n < max) {
		uintptr_t next = ((const uintptr_t *)fp)[0];
		/* The outermost frames clear it (thread start) or leave a small value (glibc's main caller). */
		if (next < MIN_CODE_ADDRESS)
			return REFBLAME_WALK_END;
		if (!plausible_frame(next, fp, b))
			return REFBLAME_WALK_BROKEN;
		uintptr_t ret = ((const uintptr_t *)next)[1];
		if (ret < MIN_CODE_ADDRESS)
			return REFBLAME_WALK_BROKEN;
		out[(*n)++] = ret;
		fp = next;
	}
	return REFBLAME_WALK_FULL;
#else
	(void)caller;
	(void)out;
	(void)max;
	return REFBLAME_WALK_UNUSABLE;
#endif
}

__attribute__((noinline)) int refblame__walk_libunwind(const void *caller, uint64_t *out, unsigned max)
{
	enum { own = OWN_FRAMES_MAX + 4, cap = REFBLAME_WALK_MAX + own };
	void *ips[cap];
	unsigned want = max + own < cap ? max + own : cap;
	int got = unw_backtrace(ips, (int)want);
	for (int i = 0; i < got && i < own; i++) {
		if (ips[i] != caller)
			continue;
		int m = 0;
		for (int j = i + 1; j < got && (unsigned)m < max; j++)
			out[m++] = (uint64_t)(uintptr_t)ips[j];
		return m;
	}
	return -1;
}
