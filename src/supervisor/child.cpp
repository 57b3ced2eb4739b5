#include "child.h"

#include <signal.h>

#include "ggufd/util/log.h"
#include "ggufd/util/units.h"

namespace ggufd::supervisor {
namespace {

constexpr auto kGroupPollInterval = std::chrono::milliseconds(50);
// After SIGKILL a process can only linger in an uninterruptible sleep (a hung disk or driver):
// past this we report the exit anyway rather than hold the service forever.
constexpr auto kAfterSigkill = std::chrono::seconds(5);

}  // namespace

Child::Child(net::EventLoop& loop, Process process, std::chrono::milliseconds group_grace, std::string label,
             Callbacks callbacks)
    : loop_(loop),
      process_(std::move(process)),
      group_grace_(group_grace),
      label_(std::move(label)),
      callbacks_(std::move(callbacks)) {
    output_ = std::make_unique<OutputReader>(loop_, process_.take_output(), callbacks_.on_line);
    pid_watch_.child = this;
    loop_.add(process_.pidfd(), EPOLLIN, &pid_watch_);
    watching_pid_ = true;
}

Child::~Child() {
    if (group_timer_) loop_.cancel_timer(group_timer_);
    if (watching_pid_) loop_.remove(process_.pidfd());
    // A leader that still runs is killed with its group by ~Process; members left behind by a
    // leader that already exited are killed here.
    if (process_.exited() && !reported_) process_.signal_group(SIGKILL);
}

void Child::on_leader_exit() {
    auto exit = process_.reap();
    if (!exit) return;
    status_ = *exit;
    leader_exited_at_ = std::chrono::steady_clock::now();
    loop_.remove(process_.pidfd());
    watching_pid_ = false;
    if (!process_.group_alive()) return report();
    spdlog::warn("{}: pid {} exited ({}) but other processes of its group still run; sending them SIGTERM", label_,
                 process_.pid(), status_.describe());
    process_.signal_group(SIGTERM);
    process_.signal_group(SIGCONT);  // a stopped process acts on SIGTERM only once continued
    group_signalled_ = true;
    group_timer_ = loop_.add_timer(kGroupPollInterval, [this] {
        group_timer_ = 0;
        watch_group();
    });
}

void Child::watch_group() {
    auto waited = std::chrono::steady_clock::now() - leader_exited_at_;
    if (!process_.group_alive()) return report();
    if (!group_killed_ && waited >= group_grace_) {
        spdlog::warn("{}: its process group still runs {} after SIGTERM; sending SIGKILL", label_,
                     units::format_duration(group_grace_));
        process_.signal_group(SIGKILL);
        group_killed_ = true;
    } else if (group_killed_ && waited >= group_grace_ + kAfterSigkill) {
        spdlog::error("{}: processes of group {} survive SIGKILL (stuck in the kernel?); going on without them",
                      label_, process_.pid());
        return report();
    }
    group_timer_ = loop_.add_timer(kGroupPollInterval, [this] {
        group_timer_ = 0;
        watch_group();
    });
}

void Child::report() {
    if (output_) output_->drain_final();  // its last words, for the exit report
    std::string note;
    if (group_killed_) note = "the rest of its process group had to be killed with SIGKILL";
    else if (group_signalled_) note = "the rest of its process group was ended with SIGTERM";
    reported_ = true;
    // Last: the owner may retire this Child from inside the callback.
    auto on_exit = std::move(callbacks_.on_exit);
    on_exit(status_, note);
}

}  // namespace ggufd::supervisor
