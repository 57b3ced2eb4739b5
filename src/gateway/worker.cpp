#include "worker.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

void Worker::start_draining() {
    loop_.post([this] {
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
    for (int i = 0; i < kAcceptsPerWake; ++i) {
        if (connections_.size() >= context_.connections_per_worker && !make_room_at_capacity()) {
            pause_accepting();  // until a connection closes
            return;
        }
        int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            if (error == EAGAIN) return;
            if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
                // Free descriptors by closing connections that wait for a request; if none can
                // go, wait a little rather than spin on a listener that stays readable.
                if (out_of_descriptors(error)) continue;
                return;
            }
            continue;  // an error of that one connection (aborted, refused by a firewall rule)
        }
        descriptor_retries_ = 0;
        net::set_nodelay(fd);
        uint64_t id = (static_cast<uint64_t>(index_) << 48) | next_connection_id_++;
        connections_.emplace(id, std::make_unique<ClientConnection>(*this, net::UniqueFd(fd), id, admin));
    }
}

// Closes the connections that have waited longest for a request. False when every connection
// is busy answering one (those are never closed to make room).
bool Worker::make_room() {
    struct Candidate {
        ClientConnection::WaitingFor waiting;
        ClientConnection* connection;
    };
    std::vector<Candidate> candidates;
    for (auto& [id, connection] : connections_) {
        if (auto waiting = connection->waiting_for()) candidates.push_back({*waiting, connection.get()});
    }
    // Twice the batch in order, so that connections whose request is already in their socket
    // (accepted in a flood, not read yet) can be passed over: they are about to be served.
    size_t considered = std::min(2 * kEvictBatch, candidates.size());
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(considered),
                      candidates.end(), [](const Candidate& a, const Candidate& b) {
                          return a.waiting.rank != b.waiting.rank ? a.waiting.rank < b.waiting.rank
                                                                  : a.waiting.since < b.waiting.since;
                      });
    size_t closed = 0;
    for (size_t i = 0; i < considered && closed < kEvictBatch; ++i) {
        if (candidates[i].connection->has_unread_input()) continue;
        candidates[i].connection->abort();
        ++closed;
    }
    return closed > 0;
}

bool Worker::make_room_at_capacity() {
    bool made = make_room();
    if (uint64_t times = full_log_.record(loop_.now())) {
        spdlog::warn("front door: max_connections reached ({} per worker, {} time(s) since the last report): {}",
                     context_.connections_per_worker, times,
                     made ? "closed the connections that had waited longest for a request"
                          : "every connection is busy; new ones wait in the listen backlog");
    }
    return made;
}

bool Worker::out_of_descriptors(int error) {
    if (uint64_t times = descriptors_log_.record(loop_.now())) {
        spdlog::error("front door: cannot accept a connection: {} ({} time(s) since the last report). Closing "
                      "connections that wait for a request, or else pausing accepts for {} ms. Raise the descriptor "
                      "limit (LimitNOFILE) or lower max_connections",
                      std::strerror(error), times, kAcceptBackoff.count());
    }
    if (++descriptor_retries_ <= kEvictBatch && make_room()) return true;
    descriptor_retries_ = 0;
    pause_accepting();
    accept_backoff_ = true;
    loop_.add_timer(kAcceptBackoff, [this] {
        accept_backoff_ = false;
        resume_accepting();
    });
    return false;
}

void Worker::pause_accepting() {
    if (accept_paused_) return;
    accept_paused_ = true;
    for (auto& listener : listeners_) loop_.remove(listener->fd.get());
}

void Worker::resume_accepting() {
    if (!accept_paused_ || accept_backoff_) return;
    accept_paused_ = false;
    for (auto& listener : listeners_) loop_.add(listener->fd.get(), EPOLLIN, listener.get());
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
    resume_accepting();
}

void Worker::resume_later(uint64_t id) {
    resume_queue_.push_back(id);
    if (resume_armed_) return;
    resume_armed_ = true;
    // A timer due now runs after the events of the next epoll_wait: the other connections first.
    loop_.add_timer(net::Clock::duration::zero(), [this] { run_resumes(); });
}

void Worker::run_resumes() {
    resume_armed_ = false;
    std::vector<uint64_t> ids;
    ids.swap(resume_queue_);
    for (uint64_t id : ids) {
        if (ClientConnection* connection = find(id)) connection->resume();
    }
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
