#include "ggufd/agent/agent_server.h"

#include "agent_loop.h"
#include "ggufd/net/socket.h"

namespace ggufd::agent {

AgentServer::AgentServer(config::ListenAddress address, const supervisor::Supervisor& supervisor, DrainState& drains)
    : address_(std::move(address)), supervisor_(supervisor), drains_(drains) {}

AgentServer::~AgentServer() { stop(); }

void AgentServer::start() {
    net::UniqueFd listener = net::listen_tcp(address_.host, address_.port, /*reuse_port=*/false, 128);
    loop_ = std::make_unique<AgentLoop>(std::move(listener), supervisor_, drains_, shutting_down_);
    loop_->begin();
    thread_ = std::thread([loop = loop_.get()] { loop->loop().run(); });
}

void AgentServer::shutting_down() { shutting_down_ = true; }

void AgentServer::stop() {
    if (!thread_.joinable()) return;
    loop_->loop().stop();
    thread_.join();
    loop_.reset();
}

}  // namespace ggufd::agent
