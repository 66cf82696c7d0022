// child_environment.cpp: the environment the traced program runs with: refblame's own plus what LTTng-UST needs for the chosen loss policy.
#include "child_environment.hpp"

#include "recorder.hpp"

#include <algorithm>

namespace refblame::tracer {

namespace {

bool has_name(const std::string &entry, const std::string &name)
{
    return entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=';
}

void set(std::vector<std::string> &env, const std::string &name, const std::string &value, bool overwrite)
{
    auto it = std::find_if(env.begin(), env.end(), [&](const std::string &e) { return has_name(e, name); });
    if (it == env.end())
        env.push_back(name + "=" + value);
    else if (overwrite)
        *it = name + "=" + value;
}

} // namespace

std::vector<std::string> child_environment(const char *const *base, LossPolicy policy, std::optional<int> stack_depth,
                                           bool track_dlopen)
{
    std::vector<std::string> env;
    for (const char *const *e = base; e && *e; e++)
        env.emplace_back(*e);
    if (policy == LossPolicy::block)
        set(env, "LTTNG_UST_ALLOW_BLOCKING", "1", true);
    set(env, "LTTNG_UST_REGISTER_TIMEOUT", std::to_string(register_timeout_ms), false);
    set(env, "REFBLAME_STACK", std::to_string(stack_depth.value_or(default_stack_depth)), stack_depth.has_value());
    if (track_dlopen) {
        auto it = std::find_if(env.begin(), env.end(), [](const std::string &e) { return has_name(e, "LD_PRELOAD"); });
        if (it == env.end())
            env.push_back(std::string("LD_PRELOAD=") + dlopen_tracker);
        else
            *it = std::string("LD_PRELOAD=") + dlopen_tracker + ":" + it->substr(sizeof("LD_PRELOAD=") - 1);
    }
    return env;
}

} // namespace refblame::tracer
