// sse-bench: keeps N streaming chat completions in flight against one endpoint for a while and
// prints one JSON line: time to first byte, per-event delay against a reference schedule,
// events/s, and how many streams lost, merged or reordered events. docs/PERFORMANCE.md explains
// the method; scripts/bench.sh runs it against each target in turn.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "ggufd/util/units.h"
#include "load_run.h"

namespace {

using ggufd::bench::LoadOptions;
using ggufd::bench::LoadResult;
using ggufd::bench::Percentiles;
using ggufd::bench::Schedule;

struct Endpoint {
    std::string host;
    uint16_t port = 0;
    std::string path;
};

/// "http://127.0.0.1:8080/v1/chat/completions" → host, port, path.
Endpoint parse_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) throw CLI::ValidationError("--url", "'" + url + "': only http:// URLs are supported");
    auto rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    auto colon = authority.rfind(':');
    if (colon == std::string::npos) throw CLI::ValidationError("--url", "'" + url + "': give the port, e.g. http://127.0.0.1:8080/...");
    Endpoint endpoint{authority.substr(0, colon), 0, slash == std::string::npos ? "/" : rest.substr(slash)};
    int port = std::stoi(authority.substr(colon + 1));
    if (port < 1 || port > 65535) throw CLI::ValidationError("--url", "'" + url + "': port out of range");
    endpoint.port = static_cast<uint16_t>(port);
    return endpoint;
}

std::chrono::nanoseconds duration_option(const std::string& name, const std::string& text) {
    auto parsed = ggufd::units::parse_duration(text);
    if (auto* error = std::get_if<std::string>(&parsed)) throw CLI::ValidationError(name, *error);
    return std::get<std::chrono::milliseconds>(parsed);
}

std::string chat_request(const Endpoint& endpoint, const std::string& model, int tokens) {
    nlohmann::json body = {
        {"model", model},
        {"messages", {{{"role", "user"}, {"content", "Count to a hundred."}}}},
        {"stream", true},
        {"max_tokens", tokens},
        {"ignore_eos", true},  // a real model must not stop early: every stream has N tokens
    };
    auto text = body.dump();
    return "POST " + endpoint.path + " HTTP/1.1\r\nHost: " + endpoint.host + ":" + std::to_string(endpoint.port) +
           "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " +
           std::to_string(text.size()) + "\r\n\r\n" + text;
}

Schedule read_reference(const std::string& file, size_t events) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("--reference " + file + ": cannot be read");
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.contains("schedule_us")) {
        throw std::runtime_error("--reference " + file + ": not an sse-bench result (no schedule_us)");
    }
    auto schedule = json["schedule_us"].get<Schedule>();
    if (schedule.size() != events) {
        throw std::runtime_error("--reference " + file + ": has " + std::to_string(schedule.size()) +
                                 " events per stream, this run expects " + std::to_string(events) +
                                 " (was it measured with another --tokens?)");
    }
    return schedule;
}

nlohmann::json to_json(const Percentiles& p) {
    return {{"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"max", p.max}};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Streams chat completions against one endpoint and prints one JSON line of figures."};
    std::string url, model = "model", warmup = "500ms", duration = "4s", stream_timeout = "10s", reference;
    int tokens = 32, concurrency = 1;
    std::optional<int> expect_events;
    bool check_index = false, new_connections = false;
    std::vector<pid_t> watch_pids;
    app.add_option("--url", url, "Endpoint, e.g. http://127.0.0.1:8080/v1/chat/completions")->required();
    app.add_option("--model", model, "The request's model field");
    app.add_option("--tokens", tokens, "max_tokens of each request: content events per stream")->check(CLI::Range(1, 100000));
    app.add_option("-c,--concurrency", concurrency, "Streams kept in flight")->check(CLI::Range(1, 4096));
    app.add_option("--warmup", warmup, "Streams begun in this first stretch are not measured");
    app.add_option("--duration", duration, "Measurement window after the warm-up");
    app.add_option("--stream-timeout", stream_timeout, "A stream still open after this has hung (a failure)");
    app.add_option("--expect-events", expect_events, "Events per stream (default: tokens + 3, a chat stream's role, finish and [DONE] events)");
    app.add_flag("--new-connections", new_connections, "Open a new connection for every stream (default: a slot's next stream reuses its connection)");
    app.add_flag("--check-index", check_index, "Content tokens carry the fake llama-server's '#i' numbers: check they run 0, 1, 2...");
    app.add_option("--reference", reference, "A direct run's output: measure event delay against its schedule");
    app.add_option("--watch-pid", watch_pids, "Report the memory and CPU time these processes (the proxy) use in the window");
    CLI11_PARSE(app, argc, argv);

    try {
        auto endpoint = parse_url(url);
        LoadOptions options;
        options.host = endpoint.host;
        options.port = endpoint.port;
        options.request = chat_request(endpoint, model, tokens);
        options.concurrency = concurrency;
        options.warmup = duration_option("--warmup", warmup);
        options.duration = duration_option("--duration", duration);
        options.stream_timeout = duration_option("--stream-timeout", stream_timeout);
        options.check.expected_events = static_cast<size_t>(expect_events.value_or(tokens + 3));
        options.check.check_index = check_index;
        options.keep_alive = !new_connections;
        options.watch_pids = watch_pids;
        std::optional<Schedule> schedule;
        if (!reference.empty()) schedule = read_reference(reference, options.check.expected_events);

        LoadResult result = ggufd::bench::run_load(options);
        auto summary = ggufd::bench::summarise(result.intact, options.check.expected_events, schedule);

        nlohmann::json out;
        out["concurrency"] = concurrency;
        out["tokens"] = tokens;
        out["expected_events"] = options.check.expected_events;
        out["streams"] = summary.streams;
        out["broken"] = result.broken;
        out["failed"] = result.failed;
        out["timed_out"] = result.timed_out;
        out["reconnects"] = result.reconnects;
        out["problems"] = result.problems;
        out["events_total"] = result.events_total;
        out["events_per_s"] = static_cast<double>(result.events_in_window) / result.window_s;
        out["ttfb_us"] = to_json(summary.ttfb_us);
        out["event_delay_us"] = to_json(summary.event_delay_us);
        out["gap_us"] = to_json(summary.gap_us);
        out["reference"] = reference.empty() ? "self" : reference;
        out["schedule_us"] = summary.schedule_us;
        if (!watch_pids.empty()) {
            out["rss_max_kib"] = result.watched_rss_max_kib;
            out["rss_mean_kib"] = result.watched_rss_mean_kib;
            out["cpu_s"] = result.watched_cpu_s;
            if (result.events_in_window > 0) {
                out["cpu_us_per_event"] = result.watched_cpu_s * 1e6 / static_cast<double>(result.events_in_window);
            }
            if (result.watched_process_gone) out["problems"]["a watched process exited during the run"] = 1;
        }
        std::cout << out.dump() << std::endl;
        if (summary.streams == 0) {
            std::cerr << "sse-bench: no intact stream was measured against " << url << "\n";
            return 1;
        }
        return 0;
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "sse-bench: " << e.what() << "\n";
        return 1;
    }
}
