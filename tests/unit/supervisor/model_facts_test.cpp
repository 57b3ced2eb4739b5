// What the supervisor reads about a service's model before starting it: the estimate with its
// projector, what each GPU is charged, and how an unreadable projector is reported.
#include "ggufd/supervisor/model_facts.h"

#include <gtest/gtest.h>

#include "ggufd/gguf/tiny_llama.h"
#include "ggufd/gguf/writer.h"
#include "temp_dir.h"

namespace ggufd::supervisor {
namespace {

constexpr uint64_t kProjectorBytes = 2u << 20;  // 1024 x 1024 F16

class ModelFactsTest : public ::testing::Test {
protected:
    ModelFactsTest() {
        gguf::tiny_llama({}).write(dir_.path() / "model.gguf");
        gguf::Writer projector;
        projector.add("general.architecture", "clip");
        projector.add_tensor("v.patch_embd.weight", {1024, 1024}, gguf::GgmlType::F16);
        projector.write(dir_.path() / "mmproj-model.gguf");
        service_.name = "vision";
        service_.model = dir_.path() / "model.gguf";
    }

    test::TempDir dir_;
    config::ServiceConfig service_;
};

TEST_F(ModelFactsTest, EachGpuIsChargedItsShareOfTheLayersAndTheWholeProjector) {
    const ModelFacts text_only = inspect_model(service_, {0, 1}, memory::GpuBackend::cuda);
    ASSERT_TRUE(text_only.estimate) << text_only.error;
    service_.mmproj = dir_.path() / "mmproj-model.gguf";
    const ModelFacts vision = inspect_model(service_, {0, 1}, memory::GpuBackend::cuda);
    ASSERT_TRUE(vision.estimate) << vision.error;
    EXPECT_TRUE(vision.error.empty()) << vision.error;
    EXPECT_EQ(vision.estimate->device_projector, kProjectorBytes);
    EXPECT_EQ(vision.estimate->device.total(), text_only.estimate->device.total() + kProjectorBytes);
    EXPECT_EQ(vision.bytes_per_device, text_only.bytes_per_device + kProjectorBytes);

    const ModelFacts on_cpu = inspect_model(service_, {}, memory::GpuBackend::cuda);
    EXPECT_EQ(on_cpu.bytes_per_device, 0u);
    EXPECT_EQ(on_cpu.estimate->device_projector, 0u);
}

TEST_F(ModelFactsTest, AnUnreadableProjectorIsReportedAndTheModelStillBudgeted) {
    const ModelFacts text_only = inspect_model(service_, {0}, memory::GpuBackend::cuda);
    service_.mmproj = dir_.path() / "mmproj-missing.gguf";
    const ModelFacts facts = inspect_model(service_, {0}, memory::GpuBackend::cuda);
    EXPECT_EQ(facts.error.rfind("projector: ", 0), 0u) << facts.error;
    EXPECT_NE(facts.error.find("mmproj-missing.gguf"), std::string::npos) << facts.error;
    ASSERT_TRUE(facts.estimate);
    EXPECT_EQ(facts.bytes_per_device, text_only.bytes_per_device);
}

}  // namespace
}  // namespace ggufd::supervisor
