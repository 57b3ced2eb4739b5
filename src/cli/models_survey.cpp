// Surveying services' models: header, placement, estimate, budget (see models_survey.h).
#include "models_survey.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "ggufd/gguf/reader.h"
#include "ggufd/supervisor/model_facts.h"
#include "gpu_setup.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

const gpu::Device* find_device(const std::vector<gpu::Device>& devices, const gpu::DeviceRef& ref) {
    auto it = std::find_if(devices.begin(), devices.end(),
                           [&](const gpu::Device& d) { return d.vendor == ref.vendor && d.index == ref.index; });
    return it == devices.end() ? nullptr : &*it;
}

std::string where_of(const std::vector<int>& gpus) {
    std::string text = gpus.size() == 1 ? "GPU " : "GPUs ";
    for (size_t i = 0; i < gpus.size(); ++i) text += (i ? ", " : "") + std::to_string(gpus[i]);
    return text;
}

// Reads the file; on failure, says why in `error` and `failure` and returns nullopt.
std::optional<gguf::GgufFile> read_into(const HeaderReader& reader, const std::filesystem::path& path,
                                        std::string& error, ReadFailure& failure) {
    try {
        return reader(path);
    } catch (const std::exception& e) {
        failure = supervisor::classify_read_failure(e);
        // The reader's own errors name the file; anything else gets its path in front.
        bool names_file = failure != ReadFailure::other || dynamic_cast<const std::system_error*>(&e);
        error = names_file ? e.what() : path.string() + ": " + e.what();
    }
    return std::nullopt;
}

void estimate_into(ModelSurvey& survey, const config::ServiceConfig& service, const gguf::GgufFile& file,
                   const gguf::GgufFile* projector) {
    try {
        survey.estimate = memory::estimate(file, supervisor::estimate_params_for(service, survey.placement.backend, projector));
    } catch (const std::exception& e) {
        // invalid_argument: a malformed flag in `args`, or a model without the keys the
        // estimate needs; FormatError: malformed hyper-parameters.
        survey.estimate_error = e.what();
    }
}

void judge_fit(ModelSurvey& survey, const config::ServiceConfig& service, const SurveyContext& context) {
    const bool on_cpu = survey.placement.error.empty() && survey.placement.gpus.empty();
    if (survey.estimate && context.host_memory_bytes) {
        survey.host_memory_short = survey.estimate->host.total() > *context.host_memory_bytes;
    }
    if (!survey.placement.error.empty()) return;
    if (on_cpu) {
        survey.fit = Fit::cpu;
        return;
    }
    if (service.memory_bytes) {
        survey.gpu_need_bytes = service.memory_bytes;
        survey.need_configured = true;
    } else if (survey.estimate) {
        survey.gpu_need_bytes = survey.estimate->device.total();
    }
    if (!survey.gpu_need_bytes || !survey.placement.budget_bytes) return;
    survey.fit = *survey.gpu_need_bytes <= *survey.placement.budget_bytes ? Fit::fits : Fit::too_big;
}

}  // namespace

Placement place(const config::ServiceConfig& service, const SurveyContext& context) {
    Placement placement;
    auto mask = gpu::choose_mask(context.devices, service.gpus);
    if (const auto* error = std::get_if<std::string>(&mask)) {
        placement.error = *error;
        placement.where = "-";
        return placement;
    }
    const auto& chosen = std::get<gpu::Mask>(mask);
    placement.reason = chosen.reason;
    if (chosen.cpu_only()) {
        placement.where = "CPU";
        return placement;
    }
    uint64_t budget = 0;
    bool budget_known = true;
    for (const gpu::DeviceRef& ref : chosen.visible) {
        if (std::find(placement.gpus.begin(), placement.gpus.end(), ref.index) == placement.gpus.end()) {
            placement.gpus.push_back(ref.index);
        }
        const gpu::Device* device = find_device(context.devices, ref);
        std::optional<uint64_t> device_share = device ? device_budget(*device, context.memory) : std::nullopt;
        if (device_share) budget += *device_share;
        else budget_known = false;
    }
    placement.where = where_of(placement.gpus);
    placement.backend = backend_of(chosen);
    // llama-server splits layers across several GPUs, so their budgets add up.
    if (budget_known) placement.budget_bytes = budget;
    return placement;
}

ModelSurvey survey_model(const config::ServiceConfig& service, const SurveyContext& context) {
    ModelSurvey survey;
    survey.service = service.name;
    survey.discovered = service.discovered;
    survey.own_command = !service.command.empty();
    survey.defined_at = service.defined_at;
    survey.file = service.model;
    survey.mmproj = service.mmproj;
    survey.placement = place(service, context);

    const HeaderReader reader = context.read_header ? context.read_header : HeaderReader(gguf::read_header);
    std::optional<gguf::GgufFile> file = read_into(reader, service.model, survey.error, survey.failure);
    if (file) {
        try {
            survey.info = gguf::summarize(*file);
        } catch (const gguf::FormatError& e) {
            survey.error = e.what();
            survey.failure = ReadFailure::format;
        }
    }
    std::optional<gguf::GgufFile> projector;
    if (survey.mmproj) {
        ReadFailure ignored;  // any projector failure gets the same advice
        projector = read_into(reader, *survey.mmproj, survey.mmproj_error, ignored);
    }
    if (survey.own_command) {
        // The estimate's formulas are llama-server's; another server's needs are its own.
        survey.estimate_error = "the service runs its own command, not llama-server";
    } else if (survey.info) {
        estimate_into(survey, service, *file, projector ? &*projector : nullptr);
    }
    judge_fit(survey, service, context);
    return survey;
}

std::vector<ModelSurvey> survey_models(const config::Config& config, const SurveyContext& context) {
    std::vector<ModelSurvey> surveys;
    for (const config::ServiceConfig& service : config.services) {
        if (!service.model.empty()) surveys.push_back(survey_model(service, context));
    }
    return surveys;
}

std::string format_parameters(uint64_t count) {
    static constexpr struct {
        double scale;
        const char* suffix;
    } kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    for (const auto& unit : kUnits) {
        const double value = static_cast<double>(count) / unit.scale;
        if (value < 1.0) continue;
        char text[32];
        std::snprintf(text, sizeof text, value < 100 ? "%.1f%s" : "%.0f%s", value, unit.suffix);
        return text;
    }
    return std::to_string(count);
}

std::string describe_need(const ModelSurvey& survey) {
    const Placement& placement = survey.placement;
    if (!placement.error.empty()) return "";
    if (survey.fit == Fit::cpu) {
        return survey.estimate ? units::format_bytes(survey.estimate->host.total()) + " on CPU" : "";
    }
    if (!survey.gpu_need_bytes) return "";
    std::string text = units::format_bytes(*survey.gpu_need_bytes) + " on " + placement.where;
    if (survey.need_configured) {
        text += " (configured)";
    } else if (survey.estimate) {
        text += " + " + units::format_bytes(survey.estimate->host.total()) + " RAM";
    }
    if (survey.fit == Fit::too_big) text += " (over its " + units::format_bytes(*placement.budget_bytes) + " budget)";
    return text;
}

}  // namespace ggufd::cli
