// bt_handles.cpp: turns the current thread's Babeltrace2 error into one readable line.
#include "read/bt_handles.hpp"

#include <cctype>

namespace refblame::analyzer::bt {

namespace {

// Drops a trailing ": key=value, key=value" dump of internal state (addresses, ids).
void drop_state_dump(std::string &line)
{
    for (std::size_t at = line.find(": "); at != std::string::npos; at = line.find(": ", at + 2)) {
        std::size_t k = at + 2;
        while (k < line.size() && (std::islower(static_cast<unsigned char>(line[k])) || line[k] == '-'))
            ++k;
        if (k > at + 2 && k < line.size() && line[k] == '=') {
            line.erase(at);
            return;
        }
    }
}

} // namespace

ErrorInfo take_error_info()
{
    ErrorInfo info;
    const bt_error *error = bt_current_thread_take_error();
    if (!error)
        return info;
    // Causes are appended as the error travels up: index 0 is the root. The
    // library's own causes ("Component initialization method failed: ...")
    // say nothing the user can act on; the plugins' causes name the file.
    std::string &line = info.message;
    const std::uint64_t n = bt_error_get_cause_count(error);
    for (std::uint64_t i = 0; i < n; ++i) {
        const bt_error_cause *cause = bt_error_borrow_cause_by_index(error, i);
        const char *msg = bt_error_cause_get_message(cause);
        const bt_error_cause_actor_type actor = bt_error_cause_get_actor_type(cause);
        if (line.empty() && actor != BT_ERROR_CAUSE_ACTOR_TYPE_UNKNOWN && msg)
            line = msg;
        // While reading, the first failing iterator says which source and port.
        if (actor == BT_ERROR_CAUSE_ACTOR_TYPE_MESSAGE_ITERATOR && info.component.empty()) {
            if (const char *c = bt_error_cause_message_iterator_actor_get_component_name(cause))
                info.component = c;
            if (const char *p = bt_error_cause_message_iterator_actor_get_component_output_port_name(cause))
                info.port = p;
        }
    }
    if (line.empty() && n > 0)
        if (const char *msg = bt_error_cause_get_message(bt_error_borrow_cause_by_index(error, 0)))
            line = msg;
    bt_error_release(error);
    for (char &c : line)
        if (c == '\n')
            c = ' ';
    drop_state_dump(line);
    while (!line.empty() && (line.back() == '.' || line.back() == ' '))
        line.pop_back();
    return info;
}

std::string take_error() { return take_error_info().message; }

} // namespace refblame::analyzer::bt
