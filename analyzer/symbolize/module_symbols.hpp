// module_symbols.hpp: the symbols of one module file (located debug info + libdwfl), with inline chains cached per address.
#pragma once

#include "symbolize/debug_lookup.hpp"
#include "symbolize/dwfl_module.hpp"
#include "symbolize/inline_chain.hpp"
#include "symbolize/symbolizer.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer {

// Shared by every process that mapped the same file (same path and build-id):
// addresses are module-relative here, so ASLR does not split the cache.
class ModuleSymbols {
public:
    ModuleSymbols(const ModuleIdentity &identity, const DebugSearch &search);

    const DebugFiles &files() const { return files_; }
    // Why libdwfl could not open files().elf ("" when it could or nothing was found).
    const std::string &open_error() const { return open_error_; }
    bool usable() const { return dwfl_ != nullptr; }

    // The inline chain at a code address given as an offset from the module's
    // recorded base address (caller addresses are return addresses: the
    // caller passes the address of the call instruction, return address - 1).
    const std::vector<SourceFrame> &frames_at(std::uint64_t offset);

private:
    DebugFiles files_;
    std::string open_error_;
    std::unique_ptr<DwflModule> dwfl_;
    InlineChains chains_;
    std::unordered_map<std::uint64_t, std::vector<SourceFrame>> cache_;
};

} // namespace refblame::analyzer
