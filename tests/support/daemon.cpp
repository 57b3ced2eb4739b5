#include "daemon.h"

#include <signal.h>

#include <fstream>

#include <gtest/gtest.h>

#include "binaries.h"
#include "wait.h"

namespace ggufd::test {

std::string fake_llama_server() { return build_binary("fake-llama-server").string(); }

std::optional<nlohmann::json> read_record(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    auto json = nlohmann::json::parse(read_file(file), nullptr, false);
    if (json.is_discarded()) return std::nullopt;
    return json;
}

Daemon::Daemon(const TempDir& dir, DaemonOptions options)
    : host_(options.host), env_(options.env), command_prefix_(options.command_prefix), admin_key_(options.admin_key) {
    port_ = free_port();
    child_ports_ = free_port_range(50);
    fixed_part_ = "listen = \"" + host_ + ":" + std::to_string(port_) + "\"\n" +
                  "port_range = \"" + std::to_string(child_ports_) + "-" + std::to_string(child_ports_ + 49) +
                  "\"\n" + "models_dir = \"" + options.models_dir + "\"\n" + "llama_server = \"" +
                  (options.llama_server.empty() ? fake_llama_server() : options.llama_server) + "\"\n";
    std::string config = fixed_part_ + options.config;
    static int counter = 0;
    std::string suffix = std::to_string(counter++);
    config_file_ = dir.write("ggufd-" + suffix + ".toml", config);
    launch();
    if (options.wait_until_listening) wait_listening();
}

void Daemon::launch() {
    std::filesystem::path log = config_file_;
    log.replace_extension(launches_++ ? ".log." + std::to_string(launches_) : ".log");
    std::vector<std::string> argv = command_prefix_;
    for (std::string arg : {build_binary("ggufd").string(), std::string("serve"), std::string("--config"), config_file_.string()}) {
        argv.push_back(std::move(arg));
    }
    process_ = std::make_unique<ChildProcess>(argv, log, env_);
}

void Daemon::start_again() {
    launch();
    wait_listening();
}

// Sanitizer builds run the same tests: a report in the daemon's log (its own, or a child's) fails
// whichever test ran it, even one that never looks at the log.
Daemon::~Daemon() {
    std::string text = log();
    for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer"}) {
        size_t at = text.find(report);
        if (at != std::string::npos) ADD_FAILURE() << "the daemon's log has a sanitizer report:\n" << text.substr(at, 4000);
    }
}

bool Daemon::wait_listening(std::chrono::milliseconds timeout) {
    return wait_until([this] { return http_get(host_, port_, "/health").status != 0 || !process_->running(); }, timeout);
}

nlohmann::json Daemon::service(const std::string& name) const {
    std::map<std::string, std::string> headers;
    if (!admin_key_.empty()) headers["Authorization"] = "Bearer " + admin_key_;
    auto response = http_get(host_, port_, "/services/" + name, headers);
    if (response.status != 200) return nullptr;
    return nlohmann::json::parse(response.body, nullptr, false);
}

bool Daemon::wait_state(const std::string& name, const std::string& state, std::chrono::milliseconds timeout) const {
    return wait_until(
        [&] {
            auto json = service(name);
            return json.is_object() && json["state"] == state;
        },
        timeout);
}

void Daemon::rewrite_config(const std::string& config_text) const {
    std::ofstream out(config_file_, std::ios::trunc);
    out << fixed_part_ << config_text;
}

std::optional<int> Daemon::stop(int sig, std::chrono::milliseconds timeout) {
    process_->signal(sig);
    return process_->wait(timeout);
}

}  // namespace ggufd::test
