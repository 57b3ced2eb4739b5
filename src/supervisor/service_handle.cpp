#include "ggufd/supervisor/service_handle.h"

namespace ggufd::supervisor {
namespace {

int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

ServiceHandle::ServiceHandle(config::ServiceConfig config)
    : config_(std::move(config)), last_used_ns_(steady_now_ns()) {}

bool ServiceHandle::try_begin_request() {
    in_flight_.fetch_add(1);
    if (state_.load() != ServiceState::ready) {
        in_flight_.fetch_sub(1);
        return false;
    }
    last_used_ns_.store(steady_now_ns(), std::memory_order_relaxed);
    return true;
}

void ServiceHandle::end_request() {
    last_used_ns_.store(steady_now_ns(), std::memory_order_relaxed);
    int now = in_flight_.fetch_sub(1) - 1;
    int low = in_flight_low_water_.load(std::memory_order_relaxed);
    while (now < low && !in_flight_low_water_.compare_exchange_weak(low, now, std::memory_order_relaxed)) {
    }
}

int ServiceHandle::take_in_flight_low_water() {
    return in_flight_low_water_.exchange(in_flight_.load(), std::memory_order_relaxed);
}

std::chrono::steady_clock::time_point ServiceHandle::last_used() const {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(last_used_ns_.load(std::memory_order_relaxed)));
}

ServiceStatus ServiceHandle::status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
}

void ServiceHandle::publish(const ServiceStatus& status) {
    {
        std::lock_guard lock(status_mutex_);
        status_ = status;
    }
    state_.store(status.state);
}

bool ServiceHandle::try_mark_stopping_if_idle() {
    ServiceState previous = state_.exchange(ServiceState::stopping);
    if (in_flight_.load() > 0) {
        state_.store(previous);
        return false;
    }
    return true;
}

}  // namespace ggufd::supervisor
