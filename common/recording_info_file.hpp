// recording_info_file.hpp: the file `refblame record` leaves at the top of a trace directory saying how the program ended.
//
// TRACE/refblame-record.json, written after the session is destroyed:
//   { "format": 1, "program": "/path/to/prog",
//     "processes": [ { "pid": N, "exit_status": N, "signal": N } ],
//     "incomplete": "why" }
// "incomplete" (only when it is): why LTTng may not have written the last of
// the trace (the recorder stopped waiting for a daemon that hung).
// exit_status as a shell reports it (the exit code, or 128 + signal); signal
// is the one that killed the process, 0 when it exited. Only the recorded
// program itself is listed (its forked children are reaped by it, not by
// the recorder). The analyzer uses it to say that a process's trace ends
// early because the process died; a TRACE without the file (any other LTTng
// output) is analyzed the same, without that statement.
#pragma once

namespace refblame {

inline constexpr const char *recording_info_file = "refblame-record.json";
inline constexpr int recording_info_format = 1;

} // namespace refblame
