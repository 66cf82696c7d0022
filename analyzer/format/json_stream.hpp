// json_stream.hpp: a report's big top-level array written one element at a time, byte for byte what dump(2) of the whole document gives.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>

namespace refblame::analyzer {

using JsonElement = std::function<nlohmann::json(std::size_t)>;
using JsonText = std::function<void(std::size_t, std::string &)>; // sets its argument to element i's dump(2)

// Writes frame.dump(2) and a newline, with the empty top-level array frame[key] filled with the `n`
// elements element(0..n-1), made one at a time: the document is never whole in memory.
void write_streamed(std::FILE *out, const nlohmann::json &frame, const std::string &key, std::size_t n,
                    const JsonElement &element);

// Writes the `n` elements of a top-level array whose '[' was just written, and what dump(2) puts
// between the last one and the closing ']' (nothing when n == 0).
void write_elements(std::FILE *out, std::size_t n, const JsonElement &element);
void write_elements(std::FILE *out, std::size_t n, const JsonText &element); // elements given as text

} // namespace refblame::analyzer
