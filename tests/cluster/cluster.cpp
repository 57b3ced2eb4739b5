#include "cluster.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sstream>

#include "binaries.h"
#include "cli.h"
#include "ggufd/gguf/tiny_llama.h"
#include "http_client.h"
#include "wait.h"

namespace ggufd::test {
namespace {

// Quick checks, so a test sees HAProxy react in about a second rather than several.
constexpr const char* kCheckInterval = "300ms";

std::string unix_exchange(const std::filesystem::path& socket_path, const std::string& command) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        std::string line = command + "\n";
        if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) > 0) {
            char buffer[65536];
            ssize_t n;
            while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) out.append(buffer, static_cast<size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream in(line);
    std::string field;
    while (std::getline(in, field, ',')) fields.push_back(field);
    return fields;
}

}  // namespace

Node::Node(const TempDir& dir, const std::string& host, const std::string& services, const std::string& llama_server) {
    agent_port_ = free_port();
    DaemonOptions options("agent_listen = \"" + host + ":" + std::to_string(agent_port_) + "\"\n" +
                          "drain_timeout = \"60s\"\n[defaults]\nctx_size = 4096\ngpus = []\nstop_timeout = \"5s\"\n" +
                          services);
    options.llama_server = llama_server;
    options.host = host;
    daemon_ = std::make_unique<Daemon>(dir, options);
}

long Node::requests(const std::string& service) const {
    auto json = daemon_->service(service);
    return json.is_object() ? json["requests"].get<long>() : -1;
}

Balancer::Balancer(const TempDir& dir, const std::vector<Node*>& nodes) {
    port_ = free_port();
    config_ = dir.path() / "haproxy" / "haproxy.cfg";
    socket_ = dir.path() / "haproxy" / "admin.sock";
    std::filesystem::create_directories(config_.parent_path());
    std::vector<std::string> args = {"haproxy-config", "--listen", "127.0.0.1:" + std::to_string(port_), "--out",
                                     config_.string(), "--stats-socket", socket_.string(), "--check-interval",
                                     kCheckInterval};
    for (const Node* node : nodes) args.insert(args.end(), {"--node", node->url()});
    CliResult generated = run_ggufd(dir, args);
    generator_output_ = generated.output;
    if (generated.exit_code != 0) return;
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{find_haproxy()->string(), "-db", "-f", config_.string()}, dir.path() / "haproxy.log");
    wait_until([this] { return http_get(port_, "/health").status != 0 || !process_->running(); }, std::chrono::seconds(30));
}

Balancer::~Balancer() = default;

std::string Balancer::stats() const { return unix_exchange(socket_, "show stat"); }

std::optional<ServerStat> Balancer::server(const std::string& backend, const Node& node) const {
    // "show stat" CSV: pxname, svname, ..., stot (index 7), status (17), weight (18).
    std::stringstream lines(stats());
    for (std::string line; std::getline(lines, line);) {
        auto fields = csv_fields(line);
        if (fields.size() < 19 || fields[0] != backend || fields[1] != node.address()) continue;
        ServerStat stat;
        stat.status = fields[17];
        stat.weight = fields[18].empty() ? -1 : std::stoi(fields[18]);
        stat.sessions = fields[7].empty() ? 0 : std::stol(fields[7]);
        return stat;
    }
    return std::nullopt;
}

bool Balancer::wait_status(const std::string& backend, const Node& node, const std::string& status,
                           std::chrono::milliseconds timeout) const {
    return wait_until(
        [&] {
            auto stat = server(backend, node);
            return stat && stat->status.rfind(status, 0) == 0;
        },
        timeout, std::chrono::milliseconds(50));
}

ClusterTools find_cluster_tools() {
    ClusterTools tools;
    auto llama = find_llama_server();
    auto haproxy = find_haproxy();
    if (llama.path) tools.llama_server = llama.path->string();
    else tools.missing = "no llama-server found (searched: " + llama.searched + ")";
    if (haproxy) tools.haproxy = haproxy->string();
    else tools.missing += std::string(tools.missing.empty() ? "" : "; ") +
                          "no haproxy found (PATH, /usr/sbin/haproxy; scripts/setup.sh --test installs it)";
    return tools;
}

std::filesystem::path write_tiny_model(const TempDir& dir, const std::string& name, uint64_t seed) {
    gguf::TinyLlamaSpec spec;
    spec.seed = seed;
    spec.context = 16384;
    std::filesystem::path path = dir.path() / (name + ".gguf");
    gguf::tiny_llama(spec).write(path, 2);
    return path;
}

}  // namespace ggufd::test
