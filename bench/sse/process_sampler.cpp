#include "process_sampler.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace ggufd::bench {

std::optional<long> resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));  // "VmRSS:   1234 kB"
    }
    return std::nullopt;
}

std::optional<double> cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return std::nullopt;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields from
    // the last ')'. utime and stime are fields 14 and 15, the 12th and 13th after it.
    auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(close + 2));
    std::string skip;
    for (int i = 0; i < 11; ++i) fields >> skip;
    unsigned long long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

bool ProcessSampler::sample() {
    long kib_sum = 0;
    double cpu_sum = 0;
    for (pid_t pid : pids_) {
        auto kib = resident_kib(pid);
        auto cpu = cpu_seconds(pid);
        if (!kib || !cpu) return false;
        kib_sum += *kib;
        cpu_sum += *cpu;
    }
    if (samples_ == 0) first_cpu_ = cpu_sum;
    last_cpu_ = cpu_sum;
    max_kib_ = std::max(max_kib_, kib_sum);
    total_kib_ += kib_sum;
    ++samples_;
    return true;
}

}  // namespace ggufd::bench
