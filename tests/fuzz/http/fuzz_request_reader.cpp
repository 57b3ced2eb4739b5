// fuzz_request_reader: the front door's framing (net::RequestReader) on arbitrary byte streams,
// pipelined requests included. The first byte picks the limits (small ones reach every error);
// the rest is the stream. Besides not crashing, the reader must frame the stream the same way
// however it is cut into reads (whole, byte by byte, and at split points drawn from the input),
// report each head once before its request, and hold no more than the request it is on allows.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "ggufd/net/request_reader.h"

namespace {

using namespace ggufd::net;

void check(bool ok, const char* what) { ggufd::fuzz::check(ok, "fuzz_request_reader", what); }

RequestLimits limits_for(uint8_t selector) {
    RequestLimits limits;
    limits.max_head_bytes = selector & 1 ? 64 : 8192;
    limits.max_headers = selector & 2 ? 3 : kMaxHeaderFields;
    limits.max_body_bytes = selector & 4 ? 16 : 1 << 20;
    return limits;
}

// What came out of a stream: every request, then the error that ended it (if any).
struct Trace {
    std::string text;
    int error_status = 0;
    bool operator==(const Trace&) const = default;
};

Trace frame(std::string_view stream, const std::vector<size_t>& cuts, const RequestLimits& limits) {
    RequestReader reader(limits);
    Trace trace;
    bool head_seen = false;
    size_t at = 0;
    for (size_t i = 0; i <= cuts.size() && trace.error_status == 0; ++i) {
        size_t end = i < cuts.size() ? cuts[i] : stream.size();
        std::string_view piece = stream.substr(at, end - at);
        at = end;
        reader.append(piece);
        while (true) {
            RequestReader::Event event = reader.next();
            if (event == RequestReader::Event::head) {
                check(!head_seen, "a head reported twice");
                head_seen = true;
                continue;
            }
            if (event == RequestReader::Event::request) {
                check(head_seen, "a request without its head");
                check(reader.body().size() <= limits.max_body_bytes, "a body over the limit");
                const RequestHead& head = reader.head();
                check(head.headers.size() <= limits.max_headers, "more header fields than allowed");
                trace.text += head.method + ' ' + head.target + ' ' + std::to_string(head.headers.size()) + ' ' +
                              (head.keep_alive ? "ka " : "close ") + std::to_string(reader.body().size()) + ':';
                trace.text.append(reader.body());
                trace.text += '\n';
                reader.finish_request();
                head_seen = false;
                continue;
            }
            if (event == RequestReader::Event::error) {
                trace.error_status = reader.error_status();
                const int s = trace.error_status;
                check(s == 400 || s == 413 || s == 431 || s == 501 || s == 505, "an error status outside 400/413/431/501/505");
                check(!reader.error().empty(), "an error without a message");
                check(reader.next() == RequestReader::Event::error, "an error that did not stick");
            } else if (!reader.body_pending()) {
                // Waiting for a head: never more than the head limit, plus the read that showed it.
                check(reader.buffered() <= limits.max_head_bytes + piece.size(), "an incomplete head over the limit");
            }
            break;
        }
    }
    return trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const RequestLimits limits = limits_for(data[0]);
    const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

    const Trace whole = frame(stream, {}, limits);
    std::vector<size_t> bytewise;
    for (size_t i = 1; i < stream.size(); ++i) bytewise.push_back(i);
    check(frame(stream, bytewise, limits) == whole, "the framing depends on reads of one byte");

    std::minstd_rand random(static_cast<uint32_t>(size * 2654435761u) ^ data[size / 2]);
    std::vector<size_t> cuts;
    for (size_t at = 0; at < stream.size();) {
        at += 1 + random() % 97;
        if (at < stream.size()) cuts.push_back(at);
    }
    check(frame(stream, cuts, limits) == whole, "the framing depends on where the reads are cut");
    return 0;
}
