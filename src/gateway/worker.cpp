#include "worker.h"

#include <sys/socket.h>

#include <cerrno>

#include "ggufd/net/socket.h"
#include "ggufd/util/log.h"

namespace ggufd::gateway {
namespace {

constexpr auto kSweepInterval = std::chrono::seconds(1);
constexpr size_t kScratchBytes = 64 * 1024;

}  // namespace

struct Worker::Listener : net::IoHandler {
    Listener(Worker& worker, net::UniqueFd fd, bool admin) : worker(worker), fd(std::move(fd)), admin(admin) {}
    void on_io(uint32_t) override { worker.accept_from(fd.get(), admin); }

    Worker& worker;
    net::UniqueFd fd;
    bool admin;
};

Worker::Worker(GatewayContext& context, int index)
    : context_(context), index_(index), pool_(loop_), scratch_(kScratchBytes) {}

Worker::~Worker() { stop(); }

void Worker::start() {
    const auto& config = context_.config;
    listeners_.push_back(std::make_unique<Listener>(
        *this, net::listen_tcp(config.listen.host, config.listen.port, /*reuse_port=*/true), false));
    if (config.admin_listen) {
        listeners_.push_back(std::make_unique<Listener>(
            *this, net::listen_tcp(config.admin_listen->host, config.admin_listen->port, true), true));
    }
    for (auto& listener : listeners_) loop_.add(listener->fd.get(), EPOLLIN, listener.get());
    loop_.add_timer(kSweepInterval, [this] { sweep(); });
    thread_ = std::thread([this] { loop_.run(); });
}

void Worker::stop_accepting() {
    loop_.post([this] {
        for (auto& listener : listeners_) loop_.remove(listener->fd.get());
        listeners_.clear();
        std::vector<ClientConnection*> open;
        for (auto& [id, connection] : connections_) open.push_back(connection.get());
        for (auto* connection : open) connection->close_if_idle();
    });
}

void Worker::stop() {
    if (!thread_.joinable()) return;
    loop_.stop();
    thread_.join();
}

void Worker::accept_from(int listen_fd, bool admin) {
    // The listener is level-triggered: take what is queued now, the rest on the next wake-up,
    // so one busy listener cannot starve the connections this worker already serves.
    for (int i = 0; i < 64; ++i) {
        int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE) {
                spdlog::error("front door: cannot accept a connection: out of file descriptors");
            }
            return;
        }
        net::set_nodelay(fd);
        uint64_t id = (static_cast<uint64_t>(index_) << 48) | next_connection_id_++;
        connections_.emplace(id, std::make_unique<ClientConnection>(*this, net::UniqueFd(fd), id, admin));
    }
}

ClientConnection* Worker::find(uint64_t id) {
    auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
}

void Worker::forget(ClientConnection* connection) {
    auto it = connections_.find(connection->id());
    if (it == connections_.end()) return;
    loop_.retire(std::move(it->second));
    connections_.erase(it);
}

void Worker::begin_request() { context_.active_requests.fetch_add(1, std::memory_order_relaxed); }

void Worker::end_request() {
    if (context_.active_requests.fetch_sub(1) == 1 && !context_.accepting.load()) {
        std::lock_guard lock(context_.drain_mutex);
        context_.drained.notify_all();
    }
}

void Worker::sweep() {
    auto now = loop_.now();
    pool_.sweep(now);
    std::vector<ClientConnection*> open;
    open.reserve(connections_.size());
    for (auto& [id, connection] : connections_) open.push_back(connection.get());
    for (auto* connection : open) connection->sweep(now);
    loop_.add_timer(kSweepInterval, [this] { sweep(); });
}

}  // namespace ggufd::gateway
