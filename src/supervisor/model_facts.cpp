#include "ggufd/supervisor/model_facts.h"

#include "ggufd/gguf/reader.h"

namespace ggufd::supervisor {

memory::EstimateParams estimate_params_for(const config::ServiceConfig& service, memory::GpuBackend backend,
                                           const gguf::GgufFile* projector) {
    memory::EstimateParams params;
    params.gpu = backend;
    if (projector) params.projector_bytes = projector->tensor_bytes();
    params.n_gpu_layers = service.n_gpu_layers;
    if (service.ctx_size) params.ctx_size = static_cast<uint32_t>(*service.ctx_size);
    if (service.parallel) params.parallel = static_cast<uint32_t>(*service.parallel);
    // A full command is not llama-server: its args say nothing we can read.
    if (service.command.empty()) params = memory::params_from_args(service.args, params);
    return params;
}

ModelFacts inspect_model(const config::ServiceConfig& service, const std::vector<int>& devices,
                         memory::GpuBackend backend) {
    ModelFacts facts;
    if (!service.model.empty()) {
        // A projector that cannot be read still leaves the model's own estimate to budget with.
        std::optional<gguf::GgufFile> projector;
        if (service.mmproj && service.command.empty()) {
            try {
                projector = gguf::read_header(*service.mmproj);
            } catch (const std::exception& e) {
                facts.error = std::string("projector: ") + e.what();
            }
        }
        std::optional<gguf::GgufFile> file;
        try {
            file = gguf::read_header(service.model);
        } catch (const std::exception& e) {
            facts.error = e.what();
            facts.failure = classify_read_failure(e);
        }
        try {
            if (file) {
                facts.info = gguf::summarize(*file);
                facts.estimate = memory::estimate(
                    *file, estimate_params_for(service, devices.empty() ? memory::GpuBackend::none : backend,
                                               projector ? &*projector : nullptr));
            }
        } catch (const std::exception& e) {
            facts.error = e.what();  // malformed hyper-parameters or a bad flag in `args`
        }
    }
    if (devices.empty()) return facts;
    if (service.memory_bytes) {
        facts.bytes_per_device = *service.memory_bytes / devices.size();
    } else if (facts.estimate) {
        facts.bytes_per_device = facts.estimate->device_share(devices.size());
    }
    return facts;
}

}  // namespace ggufd::supervisor
