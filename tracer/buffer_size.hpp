// buffer_size.hpp: `--buffer-size SIZE` (per CPU, per process) -> channel geometry; the default size.
#pragma once

#include "channel.hpp"

#include <cstdint>
#include <string>

namespace refblame::tracer {

// Per-CPU ring buffer of each traced process when --buffer-size is not
// given: 32 MiB, less on machines with many CPUs so that one process's
// buffers stay within 512 MiB (never under 4 MiB). Measured on 2 CPUs, 8
// threads x 1 M ops in blocking mode: 16 MiB discarded 1-5 % in 2 runs of 5
// (a writer preempted inside an event lets the others wrap around the whole
// buffer, which LTTng drops rather than blocks); 32 MiB discarded nothing in
// 10 runs.
std::uint64_t default_buffer_bytes(unsigned cpus);
std::uint64_t default_buffer_bytes();  // for this machine's CPUs

// Parses "16M", "512k", "1G", "65536" (binary units, optional "iB"/"B").
// The size must be a power of two between two pages and 1 GiB; otherwise a
// UserError names the value and what to give instead.
std::uint64_t parse_buffer_size(const std::string &text);

// Splits a per-CPU size into sub-buffers: up to 16, each at least one page.
ChannelGeometry geometry_for(std::uint64_t bytes);

// "16 MiB", "512 KiB", "4096 B".
std::string format_bytes(std::uint64_t bytes);

} // namespace refblame::tracer
