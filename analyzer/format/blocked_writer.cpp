// blocked_writer.cpp: the failed-freeze element's keys in nlohmann's (sorted) order, at dump(2)'s indentation; sites' objects rendered once.
#include "format/blocked_writer.hpp"

#include "format/site_view.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <concepts>
#include <string_view>

namespace refblame::analyzer {

namespace {

// Appends `text` (a dump(2) of its own), every line after the first indented `spaces` more: a nested
// value at the indentation of the member holding it.
void nested(std::string &out, std::string_view text, std::size_t spaces)
{
    std::size_t from = 0;
    for (std::size_t nl; (nl = text.find('\n', from)) != std::string_view::npos; from = nl + 1) {
        out.append(text, from, nl + 1 - from);
        out.append(spaces, ' ');
    }
    out.append(text, from);
}

// An object's members at `depth` (dump(2) indents them 2 * depth spaces), opened and closed by the caller.
class Members {
public:
    Members(std::string &out, std::size_t depth) : out_(out), depth_(depth) { out_ += '{'; }
    std::string &key(std::string_view name)
    {
        out_ += first_ ? "\n" : ",\n";
        first_ = false;
        out_.append(2 * depth_, ' ');
        out_ += '"';
        out_ += name; // keys are ours: plain ASCII
        out_ += "\": ";
        return out_;
    }
    void number(std::string_view name, std::integral auto v)
    {
        char buf[24];
        key(name).append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }
    void string(std::string_view name, std::string_view v) { append_string(key(name), v); }
    void boolean(std::string_view name, bool v) { key(name) += v ? "true" : "false"; }
    void close()
    {
        if (!first_) {
            out_ += '\n';
            out_.append(2 * (depth_ - 1), ' ');
        }
        out_ += '}';
    }

    static void append_string(std::string &out, std::string_view v)
    {
        for (char c : v)
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '"' ||
                c == '\\') {
                out += nlohmann::json(std::string(v)).dump(); // nlohmann's escaping (and its UTF-8 check)
                return;
            }
        out += '"';
        out += v;
        out += '"';
    }

private:
    std::string &out_;
    std::size_t depth_;
    bool first_ = true;
};

} // namespace

const BlockedWriter::SiteText &BlockedWriter::site(const SiteKey &key, bool with_stack)
{
    auto [it, fresh] = sites_.try_emplace(key);
    if (fresh)
        it->second.site = site_json(sym_.resolve(key)).dump(2);
    if (with_stack && !it->second.stack_done) { // after the site's own resolve, as holder_json asks
        it->second.stack_done = true;
        if (std::vector<SymbolizedSite> frames = sym_.stack(key); !frames.empty()) {
            nlohmann::json stack = nlohmann::json::array();
            for (const SymbolizedSite &f : frames)
                stack.push_back(site_json(f));
            it->second.stack = stack.dump(2);
        }
    }
    return it->second;
}

void BlockedWriter::holder(const HeldRefs &h, std::string &out)
{
    const SiteText &s = site(h.site, true);
    Members m(out, 3); // element, "holders" array, holder object
    m.string("confidence", confidence_name(h.confidence));
    m.boolean("expected", h.expected);
    if (h.holder)
        m.string("holder", hex(h.holder));
    else
        m.key("holder") += "null";
    m.number("refs", h.refs);
    m.number("since_ns", h.since_ns);
    nested(m.key("site"), s.site, 6);
    if (!s.stack.empty())
        nested(m.key("stack"), s.stack, 6);
    m.number("tid", h.tid);
    if (h.uncertain)
        m.boolean("uncertain", true);
    m.close();
}

void BlockedWriter::write(const Blocked &b, std::string &out)
{
    out.clear();
    const SiteText &freeze = site(b.freeze_site, false); // symbolized before the holders, as blocked_json does
    Members m(out, 1);
    m.number("count", b.count);
    m.number("expected", b.expected);
    nested(m.key("freeze_site"), freeze.site, 2);
    m.number("generation", b.object.generation);
    std::string &holders = m.key("holders");
    if (b.holders.empty()) {
        holders += "[]";
    } else {
        holders += '[';
        for (std::size_t i = 0; i < b.holders.size(); ++i) {
            holders += i ? ",\n    " : "\n    ";
            holder(b.holders[i], holders);
        }
        holders += "\n  ]";
    }
    m.string("kind", b.kind);
    m.string("object", hex(b.object.obj));
    m.number("pid", b.object.pid);
    m.number("tid", b.tid);
    m.number("time_ns", b.time_ns);
    if (b.uncertain)
        m.boolean("uncertain", true);
    m.close();
}

} // namespace refblame::analyzer
