// One streamed reply of `ggufd chat`: POST /v1/chat/completions on a thread of its own, so that
// the terminal side can stop it with Ctrl-C even while no byte is arriving (a model still
// loading, a slow first token). Its bytes are handed over as they come.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "ggufd/net/unique_fd.h"

namespace httplib {
class Client;
}

namespace ggufd::cli {

class ReplyStream {
public:
    struct Result {
        int status = 0;          ///< 0: no answer (see error), or stopped before one came
        std::string error;       ///< cpp-httplib's name for a transport failure
        std::string error_body;  ///< the body of a non-200 answer
        bool cancelled = false;
    };

    /// Starts the request. `on_bytes` runs on the stream's thread with each piece of a 200 body.
    ReplyStream(const std::string& url, const std::string& api_key, std::string body,
                std::function<void(std::string_view)> on_bytes);
    ~ReplyStream();  ///< stops the request if it still runs, and joins the thread
    ReplyStream(const ReplyStream&) = delete;
    ReplyStream& operator=(const ReplyStream&) = delete;

    /// Readable (poll) once the request has finished, however it ended.
    int finished_fd() const { return finished_.get(); }
    /// Thread-safe: ends the request now; the server sees the connection close and stops
    /// generating.
    void cancel();
    /// Waits for the end and says how it went.
    Result wait();

private:
    void run(const std::string& api_key, std::string body);

    std::unique_ptr<httplib::Client> client_;
    std::function<void(std::string_view)> on_bytes_;
    std::atomic<bool> cancelled_{false};
    net::UniqueFd finished_;
    Result result_;
    std::thread thread_;
};

}  // namespace ggufd::cli
