// lttng_error.cpp: turns a failed liblttng-ctl call into a UserError naming the step and LTTng's reason.
#include "lttng_error.hpp"

#include "lttng_ctl.hpp"
#include "user_error.hpp"

namespace refblame::tracer {

std::string lttng_reason(int code)
{
    const char *text = ctl().lttng_strerror(code < 0 ? code : -code);
    return text ? text : "error " + std::to_string(code);
}

void check_lttng(int code, const std::string &step)
{
    if (code < 0)
        throw UserError("LTTng: " + step + " failed: " + lttng_reason(code));
}

void check_lttng(lttng_error_code code, const std::string &step)
{
    if (code != LTTNG_OK)
        throw UserError("LTTng: " + step + " failed: " + lttng_reason(static_cast<int>(code)));
}

} // namespace refblame::tracer
