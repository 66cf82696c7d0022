"""record_warnings.py: what `refblame record`'s warnings say of the traces it kept: the per-PID traces it could not
tell were its program's (tests running alongside start instrumented processes, and every session traces them)."""
import re

UNSURE_WARNING = re.compile(r"^refblame: warning: kept (\S+), but its process had exited before", re.M)


def unsure_traces(record_stderr):
    """The per-PID trace directory names that `refblame record` kept unsure, from its stderr."""
    return set(UNSURE_WARNING.findall(record_stderr))
