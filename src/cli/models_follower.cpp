#include "models_follower.h"

#include <future>

#include "ggufd/config/loader.h"
#include "gpu_setup.h"
#include "models_rescan.h"
#include "ggufd/util/log.h"

namespace ggufd::cli {
namespace {

using namespace std::chrono_literals;

// A copy or a `mv` of several files settles within a second; a directory that keeps changing is
// still rescanned every few seconds.
constexpr auto kQuietFor = 1s;
constexpr auto kAtMost = 4s;

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "none" : text;
}

}  // namespace

ModelsDirFollower::ModelsDirFollower(const config::Config& running, supervisor::Supervisor& supervisor,
                                     gpu::DeviceMonitor& monitor)
    : running_(running), supervisor_(supervisor), monitor_(monitor), schedule_(kQuietFor, kAtMost) {
    start_watching();
}

void ModelsDirFollower::start_watching() {
    watch_.reset();
    if (running_.models_dir.empty() || !running_.watch_models_dir) return;
    watch_ = std::make_unique<ModelsDirWatch>(running_.models_dir);
    if (watch_->fd() < 0) {
        spdlog::warn("models_dir: not watched: {}; models added there are served after `ggufd reload`", watch_->problem());
        return;
    }
    spdlog::info("models_dir {}: watched; models added, removed or renamed there are picked up within seconds",
                 running_.models_dir.string());
}

std::optional<std::chrono::milliseconds> ModelsDirFollower::due_in() const {
    auto due = schedule_.due_at();
    if (!due) return std::nullopt;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - RescanSchedule::Clock::now());
    return std::max(left, 0ms);
}

void ModelsDirFollower::on_readable() {
    if (watch_ && watch_->drain()) schedule_.note_change(RescanSchedule::Clock::now());
}

void ModelsDirFollower::on_due() {
    if (schedule_.take_due(RescanSchedule::Clock::now())) rescan();
}

void ModelsDirFollower::config_changed(const config::Config& applied) {
    const bool same_directory = applied.models_dir == running_.models_dir &&
                                applied.watch_models_dir == running_.watch_models_dir;
    // A directory that was missing at start, or removed since, is watched again once a reload
    // finds it (docs/CONFIG.md, "Models that appear").
    const bool watch_lost = watch_ && (watch_->fd() < 0 || !watch_->problem().empty());
    running_ = applied;
    if (!same_directory || watch_lost) start_watching();
}

void ModelsDirFollower::rescan() {
    config::LoadResult found = config::rediscover(running_);
    for (const auto& warning : found.warnings) spdlog::warn("models_dir: {}", warning);
    RescanPlan plan = plan_rescan(running_, std::move(*found.config), gguf_problem);
    report_held_back(plan.held_back);

    auto budgets = make_memory_options(plan.next, monitor_).budgets;
    // A removed model's requests in flight finish first (its child keeps the deleted file open):
    // as long as an answer may take, not just the shutdown's drain.
    supervisor::ReloadOptions options;
    options.drain_timeout = plan.next.upstream_timeout;
    std::promise<supervisor::ReloadReport> applied;
    supervisor_.reload(plan.next, std::move(budgets),
                       [&applied](const supervisor::ReloadReport& report) { applied.set_value(report); }, options);
    supervisor::ReloadReport report = applied.get_future().get();
    if (!report.error.empty()) {
        spdlog::warn("models_dir changed, but it cannot be applied now: {}", report.error);
        return;
    }
    running_ = std::move(plan.next);
    if (report.added.empty() && report.removed.empty() && report.restarted.empty()) return;
    spdlog::info("models_dir changed: added {}; removed {}; restarted {}", joined(report.added), joined(report.removed),
                 joined(report.restarted));
}

void ModelsDirFollower::report_held_back(const std::vector<HeldBack>& held_back) {
    std::map<std::string, std::string> now;
    for (const HeldBack& entry : held_back) {
        if (reported_[entry.service] != entry.problem) {
            spdlog::warn("models_dir: \"{}\" is not served yet: {}; it is once the file is a complete GGUF file (still "
                         "being copied?)",
                         entry.service, entry.problem);
        }
        now[entry.service] = entry.problem;
    }
    reported_ = std::move(now);
}

}  // namespace ggufd::cli
