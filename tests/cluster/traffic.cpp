#include "traffic.h"

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ggufd::test {

using Clock = std::chrono::steady_clock;

std::string stream_body(const std::string& model, int max_tokens) {
    return nlohmann::json{{"model", model},
                          {"messages", {{{"role", "user"}, {"content", "hello"}}}},
                          {"max_tokens", max_tokens},
                          {"ignore_eos", true},
                          {"stream", true}}
        .dump();
}

Traffic::Traffic(uint16_t port, std::string model, int clients, int max_tokens)
    : port_(port), model_(std::move(model)), max_tokens_(max_tokens) {
    for (int i = 0; i < clients; ++i) threads_.emplace_back([this] { run(); });
}

Traffic::~Traffic() { stop(); }

void Traffic::stop() {
    stopping_ = true;
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
}

void Traffic::run() {
    const std::string body = stream_body(model_, max_tokens_);
    while (!stopping_) {
        Outcome outcome;
        outcome.started = Clock::now();
        StreamReader reader(port_, "POST", "/v1/chat/completions", body);
        std::string last;
        if (reader.read_head(std::chrono::seconds(120))) {
            outcome.status = reader.status();
            if (outcome.status == 200) {
                while (auto event = reader.next_event(std::chrono::seconds(120))) last = *event;
            } else {
                last = reader.read_rest(std::chrono::seconds(30));
            }
        }
        outcome.ended = Clock::now();
        outcome.complete = outcome.status == 200 && last == "data: [DONE]" && reader.ended();
        if (!outcome.complete) outcome.detail = "status " + std::to_string(outcome.status) + ", last event: " + last;
        std::lock_guard lock(mutex_);
        outcomes_.push_back(std::move(outcome));
    }
}

std::vector<Outcome> Traffic::outcomes() const {
    std::lock_guard lock(mutex_);
    return outcomes_;
}

size_t Traffic::count() const {
    std::lock_guard lock(mutex_);
    return outcomes_.size();
}

std::string Traffic::describe_failures() const {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& outcome : outcomes_) {
        if (!outcome.complete) text += outcome.detail.substr(0, 300) + "\n";
    }
    return text;
}

}  // namespace ggufd::test
