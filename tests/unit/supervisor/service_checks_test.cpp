// The checks shared by doctor and the daemon: what keeps a service from starting, worded once
// (the problem names the path, the fix says what to change and where).
#include <gtest/gtest.h>

#include <system_error>

#include "ggufd/gguf/gguf_file.h"
#include "ggufd/supervisor/service_checks.h"

namespace ggufd::supervisor {
namespace {

config::ServiceConfig service_at(const std::string& name, int line) {
    config::ServiceConfig service;
    service.name = name;
    service.model = "/m/" + name + ".gguf";
    service.defined_at = {"/etc/ggufd/ggufd.toml", line};
    return service;
}

TEST(ServiceChecks, AMissingLlamaServerSaysWhereItWasLookedForAndWhatToSet) {
    auto bare = llama_server_missing("llama-server");
    EXPECT_EQ(bare.describe(),
              "llama-server \"llama-server\" was not found on PATH; install llama.cpp's llama-server, or set "
              "llama_server = \"/path/to/llama-server\" in the config (or the GGUFD_LLAMA_SERVER environment variable)");
    EXPECT_EQ(llama_server_missing("/opt/x/llama-server").message,
              "\"/opt/x/llama-server\" does not exist or is not an executable file");
    auto problem = program_problem(service_at("m", 3), "/nonexistent/llama-server");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->kind, ServiceProblem::Kind::program);
    EXPECT_EQ(program_problem(service_at("m", 3), "/bin/sh"), std::nullopt);
}

TEST(ServiceChecks, AMissingCommandPointsAtTheServicesLine) {
    auto service = service_at("vllm", 12);
    service.command = {"/opt/none/server", "--port", "{port}"};
    auto problem = program_problem(service, "llama-server");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->describe(),
              "command \"/opt/none/server\" does not exist or is not an executable file; correct command in "
              "/etc/ggufd/ggufd.toml:12 (the first word is the program to run)");
}

TEST(ServiceChecks, ReadFailuresAreClassifiedByWhatTheReaderThrew) {
    EXPECT_EQ(classify_read_failure(gguf::FormatError("/m.gguf", 0, "not a GGUF file")), FileFailure::format);
    EXPECT_EQ(classify_read_failure(std::system_error(ENOENT, std::generic_category(), "x")), FileFailure::missing);
    EXPECT_EQ(classify_read_failure(std::system_error(EACCES, std::generic_category(), "x")), FileFailure::permission);
    EXPECT_EQ(classify_read_failure(std::system_error(EISDIR, std::generic_category(), "x")), FileFailure::other);
    EXPECT_EQ(classify_read_failure(std::runtime_error("x")), FileFailure::other);
}

TEST(ServiceChecks, OnlyModelFailuresThatKeepTheChildFromStartingAreProblems) {
    auto service = service_at("gemma", 7);
    EXPECT_EQ(model_problem(service, FileFailure::none, ""), std::nullopt);
    EXPECT_EQ(model_problem(service, FileFailure::format, "not GGUF"), std::nullopt) << "llama-server's to refuse";
    auto missing = model_problem(service, FileFailure::missing, "/m/gemma.gguf: cannot open: No such file or directory");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->describe(), "model /m/gemma.gguf: cannot open: No such file or directory; correct model in "
                                   "/etc/ggufd/ggufd.toml:7, or mount the disk it lives on");
    service.discovered = true;
    EXPECT_EQ(model_problem(service, FileFailure::missing, "gone")->fix,
              "it vanished from the models directory: check the disk it lives on");
}

TEST(ServiceChecks, LocationsReadAsEditorsWantThem) {
    EXPECT_EQ(describe_location({"/c.toml", 3}), "/c.toml:3");
    EXPECT_EQ(describe_location({"/c.toml", 0}), "/c.toml");
    EXPECT_EQ(describe_location({}), "the config file");
}

}  // namespace
}  // namespace ggufd::supervisor
