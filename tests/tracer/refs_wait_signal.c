/* refs_wait_signal.c: test program for the recorder: takes references, says it is ready, waits for a signal, records that it got it. */
#include <refblame/ref.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Usage: refs_wait_signal READY_FILE handle|default [PAIRS]
 * Inits an object and takes one ref (then takes and drops PAIRS more, default
 * 0), creates READY_FILE, then waits.
 * handle:  SIGINT/SIGTERM are caught; the program then drops its ref, frees
 *          the object and exits with 100 + the signal number.
 * default: the signals keep their default action (the program dies of it).
 * Gives up after 30 s with status 99.
 */
static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s READY_FILE handle|default [PAIRS]\n", argv[0]);
		return 64;
	}
	if (strcmp(argv[2], "handle") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	static refblame_ref_t ref;
	refblame_obj_init(&ref, "waiter", 1);
	refblame_ref_inc(&ref);
	for (long i = argc > 3 ? atol(argv[3]) : 0; i > 0; i--) {
		refblame_ref_inc(&ref);
		refblame_ref_dec(&ref);
	}
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 65;
	}
	fclose(f);
	for (int i = 0; i < 3000 && !got; i++)
		usleep(10000);
	if (!got)
		return 99;
	refblame_ref_dec(&ref);
	refblame_obj_free(&ref);
	return 100 + got;
}
