#include "metrics_api.h"

#include <charconv>
#include <vector>

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

// The shortest text that reads back as the same double: byte sizes stay exact (a 16 GiB gauge
// is not rounded to a few digits) and bucket bounds stay short ("0.001").
std::string number(double value) {
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
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

// One snapshot per service, taken once, so that every family reports the same moment.
struct ServiceSample {
    supervisor::ServiceHandle* service;
    std::string label;  // service="name"
    supervisor::ServiceStatus status;
};

// Every family is written whole: its HELP and TYPE, then all of its samples. Parsers (Prometheus'
// own Python client among them) drop samples that come after another family has begun.
template <typename Value>
void per_service(Exposition& out, const std::vector<ServiceSample>& services, const char* name, const char* type,
                 const char* help, Value value) {
    out.family(name, type, help);
    for (const auto& s : services) out.sample(name, s.label, static_cast<double>(value(s)));
}

template <typename Pick>
void per_service_histogram(Exposition& out, const std::vector<ServiceSample>& services, const char* name,
                           const char* help, Pick pick) {
    out.family(name, "histogram", help);
    for (const auto& s : services) out.histogram(name, s.label, pick(*s.service));
}

void per_gpu(Exposition& out, const nlohmann::json& gpus, const char* key, const char* name, const char* help) {
    out.family(name, "gauge", help);
    for (const auto& gpu : gpus) {
        if (gpu.contains(key) && gpu[key].is_number()) {
            out.sample(name, "gpu=\"" + std::to_string(gpu["index"].get<int>()) + "\"", gpu[key].get<double>());
        }
    }
}

}  // namespace

std::string prometheus_metrics(const GatewayContext& context) {
    std::vector<ServiceSample> services;
    // Held for the loop: a reload may publish a new directory and free this one meanwhile.
    auto directory = context.supervisor.directory();
    for (const auto& s : directory->services) {
        services.push_back({s.get(), "service=\"" + escape(s->name()) + "\"", s->status()});
    }
    Exposition out;
    out.family("ggufd_active_requests", "gauge", "Requests the front door is answering now.");
    out.sample("ggufd_active_requests", "", context.active_requests.load());

    per_service(out, services, "ggufd_requests_total", "counter", "Requests relayed to a service.",
                [](const ServiceSample& s) { return s.service->metrics().requests.load(); });
    per_service(out, services, "ggufd_request_errors_total", "counter",
                "Relayed requests that ended in a 5xx or were cut off.",
                [](const ServiceSample& s) { return s.service->metrics().errors.load(); });
    per_service(out, services, "ggufd_tokens_generated_total", "counter",
                "Tokens generated, from the answers' usage and timings.",
                [](const ServiceSample& s) { return s.service->metrics().tokens_generated.load(); });
    per_service_histogram(out, services, "ggufd_request_duration_seconds",
                          "Time from a complete request to the end of its answer.",
                          [](supervisor::ServiceHandle& s) -> const supervisor::Histogram& { return s.metrics().duration; });
    per_service_histogram(out, services, "ggufd_time_to_first_token_seconds",
                          "Streams: time from a complete request to the first event.",
                          [](supervisor::ServiceHandle& s) -> const supervisor::Histogram& {
                              return s.metrics().time_to_first_token;
                          });
    per_service(out, services, "ggufd_service_in_flight", "gauge", "Requests in flight per service.",
                [](const ServiceSample& s) { return s.service->in_flight(); });
    per_service(out, services, "ggufd_service_restarts_total", "counter", "Automatic restarts of the service's child.",
                [](const ServiceSample& s) { return s.status.restarts; });
    out.family("ggufd_service_state", "gauge", "1 for the service's current state, 0 for the others.");
    for (const auto& s : services) {
        for (ServiceState state : kStates) {
            out.sample("ggufd_service_state", s.label + ",state=\"" + std::string(supervisor::to_string(state)) + "\"",
                       state == s.status.state ? 1 : 0);
        }
    }

    auto gpus = gpus_json(context);
    per_gpu(out, gpus, "total_bytes", "ggufd_gpu_memory_total_bytes", "GPU memory as the device reports it.");
    per_gpu(out, gpus, "used_bytes", "ggufd_gpu_memory_used_bytes", "GPU memory in use as the device reports it.");
    per_gpu(out, gpus, "budget_bytes", "ggufd_gpu_memory_budget_bytes", "The memory budget ggufd enforces on the GPU.");
    per_gpu(out, gpus, "committed_bytes", "ggufd_gpu_memory_committed_bytes",
            "What the running services are charged on the GPU.");
    return out.take();
}

}  // namespace ggufd::gateway
