// The scale-out suite's common ground: skip (loudly) without llama-server or HAProxy, a tiny
// model per test, nodes on 127.0.0.2, 127.0.0.3, ... and the CLI pointed at one of them.
#pragma once

#include <gtest/gtest.h>

#include "cli.h"
#include "cluster.h"
#include "traffic.h"
#include "wait.h"

namespace ggufd::test {

class Cluster : public testing::Test {
protected:
    void SetUp() override {
        tools_ = find_cluster_tools();
        if (!tools_.missing.empty()) {
            std::fprintf(stderr, "\n*** SKIPPED: %s ***\n\n", tools_.missing.c_str());
            GTEST_SKIP() << tools_.missing;
        }
        model_ = write_tiny_model(dir_, "tiny", 1).string();
    }

    /// A node on 127.0.0.<n+2> serving `services` (TOML; "MODEL" stands for the tiny model).
    Node& add_node(std::string services) {
        for (size_t at; (at = services.find("MODEL")) != std::string::npos;) services.replace(at, 5, model_);
        std::string host = "127.0.0." + std::to_string(nodes_.size() + 2);
        nodes_.push_back(std::make_unique<Node>(dir_, host, services, tools_.llama_server));
        return *nodes_.back();
    }

    std::vector<Node*> nodes() {
        std::vector<Node*> all;
        for (auto& node : nodes_) all.push_back(node.get());
        return all;
    }

    /// `ggufd <args> --url <node>`.
    CliResult cli(const Node& node, std::vector<std::string> args) { return run_cli(dir_, node.daemon(), std::move(args)); }

    TempDir dir_;
    ClusterTools tools_;
    std::string model_;
    std::vector<std::unique_ptr<Node>> nodes_;
};

/// "[services.NAME] model = MODEL" plus `extra` lines.
inline std::string service_toml(const std::string& name, const std::string& extra = "") {
    return "[services." + name + "]\nmodel = \"MODEL\"\n" + extra;
}

}  // namespace ggufd::test
