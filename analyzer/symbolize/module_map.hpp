// module_map.hpp: per traced process, which ELF module was loaded where (from the statedump and lib load/unload events).
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer {

// One mapping of a module into a process, as recorded.
struct LoadedModule {
    std::uint32_t id = 0;      // unique per mapping, stable for the map's lifetime
    std::uint64_t baddr = 0;   // address of its first PT_LOAD segment
    std::uint64_t memsz = 0;   // span of its PT_LOAD segments
    std::string path;
    bool is_pic = true;
    std::vector<std::uint8_t> build_id; // empty when none was recorded
    std::string debug_link;
    // Lifetime: statedump mappings were already there at the start (0); a
    // lib:load starts at its time; a lib:unload ends it.
    std::uint64_t loaded_ns = 0;
    std::uint64_t unloaded_ns = std::numeric_limits<std::uint64_t>::max();

    bool contains(std::uint64_t address) const { return address >= baddr && address - baddr < memsz; }
    bool live_at(std::uint64_t t) const { return loaded_ns <= t && t < unloaded_ns; }
};

class ModuleMap {
public:
    void on_module(const ModuleEvent &m);

    // The mapping holding `address` in process `pid`: the latest one loaded
    // (a range reused after dlclose() goes to the newer library). nullptr: none.
    const LoadedModule *find(std::int32_t pid, std::uint64_t address) const;
    // The mapping holding `address` at time `time_ns`; falls back to find().
    const LoadedModule *find_at(std::int32_t pid, std::uint64_t address, std::uint64_t time_ns) const;

    // Whether any module was recorded for `pid`.
    bool knows(std::int32_t pid) const { return processes_.count(pid) != 0; }

private:
    LoadedModule *live_at_base(std::int32_t pid, std::uint64_t baddr);
    void add(const ModuleEvent &m, std::uint64_t loaded_ns);

    std::unordered_map<std::int32_t, std::vector<LoadedModule>> processes_; // in load order
    std::uint32_t next_id_ = 1;
};

} // namespace refblame::analyzer
