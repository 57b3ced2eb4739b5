// gguf-mkmodel: writes a random-weight llama model that llama-server loads, for tests and
// benchmarks. Streams to disk on several threads, so multi-GB models take seconds.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "ggufd/gguf/tiny_llama.h"

int main(int argc, char** argv) {
    using namespace ggufd::gguf;
    TinyLlamaSpec spec;
    std::string type_name = "f32";
    std::string output;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());

    CLI::App app{"Write a random-weight llama GGUF model (SPM vocabulary) that llama-server can serve."};
    app.add_option("-o,--output", output, "Output file")->required();
    app.add_option("--layers", spec.layers, "Transformer blocks")->capture_default_str();
    app.add_option("--embedding", spec.embedding, "Embedding width (n_embd)")->capture_default_str();
    app.add_option("--heads", spec.heads, "Attention heads")->capture_default_str();
    app.add_option("--kv-heads", spec.kv_heads, "Key/value heads (divides --heads)")->capture_default_str();
    app.add_option("--feed-forward", spec.feed_forward, "Feed-forward width")->capture_default_str();
    app.add_option("--context", spec.context, "Training context length")->capture_default_str();
    app.add_option("--vocab", spec.vocab, "Vocabulary size (at least 260)")->capture_default_str();
    app.add_option("--type", type_name, "Weight type: f32, f16, q8_0 or q4_0")->capture_default_str();
    app.add_option("--seed", spec.seed, "Random seed: different seeds answer differently")->capture_default_str();
    app.add_option("--name", spec.name, "general.name")->capture_default_str();
    app.add_option("--threads", threads, "Threads generating data")->capture_default_str();
    bool dry_run = false;
    app.add_flag("--dry-run", dry_run, "Print the size and parameter count without writing anything");
    CLI11_PARSE(app, argc, argv);

    try {
        const auto type = ggml_type_from_name(type_name);
        if (!type) throw std::invalid_argument("unknown --type '" + type_name + "' (f32, f16, q8_0 or q4_0)");
        spec.weight_type = *type;
        const auto start = std::chrono::steady_clock::now();
        const Writer writer = tiny_llama(spec);
        if (dry_run) {
            std::printf("%s: would be %llu bytes, %llu parameters\n", output.c_str(),
                        static_cast<unsigned long long>(writer.file_size()),
                        static_cast<unsigned long long>(writer.total_elements()));
            return 0;
        }
        writer.write(output, threads);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double bytes = static_cast<double>(writer.file_size());
        std::printf("%s: %llu bytes, %llu parameters, written in %.2f s (%.2f GB/s)\n", output.c_str(),
                    static_cast<unsigned long long>(writer.file_size()),
                    static_cast<unsigned long long>(writer.total_elements()), seconds, bytes / seconds / 1e9);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gguf-mkmodel: %s\n", e.what());
        return 1;
    }
    return 0;
}
