// Incremental decoding and encoding of HTTP/1.1 chunked transfer coding (RFC 9112 §7.1).
// The decoder hands out views into the caller's buffer, so relayed data is never copied twice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ggufd::net {

/// ChunkedDecoder consumes a chunked body in whatever pieces it arrives and yields the data
/// pieces it contains. It keeps only a partial chunk-size or trailer line between calls. It is
/// strict where lenient parsers disagree with each other: every line ends with CRLF, chunk
/// extensions and trailer fields must be well-formed (their content is ignored), and lines and
/// the trailer section are bounded.
class ChunkedDecoder {
public:
    struct Step {
        size_t consumed = 0;    ///< bytes of the input used by this step
        std::string_view data;  ///< chunk data found in this step (a view into the input), may be empty
        bool chunk_end = false; ///< `data` completes its chunk
        bool done = false;      ///< the terminating chunk and trailers have been read
        std::string error;      ///< non-empty: the body is malformed; stop
    };

    /// Advances over the front of `input`. Call repeatedly, removing `consumed` bytes each time,
    /// until the input is empty, `done` or an error.
    Step next(std::string_view input);

    bool done() const { return state_ == State::done; }
    /// Bytes of chunk data still expected in the current chunk (0 between chunks).
    uint64_t remaining_in_chunk() const { return state_ == State::data ? remaining_ : 0; }

    static constexpr size_t kMaxLine = 4096;          ///< one chunk-size or trailer line
    static constexpr size_t kMaxTrailerBytes = 16384; ///< the whole trailer section

private:
    enum class State { size_line, data, data_cr, data_lf, trailer, done };

    Step next_line(std::string_view input);

    State state_ = State::size_line;
    uint64_t remaining_ = 0;
    size_t trailer_bytes_ = 0;
    std::string line_;  // a partial size or trailer line carried between calls
};

/// Appends one chunk carrying `data` ("<hex>\r\n<data>\r\n") to `out`. Empty data appends nothing:
/// an empty chunk would end the body.
void append_chunk(std::string& out, std::string_view data);

/// The terminating chunk with no trailers.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace ggufd::net
