// Doctor's verdicts on each service's model, from its survey (see doctor_checks.h): readable,
// valid GGUF, possible GPUs, within budget. The survey did the reading; this only judges.
#include "doctor_checks.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

// Where the user changes a setting of this service: its line, or the models directory.
std::string setting_of(const ModelSurvey& survey, const std::string& key) {
    if (survey.discovered) return "add [services." + survey.service + "] with " + key + " to the config file";
    return "change " + key + " in " + describe_location(survey.defined_at);
}

Finding unreadable_model(const ModelSurvey& survey) {
    // The daemon gives the same advice at startup and in the service's status.
    Finding finding{"model", survey.service, Severity::problem, survey.error,
                    supervisor::model_fix(survey.failure, survey.discovered, survey.defined_at)};
    if (survey.failure == ReadFailure::format && survey.own_command) {
        // Another server may read another format; only llama-server needs GGUF.
        finding.severity = Severity::warning;
        finding.action = "ignore this if the service's command reads a format other than GGUF";
    }
    return finding;
}

Finding too_big(const ModelSurvey& survey) {
    const Placement& placement = survey.placement;
    std::string message = "needs " + units::format_bytes(*survey.gpu_need_bytes) + " on " + placement.where +
                          " but the budget there is " + units::format_bytes(*placement.budget_bytes);
    if (survey.need_configured) {
        message += " (its configured memory)";
    } else if (survey.estimate) {
        message += ": " + survey.estimate->explanation;
    }
    return {"model", survey.service, Severity::problem, message,
            "shorten its context (ctx_size), pick a smaller quantisation, offload fewer layers (n_gpu_layers), "
            "spread it over more GPUs (gpus), or raise the budget ([memory] budget or reserve)"};
}

// "llama, 4.2M parameters, F32, 2 layers, context 2048: 1.6 GiB on GPU 0 + 92 MiB RAM".
std::string summary(const ModelSurvey& survey) {
    const gguf::ModelInfo& info = *survey.info;
    std::string text = (info.architecture.empty() ? "unknown architecture" : info.architecture) + ", " +
                       format_parameters(info.parameter_count) + " parameters";
    if (!info.quantization.empty()) text += ", " + info.quantization;
    text += ", " + std::to_string(info.block_count) + " layers";
    if (info.context_length) text += ", context " + std::to_string(*info.context_length);
    std::string need = describe_need(survey);
    if (!need.empty()) text += ": " + need;
    if (survey.fit == Fit::fits) {
        text += ", within its " + units::format_bytes(*survey.placement.budget_bytes) + " budget";
    } else if (survey.fit == Fit::unknown && survey.gpu_need_bytes) {
        text += " (not checked: the GPU does not report its memory)";
    }
    return text;
}

std::vector<Finding> judge(const ModelSurvey& survey) {
    std::vector<Finding> findings;
    if (!survey.error.empty()) findings.push_back(unreadable_model(survey));
    if (!survey.mmproj_error.empty()) {
        findings.push_back({"model", survey.service, Severity::problem, "projector " + survey.mmproj_error,
                            survey.discovered ? "remove or replace the projector file in the models directory"
                                              : "download the projector again, or set mmproj in " +
                                                    describe_location(survey.defined_at) + " to a good one"});
    }
    if (!survey.placement.error.empty()) {
        findings.push_back({"model", survey.service, Severity::problem, survey.placement.error, setting_of(survey, "gpus")});
    }
    if (survey.fit == Fit::too_big) findings.push_back(too_big(survey));
    if (findings.empty() && survey.info) findings.push_back({"model", survey.service, Severity::ok, summary(survey), ""});

    if (!survey.estimate_error.empty() && !survey.need_configured && survey.info) {
        findings.push_back({"model", survey.service, survey.own_command ? Severity::info : Severity::warning,
                            "memory not estimated: " + survey.estimate_error,
                            setting_of(survey, "memory = \"NGiB\"") + " so that ggufd can budget for it"});
    }
    if (survey.host_memory_short) {
        findings.push_back({"model", survey.service, Severity::warning,
                            "needs " + units::format_bytes(survey.estimate->host.total()) +
                                " of RAM, more than this machine has: it would page from disk, if it starts at all",
                            "give it a GPU, a smaller quantisation or a shorter context (ctx_size)"});
    }
    return findings;
}

}  // namespace

std::vector<Finding> check_models(const std::vector<ModelSurvey>& surveys) {
    std::vector<Finding> findings;
    for (const ModelSurvey& survey : surveys) {
        std::vector<Finding> more = judge(survey);
        findings.insert(findings.end(), more.begin(), more.end());
    }
    return findings;
}

}  // namespace ggufd::cli
