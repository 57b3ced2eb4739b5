#include "ggufd/gateway/gateway.h"

#include <algorithm>
#include <thread>

#include "gateway_context.h"
#include "ggufd/net/socket.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

int worker_count_for(const config::Config& config) {
    if (config.workers > 0) return config.workers;
    // One loop per core is what keeps latency flat under load; beyond four, a local model
    // server is never the front door's bottleneck.
    int cores = static_cast<int>(std::thread::hardware_concurrency());
    return std::clamp(cores, 1, 4);
}

// SO_REUSEPORT would let a second daemon bind the same address and silently take half of the
// traffic: make sure nothing listens there before our workers share it.
void check_address_free(const config::ListenAddress& address) {
    net::listen_tcp(address.host, address.port, /*reuse_port=*/false, 1);
}

}  // namespace

Gateway::Gateway(const config::Config& config, supervisor::Supervisor& supervisor, const gpu::DeviceMonitor& devices,
                 agent::DrainState& drains, ReloadRequester reload)
    : context_(std::make_unique<GatewayContext>(config, supervisor, devices, drains, std::move(reload))) {}

Gateway::~Gateway() { stop(); }

void Gateway::start() {
    check_address_free(context_->config.listen);
    if (context_->config.admin_listen) check_address_free(*context_->config.admin_listen);
    int count = worker_count_for(context_->config);
    for (int i = 0; i < count; ++i) {
        workers_.push_back(std::make_unique<Worker>(*context_, i));
        workers_.back()->start();
    }
}

void Gateway::stop_accepting() {
    context_->accepting = false;
    for (auto& worker : workers_) worker->stop_accepting();
}

int Gateway::active_requests() const { return context_->active_requests.load(); }

bool Gateway::wait_drained(std::chrono::milliseconds timeout) {
    std::unique_lock lock(context_->drain_mutex);
    return context_->drained.wait_for(lock, timeout, [this] { return context_->active_requests.load() <= 0; });
}

void Gateway::stop() {
    for (auto& worker : workers_) worker->stop();
    workers_.clear();
}

}  // namespace ggufd::gateway
