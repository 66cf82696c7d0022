// blocked_writer.hpp: a failed freeze's element of `blockers --format json` written as text, byte for byte what dump(2) of its JSON object gives, without building the object.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <cstddef>
#include <string>
#include <unordered_map>

namespace refblame::analyzer {

// The JSON document of a failed freeze (blocked_json) is rebuilt for each of thousands of elements, each
// with its sites' objects: at 10 M events, building, dumping and freeing them took most of the output's
// time. This writes the same text, each site's object rendered once (the elements' key order is fixed:
// nlohmann's objects keep keys sorted). Sites are symbolized in the order blocked_json does it, so the
// symbolizer's warnings come out the same.
class BlockedWriter {
public:
    explicit BlockedWriter(Symbolizer &sym) : sym_(sym) {}

    // `out` = the element's dump(2), as if it were the whole document (no indentation before its '{').
    void write(const Blocked &b, std::string &out);

private:
    struct SiteText {
        std::string site;  // dump(2) of site_json(resolve(key))
        std::string stack; // dump(2) of the holder's "stack" array; empty when no stack was recorded
        bool stack_done = false; // `stack` asked for (holders' sites only, as holder_json does)
    };
    const SiteText &site(const SiteKey &key, bool with_stack);
    void holder(const HeldRefs &h, std::string &out);

    Symbolizer &sym_;
    std::unordered_map<SiteKey, SiteText, SiteKeyHash> sites_;
};

} // namespace refblame::analyzer
