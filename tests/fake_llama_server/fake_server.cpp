// FakeServer's set-up, routing and every endpoint except the completions (fake_completions.cpp).
// Routing is one catch-all httplib handler per method plus a short table of exact paths:
// cheaper than httplib's regex per route, and unknown paths get llama-server's 404 body.
#include "fake_server.h"

#include "embedding_replies.h"
#include "json_text.h"
#include "log.h"
#include "thread_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

namespace ggufd::fake {
namespace {

constexpr int kListenBacklog = 4096;
constexpr size_t kKeepAliveMaxRequests = 1'000'000;
constexpr std::string_view kLoadingBody =
    R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})";
constexpr std::string_view kHealthyBody = R"({"status":"ok"})";

bool is_completion_path(const std::string& path) {
    return path == "/v1/chat/completions" || path == "/chat/completions" || path == "/v1/completions" ||
           path == "/completions";
}

ModelFacts facts_from(const Options& options) {
    ModelFacts facts;
    facts.alias = options.alias;
    facts.model_path = options.model;
    facts.id = !options.alias.empty() ? options.alias : options.model;
    std::error_code ec;
    if (auto size = std::filesystem::file_size(options.model, ec); !ec) facts.file_size = size;
    facts.slots = options.parallel > 0 ? options.parallel : 4;  // llama-server's "auto"
    facts.ctx_size = options.ctx_size;
    facts.embedding_dim = options.embedding_dim;
    facts.vision = !options.mmproj.empty();
    return facts;
}

// What each token says, so a test can tell which child answered: "<alias or file>@<port>".
std::string label_for(const Options& options, int port) {
    std::string name = options.alias;
    if (name.empty()) name = std::filesystem::path(options.model).stem().string();
    if (name.empty()) name = "fake";
    return name + "@" + std::to_string(port);
}

}  // namespace

// Hot paths first: a request walks this list until its method and path match.
const FakeServer::Route FakeServer::kRoutes[] = {
    {"POST", "/v1/chat/completions", &FakeServer::chat},
    {"GET", "/health", &FakeServer::health},
    {"POST", "/v1/completions", &FakeServer::text},
    {"POST", "/chat/completions", &FakeServer::chat},
    {"POST", "/completions", &FakeServer::text},
    {"GET", "/v1/health", &FakeServer::health},
    {"GET", "/v1/models", &FakeServer::models},
    {"GET", "/models", &FakeServer::models},
    {"GET", "/slots", &FakeServer::slots},
    {"GET", "/props", &FakeServer::props},
    {"GET", "/metrics", &FakeServer::metrics},
    {"POST", "/tokenize", &FakeServer::tokenize},
    {"POST", "/v1/embeddings", &FakeServer::embeddings},
};

FakeServer::FakeServer(const Options& options) : options_(options), facts_(facts_from(options)) {
    const size_t max_threads = static_cast<size_t>(options_.threads);
    http_.new_task_queue = [max_threads] { return new GrowingThreadPool(max_threads); };
    http_.set_tcp_nodelay(true);
    // httplib 0.11's default is SO_REUSEPORT, which lets a second server bind a port that is in
    // use and share its connections. llama-server fails to bind instead, and so must the fake.
    http_.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http_.set_keep_alive_max_count(kKeepAliveMaxRequests);
    http_.set_default_headers({{"Server", "llama.cpp"}});
    http_.Get(".*", [this](const Request& req, Response& res) { dispatch(req, res); });
    http_.Post(".*", [this](const Request& req, Response& res) { dispatch(req, res); });
    // Errors httplib produces itself (unknown methods, malformed requests) get llama-server's shape.
    http_.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        res.set_content(res.status == 404 ? std::string(kNotFoundBody)
                                          : error_body(res.status, "Bad request", "invalid_request_error"),
                        kJsonType);
        return httplib::Server::HandlerResponse::Handled;
    }));
    if (options_.log_requests || options_.crash_after_requests || options_.fatal_log_after) {
        http_.set_logger([this](const Request& req, const Response& res) { after_response(req, res); });
    }
}

std::optional<int> FakeServer::bind() {
    int port = options_.port;
    if (port == 0) {
        port = http_.bind_to_any_port(options_.host);
        if (port <= 0) return std::nullopt;
    } else if (!http_.bind_to_port(options_.host, port)) {
        return std::nullopt;
    }
    // listen() again on a listening socket only resizes its backlog; queued connections stay.
    ::listen(http_.listening_socket(), kListenBacklog);
    replies_.emplace(label_for(options_, port), options_.token_interval);
    models_body_ = models_body(facts_, static_cast<int64_t>(std::time(nullptr)));
    return port;
}

void FakeServer::serve() { http_.listen_after_bind(); }

void FakeServer::mark_loaded() {
    loaded_.store(true);
    if (options_.fatal_log_after == 0u) enter_fatal_state();
}

void FakeServer::dispatch(const Request& req, Response& res) {
    res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
    for (const Route& route : kRoutes) {
        if (route.path != req.path || route.method != req.method) continue;
        // While "loading", llama-server answers everything with 503; /health decides for itself.
        if (route.handle != &FakeServer::health && !loaded_.load(std::memory_order_relaxed)) {
            res.status = 503;
            res.set_content(kLoadingBody.data(), kLoadingBody.size(), kJsonType);
            return;
        }
        (this->*route.handle)(req, res);
        return;
    }
    res.status = 404;
    res.set_content(kNotFoundBody.data(), kNotFoundBody.size(), kJsonType);
}

void FakeServer::health(const Request&, Response& res) {
    const uint64_t poll = health_polls_.fetch_add(1);
    if (options_.health_hang_after && poll >= *options_.health_hang_after) {
        if (!health_fault_logged_.exchange(true)) {
            log_line("fake: /health stops answering after " + std::to_string(poll) +
                     " polls (--fake-health-hang-after)");
        }
        hold_forever();
    }
    if (!loaded_.load(std::memory_order_relaxed)) {
        res.status = 503;
        res.set_content(kLoadingBody.data(), kLoadingBody.size(), kJsonType);
        return;
    }
    const uint64_t healthy = healthy_polls_.fetch_add(1);
    if (options_.health_fail_after && healthy >= *options_.health_fail_after) {
        if (!health_fault_logged_.exchange(true)) {
            log_line("fake: /health fails from now on, after " + std::to_string(healthy) +
                     " healthy polls (--fake-health-fail-after)");
        }
        res.status = 503;
        res.set_content(
            error_body(503, "fake: health failure injected (--fake-health-fail-after)", "unavailable_error"),
            kJsonType);
        return;
    }
    res.set_content(kHealthyBody.data(), kHealthyBody.size(), kJsonType);
}

void FakeServer::hold_forever() {
    // main() blocks SIGTERM and SIGINT on every thread, so no signal handler ever wakes this.
    for (;;) ::pause();
}

void FakeServer::models(const Request&, Response& res) { res.set_content(models_body_, kJsonType); }

void FakeServer::props(const Request&, Response& res) { res.set_content(props_body(facts_), kJsonType); }

void FakeServer::slots(const Request&, Response& res) {
    res.set_content(slots_body(facts_, generating_.load()), kJsonType);
}

void FakeServer::metrics(const Request&, Response& res) {
    MetricsSnapshot snapshot{prompt_tokens_total_.load(), tokens_predicted_total_.load(), generating_.load()};
    res.set_content(metrics_body(snapshot), "text/plain; version=0.0.4");
}

void FakeServer::tokenize(const Request& req, Response& res) {
    Reply reply = tokenize_reply(req.body);
    res.status = reply.status;
    res.set_content(reply.body, kJsonType);
}

void FakeServer::embeddings(const Request& req, Response& res) {
    Reply reply = embeddings_reply(req.body, options_.embedding_dim, facts_.id);
    res.status = reply.status;
    res.set_content(reply.body, kJsonType);
}

void FakeServer::after_response(const Request& req, const Response& res) {
    if (options_.log_requests) {
        log_line("srv  log_server_r: request: " + req.method + " " + req.path + " " + req.remote_addr + " " +
                 std::to_string(res.status));
    }
    if (res.status != 200 || !is_completion_path(req.path)) return;
    const uint64_t served = completions_served_.fetch_add(1) + 1;
    if (options_.fatal_log_after && served == *options_.fatal_log_after) enter_fatal_state();
    if (options_.crash_after_requests && served >= *options_.crash_after_requests) {
        log_line("fake: exiting with status 3 after " + std::to_string(served) +
                 " completions (--fake-crash-after-requests)");
        ::_exit(3);
    }
}

void FakeServer::enter_fatal_state() {
    fatal_.store(true);
    log_line("CUDA error: an illegal memory access was encountered");
    log_line("  current device: 0, in function ggml_backend_cuda_synchronize at ggml/src/ggml-cuda/ggml-cuda.cu:2571");
}

}  // namespace ggufd::fake
