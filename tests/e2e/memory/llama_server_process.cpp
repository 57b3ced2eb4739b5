// Spawning and stopping a llama-server for the e2e tests: fork/exec of an argv (no shell),
// readiness by polling /health against a deadline, SIGTERM then SIGKILL on stop.
#include "llama_server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <httplib.h>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ggufd::test {

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot bind a loopback port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

LlamaServerProcess::LlamaServerProcess(const std::filesystem::path& server, const std::filesystem::path& model,
                                       const std::vector<std::string>& args, std::filesystem::path log,
                                       std::chrono::milliseconds timeout)
    : log_(std::move(log)), port_(free_loopback_port()) {
    std::vector<std::string> argv{server.string(), "--host", "127.0.0.1", "--port", std::to_string(port_),
                                  "-m", model.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);

    const int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) throw std::runtime_error("cannot create " + log_.string());
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
        ::execv(c_argv[0], c_argv.data());
        ::_exit(127);
    }
    ::close(out);
    if (pid_ < 0) throw std::runtime_error("fork() failed");

    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(std::chrono::milliseconds(200));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("llama-server exited while loading (status " + std::to_string(status) +
                                     "); its output ends with:\n" + log_tail());
        }
        if (auto res = client.Get("/health"); res && res->status == 200) return;
        if (std::chrono::steady_clock::now() > deadline) {
            stop();
            throw std::runtime_error("llama-server was not ready within the timeout; its output ends with:\n" +
                                     log_tail());
        }
        // Polling is the only way to learn that a child has loaded: it reports readiness on /health.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

LlamaServerProcess::~LlamaServerProcess() { stop(); }

void LlamaServerProcess::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
}

uint64_t LlamaServerProcess::peak_rss_bytes() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
    }
    return 0;
}

std::string LlamaServerProcess::log_tail() const {
    std::ifstream in(log_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::ostringstream out;
    for (size_t i = lines.size() > 20 ? lines.size() - 20 : 0; i < lines.size(); ++i) out << lines[i] << '\n';
    return out.str();
}

}  // namespace ggufd::test
