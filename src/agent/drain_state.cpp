#include "ggufd/agent/drain_state.h"

#include <algorithm>

namespace ggufd::agent {

std::string_view to_string(Role role) { return role == Role::serve ? "serve" : "standby"; }

void DrainState::drain_node() {
    std::lock_guard lock(mutex_);
    if (!node_since_) node_since_ = Clock::now();
}

void DrainState::undrain_all() {
    std::lock_guard lock(mutex_);
    node_since_.reset();
    service_since_.clear();
}

void DrainState::drain_service(const std::string& name) {
    std::lock_guard lock(mutex_);
    service_since_.try_emplace(name, Clock::now());
}

void DrainState::undrain_service(const std::string& name) {
    std::lock_guard lock(mutex_);
    service_since_.erase(name);
}

bool DrainState::node_drained() const {
    std::lock_guard lock(mutex_);
    return node_since_.has_value();
}

bool DrainState::drained(const std::string& service) const {
    std::lock_guard lock(mutex_);
    return since_locked(service).has_value();
}

// The earliest drain that applies: answers since then are what the balancer has heard.
std::optional<DrainState::Clock::time_point> DrainState::since_locked(const std::string& service) const {
    std::optional<Clock::time_point> since = node_since_;
    if (auto it = service_since_.find(service); it != service_since_.end()) {
        since = since ? std::min(*since, it->second) : it->second;
    }
    return since;
}

void DrainState::record_answer(const std::string& service, Role role, bool kept_away) {
    std::lock_guard lock(mutex_);
    last_answer_[{service, role}] = Told{Clock::now(), kept_away};
}

DrainState::Progress DrainState::progress(const std::string& service) const {
    std::lock_guard lock(mutex_);
    Progress progress;
    progress.since = since_locked(service);
    progress.drained = progress.since.has_value();
    for (Role role : {Role::serve, Role::standby}) {
        auto it = last_answer_.find({service, role});
        if (it == last_answer_.end()) continue;
        progress.checked = true;
        const Told& told = it->second;
        if (progress.drained && !(told.kept_away && told.at >= *progress.since)) progress.not_yet_told.push_back(role);
    }
    return progress;
}

}  // namespace ggufd::agent
