// Discovery and default masking on the recorded NVIDIA machines (nvidia-smi answers recorded on
// real H200 and H100 machines, and GB10's from NVIDIA's own documentation), on a machine with
// no GPU at all, and on one with GPUs of both vendors.
#include <gtest/gtest.h>

#include "ggufd/gpu/discovery.h"
#include "ggufd/gpu/mask.h"
#include "gpu_test_support.h"
#include "nvidia_smi_csv.h"

namespace ggufd::gpu {
namespace {

using test::fixture;
using test::options_for;
using test::recorded_nvidia_smi;
using test::ReplayRunner;
using Env = std::vector<std::pair<std::string, std::string>>;

constexpr uint64_t MiB = 1ull << 20;

Mask mask_of(const Discovery& discovery) { return std::get<Mask>(choose_mask(discovery.devices, std::nullopt)); }

Env cuda(const std::string& indices) {
    return {{"HIP_VISIBLE_DEVICES", "-1"}, {"CUDA_VISIBLE_DEVICES", indices}, {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}};
}

bool has_note(const Discovery& discovery, Note::Level level, const std::string& fragment) {
    for (const Note& note : discovery.notes) {
        if (note.level == level && note.text.find(fragment) != std::string::npos) return true;
    }
    return false;
}

TEST(NvidiaMachine, TwoH200sAsNvidiaSmiPrintedThem) {
    ReplayRunner runner(recorded_nvidia_smi("nvidia-h200x2"));
    Discovery d = discover(options_for(fixture("nvidia-h200x2"), runner));

    ASSERT_EQ(runner.calls.size(), 1u);
    EXPECT_EQ(runner.calls[0], (std::vector<std::string>{"nvidia-smi", std::string(kNvidiaSmiQuery),
                                                         std::string(kNvidiaSmiFormat)}));
    EXPECT_EQ(runner.timeouts[0], std::chrono::milliseconds(5000));

    ASSERT_EQ(d.devices.size(), 2u);
    for (int i = 0; i < 2; ++i) {
        const Device& gpu = d.devices[static_cast<size_t>(i)];
        EXPECT_EQ(gpu.vendor, Vendor::nvidia);
        EXPECT_EQ(gpu.index, i);
        EXPECT_EQ(gpu.name, "NVIDIA H200");
        EXPECT_EQ(gpu.arch, "");
        EXPECT_FALSE(gpu.integrated) << gpu.source.integrated;
        EXPECT_EQ(gpu.memory.total_bytes, 143771 * MiB);
        EXPECT_EQ(gpu.memory.used_bytes, 0u);
        EXPECT_EQ(gpu.memory.free_bytes, 143156 * MiB);  // the driver reserves the difference
    }
    EXPECT_EQ(d.devices[0].pci_bus_id, "0000:00:06.0");
    EXPECT_EQ(d.devices[1].uuid, "GPU-c88c6320-3fac-7dc7-b673-6dfc8015143d");
    EXPECT_FALSE(d.kfd.exists);
    EXPECT_TRUE(has_note(d, Note::Level::info, "no AMD GPUs"));

    Mask mask = mask_of(d);
    EXPECT_EQ(mask.reason, "discrete GPUs [0, 1]");
    EXPECT_EQ(mask_environment(mask), cuda("0,1"));
}

TEST(NvidiaMachine, OneH100) {
    ReplayRunner runner(recorded_nvidia_smi("nvidia-h100"));
    Discovery d = discover(options_for(fixture("nvidia-h100"), runner));
    ASSERT_EQ(d.devices.size(), 1u);
    EXPECT_EQ(d.devices[0].name, "NVIDIA H100 80GB HBM3");
    EXPECT_EQ(d.devices[0].memory.total_bytes, 81559 * MiB);
    EXPECT_EQ(d.devices[0].source.integrated, "nvidia-smi reports 79.6 GiB of dedicated memory");
    EXPECT_EQ(mask_environment(mask_of(d)), cuda("0"));
}

TEST(NvidiaMachine, Gb10HasNoDedicatedMemoryAndIsUsedAsTheOnlyGpu) {
    ReplayRunner runner(recorded_nvidia_smi("nvidia-gb10"));
    Discovery d = discover(options_for(fixture("nvidia-gb10"), runner));
    ASSERT_EQ(d.devices.size(), 1u);
    const Device& gb10 = d.devices[0];
    EXPECT_TRUE(gb10.integrated);
    EXPECT_EQ(gb10.pci_bus_id, "000f:01:00.0");
    EXPECT_EQ(gb10.memory.total_bytes, std::nullopt);
    EXPECT_EQ(gb10.memory.used_bytes, std::nullopt);
    EXPECT_EQ(gb10.memory.free_bytes, std::nullopt);
    Mask mask = mask_of(d);
    EXPECT_EQ(mask.reason, "the only GPU is integrated (NVIDIA GB10): using it");
    EXPECT_EQ(mask_environment(mask), cuda("0"));
}

TEST(NvidiaMachine, AFailingNvidiaSmiIsAWarningWithItsOwnWords) {
    ReplayRunner runner(recorded_nvidia_smi("nvidia-driver-down"));
    Discovery d = discover(options_for(fixture("nvidia-driver-down"), runner));
    EXPECT_TRUE(d.devices.empty());
    EXPECT_TRUE(has_note(d, Note::Level::warning,
                         "nvidia-smi failed (exit 9): NVIDIA-SMI has failed because it couldn't communicate "
                         "with the NVIDIA driver."));
    EXPECT_EQ(mask_of(d).reason, "no GPUs found: CPU only");
}

TEST(NvidiaMachine, AHungNvidiaSmiIsAWarningAndNoGpus) {
    CommandResult hung;
    hung.status = CommandResult::Status::timed_out;
    ReplayRunner runner(hung);
    Discovery d = discover(options_for(fixture("no-gpu"), runner));
    EXPECT_TRUE(d.devices.empty());
    EXPECT_TRUE(has_note(d, Note::Level::warning, "nvidia-smi did not answer within 5.0s and was killed"));
}

TEST(NvidiaMachine, CudaOrderFollowsPciBusNotNvidiaSmiIndex) {
    CommandResult out;
    out.out = "0, NVIDIA GeForce RTX 3060, GPU-aaa, 00000000:65:00.0, 12288, 5, 12000\n"
              "1, NVIDIA GeForce RTX 4090, GPU-bbb, 00000000:01:00.0, 24564, 5, 24000\n";
    ReplayRunner runner(out);
    Discovery d = discover(options_for(fixture("no-gpu"), runner));
    ASSERT_EQ(d.devices.size(), 2u);
    EXPECT_EQ(d.devices[0].uuid, "GPU-bbb");
    EXPECT_EQ(d.devices[0].index, 0);
    EXPECT_TRUE(has_note(d, Note::Level::info, "nvidia-smi calls GPU-bbb GPU 1 but CUDA in PCI bus order calls it 0"));
}

TEST(NoGpuMachine, FindsNothingAndSaysWhyWithoutWarnings) {
    ReplayRunner runner(test::nvidia_smi_missing());
    Discovery d = discover(options_for(fixture("no-gpu"), runner));
    EXPECT_TRUE(d.devices.empty());
    EXPECT_FALSE(d.kfd.exists);
    EXPECT_FALSE(d.kfd.accessible);
    EXPECT_TRUE(has_note(d, Note::Level::info, "sys/class/kfd is absent"));
    EXPECT_TRUE(has_note(d, Note::Level::info, "nvidia-smi not found"));
    EXPECT_FALSE(has_note(d, Note::Level::warning, ""));

    Mask mask = mask_of(d);
    EXPECT_TRUE(mask.cpu_only());
    EXPECT_EQ(mask.reason, "no GPUs found: CPU only");
    EXPECT_EQ(mask_environment(mask), (Env{{"HIP_VISIBLE_DEVICES", "-1"},
                                           {"CUDA_VISIBLE_DEVICES", "-1"},
                                           {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}}));
}

TEST(MixedMachine, RadeonIgpuAndH100AreNumberedPerVendor) {
    ReplayRunner runner(recorded_nvidia_smi("nvidia-h100"));
    Discovery d = discover(options_for(fixture("ryzen-9950x-rx7800xt"), runner));
    ASSERT_EQ(d.devices.size(), 3u);
    EXPECT_EQ(d.devices[0].vendor, Vendor::amd);
    EXPECT_EQ(d.devices[1].vendor, Vendor::amd);
    EXPECT_EQ(d.devices[2].vendor, Vendor::nvidia);
    EXPECT_EQ(d.devices[2].index, 0);

    Mask mask = mask_of(d);
    EXPECT_EQ(mask.reason, "discrete GPUs AMD [0], NVIDIA [0]; integrated AMD GPU 1 (gfx1036) masked: "
                           "llama-server would split tensors onto it");
    EXPECT_EQ(mask_environment(mask), (Env{{"HIP_VISIBLE_DEVICES", "0"},
                                           {"CUDA_VISIBLE_DEVICES", "0"},
                                           {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}}));
}

}  // namespace
}  // namespace ggufd::gpu
