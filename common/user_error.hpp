// user_error.hpp: the one user-facing error type: names the input and what to do; the CLI prints it and exits 2.
#pragma once

#include <stdexcept>
#include <string>

namespace refblame {

class UserError : public std::runtime_error {
public:
    explicit UserError(const std::string &message) : std::runtime_error(message) {}
};

} // namespace refblame
