// program_path.hpp: finds the program to record the way execvp would (PATH lookup), or says why it cannot run.
#pragma once

#include <filesystem>
#include <string>

namespace refblame::tracer {

// `program` containing a slash is taken as a path; otherwise it is looked up
// in `path_env` (the PATH value; empty or unset means the default PATH).
// Throws UserError naming the program when it is missing, a directory or not
// executable.
std::filesystem::path find_program(const std::string &program, const char *path_env);

} // namespace refblame::tracer
