#include "cors.h"

#include <algorithm>
#include <cctype>

namespace ggufd::gateway {
namespace {

constexpr std::string_view kDefaultAllowedHeaders = "Authorization, Content-Type, X-Api-Key";

// Access-Control-Request-Headers is a comma-separated list of header names (tokens). Echoed only
// when it is one, so that nothing else is reflected into our answer.
bool is_header_name_list(std::string_view value) {
    return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~, \t").find(c) != std::string_view::npos;
    });
}

}  // namespace

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) { return entry == "*" || entry == origin; });
}

std::vector<net::Header> cors_headers(const std::vector<std::string>& allowed, std::string_view origin) {
    std::vector<net::Header> headers;
    if (origin.empty() || !origin_allowed(allowed, origin)) return headers;
    if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) {
        headers.push_back({"Access-Control-Allow-Origin", "*"});
    } else {
        // The answer depends on who asked: a cache must not hand it to another origin.
        headers.push_back({"Access-Control-Allow-Origin", std::string(origin)});
        headers.push_back({"Vary", "Origin"});
    }
    headers.push_back({"Access-Control-Expose-Headers", "*"});
    return headers;
}

Response preflight_response(const std::vector<std::string>& allowed, const net::RequestHead& request,
                            std::string_view methods) {
    const std::string* origin = request.find("origin");
    Response response;
    response.status = 204;
    response.content_type.clear();
    if (!origin || origin->empty()) {
        response.headers.push_back({"Allow", std::string(methods) + ", OPTIONS"});
        return response;
    }
    if (!origin_allowed(allowed, *origin)) {
        return Response::error(403,
                               "origin \"" + *origin + "\" may not use this API from a browser: it is not in cors_origins" +
                                   (allowed.empty() ? " (which is empty: CORS is off)" : "") +
                                   "; add it to cors_origins in the config file and restart ggufd",
                               "cors_origin_not_allowed");
    }
    response.headers = cors_headers(allowed, *origin);
    response.headers.push_back({"Access-Control-Allow-Methods", std::string(methods)});
    const std::string* requested = request.find("access-control-request-headers");
    response.headers.push_back({"Access-Control-Allow-Headers", requested && is_header_name_list(*requested)
                                                                    ? *requested
                                                                    : std::string(kDefaultAllowedHeaders)});
    response.headers.push_back({"Access-Control-Max-Age", std::to_string(kPreflightMaxAgeSeconds)});
    // A public page reaching a daemon on this machine or network (Chrome's Private Network Access):
    // only for origins the user listed by name, never merely through "*".
    const std::string* private_network = request.find("access-control-request-private-network");
    if (private_network && net::iequals(*private_network, "true") &&
        std::find(allowed.begin(), allowed.end(), *origin) != allowed.end()) {
        response.headers.push_back({"Access-Control-Allow-Private-Network", "true"});
    }
    return response;
}

}  // namespace ggufd::gateway
