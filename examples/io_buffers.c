/* io_buffers.c: multi-threaded I/O buffers whose recycling fails after retries (example 3). */
/*
 * A pool of buffers, each holding one reference for the pool. Two submitter
 * threads send requests: each request takes a reference on its buffer, and
 * the completion thread drops it when the device finishes, so references are
 * taken on one thread and released on another. After the run, the pool
 * recycles every buffer: a freeze at count 1 (only the pool's reference).
 *
 * The planted bug: when the device reports a transient error, the retry path
 * resubmits the request and takes a second reference, but completion drops
 * one reference per request, not per submission. Every retried buffer keeps
 * one reference and cannot be recycled; `refblame blockers` names
 * retry_request and the line of its refblame_ref_inc.
 */
#include <refblame/ref.h>

#include <pthread.h>
#include <stdio.h>

#define NR_BUFFERS 64
#define NR_SUBMITTERS 2
#define REQUESTS_PER_SUBMITTER 400
#define QUEUE_LEN 32

struct buffer {
	refblame_ref_t ref;
	int id;
	int retried;
	char data[256];
};

struct request {
	struct buffer *buf;
	int attempt;
};

static struct buffer buffers[NR_BUFFERS];

/* A bounded queue from the submitters to the completion thread. */
static struct request queue[QUEUE_LEN];
static int q_head, q_tail, q_len, submitters_left = NR_SUBMITTERS;
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_nonempty = PTHREAD_COND_INITIALIZER, q_nonfull = PTHREAD_COND_INITIALIZER;
static int retries; /* completion thread only */

static void queue_push(struct request rq)
{
	pthread_mutex_lock(&q_lock);
	while (q_len == QUEUE_LEN)
		pthread_cond_wait(&q_nonfull, &q_lock);
	queue[q_tail] = rq;
	q_tail = (q_tail + 1) % QUEUE_LEN;
	q_len++;
	pthread_cond_signal(&q_nonempty);
	pthread_mutex_unlock(&q_lock);
}

/* Returns 0 when the queue is drained and every submitter is done. */
static int queue_pop(struct request *rq)
{
	pthread_mutex_lock(&q_lock);
	while (q_len == 0 && submitters_left > 0)
		pthread_cond_wait(&q_nonempty, &q_lock);
	int got = q_len > 0;
	if (got) {
		*rq = queue[q_head];
		q_head = (q_head + 1) % QUEUE_LEN;
		q_len--;
		pthread_cond_signal(&q_nonfull);
	}
	pthread_mutex_unlock(&q_lock);
	return got;
}

static void submit_request(struct buffer *b)
{
	refblame_ref_inc(&b->ref); /* the request's reference, dropped at completion */
	queue_push((struct request){ b, 0 });
}

/* Transient device error: resubmit the same request to the device. */
static struct request retry_request(struct request rq)
{
	refblame_ref_inc(&rq.buf->ref); /* PLANTED(retry_request): retry takes a second reference */
	rq.buf->retried = 1;
	rq.attempt++;
	retries++;
	return rq;
}

static void *submitter(void *arg)
{
	int first = *(int *)arg;
	for (int i = 0; i < REQUESTS_PER_SUBMITTER; i++)
		submit_request(&buffers[(first + i * 7) % NR_BUFFERS]);
	pthread_mutex_lock(&q_lock);
	submitters_left--;
	pthread_cond_broadcast(&q_nonempty);
	pthread_mutex_unlock(&q_lock);
	return NULL;
}

static void *completion(void *arg)
{
	struct request rq;
	(void)arg;
	unsigned seq = 0;
	while (queue_pop(&rq)) {
		rq.buf->data[0]++;
		/* The "device" fails a few first attempts; the retry then succeeds. */
		if (rq.attempt == 0 && ++seq % 97 == 0)
			rq = retry_request(rq); /* BUG: a retry should reuse the request's reference */
		refblame_ref_dec(&rq.buf->ref); /* I/O done: drop the request's reference */
	}
	return NULL;
}

int main(void)
{
	pthread_t subs[NR_SUBMITTERS], done;
	int firsts[NR_SUBMITTERS];
	for (int i = 0; i < NR_BUFFERS; i++) {
		buffers[i].id = i;
		refblame_obj_init(&buffers[i].ref, "io_buffer", 1); /* the pool's reference */
	}
	pthread_create(&done, NULL, completion, NULL);
	for (int i = 0; i < NR_SUBMITTERS; i++) {
		firsts[i] = i * 5;
		pthread_create(&subs[i], NULL, submitter, &firsts[i]);
	}
	for (int i = 0; i < NR_SUBMITTERS; i++)
		pthread_join(subs[i], NULL);
	pthread_join(done, NULL);

	int recycled = 0, busy = 0;
	for (int i = 0; i < NR_BUFFERS; i++) {
		if (refblame_ref_freeze(&buffers[i].ref, 1)) {
			recycled++;
			refblame_ref_unfreeze(&buffers[i].ref, 1);
		} else {
			busy++;
		}
	}
	printf("io: %d requests, %d retried\n", NR_SUBMITTERS * REQUESTS_PER_SUBMITTER, retries);
	printf("recycle: %d/%d buffers recycled, %d busy\n", recycled, NR_BUFFERS, busy);
	return 0;
}
