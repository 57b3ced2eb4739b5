// Test harness: the HTTP side of talking to a fake: a client with short timeouts, and SSE
// bodies split into their `data:` payloads.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ggufd::fake::test {

/// A keep-alive client for 127.0.0.1:port that gives up after `timeout` without an answer.
inline std::unique_ptr<httplib::Client> client_for(int port,
                                                   std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_connection_timeout(timeout);
    client->set_read_timeout(timeout);
    client->set_keep_alive(true);
    return client;
}

/// The payloads of the `data: ...\n\n` events in `body`, in order. A trailing partial event
/// (no blank line yet) is left out.
inline std::vector<std::string> data_events(std::string_view body) {
    std::vector<std::string> events;
    for (size_t end; (end = body.find("\n\n")) != std::string_view::npos; body.remove_prefix(end + 2)) {
        std::string_view event = body.substr(0, end);
        if (event.starts_with("data: ")) events.emplace_back(event.substr(6));
    }
    return events;
}

}  // namespace ggufd::fake::test
