/* refs_workload.c: test program for the recorder: THREADS threads each take OPS traced refcount ops on their own object, then exit with STATUS. */
#include <refblame/ref.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * Usage: refs_workload THREADS OPS [STATUS]
 * Each thread: obj_init, OPS inc/dec ops (OPS/2 pairs, OPS must be even),
 * obj_free: OPS + 2 refblame events per thread. Prints the ops loop time.
 */
static long ops_per_thread;

static void *worker(void *arg)
{
	refblame_ref_t ref;
	(void)arg;
	refblame_obj_init(&ref, "workload", 1);
	for (long i = 0; i < ops_per_thread; i += 2) {
		refblame_ref_inc(&ref);
		refblame_ref_dec(&ref);
	}
	refblame_obj_free(&ref);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s THREADS OPS [STATUS]\n", argv[0]);
		return 64;
	}
	int threads = atoi(argv[1]);
	ops_per_thread = atol(argv[2]);
	int status = argc > 3 ? atoi(argv[3]) : 0;
	if (threads < 1 || threads > 256 || ops_per_thread < 0 || ops_per_thread % 2) {
		fprintf(stderr, "%s: THREADS in 1..256, OPS even and >= 0\n", argv[0]);
		return 64;
	}
	pthread_t tid[256];
	double start = now_s();
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	printf("refs_workload: threads=%d ops=%ld seconds=%.6f\n", threads, ops_per_thread, now_s() - start);
	return status;
}
