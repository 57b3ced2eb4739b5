#include "ggufd/gateway/gateway.h"

#include <algorithm>
#include <thread>

#include "gateway_context.h"
#include "ggufd/net/fd_limit.h"
#include "ggufd/net/socket.h"
#include "ggufd/util/log.h"
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

// Descriptors kept for everything but client connections: children's pipes and pidfds, health
// probes, listeners, log files. Each client connection may need two (itself and its child's).
size_t reserved_descriptors(const config::Config& config) { return 256 + 8 * config.services.size(); }

size_t connections_per_worker(const config::Config& config, int workers) {
    const uint64_t limit = net::fd_limit();
    const size_t reserve = reserved_descriptors(config);
    const size_t fit = limit > reserve + 2 ? static_cast<size_t>((limit - reserve) / 2) : 1;
    const size_t wanted = static_cast<size_t>(config.max_connections);
    if (fit < wanted) {
        spdlog::warn("max_connections {} does not fit the file descriptor limit {} ({} are kept for children and "
                     "health probes, two per connection): using {}. Raise LimitNOFILE (ulimit -n) or lower "
                     "max_connections",
                     wanted, limit, reserve, fit);
    }
    return std::max<size_t>(1, std::min(fit, wanted) / static_cast<size_t>(workers));
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
    context_->connections_per_worker = connections_per_worker(context_->config, count);
    for (int i = 0; i < count; ++i) {
        workers_.push_back(std::make_unique<Worker>(*context_, i));
        workers_.back()->start();
    }
}

void Gateway::start_draining() {
    context_->accepting = false;
    for (auto& worker : workers_) worker->start_draining();
}

int Gateway::active_requests() const { return context_->active_requests.load(); }

bool Gateway::wait_drained(std::chrono::milliseconds timeout) {
    std::unique_lock lock(context_->drain_mutex);
    return context_->drained.wait_for(lock, timeout, [this] { return context_->active_requests.load() <= 0; });
}

void Gateway::stop() {
    for (auto& worker : workers_) worker->stop();
    context_->body_validator.stop();  // its last answers go to loops that still exist
    workers_.clear();
}

}  // namespace ggufd::gateway
