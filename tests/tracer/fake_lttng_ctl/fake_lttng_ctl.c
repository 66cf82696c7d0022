/* fake_lttng_ctl.c: a liblttng-ctl.so.0 without LTTng's functions: `refblame record` must say what is missing. */
int refblame_fake_lttng_ctl(void)
{
	return 0;
}
