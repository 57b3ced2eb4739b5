// Reading the estimate's inputs from a llama-server command line: the flag spellings and value
// forms are llama.cpp b10472's common/arg.cpp (no "--flag=value" form there either).
#include <charconv>
#include <stdexcept>

#include "ggufd/memory/estimate.h"

namespace ggufd::memory {
namespace {

bool is_one_of(const std::string& arg, std::initializer_list<std::string_view> names) {
    for (auto name : names) {
        if (arg == name) return true;
    }
    return false;
}

[[noreturn]] void bad_value(const std::string& flag, const std::string& value, const std::string& expected) {
    throw std::invalid_argument("llama-server argument " + flag + " " + value + ": expected " + expected);
}

template <typename T>
T number(const std::string& flag, const std::string& value) {
    T out{};
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size()) bad_value(flag, value, "a number");
    return out;
}

gguf::GgmlType cache_type(const std::string& flag, const std::string& value) {
    // The types llama-server accepts for -ctk/-ctv.
    static constexpr std::string_view kAllowed[] = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"};
    for (auto allowed : kAllowed) {
        if (value == allowed) return *gguf::ggml_type_from_name(value);
    }
    bad_value(flag, value, "one of f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1");
}

}  // namespace

EstimateParams params_from_args(std::span<const std::string> args, EstimateParams p) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        // Flags without a value.
        if (is_one_of(flag, {"-kvu", "--kv-unified"})) { p.kv_unified = true; continue; }
        if (is_one_of(flag, {"-no-kvu", "--no-kv-unified"})) { p.kv_unified = false; continue; }
        if (is_one_of(flag, {"-nkvo", "--no-kv-offload"})) { p.kv_offload = false; continue; }
        if (is_one_of(flag, {"-kvo", "--kv-offload"})) { p.kv_offload = true; continue; }
        if (flag == "--swa-full") { p.swa_full = true; continue; }
        if (flag == "--no-mmproj-offload") { p.projector_offload = false; continue; }
        if (flag == "--mmproj-offload") { p.projector_offload = true; continue; }

        const bool takes_value =
            is_one_of(flag, {"-c", "--ctx-size", "-np", "--parallel", "-ngl", "--gpu-layers", "--n-gpu-layers",
                             "-ctk", "--cache-type-k", "-ctv", "--cache-type-v", "-b", "--batch-size", "-ub",
                             "--ubatch-size", "-fa", "--flash-attn"});
        if (!takes_value) continue;
        if (i + 1 >= args.size()) throw std::invalid_argument("llama-server argument " + flag + " needs a value");
        const std::string& value = args[++i];

        if (is_one_of(flag, {"-c", "--ctx-size"})) {
            p.ctx_size = number<uint32_t>(flag, value);
        } else if (is_one_of(flag, {"-np", "--parallel"})) {
            const int slots = number<int>(flag, value);
            if (slots < 0) p.parallel.reset();  // -1: auto
            else if (slots == 0) bad_value(flag, value, "a positive number of slots or -1 (auto)");
            else p.parallel = static_cast<uint32_t>(slots);
        } else if (is_one_of(flag, {"-ngl", "--gpu-layers", "--n-gpu-layers"})) {
            // "auto" fits to free memory; the estimate assumes it fits everything, as "all".
            p.n_gpu_layers = value == "auto" || value == "all" ? -1 : number<int>(flag, value);
        } else if (is_one_of(flag, {"-ctk", "--cache-type-k"})) {
            p.cache_type_k = cache_type(flag, value);
        } else if (is_one_of(flag, {"-ctv", "--cache-type-v"})) {
            p.cache_type_v = cache_type(flag, value);
        } else if (is_one_of(flag, {"-b", "--batch-size"})) {
            p.batch = number<uint32_t>(flag, value);
        } else if (is_one_of(flag, {"-ub", "--ubatch-size"})) {
            p.ubatch = number<uint32_t>(flag, value);
        } else {  // -fa: on/off/auto; auto enables it wherever the backend supports it
            if (is_one_of(value, {"off", "disabled", "false", "0"})) p.flash_attention = false;
            else if (is_one_of(value, {"on", "enabled", "true", "1", "auto", "-1"})) p.flash_attention = true;
            else bad_value(flag, value, "on, off or auto");
        }
    }
    return p;
}

}  // namespace ggufd::memory
