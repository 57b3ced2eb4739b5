// Resident memory of other processes, read from /proc/<pid>/status while a run is under way.
#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

namespace ggufd::bench {

/// VmRSS of `pid` in KiB, or nullopt if the process is gone or /proc cannot be read.
std::optional<long> resident_kib(pid_t pid);

/// Max and mean of the summed resident memory of a set of processes over a run's samples.
class RssSampler {
public:
    explicit RssSampler(std::vector<pid_t> pids) : pids_(std::move(pids)) {}
    bool active() const { return !pids_.empty(); }
    /// Reads every process once; a process that is gone is an error (the proxy crashed).
    bool sample();
    long max_kib() const { return max_kib_; }
    double mean_kib() const { return samples_ ? static_cast<double>(total_kib_) / samples_ : 0; }
    long samples() const { return samples_; }

private:
    std::vector<pid_t> pids_;
    long max_kib_ = 0;
    long long total_kib_ = 0;
    long samples_ = 0;
};

}  // namespace ggufd::bench
