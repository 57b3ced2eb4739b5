// `ggufd models` (see models_command.h): load the config, find the GPUs, survey every model.
#include "models_command.h"

#include <cstdio>

#include "config_source.h"
#include "exit_codes.h"
#include "ggufd/gpu/discovery.h"
#include "ggufd/util/units.h"
#include "models_host_memory.h"
#include "table.h"

namespace ggufd::cli {
namespace {

std::string_view to_string(Fit fit) {
    switch (fit) {
        case Fit::unknown: return "unknown";
        case Fit::cpu: return "cpu";
        case Fit::fits: return "fits";
        case Fit::too_big: return "too_big";
    }
    return "unknown";
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json text_or_null(const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); }

nlohmann::json estimate_json(const memory::Estimate& estimate) {
    return {{"gpu_bytes", estimate.device.total()},
            {"host_bytes", estimate.host.total()},
            {"total_bytes", estimate.total()},
            {"context", estimate.context},
            {"offloaded_layers", estimate.offloaded_layers},
            {"explanation", estimate.explanation}};
}

std::string dash_if_empty(std::string text) { return text.empty() ? "-" : text; }

}  // namespace

nlohmann::json to_json(const ModelSurvey& survey) {
    const auto& info = survey.info;
    nlohmann::json out = {
        {"name", survey.service},
        {"discovered", survey.discovered},
        {"file", survey.file.string()},
        {"mmproj", survey.mmproj ? nlohmann::json(survey.mmproj->string()) : nlohmann::json(nullptr)},
        {"error", text_or_null(survey.error)},
        {"mmproj_error", text_or_null(survey.mmproj_error)},
        {"architecture", info ? nlohmann::json(info->architecture) : nullptr},
        {"model_name", info ? nlohmann::json(info->name) : nullptr},
        {"parameters", info ? nlohmann::json(info->parameter_count) : nullptr},
        {"quantization", info ? nlohmann::json(info->quantization) : nullptr},
        {"context_length", info ? or_null(info->context_length) : nullptr},
        {"layers", info ? nlohmann::json(info->block_count) : nullptr},
        {"file_size", info ? nlohmann::json(info->file_size) : nullptr},
        {"where", survey.placement.where},
        {"gpus", survey.placement.gpus},
        {"gpus_error", text_or_null(survey.placement.error)},
        {"budget_bytes", or_null(survey.placement.budget_bytes)},
        {"estimate", survey.estimate ? estimate_json(*survey.estimate) : nlohmann::json(nullptr)},
        {"estimate_error", text_or_null(survey.estimate_error)},
        {"gpu_need_bytes", or_null(survey.gpu_need_bytes)},
        {"need_configured", survey.need_configured},
        {"fit", to_string(survey.fit)},
    };
    return out;
}

std::string render_models(const std::vector<ModelSurvey>& surveys) {
    Table table({"NAME", "ARCH", "PARAMS", "QUANT", "CTX", "LAYERS", "SIZE", "MEMORY", "FILE"});
    std::string errors;
    for (const ModelSurvey& survey : surveys) {
        const auto& info = survey.info;
        std::string memory = !survey.placement.error.empty() ? "(bad gpus)" : describe_need(survey);
        if (!survey.error.empty()) memory = "(unreadable)";
        table.add({survey.service, info ? dash_if_empty(info->architecture) : "-",
                   info ? format_parameters(info->parameter_count) : "-", info ? dash_if_empty(info->quantization) : "-",
                   info && info->context_length ? std::to_string(*info->context_length) : "-",
                   info ? std::to_string(info->block_count) : "-", info ? units::format_bytes(info->file_size) : "-",
                   dash_if_empty(memory), survey.file.string()});
        for (const std::string* error : {&survey.error, &survey.mmproj_error, &survey.placement.error}) {
            if (!error->empty()) errors += "  " + survey.service + ": " + *error + "\n";
        }
    }
    std::string out = table.render();
    if (!errors.empty()) out += "\nnot usable as they are:\n" + errors;
    return out;
}

int run_models(const ModelsOptions& options) {
    LoadedConfig loaded = load_config(options.config_path);
    // Errors leave nothing to list; warnings (a missing models_dir, skipped files) go to stderr.
    if (!report_load(loaded)) return kUsage;
    const config::Config& config = *loaded.result.config;

    const gpu::Discovery gpus = gpu::discover(gpu::DiscoveryOptions::from_environment());
    SurveyContext context{gpus.devices, config.memory, host_memory_bytes(), {}};
    const std::vector<ModelSurvey> surveys = survey_models(config, context);

    if (options.json) {
        nlohmann::json models = nlohmann::json::array();
        for (const ModelSurvey& survey : surveys) models.push_back(to_json(survey));
        nlohmann::json out = {{"config", loaded.described_source},
                              {"models_dir", config.models_dir.string()},
                              {"models", models}};
        std::printf("%s\n", out.dump(2).c_str());
        return kOk;
    }
    if (surveys.empty()) {
        std::printf("No models: %s holds no .gguf files and no service in %s names a model file.\n",
                    config.models_dir.empty() ? "models_dir (not set)" : config.models_dir.c_str(),
                    loaded.described_source.c_str());
        return kOk;
    }
    std::fputs(render_models(surveys).c_str(), stdout);
    return kOk;
}

}  // namespace ggufd::cli
