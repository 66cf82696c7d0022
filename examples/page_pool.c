/* page_pool.c: a kernel-style page pool whose compaction pass cannot migrate some pages (example 1). */
/*
 * Pages live in a page cache (one reference each), are read in through
 * readahead (a reference while the I/O is in flight), mapped into processes
 * (a reference per mapping) and pinned for DMA (a reference until the DMA
 * completes). Compaction isolates each page (one more reference) and freezes
 * it at the count it expects, exactly like the kernel's migration path:
 *
 *     expected = 1 (page cache) + 1 (isolation) + mapcount
 *
 * The planted bug: when dma_map() fails, dma_submit() returns an error but
 * forgets to drop the pin it took, so those pages carry one reference nobody
 * will ever release and compaction reports them busy. `refblame blockers`
 * names dma_submit and the line of that page_ref_inc.
 */
#include <refblame/page_ref.h>

#include <stdio.h>
#include <stdlib.h>

#define NR_PAGES 200
#define NR_PROCS 3

struct page {
	refblame_ref_t _refcount;
	int mapcount;      /* mappings, like the kernel's _mapcount + 1 */
	int dma_inflight;  /* a DMA pin the completion will drop */
	char data[64];
};

static struct page pool[NR_PAGES];

static void alloc_page_cache(struct page *p)
{
	init_page_count(p); /* the page cache's own reference */
	p->mapcount = 0;
	p->dma_inflight = 0;
}

/* Readahead: a reference while the read is in flight, dropped at completion. */
static void readahead_submit(struct page *p) { page_ref_inc(p); }
static void readahead_end_io(struct page *p)
{
	p->data[0] = 'r';
	page_ref_dec(p);
}

static void map_page(struct page *p)
{
	page_ref_inc(p);
	p->mapcount++;
}

static void unmap_page(struct page *p)
{
	p->mapcount--;
	page_ref_dec(p);
}

/* Pretend the IOMMU runs out of mappings for every 16th page. */
static int dma_map(const struct page *p) { return (p - pool) % 16 == 15 ? -1 : 0; }

static int dma_submit(struct page *p)
{
	page_ref_inc(p); /* pin for DMA */ /* PLANTED(dma_submit): leaked DMA pin */
	if (dma_map(p) < 0)
		return -1; /* BUG: the pin taken above is never dropped */
	p->dma_inflight = 1;
	return 0;
}

static void dma_complete(struct page *p)
{
	if (!p->dma_inflight)
		return;
	p->dma_inflight = 0;
	page_ref_dec(p);
}

/* Compaction: isolate, freeze at the expected count, migrate, put back. */
static int migrate_page(struct page *p)
{
	if (!get_page_unless_zero(p)) /* isolation reference */
		return 0;
	int expected = 2 + p->mapcount;
	int migrated = page_ref_freeze(p, expected);
	if (migrated) {
		/* copy the contents to the new location, then release the freeze */
		p->data[1] = 'm';
		page_ref_unfreeze(p, expected);
	}
	page_ref_dec(p); /* put back after isolation */
	return migrated;
}

int main(void)
{
	int failed_dma = 0;
	for (int i = 0; i < NR_PAGES; i++)
		alloc_page_cache(&pool[i]);

	/* Workload: read pages in, map them into processes, DMA some of them. */
	for (int i = 0; i < NR_PAGES; i++) {
		struct page *p = &pool[i];
		readahead_submit(p);
		map_page(p); /* mapped before the read completes, as a fault can */
		readahead_end_io(p);
		for (int proc = 1; proc < NR_PROCS; proc++)
			if ((i + proc) % 4 == 0)
				map_page(p);
		if (i % 2 == 1 && dma_submit(p) < 0)
			failed_dma++;
	}
	for (int i = 0; i < NR_PAGES; i++) {
		dma_complete(&pool[i]);
		if (i % 3 == 0)
			unmap_page(&pool[i]);
	}

	int migrated = 0;
	for (int i = 0; i < NR_PAGES; i++)
		migrated += migrate_page(&pool[i]);
	printf("dma: %d submissions failed\n", failed_dma);
	printf("compaction: migrated %d/%d pages, %d busy\n", migrated, NR_PAGES, NR_PAGES - migrated);

	/* Tear down: unmap what is still mapped, drop the page cache reference. */
	for (int i = 0; i < NR_PAGES; i++) {
		struct page *p = &pool[i];
		while (p->mapcount > 0)
			unmap_page(p);
		if (!page_ref_dec_and_test(p))
			fprintf(stderr, "page %d: still referenced at teardown\n", i);
		refblame_obj_free(&p->_refcount);
	}
	return 0;
}
