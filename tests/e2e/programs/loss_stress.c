/* loss_stress.c: e2e target for lost events: 8 threads churn tracked references while quiet objects live before and
 * after the churn and in a quiet child process; prints the true holders of every failed freeze and every leak. */
#define _GNU_SOURCE
#include <refblame/ref.h>

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Output, one line each, read by tests/e2e/loss_test.py:
 *   FREEZE <pid> <object> <tag> <phase> <site>:<holder> ...   (the refs open at a failed freeze)
 *   LEAK <pid> <object> <phase> <site>:<holder> ...            (the refs still open at exit)
 *   RELEASED <pid> <object> <phase>                            (freed with nothing held)
 * <site> names a SITE(...) marker below; <holder> is 0 for an anonymous reference. Every freeze expects 1
 * (the initial reference) and fails; <tag> is a holder used only by that freeze's refs, which names it. */

#define THREADS 8
#define OBJS_PER_THREAD 4
#define SLOTS 4
#define QUIET_OBJS 6
#define FREEZE_EVERY 64

struct truth {
	void *obj;
	void *a, *b, *tag; /* the tracked holders at the freeze */
};

struct worker {
	int index;
	long iters;
	refblame_ref_t objs[OBJS_PER_THREAD];
	char slot_a[SLOTS], slot_b[SLOTS]; /* holder identities (addresses) */
	struct truth *freezes;
	long nfreezes;
};

static struct worker workers[THREADS];

static void *churn(void *arg)
{
	struct worker *w = arg;
	for (long i = 0; i < w->iters; i++) {
		refblame_ref_t *o = &w->objs[i % OBJS_PER_THREAD];
		void *a = &w->slot_a[(i / OBJS_PER_THREAD) % SLOTS]; /* holders rotate: a lost get+put pair shows */
		void *b = &w->slot_b[(i / OBJS_PER_THREAD) % SLOTS];
		refblame_ref_get(o, a); /* SITE(stress_get_a) */
		refblame_ref_get(o, b); /* SITE(stress_get_b) */
		if (i % FREEZE_EVERY == FREEZE_EVERY - 1) {
			/* a holder identity of this freeze alone (holders are opaque: it need not point anywhere) */
			void *tag = (void *)(uintptr_t)(0x7a9000000ul + ((unsigned long)w->index << 20) + (unsigned long)i);
			refblame_ref_get(o, tag); /* SITE(stress_tag) */
			if (!refblame_ref_freeze(o, 1))
				w->freezes[w->nfreezes++] = (struct truth){o, a, b, tag};
			refblame_ref_put(o, tag);
		}
		refblame_ref_put(o, b);
		refblame_ref_put(o, a);
	}
	return NULL;
}

/* One traced op on the CPU it is pinned to. In discard mode a full ring buffer drops events while its last
 * packet stays open; the next event written on that CPU closes the packet, which ends the loss's time range. */
static void *close_packet(void *arg)
{
	refblame_ref_t *scratch = arg;
	refblame_ref_inc(scratch);
	refblame_ref_dec(scratch);
	return NULL;
}

static void close_packets_on_every_cpu(void)
{
	static refblame_ref_t scratch;
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof cpus, &cpus) != 0)
		exit(71);
	refblame_obj_init(&scratch, "flush", 1);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &cpus))
			continue;
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		pthread_attr_t attr;
		pthread_t t;
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof one, &one);
		if (pthread_create(&t, &attr, close_packet, &scratch) != 0)
			exit(71);
		pthread_join(t, NULL);
		pthread_attr_destroy(&attr);
	}
	if (refblame_ref_dec_and_test(&scratch))
		refblame_obj_free(&scratch);
}

/* A quiet object: initial reference, two tracked holders (b names the freeze), one failed freeze; `keep` leaves
 * holder a on it. */
static void quiet_object(refblame_ref_t *o, const char *phase, void *a, void *b, int keep)
{
	refblame_obj_init(o, "quiet", 1); /* SITE(quiet_init) */
	refblame_ref_get(o, a);           /* SITE(quiet_get_a) */
	refblame_ref_get(o, b);           /* SITE(quiet_get_b) */
	if (refblame_ref_freeze(o, 1))
		exit(70);
	printf("FREEZE %d %p %p %s quiet_init:0 quiet_get_a:%p quiet_get_b:%p\n", (int)getpid(), (void *)o, b, phase, a,
	       b);
	refblame_ref_put(o, b);
	if (keep) {
		printf("LEAK %d %p %s quiet_init:0 quiet_get_a:%p\n", (int)getpid(), (void *)o, phase, a);
		return;
	}
	refblame_ref_put(o, a);
	if (refblame_ref_dec_and_test(o))
		refblame_obj_free(o);
	printf("RELEASED %d %p %s\n", (int)getpid(), (void *)o, phase);
}

/* The quiet process: its own buffers, a few slow operations while the parent churns. */
static int quiet_child(int go, int done)
{
	static refblame_ref_t objs[QUIET_OBJS];
	static char holders[QUIET_OBJS][2];
	char c;
	if (read(go, &c, 1) != 1)
		return 71;
	for (int i = 0; i < QUIET_OBJS; i++) {
		quiet_object(&objs[i], "child", &holders[i][0], &holders[i][1], i % 2);
		usleep(2000);
	}
	if (read(done, &c, 1) != 1)
		return 71;
	fflush(stdout);
	return 0;
}

/* Usage: loss_stress [ITERS]: ITERS churn iterations per thread (default 20000). */
int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	static refblame_ref_t before[QUIET_OBJS], after[QUIET_OBJS];
	static char before_h[QUIET_OBJS][2], after_h[QUIET_OBJS][2];
	setvbuf(stdout, NULL, _IOFBF, 1 << 20); /* printed at the end, after the child's */

	int go[2], done[2];
	if (pipe(go) != 0 || pipe(done) != 0)
		return 71;
	pid_t child = fork();
	if (child < 0)
		return 71;
	if (child == 0)
		return quiet_child(go[0], done[0]);

	/* Before the churn: quiet objects finished and freed (one left holding a reference). */
	for (int i = 0; i < QUIET_OBJS; i++)
		quiet_object(&before[i], "before", &before_h[i][0], &before_h[i][1], i == 0);
	usleep(100000);

	pthread_t threads[THREADS];
	for (int t = 0; t < THREADS; t++) {
		struct worker *w = &workers[t];
		w->index = t;
		w->iters = iters;
		w->freezes = calloc((size_t)(iters / FREEZE_EVERY + 1), sizeof *w->freezes);
		for (int j = 0; j < OBJS_PER_THREAD; j++)
			refblame_obj_init(&w->objs[j], "churned", 1); /* SITE(stress_init) */
	}
	if (write(go[1], "g", 1) != 1)
		return 71;
	for (int t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, churn, &workers[t]);
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	usleep(50000); /* the consumer drains the buffers */
	close_packets_on_every_cpu();
	usleep(50000);

	/* After the churn: the same again. */
	for (int i = 0; i < QUIET_OBJS; i++)
		quiet_object(&after[i], "after", &after_h[i][0], &after_h[i][1], i % 2);
	if (write(done[1], "d", 1) != 1)
		return 71;
	int status = 0; /* the child's lines first: two processes' writes to one pipe may otherwise interleave */
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 72;

	for (int t = 0; t < THREADS; t++) {
		struct worker *w = &workers[t];
		for (long k = 0; k < w->nfreezes; k++) {
			struct truth *f = &w->freezes[k];
			printf("FREEZE %d %p %p stress stress_init:0 stress_get_a:%p stress_get_b:%p stress_tag:%p\n",
			       (int)getpid(), f->obj, f->tag, f->a, f->b, f->tag);
		}
		for (int j = 0; j < OBJS_PER_THREAD; j++) {
			refblame_ref_t *o = &w->objs[j];
			if (refblame_ref_dec_and_test(o))
				refblame_obj_free(o);
			printf("RELEASED %d %p stress\n", (int)getpid(), (void *)o);
		}
		free(w->freezes);
	}
	fflush(stdout);
	return 0;
}
