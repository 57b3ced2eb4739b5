// Appending JSON text to a string without building a JSON tree: the fake renders its hot-path
// replies from fixed fragments plus a few values, and these helpers write those values.
// Pure; every function appends to `out` so one buffer can be reused across events.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ggufd::fake {

/// The characters of a JSON string literal for `text`, without the surrounding quotes.
/// `text` is valid UTF-8 (it came out of a JSON parser or the command line) and passes through.
void append_escaped(std::string& out, std::string_view text);

/// `text` as a quoted JSON string literal.
void append_quoted(std::string& out, std::string_view text);

void append_number(std::string& out, int64_t value);
void append_number(std::string& out, uint64_t value);
/// Shortest text that reads back as the same double, as llama-server's JSON prints timings.
void append_number(std::string& out, double value);

/// llama-server's error body: {"error":{"code":C,"message":"...","type":"..."}}.
std::string error_body(int code, std::string_view message, std::string_view type);

/// llama-server's 404 body, whose keys come in a different order from its other errors.
inline constexpr std::string_view kNotFoundBody =
    R"({"error":{"message":"File Not Found","type":"not_found_error","code":404}})";

/// Content types exactly as llama-server sends them.
inline constexpr const char* kJsonType = "application/json; charset=utf-8";
inline constexpr const char* kEventStreamType = "text/event-stream";

}  // namespace ggufd::fake
