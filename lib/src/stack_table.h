/* stack_table.h: call-stack ids for traced ops: REFBLAME_STACK, per-process deduplication, the refblame:stack event. */
#ifndef REFBLAME_STACK_TABLE_H
#define REFBLAME_STACK_TABLE_H

#include <stdint.h>

/* Most frames a stack records (REFBLAME_STACK is clamped to it). */
#define REFBLAME_STACK_MAX 64

/* Frames per stack from REFBLAME_STACK, read once at library init; 0: caller only. */
extern unsigned refblame__stack_depth;

/*
 * The id of the call stack above `caller` (the traced op's return address),
 * 0 when none could be taken. A stack seen for the first time in this
 * process is written as a refblame:stack event before this returns, so it
 * precedes, in time, every op event that carries its id.
 */
uint32_t refblame__stack_capture(const void *caller);

/* What a traced slow path records as `stack`: nothing unless stacks are on. */
#define REFBLAME_STACK_ID(caller) \
	(__builtin_expect(refblame__stack_depth != 0, 0) ? refblame__stack_capture(caller) : 0u)

#endif /* REFBLAME_STACK_TABLE_H */
