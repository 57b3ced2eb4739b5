#include "openai_error.h"

#include <nlohmann/json.hpp>

namespace ggufd::gateway {
namespace {

std::string_view error_type(int status) {
    if (status == 401 || status == 403) return "authentication_error";
    if (status == 404) return "not_found_error";
    if (status == 429) return "rate_limit_error";
    if (status == 503) return "unavailable_error";
    if (status >= 500) return "server_error";
    return "invalid_request_error";
}

}  // namespace

std::string openai_error_body(int status, std::string_view message, std::string_view code) {
    nlohmann::json body = {{"error",
                            {{"message", message},
                             {"type", error_type(status)},
                             {"param", nullptr},
                             {"code", code}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string openai_error_event(int status, std::string_view message, std::string_view code) {
    return "data: " + openai_error_body(status, message, code) + "\n\n";
}

}  // namespace ggufd::gateway
