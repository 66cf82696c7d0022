// module_map.cpp: building per-process module maps from lttng_ust_statedump:* and lttng_ust_lib:* events, and address lookup.
#include "symbolize/module_map.hpp"

namespace refblame::analyzer {

LoadedModule *ModuleMap::live_at_base(std::int32_t pid, std::uint64_t baddr)
{
    auto it = processes_.find(pid);
    if (it == processes_.end())
        return nullptr;
    auto &mods = it->second;
    for (auto m = mods.rbegin(); m != mods.rend(); ++m)
        if (m->baddr == baddr && m->unloaded_ns == std::numeric_limits<std::uint64_t>::max())
            return &*m;
    return nullptr;
}

void ModuleMap::add(const ModuleEvent &m, std::uint64_t loaded_ns)
{
    if (LoadedModule *live = live_at_base(m.pid, m.baddr)) {
        if (live->path == m.path) { // a repeated statedump of the same mapping
            live->memsz = m.memsz;
            live->is_pic = m.is_pic;
            return;
        }
        live->unloaded_ns = m.time_ns; // replaced without an unload event we saw
    }
    LoadedModule mod;
    mod.id = next_id_++;
    mod.baddr = m.baddr;
    mod.memsz = m.memsz;
    mod.path = m.path;
    mod.is_pic = m.is_pic;
    mod.loaded_ns = loaded_ns;
    processes_[m.pid].push_back(std::move(mod));
}

void ModuleMap::on_module(const ModuleEvent &m)
{
    using Kind = ModuleEvent::Kind;
    switch (m.kind) {
    case Kind::bin_info:
        add(m, 0);
        break;
    case Kind::load:
        add(m, m.time_ns);
        break;
    case Kind::build_id:
        if (LoadedModule *live = live_at_base(m.pid, m.baddr))
            live->build_id = m.build_id;
        break;
    case Kind::debug_link:
        if (LoadedModule *live = live_at_base(m.pid, m.baddr))
            live->debug_link = m.debug_link;
        break;
    case Kind::unload:
        if (LoadedModule *live = live_at_base(m.pid, m.baddr))
            live->unloaded_ns = m.time_ns;
        break;
    case Kind::statedump_start:
    case Kind::statedump_end:
        break;
    }
}

const LoadedModule *ModuleMap::find(std::int32_t pid, std::uint64_t address) const
{
    auto it = processes_.find(pid);
    if (it == processes_.end())
        return nullptr;
    const auto &mods = it->second;
    for (auto m = mods.rbegin(); m != mods.rend(); ++m)
        if (m->contains(address))
            return &*m;
    return nullptr;
}

const LoadedModule *ModuleMap::find_at(std::int32_t pid, std::uint64_t address, std::uint64_t time_ns) const
{
    auto it = processes_.find(pid);
    if (it == processes_.end())
        return nullptr;
    const auto &mods = it->second;
    for (auto m = mods.rbegin(); m != mods.rend(); ++m)
        if (m->contains(address) && m->live_at(time_ns))
            return &*m;
    return find(pid, address);
}

} // namespace refblame::analyzer
