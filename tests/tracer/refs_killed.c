/* refs_killed.c: test program for the recorder: takes traced references, then dies of SIGKILL mid-run. */
#include <refblame/ref.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Usage: refs_killed OPS: obj_init, OPS inc ops (the object is never freed), then SIGKILL itself. */
int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OPS\n", argv[0]);
		return 64;
	}
	long ops = atol(argv[1]);
	static refblame_ref_t ref;
	refblame_obj_init(&ref, "killed", 1);
	for (long i = 0; i < ops; i++)
		refblame_ref_inc(&ref);
	kill(getpid(), SIGKILL);
	pause();
	return 0;
}
