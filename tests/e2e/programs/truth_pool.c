/* truth_pool.c: a page pool that keeps its own record of who truly holds each reference, to score attribution. */
/*
 * The hard cases of DESIGN.md "Attribution" in one real program: readahead,
 * map and unmap on one thread (a newest-first rule gets them wrong), I/O
 * completions on another thread, map_page reached from two paths (two call
 * stacks, one site), unmap_page from two paths, an always-open page-cache
 * reference, and a DMA pin leaked on an error path (the planted holder).
 * Several compaction rounds find pages busy for different reasons: a
 * readahead or DMA still in flight (true, transient holders) or the leak.
 *
 * Every reference operation and its record in `truth` happen under the
 * page's lock, and so do a freeze and the snapshot taken when it fails: at
 * each failed freeze the program writes exactly who held the references, by
 * the function that took them, to the file named by argv[1]:
 *
 *     freeze <obj address> <count> <function>=<refs> ...
 *
 * Pages are freed at the end (unmapped, the page-cache reference dropped,
 * obj_free) unless KEEP is "keep": then every object's life is still open
 * when the trace ends, the harder case for pairing.
 *
 * Usage: truth_pool TRUTH_FILE [ROUNDS [KEEP]]
 */
#include <refblame/page_ref.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_PAGES 256
#define QUEUE_LEN 4096

enum holder { CACHE, READAHEAD, MAP, DMA, ISOLATE, NR_HOLDERS };
static const char *const holder_function[NR_HOLDERS] = {
	"alloc_page_cache", "readahead_submit", "map_page", "dma_submit", "migrate_page",
};

struct page {
	refblame_ref_t _refcount;
	pthread_mutex_t lock;
	int mapcount;
	int truth[NR_HOLDERS]; /* references held, by the function that took them */
};

static struct page pool[NR_PAGES];
static FILE *truth_file;
static unsigned rng = 12345;

static unsigned next_random(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 16;
}

/* Every op below is done under the page's lock, with its truth record. */
static void alloc_page_cache(struct page *p)
{
	pthread_mutex_init(&p->lock, NULL);
	init_page_count(p);
	p->truth[CACHE] = 1;
}

static void readahead_submit(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	page_ref_inc(p);
	p->truth[READAHEAD]++;
	pthread_mutex_unlock(&p->lock);
}

static void readahead_end_io(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	page_ref_dec(p);
	p->truth[READAHEAD]--;
	pthread_mutex_unlock(&p->lock);
}

static void map_page(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	page_ref_inc(p);
	p->mapcount++;
	p->truth[MAP]++;
	pthread_mutex_unlock(&p->lock);
}

static void unmap_page(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->mapcount > 0) {
		p->mapcount--;
		page_ref_dec(p);
		p->truth[MAP]--;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Pretend the IOMMU runs out of mappings for every 16th page. */
static int dma_map(const struct page *p) { return (p - pool) % 16 == 7 ? -1 : 0; }

static int dma_submit(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	page_ref_inc(p); /* PLANTED(dma_submit): the pin leaked when dma_map fails */
	p->truth[DMA]++;
	pthread_mutex_unlock(&p->lock);
	return dma_map(p) < 0 ? -1 : 0; /* BUG: the pin is not dropped on failure */
}

static void dma_complete(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	page_ref_dec(p);
	p->truth[DMA]--;
	pthread_mutex_unlock(&p->lock);
}

/* Two paths into map_page and unmap_page (distinct call stacks, same sites). */
static void __attribute__((noinline)) fault_in(struct page *p) { map_page(p); }
static void __attribute__((noinline)) share_mapping(struct page *p) { map_page(p); }
static void __attribute__((noinline)) munmap_range(struct page *p) { unmap_page(p); }
static void __attribute__((noinline)) exit_mm(struct page *p) { unmap_page(p); }

/* The completion thread: I/O ends on another thread than the one that started it. */
enum io_kind { IO_READ, IO_DMA, IO_STOP };
struct io {
	struct page *page;
	enum io_kind kind;
};
static struct io queue[QUEUE_LEN];
static unsigned queue_head, queue_tail;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;

static void submit_io(struct page *p, enum io_kind kind)
{
	pthread_mutex_lock(&queue_lock);
	while (queue_tail - queue_head == QUEUE_LEN)
		pthread_cond_wait(&queue_cond, &queue_lock);
	queue[queue_tail++ % QUEUE_LEN] = (struct io){p, kind};
	pthread_cond_broadcast(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
}

/* Completes all but the newest `keep` requests (some I/O stays in flight across compaction). */
static void drain_io(unsigned keep);
static unsigned completed_target;

static void *completion_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&queue_lock);
		while (queue_head == queue_tail || queue_head >= completed_target)
			pthread_cond_wait(&queue_cond, &queue_lock);
		struct io io = queue[queue_head % QUEUE_LEN];
		pthread_mutex_unlock(&queue_lock);
		if (io.kind == IO_STOP)
			return NULL;
		if (io.kind == IO_READ)
			readahead_end_io(io.page);
		else
			dma_complete(io.page);
		pthread_mutex_lock(&queue_lock);
		queue_head++;
		pthread_cond_broadcast(&queue_cond);
		pthread_mutex_unlock(&queue_lock);
	}
}

static void drain_io(unsigned keep)
{
	pthread_mutex_lock(&queue_lock);
	completed_target = queue_tail > keep ? queue_tail - keep : 0;
	if (completed_target < queue_head)
		completed_target = queue_head;
	pthread_cond_broadcast(&queue_cond);
	while (queue_head < completed_target)
		pthread_cond_wait(&queue_cond, &queue_lock);
	pthread_mutex_unlock(&queue_lock);
}

static int migrate_page(struct page *p)
{
	pthread_mutex_lock(&p->lock);
	int migrated = 0;
	if (get_page_unless_zero(p)) {
		p->truth[ISOLATE]++;
		int expected = 2 + p->mapcount;
		migrated = page_ref_freeze(p, expected);
		if (migrated) {
			page_ref_unfreeze(p, expected);
		} else {
			fprintf(truth_file, "freeze %#lx %d", (unsigned long)(uintptr_t)&p->_refcount, page_ref_count(p));
			for (int h = 0; h < NR_HOLDERS; h++)
				if (p->truth[h])
					fprintf(truth_file, " %s=%d", holder_function[h], p->truth[h]);
			fputc('\n', truth_file);
		}
		page_ref_dec(p);
		p->truth[ISOLATE]--;
	}
	pthread_mutex_unlock(&p->lock);
	return migrated;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s TRUTH_FILE [ROUNDS]\n", argv[0]);
		return 2;
	}
	truth_file = fopen(argv[1], "w");
	if (!truth_file) {
		perror(argv[1]);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 6;
	pthread_t completer;
	pthread_create(&completer, NULL, completion_thread, NULL);
	for (int i = 0; i < NR_PAGES; i++)
		alloc_page_cache(&pool[i]);

	int busy = 0, attempts = 0;
	for (int round = 0; round < rounds; round++) {
		for (int i = 0; i < NR_PAGES; i++) {
			struct page *p = &pool[i];
			unsigned r = next_random();
			if (r % 3 == 0) { /* read in, mapped before the read completes (a fault can) */
				readahead_submit(p);
				fault_in(p);
				submit_io(p, IO_READ);
			}
			if (r % 5 == 1)
				share_mapping(p);
			if (r % 4 == 2) {
				if (dma_submit(p) == 0)
					submit_io(p, IO_DMA);
			}
			if (r % 7 == 3)
				munmap_range(p);
		}
		drain_io(round % 2 ? 12 : 0); /* odd rounds: the newest I/O is still in flight */
		for (int i = 0; i < NR_PAGES; i++) {
			attempts++;
			busy += !migrate_page(&pool[i]);
		}
		for (int i = 0; i < NR_PAGES; i++)
			if (next_random() % 2)
				exit_mm(&pool[i]);
	}
	drain_io(0);
	submit_io(NULL, IO_STOP);
	pthread_mutex_lock(&queue_lock);
	completed_target = queue_tail;
	pthread_cond_broadcast(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
	pthread_join(completer, NULL);
	if (!(argc > 3 && strcmp(argv[3], "keep") == 0))
		for (int i = 0; i < NR_PAGES; i++) { /* tear down: every life ends */
			struct page *p = &pool[i];
			while (p->mapcount > 0)
				exit_mm(p);
			if (!page_ref_dec_and_test(p))
				fprintf(stderr, "page %d: still referenced at teardown\n", i); /* the leaked pins */
			refblame_obj_free(&p->_refcount);
		}
	fclose(truth_file);
	printf("compaction: %d attempts, %d busy\n", attempts, busy);
	return 0;
}
