/* leaky_main.c: leaks one reference in its own code, one in a shared library and one in a dlopen'd plugin (symbolization end to end). */
#include <refblame/ref.h>

#include <dlfcn.h>
#include <stdio.h>

void lib_take(refblame_ref_t *r);

static refblame_ref_t objs[3];

__attribute__((noinline)) static void main_take(refblame_ref_t *r)
{
	refblame_ref_inc(r); /* LEAK(main_take) */
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < 3; i++)
		refblame_obj_init(&objs[i], "thing", 0);
	main_take(&objs[0]);
	lib_take(&objs[1]);
	void *plugin = dlopen(argv[1], RTLD_NOW);
	if (!plugin) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 2;
	}
	void (*plugin_take)(refblame_ref_t *) = (void (*)(refblame_ref_t *))dlsym(plugin, "plugin_take");
	plugin_take(&objs[2]);
	for (int i = 0; i < 3; i++)
		refblame_obj_free(&objs[i]); /* each still holds the one reference taken above */
	puts("leaked 3 references");
	return 0;
}
