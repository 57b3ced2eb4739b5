#include "agent_loop.h"

#include <sys/socket.h>

#include <cerrno>

#include "agent_connection.h"
#include "agent_protocol.h"

namespace ggufd::agent {
namespace {

// A balancer checks each (service, role) pair of this node about once a second; 64 places
// serve several balancers with room to spare, and bound what a flood of peers can hold.
constexpr size_t kMaxConnections = 64;
constexpr int kAcceptsPerWakeup = 16;
// How stale an answer may be: the supervisor's state and the in-flight low-water mark are read
// this often, never per check.
constexpr auto kRefreshInterval = std::chrono::milliseconds(250);

}  // namespace

AgentLoop::AgentLoop(net::UniqueFd listener, const supervisor::Supervisor& supervisor, DrainState& drains,
                     const std::atomic<bool>& shutting_down)
    : listener_(std::move(listener)), supervisor_(supervisor), drains_(drains), shutting_down_(shutting_down) {}

AgentLoop::~AgentLoop() {
    connections_.clear();
    loop_.remove(listener_.get());
}

void AgentLoop::begin() {
    loop_.add(listener_.get(), EPOLLIN, this);
    refresh();
}

void AgentLoop::on_io(uint32_t) {
    for (int i = 0; i < kAcceptsPerWakeup; ++i) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            // EAGAIN: nothing more queued. EMFILE/ENFILE: the front door logs those; the
            // connection stays queued for a later wake-up.
            return;
        }
        // The oldest open check has had the longest to send its line: it makes room.
        if (connections_.size() >= kMaxConnections) close(connections_.begin()->first);
        uint64_t id = next_id_++;
        connections_.emplace(id, std::make_unique<AgentConnection>(*this, net::UniqueFd(fd), id));
    }
}

void AgentLoop::close(uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    loop_.retire(std::move(it->second));
    connections_.erase(it);
}

void AgentLoop::expire(uint64_t id) {
    if (auto it = connections_.find(id); it != connections_.end()) it->second->on_deadline();
}

std::string AgentLoop::answer(std::string_view line) {
    bool shutting_down = shutting_down_.load();
    std::optional<Query> query = parse_query(line);
    if (!query) return malformed_query_reply();
    if (query->service.empty()) return render(node_answer(drains_.node_drained(), shutting_down));
    auto name = canonical_.find(query->service);
    if (name == canonical_.end()) return render(unknown_service(query->service, shutting_down));
    const std::string& service = name->second;
    Answer answer = decide(views_.at(service), query->role, drains_.drained(service), shutting_down);
    drains_.record_answer(service, query->role, answer.keeps_new_requests_away());
    return render(answer);
}

// State, cause and reason come from one published snapshot, so they agree; only an idle unload
// that has just claimed the service shows first in the handle's atomic state, as `stopping`.
void AgentLoop::refresh() {
    auto directory = supervisor_.directory();
    views_.clear();
    canonical_.clear();
    for (const auto& handle : directory->services) {
        supervisor::ServiceStatus status = handle->status();
        ServiceView view;
        view.state = status.state;
        if (status.state == supervisor::ServiceState::ready && handle->state() == supervisor::ServiceState::stopping) {
            view.state = supervisor::ServiceState::stopping;
        }
        view.cause = status.cause;
        view.reason = std::move(status.reason);
        view.slots = slots_of(handle->config());
        SlotHistory& history = slots_[handle->name()];
        history.add(handle->take_in_flight_low_water());
        view.held = history.held();
        views_.emplace(handle->name(), std::move(view));
    }
    for (const auto& [name, handle] : directory->by_name) canonical_.emplace(name, handle->name());
    std::erase_if(slots_, [this](const auto& entry) { return !views_.contains(entry.first); });
    loop_.add_timer(kRefreshInterval, [this] { refresh(); });
}

}  // namespace ggufd::agent
