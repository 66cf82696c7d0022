// demangle.cpp: demangling with abi::__cxa_demangle and the reduction of demangled names to readable qualified names.
#include "symbolize/demangle.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <vector>

namespace refblame::analyzer {

std::string_view strip_clone_suffix(std::string_view symbol)
{
    // Neither mangled names nor C identifiers contain '.', so whatever follows
    // the first one (after the first character) is a compiler suffix.
    auto dot = symbol.find('.', 1);
    return dot == std::string_view::npos ? symbol : symbol.substr(0, dot);
}

std::string demangle(std::string_view symbol)
{
    if (symbol.size() < 3 || symbol.substr(0, 2) != "_Z")
        return std::string(symbol);
    std::string input(symbol);
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(input.c_str(), nullptr, nullptr, &status),
                                                    &std::free);
    if (status != 0 || !out)
        return input;
    return out.get();
}

namespace {

bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

bool starts_with_word(std::string_view s, std::size_t i, std::string_view word)
{
    return s.substr(i, word.size()) == word && (i + word.size() == s.size() || !is_ident(s[i + word.size()])) &&
           (i == 0 || !is_ident(s[i - 1]));
}

char closer(char open)
{
    switch (open) {
    case '(': return ')';
    case '[': return ']';
    case '{': return '}';
    default: return '>';
    }
}

std::size_t skip_operator(std::string_view s, std::size_t i);

// Index just past the bracket group opening at s[i]. Angle brackets are not
// counted inside parentheses (decltype expressions may compare or use ->).
std::size_t skip_group(std::string_view s, std::size_t i)
{
    std::vector<char> stack{s[i]};
    ++i;
    while (i < s.size() && !stack.empty()) {
        char c = s[i];
        char top = stack.back();
        if (starts_with_word(s, i, "operator") && top != '(') {
            i = skip_operator(s, i); // "operator<" inside template arguments opens nothing
            continue;
        }
        if (c == '(' || c == '[' || c == '{' || (c == '<' && top != '('))
            stack.push_back(c);
        else if (c == closer(top))
            stack.pop_back();
        ++i;
    }
    return i;
}

// Index just past an operator name starting at s[i] ("operator()", "operator<<", "operator new[]", "operator int").
std::size_t skip_operator(std::string_view s, std::size_t i)
{
    i += 8;
    if (i + 1 < s.size() && (s.substr(i, 2) == "()" || s.substr(i, 2) == "[]"))
        return i + 2;
    static constexpr std::string_view symbols = "+-*/%^&|~!=<>,";
    if (i < s.size() && symbols.find(s[i]) != std::string_view::npos) {
        while (i < s.size() && symbols.find(s[i]) != std::string_view::npos)
            ++i;
        return i;
    }
    // new, delete, conversion operators, literal operators: up to the parameter list.
    while (i < s.size() && s[i] != '(') {
        if (s[i] == '<' || s[i] == '[')
            i = skip_group(s, i);
        else
            ++i;
    }
    return i;
}

bool is_qualifier_at(std::string_view s, std::size_t i)
{
    for (std::string_view q : {"const", "volatile", "noexcept", "throw", "&&", "&", "transaction_safe"})
        if (s.substr(i, q.size()) == q)
            return true;
    return false;
}

std::string normalize_component(std::string_view c)
{
    if (c.substr(0, 7) == "{lambda")
        return "{lambda}";
    if (c.substr(0, 13) == "{unnamed type")
        return "{unnamed type}";
    return std::string(c);
}

} // namespace

std::string short_function_name(std::string_view s)
{
    std::vector<std::string> components;
    std::string current;
    bool had_params = false; // the current component's parameter list was seen
    std::size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (starts_with_word(s, i, "operator")) {
            std::size_t end = skip_operator(s, i);
            current.append(s.substr(i, end - i));
            i = end;
        } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
            components.push_back(normalize_component(current));
            current.clear();
            had_params = false;
            i += 2;
        } else if (c == '(' || c == '{') {
            std::size_t end = skip_group(s, i);
            if (current.empty() && !had_params)
                current.append(s.substr(i, end - i)); // "(anonymous namespace)", "{lambda(...)#1}"
            else
                had_params = true; // a parameter list: dropped
            i = end;
        } else if (c == '<' || c == '[') {
            std::size_t end = skip_group(s, i);
            current.append(s.substr(i, end - i));
            i = end;
        } else if (c == ' ') {
            ++i;
            if (s.substr(i, 6) == "[clone")
                break;
            if (i < s.size() && s[i] == '<') {
                current.push_back(' '); // "operator< <int>"
            } else if (had_params && is_qualifier_at(s, i)) {
                while (i < s.size() && s[i] != ' ' && s[i] != ':')
                    ++i; // " const" after a parameter list
            } else if (!had_params) {
                // What came before was a return type ("void", "std::vector<int> ").
                components.clear();
                current.clear();
            }
        } else {
            if (!had_params)
                current.push_back(c);
            ++i;
        }
    }
    if (!current.empty())
        components.push_back(normalize_component(current));
    std::string out;
    for (const auto &part : components) {
        if (!out.empty())
            out += "::";
        out += part;
    }
    return out.empty() ? std::string(s) : out;
}

std::string display_function_name(std::string_view symbol)
{
    std::string_view base = strip_clone_suffix(symbol);
    if (base.substr(0, 2) != "_Z")
        return std::string(base);
    return short_function_name(demangle(base));
}

} // namespace refblame::analyzer
