// module_symbols.cpp: opening a module's symbols once and caching the inline chain of each address asked for.
#include "symbolize/module_symbols.hpp"

namespace refblame::analyzer {

ModuleSymbols::ModuleSymbols(const ModuleIdentity &identity, const DebugSearch &search)
    : files_(locate_debug_files(identity, search))
{
    if (!files_.elf.empty())
        dwfl_ = DwflModule::open(files_, &open_error_);
}

const std::vector<SourceFrame> &ModuleSymbols::frames_at(std::uint64_t offset)
{
    auto it = cache_.find(offset);
    if (it != cache_.end())
        return it->second;
    std::vector<SourceFrame> frames;
    if (dwfl_)
        frames = chains_.at(dwfl_->module(), offset + files_.first_load_vaddr);
    return cache_.emplace(offset, std::move(frames)).first->second;
}

} // namespace refblame::analyzer
