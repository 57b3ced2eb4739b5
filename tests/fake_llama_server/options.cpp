// Command-line parsing for the fake: one table maps each flag it acts on to an Options field,
// two lists name the llama-server flags it merely tolerates. ggufd passes llama-server flags the
// fake does not know, so those are dropped (and reported), while a mistyped `--fake-*` flag is
// an error: a test must not silently lose the fault it asked for.
#include "options.h"

#include "ggufd/util/units.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <string_view>

namespace ggufd::fake {
namespace {

using Error = std::optional<std::string>;

constexpr int64_t kIntMax = std::numeric_limits<int>::max();
constexpr int64_t kCountMax = std::numeric_limits<int64_t>::max();

/// The Options field a flag sets; a `bool` field makes the flag a switch that takes no value.
using Target = std::variant<std::string Options::*, int Options::*, Duration Options::*, bool Options::*,
                            std::optional<int> Options::*, std::optional<uint64_t> Options::*>;

struct Flag {
    std::string_view name;
    Target target;
    int64_t min = 0;  ///< bounds for whole-number values
    int64_t max = kCountMax;
};

const Flag kFlags[] = {
    // llama-server's own flags whose values shape the fake's answers.
    {"--host", &Options::host},
    {"--port", &Options::port, 0, 65535},
    {"-m", &Options::model},
    {"--model", &Options::model},
    {"-a", &Options::alias},
    {"--alias", &Options::alias},
    {"-mm", &Options::mmproj},
    {"--mmproj", &Options::mmproj},
    {"-c", &Options::ctx_size, 0, kIntMax},
    {"--ctx-size", &Options::ctx_size, 0, kIntMax},
    {"-np", &Options::parallel, -1, kIntMax},
    {"--parallel", &Options::parallel, -1, kIntMax},
    {"-h", &Options::show_help},
    {"--help", &Options::show_help},
    {"--version", &Options::show_version},

    // The fake's own flags (docs/TESTING.md).
    {"--fake-load-delay", &Options::load_delay},
    {"--fake-exit-on-start", &Options::exit_on_start, 0, 255},
    {"--fake-health-fail-after", &Options::health_fail_after},
    {"--fake-health-hang-after", &Options::health_hang_after},
    {"--fake-hang", &Options::hang},
    {"--fake-tokens", &Options::tokens, 0, 1'000'000},
    {"--fake-token-interval", &Options::token_interval},
    {"--fake-embedding-dim", &Options::embedding_dim, 1, 65536},
    {"--fake-crash-mid-stream", &Options::crash_mid_stream},
    {"--fake-crash-after-requests", &Options::crash_after_requests, 1},
    {"--fake-fatal-log-after", &Options::fatal_log_after},
    {"--fake-completion-hang-after", &Options::completion_hang_after},
    {"--fake-flood-output", &Options::flood_output},
    {"--fake-term-delay", &Options::term_delay},
    {"--fake-ignore-sigterm", &Options::ignore_sigterm},
    {"--fake-record", &Options::record_path},
    {"--fake-log-requests", &Options::log_requests},
    {"--fake-threads", &Options::threads, 1, 100'000},
};

// llama-server flags that take a value the fake has no use for: the value is skipped with the
// flag, so it is not mistaken for a stray word. Flags missing here are still harmless.
constexpr std::string_view kValueFlagsToDrop[] = {
    "-t", "--threads", "-tb", "--threads-batch", "-n", "--predict", "--n-predict", "-b", "--batch-size", "-ub",
    "--ubatch-size", "--keep", "-fa", "--flash-attn", "-ngl", "--gpu-layers", "--n-gpu-layers", "-sm",
    "--split-mode", "-ts", "--tensor-split", "-mg", "--main-gpu", "-dev", "--device", "-mu", "--model-url", "-hf",
    "--hf-repo", "--path", "--api-key", "--api-key-file", "-to", "--timeout", "--threads-http", "-ctk",
    "--cache-type-k", "-ctv", "--cache-type-v", "--chat-template", "--chat-template-file", "--reasoning-format",
    "--reasoning-budget", "-lv", "--verbosity", "--log-file", "--pooling", "--rope-scaling", "--rope-scale",
    "--rope-freq-base", "--rope-freq-scale", "-s", "--seed", "--temp", "--top-k", "--top-p", "--min-p", "--lora",
    "-md", "--model-draft", "-ngld", "--n-gpu-layers-draft", "--override-kv", "-ot", "--override-tensor", "--numa",
    "-C", "--cpu-range", "--cpu-mask", "--cache-reuse", "--slot-save-path", "-sps", "--slot-prompt-similarity",
    "--models-dir", "--models-max", "--models-preset", "--sleep-idle-seconds", "-dt", "--defrag-thold",
};

// llama-server switches (no value) that ggufd or its users pass: accepted without a word.
constexpr std::string_view kSwitchesToDrop[] = {
    "--jinja", "--no-jinja", "--embedding", "--embeddings", "--reranking", "--rerank", "--metrics", "--slots",
    "--no-slots", "--props", "--no-webui", "-cb", "--cont-batching", "-nocb", "--no-cont-batching", "--no-mmap",
    "--mlock", "-v", "--verbose", "--log-disable", "--no-warmup", "--kv-unified", "--swa-full", "--context-shift",
    "--no-context-shift", "--offline", "--check-tensors", "--no-perf",
};

template <typename... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

template <typename T>
struct WholeNumber {
    using type = T;
};
template <typename T>
struct WholeNumber<std::optional<T>> {
    using type = T;
};

Error whole_number(const Flag& flag, std::string_view value, int64_t& out) {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec == std::errc() && end == value.data() + value.size() && out >= flag.min && out <= flag.max) {
        return std::nullopt;
    }
    return std::string(flag.name) + " \"" + std::string(value) + "\": expected a whole number from " +
           std::to_string(flag.min) + " to " + std::to_string(flag.max);
}

Error apply(const Flag& flag, std::string_view value, Options& options) {
    int64_t number = 0;
    return std::visit(
        Overloaded{
            [&](std::string Options::*field) -> Error {
                options.*field = value;
                return std::nullopt;
            },
            [&](bool Options::*field) -> Error {
                options.*field = true;
                return std::nullopt;
            },
            [&](Duration Options::*field) -> Error {
                auto parsed = units::parse_duration(value);
                if (auto* message = std::get_if<std::string>(&parsed)) return std::string(flag.name) + " " + *message;
                options.*field = std::get<Duration>(parsed);
                return std::nullopt;
            },
            [&](auto field) -> Error {  // whole numbers: int, optional<int>, optional<uint64_t>
                if (auto error = whole_number(flag, value, number)) return error;
                using Field = std::decay_t<decltype(options.*field)>;
                options.*field = static_cast<typename WholeNumber<Field>::type>(number);
                return std::nullopt;
            },
        },
        flag.target);
}

const Flag* find_flag(std::string_view name) {
    for (const Flag& flag : kFlags) {
        if (flag.name == name) return &flag;
    }
    return nullptr;
}

template <size_t N>
bool listed(const std::string_view (&names)[N], std::string_view name) {
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// "-1" is a value (e.g. --n-gpu-layers -1); "-x" and "--x" are flags.
bool looks_like_flag(std::string_view word) {
    return word.size() > 1 && word[0] == '-' && !std::isdigit(static_cast<unsigned char>(word[1]));
}

}  // namespace

std::variant<Options, std::string> parse_options(const std::vector<std::string>& args) {
    Options options;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view word = args[i];
        std::string_view name = word;
        std::optional<std::string_view> inline_value;  // "--flag=value"
        if (auto equals = word.find('='); word.starts_with("--") && equals != std::string_view::npos) {
            name = word.substr(0, equals);
            inline_value = word.substr(equals + 1);
        }

        if (const Flag* flag = find_flag(name)) {
            const bool is_switch = std::holds_alternative<bool Options::*>(flag->target);
            std::string_view value;
            if (is_switch && inline_value) {
                return std::string(name) + ": takes no value, got \"" + std::string(*inline_value) + "\"";
            } else if (!is_switch && inline_value) {
                value = *inline_value;
            } else if (!is_switch && i + 1 < args.size()) {
                value = args[++i];
            } else if (!is_switch) {
                return std::string(name) + ": expected a value after it";
            }
            if (auto error = apply(*flag, value, options)) return *error;
        } else if (name.starts_with("--fake-")) {
            return std::string(name) + ": unknown fake flag (see --help for the --fake-* flags)";
        } else if (listed(kValueFlagsToDrop, name)) {
            if (!inline_value && i + 1 < args.size() && !looks_like_flag(args[i + 1])) ++i;
        } else if (!listed(kSwitchesToDrop, name)) {
            options.ignored.emplace_back(word);
        }
    }
    return options;
}

const char* usage() {
    return "usage: fake-llama-server [llama-server flags] [--fake-* flags]\n"
           "A stand-in for llama.cpp's llama-server in ggufd's tests and benchmarks (docs/TESTING.md).\n"
           "llama-server flags used: --host H, --port N (0: any free port), --model P, --alias A, --mmproj P,\n"
           "--ctx-size N, --parallel N; other llama-server flags are accepted and ignored.\n"
           "Durations: 500ms, 2s, 1m.\n"
           "  --fake-load-delay D            /health answers 503 \"Loading model\" for D (default 0)\n"
           "  --fake-exit-on-start CODE      fail the load: log an error and exit CODE (after the load delay)\n"
           "  --fake-health-fail-after N     after N successful /health polls, answer 503 forever\n"
           "  --fake-health-hang-after N     after N /health polls, /health never answers\n"
           "  --fake-hang                    bind the port, then never accept a connection\n"
           "  --fake-tokens N                content chunks per completion (default 8)\n"
           "  --fake-token-interval D        time between content chunks (default 0)\n"
           "  --fake-embedding-dim N         length of each embedding vector (default 16)\n"
           "  --fake-crash-mid-stream K      SIGKILL itself after K content chunks\n"
           "  --fake-crash-after-requests N  exit 3 after serving N completions\n"
           "  --fake-fatal-log-after N       after N completions, log \"CUDA error: ...\" and answer 500\n"
           "  --fake-completion-hang-after N after N completions, never answer another (/health stays ok)\n"
           "  --fake-flood-output            once listening, log lines as fast as they can be written\n"
           "  --fake-term-delay D            on SIGTERM, wait D before exiting 0 (default 0)\n"
           "  --fake-ignore-sigterm          log SIGTERM/SIGINT and keep running\n"
           "  --fake-record FILE             write argv, environment, pid, pgid, host and port as JSON\n"
           "  --fake-log-requests            log one line per request (off: the hot path stays quiet)\n"
           "  --fake-threads N               most connections served at once (default 512)\n";
}

}  // namespace ggufd::fake
