/* refs_fork.c: test program for the recorder: a parent and a forked child both take traced references (optionally the child execs). */
#include <refblame/ref.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Usage: refs_fork OPS                  child forks without exec
 *        refs_fork OPS PROGRAM [ARGS]   child execs PROGRAM ARGS
 * Parent and child each init one object and take OPS inc/dec ops on it
 * (OPS even): OPS + 2 refblame events per process. Exits with the child's
 * status, 70 when the child did not exit normally.
 */
static void take_refs(const char *kind, long ops)
{
	refblame_ref_t ref;
	refblame_obj_init(&ref, kind, 1);
	for (long i = 0; i < ops; i += 2) {
		refblame_ref_inc(&ref);
		refblame_ref_dec(&ref);
	}
	refblame_obj_free(&ref);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OPS [PROGRAM ARGS...]\n", argv[0]);
		return 64;
	}
	long ops = atol(argv[1]);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 71;
	}
	if (pid == 0) {
		if (argc > 2) {
			execv(argv[2], argv + 2);
			perror(argv[2]);
			_exit(72);
		}
		take_refs("forked-child", ops);
		_exit(0);
	}
	take_refs("fork-parent", ops);
	int status;
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 73;
	}
	printf("refs_fork: parent=%d child=%d\n", (int)getpid(), (int)pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
}
