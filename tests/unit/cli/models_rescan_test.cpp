// What a models_dir rescan applies, as a specification: new or changed discovered services only
// once their files are complete GGUF files; running versions kept meanwhile; configured services
// never checked. And the real check on a real tiny model cut short.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "ggufd/gguf/tiny_llama.h"
#include "ggufd/gguf/writer.h"
#include "models_rescan.h"
#include "temp_dir.h"

namespace ggufd::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::ServiceConfig service(std::string name, std::string model, bool discovered = true) {
    config::ServiceConfig s;
    s.name = std::move(name);
    s.model = std::move(model);
    s.discovered = discovered;
    return s;
}

std::vector<std::string> names(const config::Config& config) {
    std::vector<std::string> out;
    for (const auto& s : config.services) out.push_back(s.name);
    return out;
}

// Files whose name contains "partial" are still being written.
std::optional<std::string> fake_check(const std::filesystem::path& file) {
    if (file.string().find("partial") == std::string::npos) return std::nullopt;
    return file.string() + ": the file is truncated";
}

TEST(ModelsRescan, CompleteNewFilesAreServedAndPartialOnesWait) {
    config::Config running;
    running.services = {service("mine", "/cfg/partial-but-configured.gguf", false), service("old", "/m/old.gguf")};
    config::Config rediscovered = running;
    rediscovered.services.push_back(service("new", "/m/new.gguf"));
    rediscovered.services.push_back(service("copying", "/m/partial.gguf"));

    RescanPlan plan = plan_rescan(running, rediscovered, fake_check);
    EXPECT_THAT(names(plan.next), ElementsAre("mine", "old", "new")) << "configured services are never checked";
    ASSERT_EQ(plan.held_back.size(), 1u);
    EXPECT_EQ(plan.held_back[0].service, "copying");
    EXPECT_EQ(plan.held_back[0].problem, "/m/partial.gguf: the file is truncated");
}

TEST(ModelsRescan, AChangedServiceWhoseNewFileIsPartialKeepsItsRunningVersion) {
    config::Config running;
    running.services = {service("vision", "/m/vision/model.gguf")};
    config::Config rediscovered = running;
    rediscovered.services[0].mmproj = "/m/vision/mmproj-partial.gguf";  // a projector being copied in

    RescanPlan plan = plan_rescan(running, rediscovered, fake_check);
    ASSERT_EQ(plan.next.services.size(), 1u);
    EXPECT_FALSE(plan.next.services[0].mmproj) << "the running version stays until the projector is whole";
    EXPECT_THAT(plan.held_back[0].problem, HasSubstr("mmproj-partial.gguf"));
}

TEST(ModelsRescan, RemovedFilesLeaveAndUnchangedOnesAreNotReadAgain) {
    config::Config running;
    running.services = {service("a", "/m/partial-a.gguf"), service("gone", "/m/gone.gguf")};
    config::Config rediscovered;
    rediscovered.services = {service("a", "/m/partial-a.gguf")};
    RescanPlan plan = plan_rescan(running, rediscovered, fake_check);
    EXPECT_THAT(names(plan.next), ElementsAre("a")) << "unchanged: not checked, so not held back";
    EXPECT_TRUE(plan.held_back.empty());
}

TEST(ModelsRescan, TheRealCheckReadsTheHeaderAndTheTensorExtent) {
    test::TempDir dir;
    auto whole = dir.path() / "whole.gguf";
    gguf::tiny_llama({}).write(whole);
    EXPECT_EQ(gguf_problem(whole), std::nullopt);

    // The same file cut short, as a copy in progress leaves it.
    auto bytes = test::read_file(whole);
    auto cut = dir.write("cut.gguf", bytes.substr(0, bytes.size() / 2));
    ASSERT_TRUE(gguf_problem(cut));
    EXPECT_THAT(*gguf_problem(cut), HasSubstr(cut.string()));
    EXPECT_THAT(*gguf_problem(cut), HasSubstr("truncated"));

    EXPECT_THAT(gguf_problem(dir.write("empty.gguf", "")).value_or(""), HasSubstr("empty.gguf"));
    EXPECT_THAT(gguf_problem(dir.path() / "missing.gguf").value_or(""), HasSubstr("missing.gguf"));
}

// A split model is whole only when every shard is: llama-server loads them together.
TEST(ModelsRescan, ASplitModelWaitsForItsLastShard) {
    test::TempDir dir;
    auto shard = [&](int number) {
        gguf::Writer writer;
        writer.add("split.no", gguf::Value(static_cast<uint16_t>(number - 1)));
        writer.add("split.count", gguf::Value(static_cast<uint16_t>(2)));
        writer.add_tensor("t" + std::to_string(number), {64, 4}, gguf::GgmlType::F32);
        return writer.to_bytes();
    };
    auto first = shard(1), second = shard(2);
    auto path = dir.write("big-00001-of-00002.gguf", std::string(first.begin(), first.end()));
    EXPECT_THAT(gguf_problem(path).value_or(""), HasSubstr("big-00002-of-00002.gguf")) << "the second is missing";
    dir.write("big-00002-of-00002.gguf", std::string(second.begin(), second.begin() + second.size() / 2));
    EXPECT_THAT(gguf_problem(path).value_or(""), HasSubstr("truncated"));
    dir.write("big-00002-of-00002.gguf", std::string(second.begin(), second.end()));
    EXPECT_EQ(gguf_problem(path), std::nullopt);
}

}  // namespace
}  // namespace ggufd::cli
