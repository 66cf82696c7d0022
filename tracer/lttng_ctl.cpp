// lttng_ctl.cpp: dlopen of liblttng-ctl and dlsym of each function the tracer calls, once.
#include "lttng_ctl.hpp"

#include "user_error.hpp"

#include <dlfcn.h>

#include <string>

namespace refblame::tracer {

namespace {

// The soname of the ABI that <lttng/lttng.h> describes (lttng-tools 2.x; Debian: liblttng-ctl0).
constexpr const char *library = "liblttng-ctl.so.0";

// Linked in, liblttng-ctl (with libxml2 and ICU) took 2-4 ms of the start of every query, which never calls
// it: `refblame --help` 9.2 -> 6.9 ms once it was loaded here instead (medians of paired runs).
LttngCtl load()
{
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL); // never closed: the pointers stay valid
    if (!handle) {
        const char *why = dlerror();
        throw UserError(std::string("recording needs LTTng's control library, ") + library +
                        ", which cannot be loaded (" + (why ? why : "no reason given") +
                        "): install it (Debian: `apt-get install liblttng-ctl0`)");
    }
    LttngCtl c;
#define REFBLAME_LTTNG_CTL_LOOKUP(f)                                                                                  \
    c.f = reinterpret_cast<decltype(c.f)>(dlsym(handle, #f));                                                          \
    if (!c.f)                                                                                                          \
        throw UserError(std::string(library) + " has no function " #f ": it is not (or is older than) the LTTng "   \
                        "control library refblame was built with; install that version's liblttng-ctl0 (or "           \
                        "rebuild refblame against the one installed)");
    REFBLAME_LTTNG_CTL_FUNCTIONS(REFBLAME_LTTNG_CTL_LOOKUP)
#undef REFBLAME_LTTNG_CTL_LOOKUP
    return c;
}

} // namespace

const LttngCtl &ctl()
{
    static const LttngCtl loaded = load(); // a throw leaves it to be tried again
    return loaded;
}

} // namespace refblame::tracer
