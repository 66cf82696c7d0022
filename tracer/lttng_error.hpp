// lttng_error.hpp: turns a failed liblttng-ctl call into a UserError naming the step and LTTng's reason.
#pragma once

#include <lttng/lttng-error.h>

#include <string>

namespace refblame::tracer {

// LTTng's text for an error code (either sign).
std::string lttng_reason(int code);

// For calls returning int: throws UserError("LTTng: <step> failed: <reason>") when code < 0.
void check_lttng(int code, const std::string &step);

// For calls returning enum lttng_error_code: throws unless code == LTTNG_OK.
void check_lttng(lttng_error_code code, const std::string &step);

} // namespace refblame::tracer
