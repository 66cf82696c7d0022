/* fork.c: keeps tracing right across fork() without exec: the child re-registers with LTTng as its own process. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <lttng/ust-fork.h>
#include <pthread.h>
#include <signal.h>

/*
 * Without this a forked child keeps writing into its parent's buffers with
 * its parent's cached vpid/vtid, so its references would be blamed on the
 * parent. These are the hooks liblttng-ust-fork.so calls from its fork()
 * wrapper; registering them with pthread_atfork makes every program that
 * links librefblame fork-safe without an LD_PRELOAD (which would load
 * lttng-ust into every process of a traced process tree). posix_spawn,
 * system and vfork run no handlers, and their child execs at once.
 */
static __thread sigset_t saved_sigset;

static void before_fork(void)
{
	lttng_ust_before_fork(&saved_sigset);
}

static void after_fork_parent(void)
{
	lttng_ust_after_fork_parent(&saved_sigset);
}

static void after_fork_child(void)
{
	lttng_ust_after_fork_child(&saved_sigset);
}

__attribute__((constructor)) static void refblame_fork_hooks_init(void)
{
	/* liblttng-ust-fork.so, when preloaded, already runs these hooks around fork(). */
	void *fork_wrapper = dlopen("liblttng-ust-fork.so.1", RTLD_LAZY | RTLD_NOLOAD);
	if (fork_wrapper) {
		dlclose(fork_wrapper);
		return;
	}
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
