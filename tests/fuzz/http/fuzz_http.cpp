// fuzz_http: the HTTP/1.x head parsers and the chunked decoder on arbitrary bytes. Besides not
// crashing, each must keep its contract: a complete head is complete in every longer buffer and
// incomplete in the buffer one byte shorter, errors carry a status and a message, and a chunked
// body decodes to the same bytes however it is cut into reads.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "ggufd/net/chunked.h"
#include "ggufd/net/http_message.h"

namespace {

using namespace ggufd::net;

void check(bool ok, const char* what) { ggufd::fuzz::check(ok, "fuzz_http", what); }

template <typename Head, typename Parse>
void check_head_parser(std::string_view input, size_t max_head, Parse parse, bool is_request) {
    Head head;
    ParseResult result = parse(input, max_head, head);
    if (result.status == ParseStatus::error) {
        check(!result.error.empty(), "an error without a message");
        if (is_request) {
            const int s = result.error_status;
            check(s == 400 || s == 431 || s == 501 || s == 505, "a request error status outside 400/431/501/505");
        } else {
            check(result.error_status == 502, "a response error status other than 502");
        }
        return;
    }
    if (result.status == ParseStatus::incomplete) {
        check(input.size() <= max_head, "incomplete although the buffer is over the head limit");
        return;
    }
    check(result.head_bytes > 0 && result.head_bytes <= input.size(), "head_bytes outside the buffer");
    check(result.head_bytes <= max_head, "a complete head over the head limit");
    check(head.framing == BodyFraming::content_length ? head.content_length > 0 : head.content_length == 0,
          "content_length and framing disagree");

    // Incremental arrival: one byte less is not yet a head; the head alone is the same head.
    Head shorter;
    check(parse(input.substr(0, result.head_bytes - 1), max_head, shorter).status == ParseStatus::incomplete,
          "a head was complete one byte early");
    Head exact;
    ParseResult again = parse(input.substr(0, result.head_bytes), max_head, exact);
    check(again.status == ParseStatus::complete && again.head_bytes == result.head_bytes,
          "the head alone does not parse as the same head");
    check(exact.headers.size() == head.headers.size(), "the head alone has other headers");
}

struct Decoded {
    std::string data;
    size_t consumed = 0;
    bool done = false;
    bool error = false;
};

// Decodes `body` handed over in reads of at most `piece` bytes.
Decoded decode(std::string_view body, size_t piece) {
    ChunkedDecoder decoder;
    Decoded out;
    while (!body.empty() && !out.done && !out.error) {
        std::string_view read = body.substr(0, piece);
        while (!read.empty() && !out.done && !out.error) {
            ChunkedDecoder::Step step = decoder.next(read);
            check(step.consumed <= read.size(), "consumed more than it was given");
            check(step.data.size() <= step.consumed, "more data than bytes consumed");
            check(step.consumed > 0 || step.done || !step.error.empty(), "a step made no progress");
            out.data.append(step.data);
            out.consumed += step.consumed;
            out.done = step.done;
            out.error = !step.error.empty();
            read.remove_prefix(step.consumed);
            body.remove_prefix(step.consumed);
        }
    }
    check(out.done == decoder.done(), "done() disagrees with the last step");
    return out;
}

void check_chunked(std::string_view input) {
    const Decoded whole = decode(input, input.size());
    for (size_t piece : {size_t{1}, size_t{7}}) {
        const Decoded cut = decode(input, piece);
        check(cut.error == whole.error, "an error depends on how the body was cut");
        check(cut.done == whole.done, "the end of the body depends on how it was cut");
        check(cut.data == whole.data, "the data depends on how the body was cut");
        if (!whole.error) check(cut.consumed == whole.consumed, "consumed bytes depend on how the body was cut");
    }
    if (!whole.done) return;

    // What was decoded, re-encoded as one chunk, decodes to the same bytes.
    std::string encoded;
    append_chunk(encoded, whole.data);
    encoded += kLastChunk;
    const Decoded round = decode(encoded, encoded.size());
    check(round.done && round.data == whole.data && round.consumed == encoded.size(), "append_chunk round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto request = [](std::string_view buffer, size_t max, RequestHead& out) {
        return parse_request_head(buffer, max, out);
    };
    auto response_to = [](std::string_view method) {
        return [method](std::string_view buffer, size_t max, ResponseHead& out) {
            return parse_response_head(buffer, max, method, out);
        };
    };
    for (size_t max_head : {size_t{8192}, size_t{64}}) {
        check_head_parser<RequestHead>(input, max_head, request, true);
        check_head_parser<ResponseHead>(input, max_head, response_to("GET"), false);
        check_head_parser<ResponseHead>(input, max_head, response_to("HEAD"), false);
    }
    check_chunked(input);
    return 0;
}
