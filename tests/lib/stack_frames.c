/* stack_frames.c: the same ops from one fixed call chain, many times, in a process and its forked child; each call line is marked FRAME(function). */
#define _GNU_SOURCE
#include <refblame/ref.h>

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static refblame_ref_t ref;
static volatile int sink;

/* Every op of the program is here (not tail calls: each function does more after its call). */
__attribute__((noinline)) void inner(int n)
{
	refblame_ref_inc(&ref); /* OP(inner) */
	refblame_ref_dec(&ref); /* OP(inner) */
	sink += n;
}

__attribute__((noinline)) void middle(int n)
{
	inner(n); /* FRAME(middle) */
	sink++;
}

__attribute__((noinline)) void outer(int n)
{
	middle(n); /* FRAME(outer) */
	sink++;
}

static int print_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	printf("BIAS 0x%lx\n", (unsigned long)info->dlpi_addr);
	return 1; /* the first entry is the executable */
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1000;
	dl_iterate_phdr(print_bias, NULL);
	fflush(stdout);
	refblame_obj_init(&ref, "chain", 1);
	for (int i = 0; i < rounds; i++)
		outer(i); /* FRAME(main) */
	pid_t child = fork();
	if (child == 0) {
		/* Its own trace: every stack it uses must be written again, there. */
		for (int i = 0; i < 10; i++)
			outer(i); /* FRAME(main) */
		_exit(0);
	}
	printf("CHILD %d\n", (int)child);
	int status = 0;
	waitpid(child, &status, 0);
	refblame_obj_free(&ref);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
