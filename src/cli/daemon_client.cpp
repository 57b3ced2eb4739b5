#include "daemon_client.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

#include "exit_codes.h"

namespace ggufd::cli {
namespace {

httplib::Client make_client(const std::string& url, std::chrono::seconds read_timeout) {
    httplib::Client client(url);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(read_timeout.count(), 0);
    return client;
}

DaemonResponse convert(const httplib::Result& result) {
    DaemonResponse response;
    if (!result) {
        response.error = httplib::to_string(result.error());
        return response;
    }
    response.status = result->status;
    response.body = result->body;
    return response;
}

}  // namespace

std::string url_for(const config::ListenAddress& address) {
    std::string host = address.host;
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(address.port);
}

std::string describe_transport_error(const std::string& httplib_error) {
    if (httplib_error == "Connection") return "could not connect: nothing listens there, or the connection was refused";
    if (httplib_error == "ConnectionTimeout") return "the connection timed out";
    if (httplib_error == "Read") return "the connection broke before a complete answer came";
    if (httplib_error == "Write") return "the connection broke while sending the request";
    if (httplib_error == "Canceled") return "cancelled";
    return httplib_error;
}

DaemonClient::DaemonClient(std::string url, const std::optional<config::Config>& config,
                           std::chrono::seconds read_timeout, Door door)
    : url_(std::move(url)), url_source_("--url"), read_timeout_(read_timeout) {
    const bool admin_listener = door == Door::admin && config && config->admin_listen;
    if (url_.empty() && !config) {
        url_ = "http://127.0.0.1:8080";
        url_source_ = "the built-in default";
    } else if (url_.empty()) {
        url_ = url_for(admin_listener ? *config->admin_listen : config->listen);
        const std::string key = admin_listener ? "admin_listen" : "listen";
        url_source_ = config->source_file.empty() ? "the built-in default `" + key + "` (no config file)"
                                                  : "`" + key + "` in " + config->source_file.string();
    }
    if (const char* key = std::getenv("GGUFD_API_KEY"); key && *key) {
        api_key_ = key;
    } else if (config) {
        const bool admin_keys = door == Door::admin && !config->admin_api_keys.empty();
        const auto& keys = admin_keys ? config->admin_api_keys : config->api_keys;
        if (!keys.empty()) api_key_ = keys.front();
    }
}

DaemonResponse DaemonClient::get(const std::string& path) const {
    auto client = make_client(url_, read_timeout_);
    httplib::Headers headers;
    if (!api_key_.empty()) headers.emplace("Authorization", "Bearer " + api_key_);
    return convert(client.Get(path.c_str(), headers));
}

DaemonResponse DaemonClient::post(const std::string& path) const {
    auto client = make_client(url_, read_timeout_);
    httplib::Headers headers;
    if (!api_key_.empty()) headers.emplace("Authorization", "Bearer " + api_key_);
    return convert(client.Post(path.c_str(), headers, "", "application/json"));
}

DaemonResponse DaemonClient::stream(const std::string& path, const std::function<bool(std::string_view)>& on_data) const {
    auto client = make_client(url_, read_timeout_);
    client.set_read_timeout(24 * 3600, 0);
    httplib::Headers headers;
    if (!api_key_.empty()) headers.emplace("Authorization", "Bearer " + api_key_);
    DaemonResponse response;
    auto result = client.Get(
        path.c_str(), headers,
        [&response](const httplib::Response& head) {
            response.status = head.status;
            return true;
        },
        [&](const char* data, size_t length) {
            if (response.status != 200) {
                response.body.append(data, length);
                return true;
            }
            return on_data(std::string_view(data, length));
        });
    if (!result && response.status == 0) response.error = httplib::to_string(result.error());
    return response;
}

int report_failure(const DaemonClient& client, const DaemonResponse& response) {
    if (response.status == 0) {
        std::fprintf(stderr,
                     "ggufd: no daemon answered at %s (from %s): %s.\n"
                     "Start it with `ggufd serve` (or `systemctl --user start ggufd`), or point --url at the daemon; "
                     "`ggufd doctor` checks the setup.\n",
                     client.url().c_str(), client.url_source().c_str(),
                     describe_transport_error(response.error).c_str());
        return kUnreachable;
    }
    std::fprintf(stderr, "ggufd: %s (HTTP %d)\n", error_message_of(response.body).c_str(), response.status);
    if (response.status == 404) return kNotFound;
    if (response.status == 401) return kUsage;
    return kFailed;
}

std::string error_message_of(const std::string& body) {
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("error") && json["error"].is_object() && json["error"].contains("message") &&
        json["error"]["message"].is_string()) {
        return json["error"]["message"].get<std::string>();
    }
    return body;
}

}  // namespace ggufd::cli
