// json_stream.cpp: element indentation as dump(2) gives it inside the document, and the frame spliced around the array.
#include "format/json_stream.hpp"

#include <stdexcept>

namespace refblame::analyzer {

void write_elements(std::FILE *out, std::size_t n, const JsonElement &element)
{
    write_elements(out, n, JsonText([&](std::size_t i, std::string &text) { text = element(i).dump(2); }));
}

void write_elements(std::FILE *out, std::size_t n, const JsonText &element)
{
    std::string text, indented;
    for (std::size_t i = 0; i < n; ++i) {
        element(i, text);
        indented.clear();
        indented.reserve(text.size() + text.size() / 8 + 8);
        indented += "\n    "; // one level deeper: every line of the element gets four more spaces
        std::size_t from = 0;
        for (std::size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
            indented.append(text, from, nl + 1 - from);
            indented += "    ";
        }
        indented.append(text, from);
        if (i + 1 != n)
            indented += ',';
        std::fwrite(indented.data(), 1, indented.size(), out);
    }
    if (n > 0)
        std::fputs("\n  ", out);
}

void write_streamed(std::FILE *out, const nlohmann::json &frame, const std::string &key, std::size_t n,
                    const JsonElement &element)
{
    const std::string text = frame.dump(2);
    const std::string empty = "\n  \"" + key + "\": []";
    const std::size_t at = text.find(empty);
    if (at == std::string::npos)
        throw std::logic_error("streamed JSON: no top-level \"" + key + "\" array");
    std::fwrite(text.data(), 1, at + empty.size() - 1, out); // up to and including '['
    write_elements(out, n, element);
    std::fputs((text.substr(at + empty.size() - 1) + "\n").c_str(), out);
}

} // namespace refblame::analyzer
