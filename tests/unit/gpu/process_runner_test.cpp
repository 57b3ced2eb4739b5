// The real process runner against real, short-lived programs from coreutils.
#include <gtest/gtest.h>

#include <chrono>

#include "ggufd/gpu/command_runner.h"

namespace ggufd::gpu {
namespace {

using namespace std::chrono_literals;
using Status = CommandResult::Status;

TEST(ProcessRunner, CapturesStdoutOfASuccessfulCommand) {
    CommandResult r = process_runner().run({"printf", "0, NVIDIA H200\\n1, NVIDIA H200\\n"}, 5s);
    EXPECT_EQ(r.status, Status::exited);
    EXPECT_TRUE(r.succeeded());
    EXPECT_EQ(r.out, "0, NVIDIA H200\n1, NVIDIA H200\n");
    EXPECT_EQ(r.err, "");
}

TEST(ProcessRunner, ReportsTheExitCodeAndStderrOfAFailingCommand) {
    CommandResult r = process_runner().run({"ls", "/nonexistent-ggufd-path"}, 5s);
    EXPECT_EQ(r.status, Status::exited);
    EXPECT_FALSE(r.succeeded());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("nonexistent-ggufd-path"), std::string::npos);
}

TEST(ProcessRunner, AMissingProgramIsNotFound) {
    CommandResult r = process_runner().run({"ggufd-no-such-program-anywhere"}, 5s);
    EXPECT_EQ(r.status, Status::not_found);
    EXPECT_NE(r.error.find("ggufd-no-such-program-anywhere"), std::string::npos);
}

TEST(ProcessRunner, ArgumentsAreNotInterpretedByAShell) {
    CommandResult r = process_runner().run({"echo", "$HOME; rm -rf /"}, 5s);
    EXPECT_EQ(r.out, "$HOME; rm -rf /\n");
}

TEST(ProcessRunner, AHungCommandIsKilledAtTheDeadline) {
    const auto start = std::chrono::steady_clock::now();
    CommandResult r = process_runner().run({"sleep", "30"}, 200ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, Status::timed_out);
    EXPECT_EQ(r.term_signal, 9);  // reaped: no zombie left behind
    EXPECT_LT(elapsed, 5s);
}

TEST(ProcessRunner, StdinIsEmptySoACommandWaitingForInputEndsAtOnce) {
    CommandResult r = process_runner().run({"cat"}, 5s);
    EXPECT_TRUE(r.succeeded());
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace ggufd::gpu
