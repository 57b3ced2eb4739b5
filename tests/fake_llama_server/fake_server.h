// The fake's HTTP side: llama-server's endpoints on one cpp-httplib server, and the faults that
// belong to requests (health failures and hangs, crashes mid-stream or after N completions, a
// fatal GPU error). Time and signals are main()'s business: it says when the "model" loaded.
#pragma once

#include "completion_replies.h"
#include "info_replies.h"
#include "options.h"

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace ggufd::fake {

/// Serves one fake model. Call bind() once, then serve() on a thread of the caller's; from then
/// on handlers run on cpp-httplib's pool threads and share only the atomics below. The object
/// lives as long as the process: the fake ends by _exit, never by stopping the server.
class FakeServer {
public:
    explicit FakeServer(const Options& options);

    /// Binds options.host:options.port (0: any free port) and deepens the listen backlog so a
    /// burst of connections is not dropped. Returns the bound port, or nullopt.
    std::optional<int> bind();

    /// Accepts and serves connections; returns only if accepting fails.
    void serve();

    /// Ends the --fake-load-delay: /health answers 200 and the API serves.
    void mark_loaded();

private:
    /// Exposes the listening socket, which httplib 0.11 creates with a backlog of 5.
    class Http : public httplib::Server {
    public:
        int listening_socket() const { return svr_sock_; }
    };

    using Request = httplib::Request;
    using Response = httplib::Response;
    using Handler = void (FakeServer::*)(const Request&, Response&);
    struct Route {
        std::string_view method;
        std::string_view path;
        Handler handle;
    };
    static const Route kRoutes[];

    void dispatch(const Request& req, Response& res);
    void health(const Request& req, Response& res);
    void chat(const Request& req, Response& res);
    void text(const Request& req, Response& res);
    void models(const Request& req, Response& res);
    void props(const Request& req, Response& res);
    void slots(const Request& req, Response& res);
    void metrics(const Request& req, Response& res);
    void tokenize(const Request& req, Response& res);
    void embeddings(const Request& req, Response& res);

    void complete(const Request& req, Response& res, Endpoint endpoint);
    void start_stream(Response& res, Completion completion, bool include_usage);
    /// Writes a stream's events; nullopt when all went out, else the tokens sent before the
    /// client went away.
    std::optional<int> send_events(httplib::DataSink& sink, const Completion& completion, bool include_usage);
    void pace() const;  ///< one --fake-token-interval
    /// Kills the process (SIGKILL) when --fake-crash-mid-stream is due.
    void crash_if_due(uint64_t tokens_so_far);
    /// Holds the calling thread (and its connection) until the process ends.
    [[noreturn]] static void hold_forever();
    /// Runs after each response is fully written (httplib's logger hook).
    void after_response(const Request& req, const Response& res);
    void enter_fatal_state();

    const Options& options_;
    Http http_;
    ModelFacts facts_;
    std::string models_body_;
    std::optional<CompletionReplies> replies_;  ///< set by bind(): tokens name the bound port

    std::atomic<bool> loaded_{false};
    std::atomic<bool> fatal_{false};
    std::atomic<uint64_t> health_polls_{0};
    std::atomic<uint64_t> healthy_polls_{0};
    std::atomic<uint64_t> completions_served_{0};
    std::atomic<uint64_t> completions_started_{0};
    std::atomic<uint64_t> generating_{0};
    std::atomic<uint64_t> next_id_{1};
    std::atomic<uint64_t> prompt_tokens_total_{0};
    std::atomic<uint64_t> tokens_predicted_total_{0};
    std::atomic<bool> health_fault_logged_{false};
};

}  // namespace ggufd::fake
