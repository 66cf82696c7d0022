// self_module.hpp: the test program itself as a traced module: its functions stand for call sites and stack frames with real symbols.
#pragma once

#include "model/event.hpp"

#include <climits>
#include <cstdint>
#include <link.h>
#include <string>
#include <unistd.h>

namespace refblame::analyzer::testing {

// Larger than a test program's mapping, sanitized Debug builds included.
inline constexpr std::uint64_t self_span = std::uint64_t(1) << 30;

// This executable as lttng-ust's statedump would describe it in process `pid`.
inline ModuleEvent self_module(std::int32_t pid)
{
    ModuleEvent m;
    m.kind = ModuleEvent::Kind::bin_info;
    m.pid = pid;
    dl_iterate_phdr(
        [](dl_phdr_info *info, size_t, void *data) {
            *static_cast<std::uint64_t *>(data) = info->dlpi_addr;
            return 1; // the first entry is the executable
        },
        &m.baddr);
    m.memsz = self_span;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    m.path = std::string(exe, n > 0 ? static_cast<std::size_t>(n) : 0);
    m.is_pic = true;
    return m;
}

// A return address inside fn: its first instruction is the "call" before it.
template <class F>
std::uint64_t return_into(F *fn)
{
    return reinterpret_cast<std::uint64_t>(fn) + 1;
}

} // namespace refblame::analyzer::testing
