#include "metrics_api.h"

#include <cstdio>

#include "gateway_context.h"
#include "status_json.h"

namespace ggufd::gateway {
namespace {

using supervisor::ServiceState;

constexpr ServiceState kStates[] = {ServiceState::stopped, ServiceState::starting, ServiceState::ready,
                                    ServiceState::unhealthy, ServiceState::stopping, ServiceState::failed};

// Label values may contain anything a config allows; escape as the exposition format asks.
std::string escape(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
}

class Exposition {
public:
    void family(const char* name, const char* type, const char* help) {
        text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void sample(const std::string& name, const std::string& labels, double value) {
        text_ += name;
        if (!labels.empty()) text_ += "{" + labels + "}";
        text_ += " " + number(value) + "\n";
    }
    void histogram(const std::string& name, const std::string& labels, const supervisor::Histogram& histogram) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < supervisor::Histogram::kBounds.size(); ++i) {
            cumulative += histogram.bucket(i);
            sample(name + "_bucket", labels + ",le=\"" + number(supervisor::Histogram::kBounds[i]) + "\"",
                   static_cast<double>(cumulative));
        }
        sample(name + "_bucket", labels + ",le=\"+Inf\"", static_cast<double>(histogram.count()));
        sample(name + "_sum", labels, histogram.sum_seconds());
        sample(name + "_count", labels, static_cast<double>(histogram.count()));
    }
    std::string take() { return std::move(text_); }

private:
    std::string text_;
};

}  // namespace

std::string prometheus_metrics(const GatewayContext& context) {
    auto services = context.supervisor.directory()->services;
    Exposition out;
    out.family("ggufd_active_requests", "gauge", "Requests the front door is answering now.");
    out.sample("ggufd_active_requests", "", context.active_requests.load());

    out.family("ggufd_requests_total", "counter", "Requests relayed to a service.");
    for (const auto& s : services) out.sample("ggufd_requests_total", "service=\"" + escape(s->name()) + "\"", s->metrics().requests.load());
    out.family("ggufd_request_errors_total", "counter", "Relayed requests that ended in a 5xx or were cut off.");
    for (const auto& s : services) out.sample("ggufd_request_errors_total", "service=\"" + escape(s->name()) + "\"", s->metrics().errors.load());
    out.family("ggufd_tokens_generated_total", "counter", "Tokens generated, from the answers' usage and timings.");
    for (const auto& s : services) out.sample("ggufd_tokens_generated_total", "service=\"" + escape(s->name()) + "\"", s->metrics().tokens_generated.load());
    out.family("ggufd_request_duration_seconds", "histogram", "Time from a complete request to the end of its answer.");
    for (const auto& s : services) out.histogram("ggufd_request_duration_seconds", "service=\"" + escape(s->name()) + "\"", s->metrics().duration);
    out.family("ggufd_time_to_first_token_seconds", "histogram", "Streams: time from a complete request to the first event.");
    for (const auto& s : services) out.histogram("ggufd_time_to_first_token_seconds", "service=\"" + escape(s->name()) + "\"", s->metrics().time_to_first_token);

    out.family("ggufd_service_in_flight", "gauge", "Requests in flight per service.");
    for (const auto& s : services) out.sample("ggufd_service_in_flight", "service=\"" + escape(s->name()) + "\"", s->in_flight());
    out.family("ggufd_service_restarts_total", "counter", "Automatic restarts of the service's child.");
    out.family("ggufd_service_state", "gauge", "1 for the service's current state, 0 for the others.");
    for (const auto& s : services) {
        auto status = s->status();
        std::string label = "service=\"" + escape(s->name()) + "\"";
        out.sample("ggufd_service_restarts_total", label, status.restarts);
        for (ServiceState state : kStates) {
            out.sample("ggufd_service_state", label + ",state=\"" + std::string(supervisor::to_string(state)) + "\"",
                       state == status.state ? 1 : 0);
        }
    }

    auto gpus = gpus_json(context);
    out.family("ggufd_gpu_memory_total_bytes", "gauge", "GPU memory as the device reports it.");
    out.family("ggufd_gpu_memory_used_bytes", "gauge", "GPU memory in use as the device reports it.");
    out.family("ggufd_gpu_memory_budget_bytes", "gauge", "The memory budget ggufd enforces on the GPU.");
    out.family("ggufd_gpu_memory_committed_bytes", "gauge", "What the running services are charged on the GPU.");
    for (const auto& gpu : gpus) {
        std::string label = "gpu=\"" + std::to_string(gpu["index"].get<int>()) + "\"";
        auto maybe = [&](const char* key, const char* metric) {
            if (gpu.contains(key) && gpu[key].is_number()) out.sample(metric, label, gpu[key].get<double>());
        };
        maybe("total_bytes", "ggufd_gpu_memory_total_bytes");
        maybe("used_bytes", "ggufd_gpu_memory_used_bytes");
        maybe("budget_bytes", "ggufd_gpu_memory_budget_bytes");
        maybe("committed_bytes", "ggufd_gpu_memory_committed_bytes");
    }
    return out.take();
}

}  // namespace ggufd::gateway
