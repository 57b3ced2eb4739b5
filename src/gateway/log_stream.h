// GET /services/<name>/logs?follow=1: the recent lines, then every new line as an SSE event
// until the client leaves. Lines reach this worker's thread through EventLoop::post.
#pragma once

#include <memory>

#include "client_connection.h"
#include "ggufd/supervisor/service_handle.h"

namespace ggufd::gateway {

class LogStream : public ResponseProducer {
public:
    /// Sends the response head and the last `tail` lines, then follows.
    LogStream(ClientConnection& client, std::shared_ptr<supervisor::ServiceHandle> service, size_t tail);
    ~LogStream() override;

    void on_client_drained() override {}
    void on_client_gone() override;
    void on_sweep(net::Clock::time_point now) override;

private:
    ClientConnection& client_;
    std::shared_ptr<supervisor::ServiceHandle> service_;
    uint64_t subscription_ = 0;
    net::Clock::time_point last_sent_;
};

/// One log line as an SSE event inside an HTTP chunk.
std::string log_event_chunk(std::string_view line);

}  // namespace ggufd::gateway
