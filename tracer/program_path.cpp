// program_path.cpp: finds the program to record the way execvp would (PATH lookup), or says why it cannot run.
#include "program_path.hpp"

#include "user_error.hpp"

#include <system_error>
#include <unistd.h>

namespace refblame::tracer {

namespace fs = std::filesystem;

namespace {

enum class Verdict { runnable, missing, directory, not_executable };

Verdict check(const fs::path &p)
{
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st))
        return Verdict::missing;
    if (fs::is_directory(st))
        return Verdict::directory;
    if (access(p.c_str(), X_OK) != 0)
        return Verdict::not_executable;
    return Verdict::runnable;
}

} // namespace

fs::path find_program(const std::string &program, const char *path_env)
{
    if (program.empty())
        throw UserError("no program given: use `refblame record [OPTIONS] -- PROGRAM [ARGS...]`");

    if (program.find('/') != std::string::npos) {
        switch (check(program)) {
        case Verdict::runnable:
            return program;
        case Verdict::missing:
            throw UserError("program " + program + ": no such file");
        case Verdict::directory:
            throw UserError("program " + program + ": is a directory, not a program");
        case Verdict::not_executable:
            throw UserError("program " + program + ": not executable (permission denied); chmod +x it or run it through its interpreter");
        }
    }

    std::string path = path_env && *path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    fs::path not_executable;
    std::size_t begin = 0;
    while (begin <= path.size()) {
        std::size_t end = path.find(':', begin);
        if (end == std::string::npos)
            end = path.size();
        std::string dir = path.substr(begin, end - begin);
        fs::path candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / program;
        Verdict v = check(candidate);
        if (v == Verdict::runnable)
            return candidate;
        if (v == Verdict::not_executable && not_executable.empty())
            not_executable = candidate;
        begin = end + 1;
    }
    if (!not_executable.empty())
        throw UserError("program " + program + ": found " + not_executable.string() +
                        " but it is not executable (permission denied)");
    throw UserError("program " + program + ": not found in PATH (" + path + "); give its path, such as ./" + program);
}

} // namespace refblame::tracer
