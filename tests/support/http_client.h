// HTTP as the tests speak it: simple requests through cpp-httplib, and a raw-socket reader for
// streams that records when each chunk arrived and can hang up mid-stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/net/chunked.h"
#include "ggufd/net/http_message.h"
#include "ggufd/net/unique_fd.h"

namespace ggufd::test {

struct HttpResponse {
    int status = 0;  ///< 0: no response (see error)
    std::string body;
    std::multimap<std::string, std::string> headers;
    std::string error;

    std::string header(const std::string& name) const;
    size_t header_count(const std::string& name) const;
};

HttpResponse http_get(uint16_t port, const std::string& path, const std::map<std::string, std::string>& headers = {});
HttpResponse http_post(uint16_t port, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers = {});
/// The same on another loopback address (scale-out tests put each node on its own, 127.0.0.2, ...).
HttpResponse http_get(const std::string& host, uint16_t port, const std::string& path,
                      const std::map<std::string, std::string>& headers = {});
HttpResponse http_post(const std::string& host, uint16_t port, const std::string& path, const std::string& body);

/// OPTIONS, as a browser sends a CORS preflight.
HttpResponse http_options(uint16_t port, const std::string& path, const std::map<std::string, std::string>& headers = {});

/// Sends `bytes` as they are on one new connection (e.g. pipelined requests) and reads
/// `responses` Content-Length-framed responses back.
std::vector<HttpResponse> raw_exchange(uint16_t port, const std::string& bytes, int responses);

/// A chat-completion request body for `model`.
std::string chat_body(const std::string& model, bool stream, int max_tokens = 8);

/// StreamReader sends one request on its own connection and reads the response as it comes.
class StreamReader {
public:
    StreamReader(uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                 const std::map<std::string, std::string>& headers = {});
    /// Sends `raw_request` exactly as given.
    StreamReader(uint16_t port, const std::string& raw_request);
    /// A request to another loopback address (an IPv4 address such as 127.0.0.2).
    StreamReader(const std::string& host, uint16_t port, const std::string& method, const std::string& path,
                 const std::string& body);

    /// Appends whatever arrives next (raw bytes, unparsed) to `into`; false on timeout or close.
    bool read_raw(std::string& into, std::chrono::milliseconds timeout);

    /// Reads until the response head is in; false on timeout or connection failure.
    bool read_head(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    int status() const { return head_.status; }
    const net::ResponseHead& head() const { return head_; }

    /// The next complete SSE event (text before the blank line), or nullopt when the stream
    /// ended, the connection closed, or `timeout` passed (see ended()/closed()).
    std::optional<std::string> next_event(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    /// Everything that remains of the body (until end of stream or close).
    std::string read_rest(std::chrono::milliseconds timeout = std::chrono::seconds(30));

    bool ended() const { return decoder_.done(); }  ///< the terminating chunk arrived
    bool closed() const { return closed_; }          ///< the server closed the connection
    void close() { fd_.reset(); }

private:
    void connect_and_send(const std::string& host, uint16_t port, const std::string& raw_request);
    bool fill(std::chrono::milliseconds timeout);
    void decode_available();

    net::UniqueFd fd_;
    std::string raw_;
    net::ResponseHead head_;
    bool head_done_ = false;
    net::ChunkedDecoder decoder_;
    std::string body_;  // decoded, not yet handed out
    bool closed_ = false;
};

}  // namespace ggufd::test
