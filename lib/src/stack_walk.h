/* stack_walk.h: collecting the return addresses above a traced op's caller (frame-pointer walk, libunwind fallback). */
#ifndef REFBLAME_STACK_WALK_H
#define REFBLAME_STACK_WALK_H

#include <stdint.h>

/* How a frame-pointer walk ended. */
enum refblame_walk_end {
	REFBLAME_WALK_FULL,     /* collected every frame asked for */
	REFBLAME_WALK_END,      /* reached the outermost frame (a null or tiny frame pointer) */
	REFBLAME_WALK_BROKEN,   /* a frame pointer failed validation: frames past it are unknown */
	REFBLAME_WALK_UNUSABLE, /* the traced slow path's own frame is not where it should be */
};

/*
 * Frame-pointer walk from the frame of the function calling this one (a
 * traced slow path of trace.c, compiled with frame pointers), whose return
 * address must be `caller`. Writes up to `max` return addresses above the
 * caller, innermost first, to `out` and their number to `*n`. Every frame
 * pointer is checked: inside the thread's stack, strictly above the previous
 * one, 8-byte aligned; a function built without frame pointers ends the walk
 * (BROKEN) or, when it leaves the register untouched, hides its caller (the
 * table's check against libunwind catches that).
 */
enum refblame_walk_end refblame__walk_frame_pointers(const void *caller, uint64_t *out, unsigned max,
						      unsigned *n);

/* Most frames a walk is asked for. */
#define REFBLAME_WALK_MAX 72

/*
 * The same frames from libunwind (DWARF CFI, works without frame pointers),
 * called from the same function as the frame-pointer walk. Returns the number
 * of frames written, or -1 when libunwind did not find `caller`.
 */
int refblame__walk_libunwind(const void *caller, uint64_t *out, unsigned max);

#endif /* REFBLAME_STACK_WALK_H */
