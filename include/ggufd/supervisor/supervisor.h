// The supervisor: one long-lived thread that owns every child process and every service's state
// machine. Other threads (the front door, the CLI's admin calls, signal handling) talk to it only
// through the thread-safe methods below; their callbacks run on the supervisor thread and must
// only hand results back (EventLoop::post), never block.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/memory/estimate.h"
#include "ggufd/supervisor/memory_budget.h"
#include "ggufd/supervisor/service_handle.h"

namespace ggufd::supervisor {

class SupervisorCore;

/// The answer to "make this service ready" (a lazy start) or to an admin action.
struct Outcome {
    bool ok = false;
    int http_status = 503;          ///< when not ok: 503 (cannot serve now) or 404 (no such service)
    std::string message;            ///< what happened, or why not, in words a user can act on
    int retry_after_seconds = 0;    ///< when not ok: a hint for Retry-After (0: none)
};
using OutcomeCallback = std::function<void(const Outcome&)>;

/// Where the services come from, as the config that made a directory says: what the 404 for an
/// unknown model names (a reload can change it).
struct ModelSources {
    std::filesystem::path config_file;  ///< empty: no config file
    std::filesystem::path models_dir;   ///< empty: discovery is off
    bool models_dir_watched = false;
};

/// What the front door routes by: every service and alias name -> its handle. Immutable; a
/// reload publishes a new one.
struct ServiceDirectory {
    std::vector<std::shared_ptr<ServiceHandle>> services;  ///< in config order
    std::unordered_map<std::string, std::shared_ptr<ServiceHandle>> by_name;  ///< names and aliases
    ModelSources sources;

    std::shared_ptr<ServiceHandle> find(std::string_view name) const;
};

/// The devices a service's child may see, decided by the GPU part (default mask or `gpus`).
struct GpuAssignment {
    std::vector<int> devices;  ///< empty: CPU only
    std::string reason;        ///< for the log: why these devices
    /// The variables that restrict the child's runtime to `devices` (HIP_VISIBLE_DEVICES, ...).
    std::vector<std::pair<std::string, std::string>> environment;
    memory::GpuBackend backend = memory::GpuBackend::none;  ///< the devices' runtime, for estimates
    std::string error;         ///< non-empty: the service cannot start (e.g. gpus = [3] on a 2-GPU box)
};
using GpuAssigner = std::function<GpuAssignment(const config::ServiceConfig&)>;

/// The memory budget's inputs (docs/MEMORY.md): a budget per device, and a way to read a device's free
/// memory, which may block (it runs nvidia-smi): the supervisor calls it on a helper thread.
struct MemoryOptions {
    std::vector<DeviceBudget> budgets;
    std::function<std::optional<uint64_t>(int device)> read_free_bytes;  ///< nullopt: unknown
    /// After stopping services to make room, how long to wait for the device to report the
    /// memory freed (drivers release it late) before starting anyway.
    std::chrono::milliseconds free_wait{std::chrono::seconds(10)};
};

/// What a reload did, by service name. Removed and restarted services' old children finish
/// their requests in flight first (up to the drain timeout), then stop.
struct ReloadReport {
    std::vector<std::string> added, removed, restarted, unchanged;
    /// Unchanged services that had failed for a cause the new config fixes (a program or model
    /// file that now exists): started again (eager) or made startable (lazy).
    std::vector<std::string> retried;
    std::string error;  ///< non-empty: nothing was done (the daemon is shutting down)
};
using ReloadCallback = std::function<void(const ReloadReport&)>;

struct ReloadOptions {
    /// How long the old child of a removed or changed service may finish the requests it has
    /// before it is stopped. nullopt: the new configuration's drain_timeout. A models_dir
    /// watcher that removes a vanished file's service may allow longer (upstream_timeout).
    std::optional<std::chrono::milliseconds> drain_timeout;
};

class Supervisor {
public:
    Supervisor(const config::Config& config, GpuAssigner assign_gpus, MemoryOptions memory = {});
    ~Supervisor();  ///< stops every child (SIGTERM, grace, SIGKILL) and joins the thread

    /// Starts the supervisor thread and every eager service. `on_eager_settled` runs (on the
    /// supervisor thread) once every eager service is ready or has failed: systemd's READY=1.
    void start(std::function<void()> on_eager_settled = {});

    std::shared_ptr<const ServiceDirectory> directory() const;

    /// Makes the service ready, starting it if it is stopped (lazy loading). The callback runs
    /// once it is ready, or with the reason it cannot be.
    void ensure_ready(const std::shared_ptr<ServiceHandle>& service, OutcomeCallback callback);

    enum class Action { start, stop, restart };
    /// Admin: start (also clears `failed`), stop, or restart a service by name. The callback
    /// runs when the action has completed: started and ready, or stopped.
    void control(const std::string& name, Action action, OutcomeCallback callback);

    /// Stops every child in parallel; `done` runs once all have exited.
    void stop_all(std::function<void()> done);

    /// Applies a new, validated configuration at once: the front door routes by it from the
    /// moment `done` runs. Unchanged services keep running; new ones start per their `load`;
    /// removed ones answer 404 to new requests; changed ones get a new child (new requests wait
    /// for it) while the old one finishes its requests in flight, then stops (bounded by the
    /// drain timeout and stop_timeout). llama_server, port_range and the budgets apply from
    /// the next start of any service.
    void reload(config::Config config, std::vector<DeviceBudget> budgets, ReloadCallback done,
                ReloadOptions options = {});

    /// Thread-safe, from the front door: a request to `service` got no response head within
    /// its first_byte_timeout (ServiceHandle::note_stall counted it). health_failures of them in
    /// a row make the service unhealthy, and it is restarted by its policy.
    void report_stall(const std::shared_ptr<ServiceHandle>& service);

    /// The budgets the supervisor enforces (for status output); replaced by a reload.
    std::shared_ptr<const std::vector<DeviceBudget>> budgets() const;

private:
    std::unique_ptr<SupervisorCore> core_;
};

}  // namespace ggufd::supervisor
