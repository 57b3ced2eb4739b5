// JSON string escaping and number formatting for the fake's hand-rendered replies.
#include "json_text.h"

#include <charconv>

namespace ggufd::fake {
namespace {

template <typename T>
void append_chars(std::string& out, T value) {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    size_t plain_from = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.data() + plain_from, i - plain_from);
        plain_from = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
        }
    }
    out.append(text.data() + plain_from, text.size() - plain_from);
}

void append_quoted(std::string& out, std::string_view text) {
    out += '"';
    append_escaped(out, text);
    out += '"';
}

void append_number(std::string& out, int64_t value) { append_chars(out, value); }
void append_number(std::string& out, uint64_t value) { append_chars(out, value); }
void append_number(std::string& out, double value) { append_chars(out, value); }

std::string error_body(int code, std::string_view message, std::string_view type) {
    std::string body = R"({"error":{"code":)";
    append_number(body, static_cast<int64_t>(code));
    body += R"(,"message":)";
    append_quoted(body, message);
    body += R"(,"type":)";
    append_quoted(body, type);
    body += "}}";
    return body;
}

}  // namespace ggufd::fake
