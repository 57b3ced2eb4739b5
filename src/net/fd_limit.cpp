#include "ggufd/net/fd_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ggufd::net {
namespace {

// With an unlimited hard limit the soft one can still go no higher than the kernel's nr_open.
uint64_t kernel_maximum() {
    uint64_t nr_open = 0;
    std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
    return nr_open > 0 ? nr_open : 1u << 20;
}

}  // namespace

FdLimitChange raise_fd_limit() {
    FdLimitChange change;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        change.error = std::strerror(errno);
        return change;
    }
    change.before = change.after = limit.rlim_cur;
    change.hard = limit.rlim_max == RLIM_INFINITY ? kernel_maximum() : limit.rlim_max;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < change.hard) {
        limit.rlim_cur = change.hard;
        if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) change.after = change.hard;
        else change.error = std::strerror(errno);
    }
    return change;
}

uint64_t fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    return limit.rlim_cur;
}

std::string FdLimitChange::describe() const {
    if (!error.empty()) {
        return "file descriptor limit " + std::to_string(after) + " (raising it to the hard limit " +
               std::to_string(hard) + " failed: " + error + ")";
    }
    if (after == before) return "file descriptor limit " + std::to_string(after) + " (the hard limit)";
    return "file descriptor limit raised from " + std::to_string(before) + " to " + std::to_string(after) +
           " (the hard limit)";
}

}  // namespace ggufd::net
