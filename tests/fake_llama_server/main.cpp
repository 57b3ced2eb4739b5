// fake-llama-server: parses the command line, binds, starts the one listener thread, and then
// owns time and signals on the main thread (the end of the load delay, SIGTERM/SIGINT). Every
// way out is _exit: a fake process ends as abruptly as the real one it imitates.
#include "fake_server.h"
#include "log.h"
#include "options.h"
#include "record.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace ggufd::fake;
using Clock = std::chrono::steady_clock;

sigset_t termination_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

constexpr Clock::time_point kNever = Clock::time_point::max();

// Durations parse up to millennia; beyond a year, a deadline is as good as never (and adding
// more to now() would overflow the clock).
Clock::time_point deadline_after(Duration duration) {
    return duration > std::chrono::hours(24 * 365) ? kNever : Clock::now() + duration;
}

/// Waits for SIGTERM/SIGINT until `deadline`. Returns the signal, or 0 when the deadline passed.
int wait_for_signal(const sigset_t& set, Clock::time_point deadline) {
    for (;;) {
        int signal = 0;
        if (deadline == kNever) {
            signal = ::sigwaitinfo(&set, nullptr);
        } else {
            auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
            if (left.count() <= 0) return 0;
            const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
            timespec timeout{static_cast<time_t>(seconds.count()), static_cast<long>((left - seconds).count())};
            signal = ::sigtimedwait(&set, nullptr, &timeout);
            if (signal < 0 && errno == EAGAIN) return 0;
        }
        if (signal > 0) return signal;
        // EINTR: a signal outside the set (e.g. SIGCONT after SIGSTOP); keep waiting.
    }
}

[[noreturn]] void fail_load(const Options& options) {
    log_line("srv    load_model: failed to load model, '" + options.model + "'");
    log_line("srv  llama_server: exiting due to model loading error (--fake-exit-on-start " +
             std::to_string(*options.exit_on_start) + ")");
    ::_exit(*options.exit_on_start);
}

[[noreturn]] void terminate_after_delay(const Options& options, const sigset_t& set) {
    log_line("srv    operator(): operator(): cleaning up before exit...");
    if (wait_for_signal(set, deadline_after(options.term_delay)) != 0) {
        log_line("Received second interrupt, terminating immediately.");
        ::_exit(1);
    }
    ::_exit(0);
}

void finish_loading(const Options& options, FakeServer& server) {
    if (options.exit_on_start) fail_load(options);
    server.mark_loaded();
    log_line("srv  llama_server: model loaded");
}

/// The main thread's life after start-up: end the load delay when `load_done` comes, then
/// answer SIGTERM/SIGINT until one of them ends the process.
[[noreturn]] void run_lifecycle(const Options& options, FakeServer& server, const sigset_t& set,
                                Clock::time_point load_done) {
    for (;;) {
        const int signal = wait_for_signal(set, load_done);
        if (signal == 0) {
            finish_loading(options, server);
            load_done = kNever;
            continue;
        }
        const char* name = signal == SIGTERM ? "SIGTERM" : "SIGINT";
        if (options.ignore_sigterm) {
            log_line(std::string("fake: received ") + name + "; ignoring it (--fake-ignore-sigterm)");
            continue;
        }
        terminate_after_delay(options, set);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = parse_options(args);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        log_line("error: " + *error);
        return 1;
    }
    const Options& options = std::get<Options>(parsed);
    if (options.show_help) {
        std::fputs(usage(), stdout);
        return 0;
    }
    if (options.show_version) {
        log_line("version: 10472 (fake)");
        log_line("built with fake-llama-server, ggufd's test double for llama-server");
        return 0;
    }
    for (const std::string& word : options.ignored) log_line("fake: ignoring unknown argument '" + word + "'");

    // Before any thread exists, so that every later thread inherits the mask and only
    // sigwaitinfo() on this thread ever receives these signals.
    const sigset_t signals = termination_signals();
    ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    // Without a load delay the fake is loaded before it listens: no request ever sees "loading".
    const bool instant_load = options.load_delay.count() == 0;
    if (instant_load && options.exit_on_start) fail_load(options);

    FakeServer server(options);
    auto port = server.bind();
    if (!port) {
        log_line("srv         start: couldn't bind HTTP server socket, hostname: " + options.host +
                 ", port: " + std::to_string(options.port));
        log_line("srv  llama_server: exiting due to HTTP server error");
        return 1;
    }
    if (!options.record_path.empty()) {
        const std::vector<std::string> whole_argv(argv, argv + argc);
        if (auto error = write_record(options.record_path, whole_argv, options.host, *port)) {
            log_line("error: " + *error);
            return 1;
        }
    }
    log_line("srv    load_model: loading model '" + options.model + "'");
    if (instant_load) finish_loading(options, server);
    log_line("main: server is listening on http://" + options.host + ":" + std::to_string(*port) +
             " - starting the main loop");

    if (options.flood_output) {
        // Never joined either: a child that floods its log until it is killed.
        std::thread([] {
            const std::string filler(80, 'x');
            for (uint64_t line = 0;; ++line) log_line("fake: flood line " + std::to_string(line) + " " + filler);
        }).detach();
    }
    // Never joined: from here on the process ends only by _exit, wherever it is decided.
    std::thread listener;
    if (options.hang) {
        log_line("fake: not accepting any connection (--fake-hang)");
    } else {
        listener = std::thread([&server] {
            server.serve();
            log_line("srv  llama_server: exiting due to HTTP server error (accept failed)");
            ::_exit(1);
        });
    }
    run_lifecycle(options, server, signals, instant_load ? kNever : deadline_after(options.load_delay));
}
