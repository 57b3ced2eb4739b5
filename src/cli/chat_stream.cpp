// The streamed reply (see chat_stream.h).
#include "chat_stream.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <httplib.h>

namespace ggufd::cli {

ReplyStream::ReplyStream(const std::string& url, const std::string& api_key, std::string body,
                         std::function<void(std::string_view)> on_bytes)
    : client_(std::make_unique<httplib::Client>(url)),
      on_bytes_(std::move(on_bytes)),
      finished_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    client_->set_connection_timeout(5, 0);
    // A lazy model loads before its first token (start_timeout, 5 min by default), and the
    // daemon gives a silent child upstream_timeout (10 min) before it answers 504.
    client_->set_read_timeout(15 * 60, 0);
    thread_ = std::thread([this, api_key, body = std::move(body)]() mutable { run(api_key, std::move(body)); });
}

ReplyStream::~ReplyStream() {
    cancel();
    if (thread_.joinable()) thread_.join();
}

void ReplyStream::cancel() {
    cancelled_ = true;
    client_->stop();
}

ReplyStream::Result ReplyStream::wait() {
    if (thread_.joinable()) thread_.join();
    result_.cancelled = cancelled_;
    return result_;
}

void ReplyStream::run(const std::string& api_key, std::string body) {
    httplib::Request request;
    request.method = "POST";
    request.path = "/v1/chat/completions";
    request.set_header("Content-Type", "application/json");
    request.set_header("Accept", "text/event-stream");
    if (!api_key.empty()) request.set_header("Authorization", "Bearer " + api_key);
    request.body = std::move(body);
    request.response_handler = [this](const httplib::Response& head) {
        result_.status = head.status;
        return !cancelled_;
    };
    request.content_receiver = [this](const char* data, size_t length, uint64_t, uint64_t) {
        if (cancelled_) return false;
        if (result_.status == 200) on_bytes_(std::string_view(data, length));
        else result_.error_body.append(data, length);
        return true;
    };
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    if (!client_->send(request, response, error) && result_.status == 0) result_.error = httplib::to_string(error);
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(finished_.get(), &one, sizeof one);
}

}  // namespace ggufd::cli
