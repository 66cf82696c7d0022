/* helper_leak.c: every get and put goes through one out-of-line helper, called from three places; one of them leaks. */
#include <refblame/ref.h>

#include <stdio.h>
#include <stdlib.h>

struct conn {
	refblame_ref_t ref;
	int id;
};

/* The only function that touches the count: what stacks must see past. */
__attribute__((noinline)) void conn_ref(struct conn *c, int delta)
{
	if (delta > 0)
		refblame_ref_inc(&c->ref); /* HELPER(conn_ref) */
	else
		refblame_ref_dec(&c->ref);
}

__attribute__((noinline)) void log_request(struct conn *c)
{
	conn_ref(c, +1);
	printf("request on %d\n", c->id);
	conn_ref(c, -1);
}

__attribute__((noinline)) void send_reply(struct conn *c)
{
	conn_ref(c, +1);
	c->id += 0;
	conn_ref(c, -1);
}

static volatile int pending_retries;

/* Keeps a reference for a retry that never runs: the leak. */
__attribute__((noinline)) void start_retry(struct conn *c)
{
	conn_ref(c, +1); /* LEAK(start_retry) */
	pending_retries++; /* not a tail call: start_retry stays on the stack */
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 4;
	for (int i = 0; i < rounds; i++) {
		struct conn *c = malloc(sizeof *c);
		c->id = i;
		refblame_obj_init(&c->ref, "conn", 0);
		log_request(c);
		send_reply(c);
		if (i % 2 == 0)
			start_retry(c); /* CALLS(start_retry) */
		log_request(c);
		refblame_obj_free(&c->ref);
		free(c);
	}
	return 0;
}
