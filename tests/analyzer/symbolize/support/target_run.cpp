// target_run.cpp: running test targets through /bin/sh and parsing their `pid`, `caller` and `module` lines.
#include "target_run.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <sstream>

namespace refblame::symtest {

std::string shell_quote(const std::string &text)
{
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

int run_command(const std::string &command, std::string *out)
{
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe)
        return -1;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
        if (out)
            out->append(buf, n);
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

std::vector<std::uint8_t> parse_hex(const std::string &hex)
{
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

} // namespace

TargetRun run_target(const std::string &program, const std::vector<std::string> &args)
{
    std::string command = shell_quote(program);
    for (const auto &a : args)
        command += " " + shell_quote(a);
    std::string output;
    TargetRun run;
    run.exit_status = run_command(command, &output);
    EXPECT_EQ(run.exit_status, 0) << command << " printed:\n" << output;

    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream in(line);
        std::string word;
        in >> word;
        if (word == "pid") {
            in >> run.pid;
        } else if (word == "caller") {
            std::string hex;
            in >> hex;
            run.callers.push_back(std::stoull(hex, nullptr, 16));
        } else if (word == "module") {
            std::string base, size, build_id, path;
            int pic = 1;
            in >> base >> size >> pic >> build_id;
            std::getline(in >> std::ws, path);
            analyzer::ModuleEvent m;
            m.kind = analyzer::ModuleEvent::Kind::bin_info;
            m.baddr = std::stoull(base, nullptr, 16);
            m.memsz = std::stoull(size, nullptr, 16);
            m.is_pic = pic != 0;
            m.path = path;
            run.modules.push_back(m);
            if (build_id != "-") {
                m.kind = analyzer::ModuleEvent::Kind::build_id;
                m.build_id = parse_hex(build_id);
                run.modules.push_back(m);
            }
        }
    }
    for (auto &m : run.modules)
        m.pid = run.pid;
    return run;
}

const analyzer::ModuleEvent *module_named(const TargetRun &run, const std::string &suffix)
{
    for (const auto &m : run.modules)
        if (m.kind == analyzer::ModuleEvent::Kind::bin_info && m.path.size() >= suffix.size() &&
            m.path.compare(m.path.size() - suffix.size(), suffix.size(), suffix) == 0)
            return &m;
    return nullptr;
}

} // namespace refblame::symtest
