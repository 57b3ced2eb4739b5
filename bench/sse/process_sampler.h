// What the watched processes (a proxy under test) use while a run is under way: resident
// memory and CPU time, read from /proc/<pid>/status and /proc/<pid>/stat.
#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

namespace ggufd::bench {

/// VmRSS of `pid` in KiB, or nullopt if the process is gone or /proc cannot be read.
std::optional<long> resident_kib(pid_t pid);

/// User plus system CPU time `pid` has used so far, all threads, in seconds; nullopt if gone.
std::optional<double> cpu_seconds(pid_t pid);

/// Samples a set of processes: the summed resident memory (max and mean over the samples) and
/// the CPU time they used between the first and the last sample.
class ProcessSampler {
public:
    explicit ProcessSampler(std::vector<pid_t> pids) : pids_(std::move(pids)) {}
    bool active() const { return !pids_.empty(); }
    /// Reads every process once; false when one is gone (the proxy crashed).
    bool sample();
    long max_kib() const { return max_kib_; }
    double mean_kib() const { return samples_ ? static_cast<double>(total_kib_) / samples_ : 0; }
    double cpu_seconds_used() const { return last_cpu_ - first_cpu_; }

private:
    std::vector<pid_t> pids_;
    long max_kib_ = 0;
    long long total_kib_ = 0;
    long samples_ = 0;
    double first_cpu_ = 0;
    double last_cpu_ = 0;
};

}  // namespace ggufd::bench
