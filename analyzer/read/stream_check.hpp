// stream_check.hpp: checks the packet framing of LTTng CTF stream files before Babeltrace2 sees them.
//
// Babeltrace2 2.0.4's src.ctf.fs aborts the whole process (an assertion in
// msg-iter.c) when a packet's content or packet size has its top bit set, as
// one flipped bit on disk does, and faults on other impossible sizes. This
// check reads only the fixed header and the two size fields of each packet,
// where LTTng puts them (the layout is checked in the metadata first); decoding
// stays Babeltrace2's job.
#pragma once

#include <filesystem>
#include <string>

namespace refblame::analyzer {

// True when the metadata declares LTTng's packet header and context (the only layout the stream check knows).
bool has_lttng_packet_layout(const std::filesystem::path &metadata);

// "" when every packet's magic and sizes are sound, else what is wrong, e.g.
// "packet 3 at byte 12288 claims 2^63 + 4096 bits (corrupt)".
std::string check_stream_framing(const std::filesystem::path &stream);

} // namespace refblame::analyzer
