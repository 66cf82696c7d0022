/* stack_table.c: stack ids for traced ops: REFBLAME_STACK, deduplication (thread-local cache before a shared table), one refblame:stack event per distinct stack. */
#define _GNU_SOURCE
#include "stack_table.h"

#include "refblame_tp.h"
#include "stack_walk.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned refblame__stack_depth;

/* REFBLAME_STACK_WALK: how stacks are taken. */
enum walk_mode {
	WALK_AUTO,      /* frame pointers, checked against libunwind once per distinct walk */
	WALK_FP,        /* frame pointers only, unchecked (code known to keep them) */
	WALK_LIBUNWIND, /* libunwind only (code without frame pointers) */
};
static enum walk_mode walk_mode = WALK_AUTO;

/*
 * Two maps, each a 64-bit hash -> stack id:
 *   by_walk:   what a frame-pointer walk saw -> the stack it stands for, and
 *              whether that walk was checked against libunwind and agreed
 *              (trusted: later identical walks need no libunwind);
 *   by_frames: the frames recorded -> their id (each written once).
 * Hashes are 64 bits; two different stacks sharing one is not guarded against.
 */
struct slot {
	uint64_t key; /* 0: empty */
	uint32_t id;
	uint32_t trusted;
};

struct table {
	struct slot *slots;
	size_t mask; /* capacity - 1 */
	size_t used;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct table by_walk, by_frames;
static uint32_t next_id = 1;
/* Walks that libunwind contradicted: past this many, frame pointers are not kept here. */
#define UNTRUSTED_WALKS_MAX 256
static unsigned untrusted_walks;
/* Frames libunwind finds past the end of a frame-pointer chain in glibc (__libc_start_main, _start; clone3). */
#define START_FRAMES_MAX 3
static int fp_walk_off;

/* Per thread, in front of the tables: direct-mapped, no lock. */
#define WALK_CACHE 128
#define FRAMES_CACHE 64
struct thread_cache {
	struct slot walk[WALK_CACHE];
	struct slot frames[FRAMES_CACHE];
	int busy; /* a signal handler's op while this thread captures: no stack */
};
static __thread struct thread_cache tcache;

static inline uint64_t hash_frames(const uint64_t *f, unsigned n, uint64_t seed)
{
	uint64_t h = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ull);
	for (unsigned i = 0; i < n; i++) {
		h = (h ^ f[i]) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h ? h : 1;
}

static struct slot *table_find(const struct table *t, uint64_t key)
{
	if (!t->slots)
		return NULL;
	for (size_t i = key & t->mask;; i = (i + 1) & t->mask) {
		if (t->slots[i].key == key)
			return &t->slots[i];
		if (t->slots[i].key == 0)
			return NULL;
	}
}

/* Inserts a key known to be absent; 0 when out of memory. */
static int table_insert(struct table *t, struct slot s)
{
	if (!t->slots || (t->used + 1) * 2 > t->mask + 1) {
		size_t cap = t->slots ? (t->mask + 1) * 2 : 256;
		struct slot *slots = calloc(cap, sizeof *slots);
		if (!slots)
			return 0;
		for (size_t i = 0; t->slots && i <= t->mask; i++) {
			if (!t->slots[i].key)
				continue;
			size_t j = t->slots[i].key & (cap - 1);
			while (slots[j].key)
				j = (j + 1) & (cap - 1);
			slots[j] = t->slots[i];
		}
		free(t->slots);
		t->slots = slots;
		t->mask = cap - 1;
	}
	size_t i = s.key & t->mask;
	while (t->slots[i].key)
		i = (i + 1) & t->mask;
	t->slots[i] = s;
	t->used++;
	return 1;
}

/* The id of `frames`, written as a refblame:stack event when new. Takes the lock. */
static uint32_t frames_id(const uint64_t *frames, unsigned n, uint64_t key, const void *caller)
{
	uint32_t id = 0;
	pthread_mutex_lock(&table_lock);
	struct slot *s = table_find(&by_frames, key);
	if (s) {
		id = s->id;
	} else if (next_id != 0 && table_insert(&by_frames, (struct slot){key, next_id, 1})) {
		id = next_id++;
		/* Under the lock: no thread can use the id before its definition is written. */
		lttng_ust_tracepoint(refblame, stack, id, frames, n, caller);
	}
	pthread_mutex_unlock(&table_lock);
	return id;
}

/* The id of `frames`, from the thread's cache when it has it. */
static uint32_t cached_id(struct thread_cache *c, const uint64_t *frames, unsigned n, const void *caller)
{
	if (n == 0)
		return 0;
	uint64_t key = hash_frames(frames, n, 0);
	struct slot *s = &c->frames[key & (FRAMES_CACHE - 1)];
	if (s->key != key)
		*s = (struct slot){key, frames_id(frames, n, key, caller), 1};
	return s->id;
}

/* The id of the stack libunwind finds above `caller` (`fallback` when it finds none). */
static uint32_t unwound_id(struct thread_cache *c, const void *caller, const uint64_t *fallback, unsigned nfallback)
{
	uint64_t u[REFBLAME_STACK_MAX];
	int m = refblame__walk_libunwind(caller, u, refblame__stack_depth);
	return m >= 0 ? cached_id(c, u, (unsigned)m, caller) : cached_id(c, fallback, nfallback, caller);
}

/*
 * A frame-pointer walk not seen before: libunwind says whether it can be
 * trusted (a function without frame pointers hides its caller from the walk
 * and makes the two differ). Returns what the thread caches for this walk;
 * `*event_id` is the id of this event's own stack, the one libunwind took.
 */
static struct slot first_walk(const void *caller, const uint64_t *f, unsigned k, int full, uint64_t sig,
			      uint32_t *event_id)
{
	/* A few frames more than recorded: past an ended chain only start routines may follow. */
	uint64_t u[REFBLAME_STACK_MAX + START_FRAMES_MAX + 1];
	const unsigned depth = refblame__stack_depth;
	int m = refblame__walk_libunwind(caller, u, depth + START_FRAMES_MAX + 1);
	int trusted = m < 0 || ((unsigned)m >= k && memcmp(u, f, k * sizeof *f) == 0 &&
				(full || (unsigned)m - k <= START_FRAMES_MAX));
	if (m > (int)depth)
		m = (int)depth;
	const uint64_t *frames = m >= 0 ? u : f;
	unsigned n = m >= 0 ? (unsigned)m : k;
	*event_id = n > 0 ? frames_id(frames, n, hash_frames(frames, n, 0), caller) : 0;

	struct slot walk = {sig, *event_id, (uint32_t)trusted};
	pthread_mutex_lock(&table_lock);
	struct slot *known = table_find(&by_walk, sig);
	if (known)
		walk = *known; /* another thread was first */
	else if (table_insert(&by_walk, walk) && !trusted && ++untrusted_walks > UNTRUSTED_WALKS_MAX)
		__atomic_store_n(&fp_walk_off, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&table_lock);
	return walk;
}

/* The stack id of one op, taken as walk_mode says. */
static uint32_t capture(struct thread_cache *c, const void *caller)
{
	if (walk_mode == WALK_LIBUNWIND || __atomic_load_n(&fp_walk_off, __ATOMIC_RELAXED))
		return unwound_id(c, caller, NULL, 0);

	uint64_t f[REFBLAME_STACK_MAX];
	unsigned k = 0;
	enum refblame_walk_end end = refblame__walk_frame_pointers(caller, f, refblame__stack_depth, &k);
	if (walk_mode == WALK_FP) /* as the frame pointers say, unchecked */
		return cached_id(c, f, end == REFBLAME_WALK_UNUSABLE ? 0 : k, caller);
	if (end == REFBLAME_WALK_BROKEN || end == REFBLAME_WALK_UNUSABLE) /* past a broken chain: libunwind */
		return unwound_id(c, caller, f, end == REFBLAME_WALK_BROKEN ? k : 0);

	/* The caller names the first function the walk went through: part of what it saw. */
	uint64_t sig = hash_frames(f, k, (uintptr_t)caller ^ (end == REFBLAME_WALK_FULL ? 0x5157u : 0xe2du));
	struct slot *s = &c->walk[sig & (WALK_CACHE - 1)];
	if (s->key != sig) {
		pthread_mutex_lock(&table_lock);
		struct slot *known = table_find(&by_walk, sig);
		struct slot copy = known ? *known : (struct slot){0, 0, 0};
		pthread_mutex_unlock(&table_lock);
		if (!known) {
			uint32_t id;
			*s = first_walk(caller, f, k, end == REFBLAME_WALK_FULL, sig, &id);
			return id;
		}
		*s = copy;
	}
	return s->trusted ? s->id : unwound_id(c, caller, NULL, 0);
}

__attribute__((noinline)) uint32_t refblame__stack_capture(const void *caller)
{
	/* A session recording ops but not refblame:stack could not read the ids. */
	if (!lttng_ust_tracepoint_enabled(refblame, stack))
		return 0;
	struct thread_cache *c = &tcache;
	if (c->busy)
		return 0;
	c->busy = 1;
	uint32_t id = capture(c, caller);
	c->busy = 0;
	return id;
}

/* REFBLAME_STACK: frames per stack, read once. A bad value is reported, not guessed at. */
static void read_stack_depth(void)
{
	const char *v = getenv("REFBLAME_STACK");
	if (!v || !*v)
		return;
	char *end = NULL;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 0) {
		fprintf(stderr, "refblame: REFBLAME_STACK='%s' is not a number of frames (0 to %d): recording without "
				"call stacks\n", v, REFBLAME_STACK_MAX);
		return;
	}
	if (n > REFBLAME_STACK_MAX) {
		fprintf(stderr, "refblame: REFBLAME_STACK=%ld: recording %d frames, the most refblame records\n", n,
			REFBLAME_STACK_MAX);
		n = REFBLAME_STACK_MAX;
	}
	refblame__stack_depth = (unsigned)n;
}

/* fork(): the child's trace is its own, so its stacks start over (and are written again). */
static void before_fork(void)
{
	pthread_mutex_lock(&table_lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&table_lock);
}

static void after_fork_child(void)
{
	free(by_walk.slots);
	free(by_frames.slots);
	memset(&by_walk, 0, sizeof by_walk);
	memset(&by_frames, 0, sizeof by_frames);
	next_id = 1;
	untrusted_walks = 0;
	fp_walk_off = 0;
	memset(&tcache, 0, sizeof tcache); /* only the forking thread lives on in the child */
	pthread_mutex_init(&table_lock, NULL);
}

/* REFBLAME_STACK_WALK=auto|fp|libunwind. */
static void read_walk_mode(void)
{
	const char *v = getenv("REFBLAME_STACK_WALK");
	if (!v || !*v || strcmp(v, "auto") == 0)
		return;
	if (strcmp(v, "fp") == 0)
		walk_mode = WALK_FP;
	else if (strcmp(v, "libunwind") == 0)
		walk_mode = WALK_LIBUNWIND;
	else
		fprintf(stderr, "refblame: REFBLAME_STACK_WALK='%s' is not auto, fp or libunwind: using auto\n", v);
}

__attribute__((constructor)) static void refblame_stack_init(void)
{
	read_stack_depth();
	read_walk_mode();
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
