// symbolizer.hpp: turns (pid, caller address) into the user's function, file:line and inline chain, via libdwfl.
#pragma once

#include "model/event.hpp"
#include "model/report.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace refblame::analyzer {

struct SourceFrame {
    // Demangled qualified name without parameters ("ns::Session::remember",
    // "run::{lambda}::operator()"), GCC clone suffixes (.constprop.0, .isra.0) removed.
    std::string function;
    std::string file;
    int line = 0;
};

// A call site as people read it. When symbols are missing only module+offset
// are set and `resolved` is false.
struct SymbolizedSite {
    std::uint64_t address = 0; // the address as recorded (a return address)
    std::string module;        // path of the module holding the address ("" when unknown)
    std::uint64_t offset = 0;  // address - module load base
    std::string function;      // the first user frame (refblame and C++ std headers skipped)
    std::string file;
    int line = 0;
    bool resolved = false;
    // The site lies inside library code (e.g. an out-of-line std:: template at
    // -O0) and no recorded stack named the user's caller: `--stack` would.
    bool in_library_code = false;
    // Sites of a SiteKey (resolve(const SiteKey &)):
    bool from_stack = false;      // named by a recorded stack frame (the caller was library code or a wrapper)
    bool stack_too_short = false; // a stack was recorded but every frame of it was library code or a wrapper
    bool through_wrapper = false; // the caller is a wrapper and no recorded frame names its caller
    bool maybe_helper = false;    // no stack recorded, and its function takes and drops references: a helper?
    std::vector<SourceFrame> inline_chain; // innermost first, as DWARF gives it
};

struct SymbolizerOptions {
    // --debug-dir: searched before the system directories, each like
    // /usr/lib/debug (.build-id/xx/rest.debug, <binary dir>/<debug link>) or
    // holding the debug-link file itself.
    std::vector<std::string> debug_dirs;
    std::vector<std::string> system_debug_dirs{"/usr/lib/debug"};
    // Added to the defaults (refblame's headers, the C++ standard library):
    // fnmatch patterns of source files / function names whose frames are not
    // the user's code (known wrappers, --wrapper).
    std::vector<std::string> skip_files;
    std::vector<std::string> skip_functions;
};

class Symbolizer {
public:
    // Throws UserError when a debug directory does not exist.
    explicit Symbolizer(std::vector<std::string> debug_dirs = {});
    explicit Symbolizer(SymbolizerOptions options);
    ~Symbolizer();
    Symbolizer(const Symbolizer &) = delete;
    Symbolizer &operator=(const Symbolizer &) = delete;

    // Feed every statedump / lib event of the trace (in time order).
    void on_module(const ModuleEvent &m);
    // Feed every refblame:stack event of the trace.
    void on_stack(const StackEvent &s);
    bool has_stacks() const; // any refblame:stack event was fed
    // Functions (exact names) found to be wrappers: skipped like --wrapper's
    // patterns when a site is named from its stack. `helpers`: functions that
    // may be helpers, though no stack was recorded to tell (maybe_helper).
    void add_wrappers(const std::vector<std::string> &functions, const std::vector<std::string> &helpers = {});

    // The site where the reference of `key` was acquired: the caller's site,
    // or when that is library code or a wrapper and a stack was recorded, the
    // first frame of the stack that is the user's (StackSites::site).
    const SymbolizedSite &resolve(const SiteKey &key);
    // key's caller and recorded frames, innermost first, each symbolized as
    // resolve(pid, address) does; empty when key has no recorded stack.
    std::vector<SymbolizedSite> stack(const SiteKey &key);
    // Whether the frame is the user's: not refblame's or the C++ library's, not a wrapper.
    bool is_user_frame(const SourceFrame &frame) const;

    // Symbolize one recorded caller address of process `pid`; cached per
    // (pid, address), so each distinct site is resolved once.
    // The site is the innermost frame of the address's inline chain that is
    // the user's code (an inline helper of the user's own is the site itself).
    // The module is the latest one mapped at the address.
    const SymbolizedSite &resolve(std::int32_t pid, std::uint64_t address);
    // The same, with the module mapped at the address at `time_ns` (a library
    // unloaded and another loaded at the same address).
    const SymbolizedSite &resolve(std::int32_t pid, std::uint64_t address, std::uint64_t time_ns);

    // One line per module that lacked symbols or did not match its recorded
    // build-id, saying how to fix it. Empty when everything resolved.
    std::vector<std::string> warnings() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace refblame::analyzer
