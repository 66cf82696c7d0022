// symbolizer.cpp: the symbolize stage: module maps + located debug info + inline chains + frame filter, cached per site.
#include "symbolize/symbolizer.hpp"

#include "symbolize/elf_file.hpp"
#include "symbolize/frame_filter.hpp"
#include "symbolize/missing_symbols.hpp"
#include "symbolize/module_map.hpp"
#include "symbolize/module_symbols.hpp"
#include "symbolize/stack_sites.hpp"

#include "user_error.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <unordered_map>

namespace refblame::analyzer {

namespace {

struct AddressKey {
    std::int32_t pid;
    std::uint64_t address;
    std::uint32_t module; // mapping chosen by time; 0: the latest mapping
    bool operator==(const AddressKey &) const = default;
};

struct AddressKeyHash {
    std::size_t operator()(const AddressKey &k) const noexcept
    {
        std::size_t h = std::hash<std::uint64_t>{}(k.address);
        h ^= std::hash<std::uint64_t>{}((std::uint64_t(std::uint32_t(k.pid)) << 32) | k.module) + 0x9e3779b97f4a7c15ULL +
             (h << 6) + (h >> 2);
        return h;
    }
};

} // namespace

struct Symbolizer::Impl {
    DebugSearch search;
    FrameFilter filter;
    ModuleMap modules;
    std::map<std::string, std::unique_ptr<ModuleSymbols>> symbols; // by path + build-id
    std::unordered_map<AddressKey, SymbolizedSite, AddressKeyHash> sites;
    MissingSymbols missing;
    StackSites stacks;
    std::unordered_map<AddressKey, SymbolizedSite, AddressKeyHash> stack_sites; // `module` holds the stack id

    explicit Impl(const SymbolizerOptions &o)
        : search{o.debug_dirs, o.system_debug_dirs}, filter(FramePatterns{o.skip_files, o.skip_functions})
    {
    }

    ModuleSymbols &symbols_of(const LoadedModule &m)
    {
        auto &slot = symbols[m.path + '\0' + build_id_hex(m.build_id)];
        if (!slot)
            slot = std::make_unique<ModuleSymbols>(ModuleIdentity{m.path, m.build_id, m.debug_link}, search);
        return *slot;
    }

    SymbolizedSite symbolize(std::int32_t pid, std::uint64_t address, const LoadedModule *m)
    {
        SymbolizedSite site;
        site.address = address;
        if (!m) {
            site.offset = address;
            missing.unmapped_site(pid, modules.knows(pid));
            return site;
        }
        site.module = m->path;
        site.offset = address - m->baddr;
        ModuleSymbols &syms = symbols_of(*m);
        if (syms.files().problem == DebugProblem::no_file)
            return site; // [vdso] and the like: nothing to look up, nothing to fix
        static const std::vector<SourceFrame> none;
        // A return address: the call instruction is the byte before.
        const auto &frames = site.offset > 0 ? syms.frames_at(site.offset - 1) : none;
        if (!frames.empty()) {
            auto choice = filter.choose(frames);
            const SourceFrame &f = frames[choice.index];
            site.function = f.function;
            site.file = f.file;
            site.line = f.line;
            site.resolved = true;
            site.in_library_code = choice.in_library;
            site.inline_chain = frames;
        }
        if (frames.empty() || syms.files().problem != DebugProblem::none)
            missing.module_site(m->path, syms.files(), syms.open_error(), frames.empty());
        return site;
    }
};

namespace {

SymbolizerOptions checked(SymbolizerOptions o)
{
    for (const auto &dir : o.debug_dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec))
            throw UserError("--debug-dir " + dir + ": not a directory; give a directory holding debug files "
                            "(.build-id/xx/rest.debug or files named by the binaries' debug links)");
    }
    return o;
}

} // namespace

Symbolizer::Symbolizer(std::vector<std::string> debug_dirs)
    : Symbolizer(SymbolizerOptions{std::move(debug_dirs), {"/usr/lib/debug"}, {}, {}})
{
}

Symbolizer::Symbolizer(SymbolizerOptions options) : impl_(std::make_unique<Impl>(checked(std::move(options)))) {}

Symbolizer::~Symbolizer() = default;

void Symbolizer::on_module(const ModuleEvent &m)
{
    impl_->modules.on_module(m);
}

const SymbolizedSite &Symbolizer::resolve(std::int32_t pid, std::uint64_t address)
{
    AddressKey key{pid, address, 0};
    auto it = impl_->sites.find(key);
    if (it != impl_->sites.end())
        return it->second;
    SymbolizedSite site = impl_->symbolize(pid, address, impl_->modules.find(pid, address));
    return impl_->sites.emplace(key, std::move(site)).first->second;
}

const SymbolizedSite &Symbolizer::resolve(std::int32_t pid, std::uint64_t address, std::uint64_t time_ns)
{
    const LoadedModule *m = impl_->modules.find_at(pid, address, time_ns);
    AddressKey key{pid, address, m ? m->id : 0};
    auto it = impl_->sites.find(key);
    if (it != impl_->sites.end())
        return it->second;
    SymbolizedSite site = impl_->symbolize(pid, address, m);
    return impl_->sites.emplace(key, std::move(site)).first->second;
}

void Symbolizer::on_stack(const StackEvent &s)
{
    impl_->stacks.on_stack(s);
}

bool Symbolizer::has_stacks() const
{
    return !impl_->stacks.empty();
}

void Symbolizer::add_wrappers(const std::vector<std::string> &functions, const std::vector<std::string> &helpers)
{
    impl_->stacks.add_wrappers(functions, helpers);
    impl_->stack_sites.clear();
}

const SymbolizedSite &Symbolizer::resolve(const analyzer::SiteKey &key)
{
    AddressKey k{key.pid, key.address, key.stack_id};
    auto it = impl_->stack_sites.find(k);
    if (it != impl_->stack_sites.end())
        return it->second;
    SymbolizedSite site = impl_->stacks.site(
        key, [this](std::int32_t pid, std::uint64_t address) -> const SymbolizedSite & { return resolve(pid, address); },
        impl_->filter);
    return impl_->stack_sites.emplace(k, std::move(site)).first->second;
}

std::vector<SymbolizedSite> Symbolizer::stack(const analyzer::SiteKey &key)
{
    std::vector<SymbolizedSite> out;
    const std::vector<std::uint64_t> *frames = impl_->stacks.frames(key);
    if (!frames)
        return out;
    out.push_back(resolve(key.pid, key.address));
    for (std::uint64_t a : *frames)
        out.push_back(resolve(key.pid, a));
    return out;
}

bool Symbolizer::is_user_frame(const SourceFrame &frame) const
{
    return impl_->filter.is_user_frame(frame) && !impl_->stacks.is_wrapper(frame.function);
}

std::vector<std::string> Symbolizer::warnings() const
{
    std::vector<std::string> out = impl_->missing.warnings();
    for (std::string &w : impl_->stacks.warnings())
        out.push_back(std::move(w));
    return out;
}

} // namespace refblame::analyzer
