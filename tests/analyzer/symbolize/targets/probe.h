/* probe.h: the test stand-in for librefblame's slow path (probe.c): what a test target calls besides the refblame ops. */
#ifndef SYMTEST_PROBE_H
#define SYMTEST_PROBE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Prints one `module BASE MEMSZ IS_PIC BUILD_ID PATH` line per loaded ELF object. */
void symprobe_dump_modules(void);

#ifdef __cplusplus
}
#endif

#endif /* SYMTEST_PROBE_H */
