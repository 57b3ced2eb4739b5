// Discovery and default masking on the recorded AMD machines of tests/fixtures/gpu/: the device
// list and its order, the integrated verdict, memory, the mask with its reason, the environment.
#include <gtest/gtest.h>

#include "ggufd/gpu/discovery.h"
#include "ggufd/gpu/mask.h"
#include "gpu_test_support.h"

namespace ggufd::gpu {
namespace {

using test::fixture;
using test::options_for;
using test::ReplayRunner;
using test::ScratchMachine;
using Env = std::vector<std::pair<std::string, std::string>>;

constexpr uint64_t GiB = 1ull << 30;

Mask mask_of(const Discovery& discovery, std::optional<std::vector<int>> configured = std::nullopt) {
    MaskOrError result = choose_mask(discovery.devices, configured);
    if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
    return std::get<Mask>(result);
}

Env hip(const std::string& indices) {
    return {{"HIP_VISIBLE_DEVICES", indices}, {"CUDA_VISIBLE_DEVICES", "-1"}, {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}};
}

bool has_note(const Discovery& discovery, Note::Level level, const std::string& fragment) {
    for (const Note& note : discovery.notes) {
        if (note.level == level && note.text.find(fragment) != std::string::npos) return true;
    }
    return false;
}

class AmdMachine : public ::testing::Test {
protected:
    Discovery discover_at(const std::filesystem::path& root) { return discover(options_for(root, no_nvidia_smi)); }
    ReplayRunner no_nvidia_smi{test::nvidia_smi_missing()};
};

TEST_F(AmdMachine, Ryzen9950xListsTheRadeonFirstAndTheIgpuSecondInKfdOrder) {
    Discovery d = discover_at(fixture("ryzen-9950x-rx7800xt"));
    ASSERT_EQ(d.devices.size(), 2u);

    const Device& card = d.devices[0];
    EXPECT_EQ(card.vendor, Vendor::amd);
    EXPECT_EQ(card.index, 0);
    EXPECT_EQ(card.name, "AMD Radeon RX 7800 XT");
    EXPECT_EQ(card.arch, "gfx1101");
    EXPECT_EQ(card.pci_bus_id, "0000:03:00.0");
    EXPECT_EQ(card.uuid, "GPU-9c3e5a1f00d2b471");
    EXPECT_FALSE(card.integrated) << card.source.integrated;
    EXPECT_EQ(card.memory.total_bytes, 17'163'091'968u);
    EXPECT_EQ(card.memory.used_bytes, 1'491'832'832u);
    EXPECT_EQ(card.memory.free_bytes, 17'163'091'968u - 1'491'832'832u);
    EXPECT_NE(card.source.listing.find("KFD node 1"), std::string::npos);
    EXPECT_NE(card.source.name.find("amdgpu.ids entry for 1002:747e rev c8"), std::string::npos);
    EXPECT_NE(card.source.memory.find("renderD128/device/mem_info_vram_{total,used}"), std::string::npos);

    const Device& igpu = d.devices[1];
    EXPECT_EQ(igpu.index, 1);
    EXPECT_EQ(igpu.name, "AMD GPU 1002:164e");  // desktop Raphael (rev c1) is not in amdgpu.ids
    EXPECT_EQ(igpu.arch, "gfx1036");
    EXPECT_EQ(igpu.pci_bus_id, "0000:7c:00.0");
    EXPECT_EQ(igpu.uuid, "");
    EXPECT_TRUE(igpu.integrated);
    EXPECT_NE(igpu.source.integrated.find("gfx1036 only exists as integrated graphics"), std::string::npos);
    EXPECT_NE(igpu.source.integrated.find("but it has 512.0 MiB of VRAM"), std::string::npos) << igpu.source.integrated;
    // ROCm allocates this APU's memory from GTT (system RAM): that is the figure to report.
    EXPECT_EQ(igpu.memory.total_bytes, 100'931'502'080u);
    EXPECT_EQ(igpu.memory.used_bytes, 33'554'432u);
    EXPECT_NE(igpu.source.memory.find("mem_info_gtt"), std::string::npos);

    EXPECT_TRUE(d.kfd.exists);
    EXPECT_TRUE(d.kfd.accessible);
    EXPECT_TRUE(has_note(d, Note::Level::info, "nvidia-smi not found"));
    EXPECT_FALSE(has_note(d, Note::Level::warning, ""));
}

TEST_F(AmdMachine, Ryzen9950xDefaultMaskHidesTheIgpu) {
    Mask mask = mask_of(discover_at(fixture("ryzen-9950x-rx7800xt")));
    EXPECT_EQ(mask.visible, (std::vector<DeviceRef>{{Vendor::amd, 0}}));
    EXPECT_EQ(mask.reason, "discrete GPUs [0]; integrated GPU 1 (gfx1036) masked: llama-server would split tensors onto it");
    EXPECT_EQ(mask_environment(mask), hip("0"));
}

TEST_F(AmdMachine, Ryzen9950xWithTheIgpuProbedFirstStillGetsOnlyTheRadeon) {
    ScratchMachine machine("ryzen-9950x-rx7800xt");
    machine.swap_kfd_nodes(1, 2);
    Discovery d = discover_at(machine.root());
    ASSERT_EQ(d.devices.size(), 2u);
    EXPECT_EQ(d.devices[0].arch, "gfx1036");
    EXPECT_TRUE(d.devices[0].integrated);
    EXPECT_EQ(d.devices[1].arch, "gfx1101");
    EXPECT_EQ(d.devices[1].index, 1);

    Mask mask = mask_of(d);
    EXPECT_EQ(mask.visible, (std::vector<DeviceRef>{{Vendor::amd, 1}}));
    EXPECT_EQ(mask.reason, "discrete GPUs [1]; integrated GPU 0 (gfx1036) masked: llama-server would split tensors onto it");
    EXPECT_EQ(mask_environment(mask), hip("1"));
}

TEST_F(AmdMachine, Ryzen9950xIgpuIsUsedWhenConfiguredAndTheReasonSaysSo) {
    Mask mask = mask_of(discover_at(fixture("ryzen-9950x-rx7800xt")), std::vector<int>{1});
    EXPECT_EQ(mask.reason, "configured gpus = [1], including integrated GPU 1 (gfx1036)");
    EXPECT_EQ(mask_environment(mask), hip("1"));
}

TEST_F(AmdMachine, StrixHaloOnlyGpuIsIntegratedAndUsed) {
    Discovery d = discover_at(fixture("strix-halo-395"));
    ASSERT_EQ(d.devices.size(), 1u);
    const Device& apu = d.devices[0];
    EXPECT_EQ(apu.name, "AMD Radeon 8060S Graphics");
    EXPECT_EQ(apu.arch, "gfx1151");
    EXPECT_EQ(apu.pci_bus_id, "0000:c3:00.0");
    EXPECT_TRUE(apu.integrated);
    EXPECT_NE(apu.source.integrated.find("Strix Halo"), std::string::npos);
    // The 96 GiB BIOS carve-out is real VRAM here, so it is what ROCm allocates from.
    EXPECT_EQ(apu.memory.total_bytes, 96 * GiB);
    EXPECT_EQ(apu.memory.used_bytes, 1 * GiB);
    EXPECT_NE(apu.source.memory.find("mem_info_vram"), std::string::npos);

    Mask mask = mask_of(d);
    EXPECT_EQ(mask.visible, (std::vector<DeviceRef>{{Vendor::amd, 0}}));
    EXPECT_EQ(mask.reason, "the only GPU is integrated (gfx1151): using it");
    EXPECT_EQ(mask_environment(mask), hip("0"));
}

TEST_F(AmdMachine, Mi300xServerListsEightDiscreteGpusInNodeOrder) {
    Discovery d = discover_at(fixture("mi300x-8"));
    ASSERT_EQ(d.devices.size(), 8u);
    const char* buses[] = {"0c", "22", "38", "5c", "9f", "af", "bf", "df"};
    for (int i = 0; i < 8; ++i) {
        const Device& gpu = d.devices[static_cast<size_t>(i)];
        EXPECT_EQ(gpu.index, i);
        EXPECT_EQ(gpu.name, "AMD Instinct MI300X");
        EXPECT_EQ(gpu.arch, "gfx942");
        EXPECT_EQ(gpu.pci_bus_id, std::string("0000:") + buses[i] + ":00.0");
        EXPECT_FALSE(gpu.integrated) << gpu.source.integrated;
        EXPECT_EQ(gpu.memory.total_bytes, 192 * GiB);
        EXPECT_NE(gpu.source.listing.find("KFD node " + std::to_string(i + 2)), std::string::npos);
    }
    Mask mask = mask_of(d);
    EXPECT_EQ(mask.visible.size(), 8u);
    EXPECT_EQ(mask.reason, "discrete GPUs [0, 1, 2, 3, 4, 5, 6, 7]");
    EXPECT_EQ(mask_environment(mask), hip("0,1,2,3,4,5,6,7"));
    EXPECT_EQ(mask_environment(mask_of(d, std::vector<int>{6, 7})), hip("6,7"));
}

TEST_F(AmdMachine, Mi300xNumbersGpusAfterAnInheritedRocrVisibleDevices) {
    DiscoveryOptions options = options_for(fixture("mi300x-8"), no_nvidia_smi);
    options.rocr_visible_devices = "5,GPU-4a2f0c1e9d3b7700";
    Discovery d = discover(options);
    ASSERT_EQ(d.devices.size(), 2u);
    EXPECT_EQ(d.devices[0].index, 0);
    EXPECT_EQ(d.devices[0].pci_bus_id, "0000:af:00.0");  // KFD GPU 5
    EXPECT_EQ(d.devices[1].index, 1);
    EXPECT_EQ(d.devices[1].uuid, "GPU-4a2f0c1e9d3b7700");  // KFD GPU 0
    EXPECT_TRUE(has_note(d, Note::Level::info, "ROCm shows them 2 of 8 GPUs"));
}

TEST_F(AmdMachine, Mi300xReportsARocrVisibleDevicesTokenRocmIgnores) {
    DiscoveryOptions options = options_for(fixture("mi300x-8"), no_nvidia_smi);
    options.rocr_visible_devices = "1,9,2";
    Discovery d = discover(options);
    ASSERT_EQ(d.devices.size(), 1u);
    EXPECT_TRUE(has_note(d, Note::Level::warning, "\"9\" is not the index of a GPU"));
}

}  // namespace
}  // namespace ggufd::gpu
