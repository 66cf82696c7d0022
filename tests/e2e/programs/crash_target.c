/* crash_target.c: e2e target that ends abnormally (abort, segfault, or SIGKILL from outside mid-run) while holding a reference. */
#include <refblame/ref.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static refblame_ref_t page, busy;
static int pinner;

__attribute__((noinline)) static void pin_page(refblame_ref_t *r)
{
	refblame_ref_get(r, &pinner); /* SITE(pin_page) */
}

__attribute__((noinline)) static int try_migrate(refblame_ref_t *r)
{
	return refblame_ref_freeze(r, 1); /* SITE(try_migrate) */
}

/* Usage: crash_target abort|segv|killed|exit3 [READY_FILE]
 * Holds one tracked reference on `page` and fails to freeze it, then:
 * abort: abort(); segv: writes to an unmapped address; killed: writes its pid
 * to READY_FILE and keeps operating on `busy` until killed from outside;
 * exit3: exits normally with status 3 (the control case). */
int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s abort|segv|killed|exit3 [READY_FILE]\n", argv[0]);
		return 64;
	}
	refblame_obj_init(&page, "page", 1);
	refblame_obj_init(&busy, "busy", 1);
	pin_page(&page);
	if (try_migrate(&page))
		return 70;
	printf("page=%p pinner=%p pid=%d\n", (void *)&page, (void *)&pinner, (int)getpid());
	fflush(stdout);

	if (strcmp(argv[1], "abort") == 0)
		abort();
	if (strcmp(argv[1], "segv") == 0) {
		int *volatile nowhere = (int *)8; /* unmapped, and not NULL (which UBSan would stop at first) */
		*nowhere = 1;
	}
	if (strcmp(argv[1], "killed") == 0 && argc > 2) {
		for (long i = 0;; i++) {
			refblame_ref_inc(&busy);
			refblame_ref_dec(&busy);
			if (i == 1000) { /* written then renamed: the reader never sees half a pid */
				char tmp[4096];
				snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
				FILE *f = fopen(tmp, "w");
				if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 || rename(tmp, argv[2]) != 0)
					return 71;
			}
			if (i > 1000)
				usleep(1000);
		}
	}
	if (strcmp(argv[1], "exit3") == 0)
		return 3;
	return 64;
}
