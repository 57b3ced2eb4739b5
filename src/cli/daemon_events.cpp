#include "daemon_events.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ggufd::cli {

sigset_t block_daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A client that vanishes mid-write must cost an EPIPE, not the process.
    signal(SIGPIPE, SIG_IGN);
    return set;
}

DaemonEvents::DaemonEvents(const sigset_t& signals)
    : signal_fd_(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK)),
      reload_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!signal_fd_ || !reload_fd_) throw std::runtime_error(std::string("signalfd/eventfd: ") + std::strerror(errno));
}

DaemonEvents::Event DaemonEvents::wait(std::chrono::milliseconds timeout, int also) {
    Event event;
    pollfd fds[3] = {{signal_fd_.get(), POLLIN, 0}, {reload_fd_.get(), POLLIN, 0}, {also, POLLIN, 0}};
    if (::poll(fds, also >= 0 ? 3 : 2, static_cast<int>(timeout.count())) <= 0) return event;
    event.also_readable = also >= 0 && (fds[2].revents & POLLIN);
    if (fds[0].revents & POLLIN) {
        signalfd_siginfo info{};
        if (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) event.signal = static_cast<int>(info.ssi_signo);
    }
    if (fds[1].revents & POLLIN) {
        uint64_t count;
        [[maybe_unused]] ssize_t n = ::read(reload_fd_.get(), &count, sizeof count);
        std::lock_guard lock(mutex_);
        event.reloads.swap(pending_);
    }
    return event;
}

void DaemonEvents::request_reload(ReloadReply reply) {
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(reply));
    }
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(reload_fd_.get(), &one, sizeof one);
}

}  // namespace ggufd::cli
