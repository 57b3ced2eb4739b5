// The fixture of the e2e_memory suites: finds a real llama-server (or skips, loudly, saying
// where it looked), gives each test a scratch directory and writes tiny llama models into it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "binaries.h"
#include "ggufd/gguf/tiny_llama.h"

namespace ggufd::test {

class LlamaServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto lookup = find_llama_server();
        if (!lookup.path) {
            std::fprintf(stderr, "\n*** SKIPPED: no llama-server found (searched: %s) ***\n\n", lookup.searched.c_str());
            GTEST_SKIP() << "SKIPPED: no llama-server found (searched: " << lookup.searched << ")";
        }
        server_ = *lookup.path;
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::path(::testing::TempDir()) /
               ("ggufd-e2e-" + std::to_string(::getpid()) + "-" + test->name());
        std::filesystem::create_directories(dir_);
    }

    void TearDown() override {
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }

    std::filesystem::path write_model(const gguf::TinyLlamaSpec& spec, const std::string& name) const {
        const auto path = dir_ / name;
        gguf::tiny_llama(spec).write(path, 2);
        return path;
    }

    std::filesystem::path server_;
    std::filesystem::path dir_;
};

}  // namespace ggufd::test
