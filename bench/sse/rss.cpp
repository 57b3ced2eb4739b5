#include "rss.h"

#include <algorithm>
#include <fstream>
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

bool RssSampler::sample() {
    long sum = 0;
    for (pid_t pid : pids_) {
        auto kib = resident_kib(pid);
        if (!kib) return false;
        sum += *kib;
    }
    max_kib_ = std::max(max_kib_, sum);
    total_kib_ += sum;
    ++samples_;
    return true;
}

}  // namespace ggufd::bench
