// Reloading the configuration (docs/CLI.md): unchanged services keep running, changed ones restart
// with their new settings, removed ones stop, new ones start per their `load`.
#include <spdlog/spdlog.h>

#include "supervisor_core.h"

namespace ggufd::supervisor {

void SupervisorCore::reload(config::Config next, std::vector<DeviceBudget> budgets, ReloadCallback done) {
    loop_.post([this, next = std::move(next), budgets = std::move(budgets), done = std::move(done)]() mutable {
        if (shutting_down_ || reloading_) {
            ReloadReport busy;
            busy.error = shutting_down_ ? "the daemon is shutting down" : "a reload is already in progress";
            return done(busy);
        }
        reloading_ = true;
        ReloadReport report;
        std::map<std::string, const config::ServiceConfig*> wanted;
        for (const auto& service : next.services) wanted[service.name] = &service;
        std::vector<std::string> to_stop;
        std::set<std::string> were_running;
        for (const auto& [name, runner] : runners_) {
            auto it = wanted.find(name);
            bool keep = it != wanted.end() && config::same_settings(runner->config(), *it->second);
            (keep ? report.unchanged : it == wanted.end() ? report.removed : report.restarted).push_back(name);
            if (keep) continue;
            to_stop.push_back(name);
            if (runner->has_child()) were_running.insert(name);
        }
        for (const auto& service : next.services) {
            if (!runners_.count(service.name)) report.added.push_back(service.name);
        }

        // What applies to the next start of any service takes effect now.
        config_ = std::move(next);
        context_.llama_server = config_.llama_server.string();
        ports_.reconfigure(config_.port_range_first, config_.port_range_last, reserved_ports(config_));
        for (const auto& name : report.removed) ports_.release(name);
        budgets_.store(std::make_shared<const std::vector<DeviceBudget>>(std::move(budgets)));

        auto finish = [this, report, were_running, done = std::move(done)] {
            replace_runners(report, were_running);
            reloading_ = false;
            done(report);
        };
        if (to_stop.empty()) return finish();
        auto remaining = std::make_shared<size_t>(to_stop.size());
        auto shared_finish = std::make_shared<decltype(finish)>(std::move(finish));
        for (const auto& name : to_stop) {
            bool removed = !wanted.count(name);
            runners_.at(name)->stop(StopCause::removed,
                                    removed ? "removed from the configuration"
                                            : "the configuration changed: restarting with the new settings",
                                    [remaining, shared_finish] {
                                        if (--*remaining == 0) (*shared_finish)();
                                    });
        }
    });
}

// Once the old children have stopped: drop removed and changed runners, create runners for new
// and changed services, publish the new directory, and start what should run.
void SupervisorCore::replace_runners(const ReloadReport& report, const std::set<std::string>& were_running) {
    for (const auto* names : {&report.removed, &report.restarted}) {
        for (const auto& name : *names) {
            loop_.retire(std::move(runners_.at(name)));
            runners_.erase(name);
        }
    }
    for (const auto& service : config_.services) {
        if (!runners_.count(service.name)) runners_.emplace(service.name, make_runner(service));
    }
    publish_directory();
    for (const auto* names : {&report.added, &report.restarted}) {
        for (const auto& name : *names) {
            ServiceRunner* runner = find(name);
            if (runner->config().load == config::LoadMode::eager || were_running.count(name)) runner->start(false);
        }
    }
}

}  // namespace ggufd::supervisor
