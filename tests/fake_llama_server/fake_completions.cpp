// FakeServer's completion path: /v1/chat/completions and /v1/completions, streamed or not, with
// pacing, crash-mid-stream and client-disconnect detection. This is the benchmark's hot path:
// one pass over the body, one reply buffer, no logging unless something goes wrong.
#include "fake_server.h"

#include "json_text.h"
#include "log.h"
#include "request_fields.h"

#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <thread>

namespace ggufd::fake {
namespace {

constexpr std::string_view kFatalMessage = "CUDA error: an illegal memory access was encountered";

}  // namespace

void FakeServer::chat(const Request& req, Response& res) { complete(req, res, Endpoint::chat); }

void FakeServer::text(const Request& req, Response& res) { complete(req, res, Endpoint::text); }

void FakeServer::complete(const Request& req, Response& res, Endpoint endpoint) {
    auto parsed = read_request_fields(req.body);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        res.status = 500;
        res.set_content(error_body(500, *error, "server_error"), kJsonType);
        return;
    }
    if (fatal_.load(std::memory_order_relaxed)) {
        res.status = 500;
        res.set_content(error_body(500, kFatalMessage, "server_error"), kJsonType);
        return;
    }
    if (options_.completion_hang_after &&
        completions_started_.fetch_add(1, std::memory_order_relaxed) >= *options_.completion_hang_after) {
        // Inference is stuck while /health still answers: the request gets no response at all.
        log_line("fake: holding a completion without answering (--fake-completion-hang-after)");
        hold_forever();
    }
    const auto& fields = std::get<RequestFields>(parsed);
    Completion completion = plan_completion(endpoint, fields, options_.tokens, facts_.id, next_id_.fetch_add(1),
                                            static_cast<int64_t>(std::time(nullptr)));
    prompt_tokens_total_.fetch_add(completion.prompt_tokens, std::memory_order_relaxed);
    if (fields.stream) {
        start_stream(res, std::move(completion), fields.include_usage);
        return;
    }

    generating_.fetch_add(1);
    crash_if_due(0);
    for (int i = 0; i < completion.tokens; ++i) {
        pace();
        crash_if_due(static_cast<uint64_t>(i) + 1);
    }
    tokens_predicted_total_.fetch_add(static_cast<uint64_t>(completion.tokens), std::memory_order_relaxed);
    generating_.fetch_sub(1);

    res.body.reserve(512 + 32 * static_cast<size_t>(completion.tokens));
    replies_->body(res.body, completion);
    res.set_header("Content-Type", kJsonType);
}

void FakeServer::start_stream(Response& res, Completion completion, bool include_usage) {
    res.set_header("X-Accel-Buffering", "no");
    // httplib calls the provider once, after the headers are out; it sends every event itself.
    res.set_chunked_content_provider(
        kEventStreamType, [this, completion = std::move(completion), include_usage](size_t, httplib::DataSink& sink) {
            generating_.fetch_add(1);
            const auto disconnected_after = send_events(sink, completion, include_usage);
            generating_.fetch_sub(1);
            if (disconnected_after) {
                // Logged once /slots no longer counts the stream, so a test that sees the line
                // can assert that generation stopped.
                log_line("srv  send: client disconnected after " + std::to_string(*disconnected_after) +
                         " tokens; generation stopped");
                return false;
            }
            sink.done();
            return true;
        });
}

std::optional<int> FakeServer::send_events(httplib::DataSink& sink, const Completion& completion,
                                           bool include_usage) {
    std::string event;
    event.reserve(512);
    auto send = [&] { return sink.write(event.data(), event.size()); };

    if (completion.endpoint == Endpoint::chat) {
        replies_->role_event(event, completion);
        if (!send()) return 0;
    }
    crash_if_due(0);
    const bool paced = options_.token_interval.count() > 0;
    for (int i = 0; i < completion.tokens; ++i) {
        // Between paced tokens, look for a client that left; unpaced, the failed write tells.
        if (paced && !sink.is_writable()) return i;
        event.clear();
        replies_->token_event(event, completion, i);
        pace();
        if (!send()) return i;
        tokens_predicted_total_.fetch_add(1, std::memory_order_relaxed);
        crash_if_due(static_cast<uint64_t>(i) + 1);
    }
    event.clear();
    replies_->finish_event(event, completion, include_usage);
    if (!send()) return completion.tokens;
    if (include_usage && completion.endpoint == Endpoint::chat) {
        event.clear();
        replies_->usage_event(event, completion);
        if (!send()) return completion.tokens;
    }
    if (!sink.write(CompletionReplies::kDoneEvent.data(), CompletionReplies::kDoneEvent.size())) {
        return completion.tokens;
    }
    return std::nullopt;
}

void FakeServer::pace() const {
    if (options_.token_interval.count() > 0) std::this_thread::sleep_for(options_.token_interval);
}

void FakeServer::crash_if_due(uint64_t tokens_so_far) {
    if (options_.crash_mid_stream != tokens_so_far) return;
    log_line("fake: killing itself after " + std::to_string(tokens_so_far) + " tokens (--fake-crash-mid-stream)");
    ::kill(::getpid(), SIGKILL);
    hold_forever();  // SIGKILL is on its way; nothing more may be sent meanwhile
}

}  // namespace ggufd::fake
