// The masking policy and the environment it renders, on hand-made device lists: explicit
// indices, errors, machines with both vendors, several integrated GPUs.
#include "ggufd/gpu/mask.h"

#include <gtest/gtest.h>

namespace ggufd::gpu {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

Device gpu(Vendor vendor, int index, std::string arch, bool integrated, std::string name = "GPU") {
    Device device;
    device.vendor = vendor;
    device.index = index;
    device.arch = std::move(arch);
    device.integrated = integrated;
    device.name = std::move(name);
    return device;
}

Mask mask_of(const std::vector<Device>& devices, std::optional<std::vector<int>> configured = std::nullopt) {
    MaskOrError result = choose_mask(devices, configured);
    if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
    return std::get<Mask>(result);
}

std::string error_of(const std::vector<Device>& devices, std::vector<int> configured) {
    MaskOrError result = choose_mask(devices, configured);
    EXPECT_TRUE(std::holds_alternative<std::string>(result));
    return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "";
}

const std::vector<Device> kDesktop = {gpu(Vendor::amd, 0, "gfx1101", false, "AMD Radeon RX 7800 XT"),
                                      gpu(Vendor::amd, 1, "gfx1036", true, "AMD GPU 1002:164e")};

TEST(ChooseMask, NoGpusMeansCpuOnly) {
    Mask mask = mask_of({});
    EXPECT_TRUE(mask.cpu_only());
    EXPECT_EQ(mask.reason, "no GPUs found: CPU only");
}

TEST(ChooseMask, EmptyGpusMeansCpuOnlyEvenWithGpus) {
    Mask mask = mask_of(kDesktop, std::vector<int>{});
    EXPECT_TRUE(mask.cpu_only());
    EXPECT_EQ(mask.reason, "configured gpus = []: CPU only");
}

TEST(ChooseMask, ExplicitIndicesKeepTheirOrder) {
    Mask mask = mask_of(kDesktop, std::vector<int>{1, 0});
    EXPECT_EQ(mask.visible, (std::vector<DeviceRef>{{Vendor::amd, 1}, {Vendor::amd, 0}}));
    EXPECT_EQ(mask.reason, "configured gpus = [1, 0], including integrated GPU 1 (gfx1036)");
    EXPECT_EQ(mask_environment(mask)[0], (std::pair<std::string, std::string>{"HIP_VISIBLE_DEVICES", "1,0"}));
}

TEST(ChooseMask, AnIndexNoGpuHasIsAnErrorThatListsTheGpus) {
    EXPECT_EQ(error_of(kDesktop, {0, 2}),
              "gpus = [0, 2]: there is no GPU 2; the GPUs are: GPU 0 AMD Radeon RX 7800 XT (gfx1101, discrete); "
              "GPU 1 AMD GPU 1002:164e (gfx1036, integrated)");
}

TEST(ChooseMask, WithNoGpusFoundAnExplicitSettingIsPassedThroughAsWritten) {
    // Discovery can miss GPUs (no nvidia-smi on PATH, a container without sysfs): trust the user.
    Mask mask = mask_of({}, std::vector<int>{0, 2});
    EXPECT_EQ(mask.reason, "configured gpus = [0, 2] (ggufd found no GPUs to check it against: passed to the child as written)");
    auto env = mask_environment(mask);
    EXPECT_EQ(env[0], (std::pair<std::string, std::string>{"HIP_VISIBLE_DEVICES", "0,2"}));
    EXPECT_EQ(env[1], (std::pair<std::string, std::string>{"CUDA_VISIBLE_DEVICES", "0,2"}));
}

TEST(ChooseMask, RepeatedAndNegativeIndicesAreErrors) {
    // CUDA shows no device at all for "0,0" (seen on an H200 machine), so ggufd refuses it.
    EXPECT_NE(error_of(kDesktop, {0, 0}).find("names GPU 0 twice"), std::string::npos);
    EXPECT_NE(error_of(kDesktop, {-1}).find("-1 is not a GPU index (they start at 0; gpus = [] means CPU only)"),
              std::string::npos);
}

TEST(ChooseMask, SeveralIntegratedGpusAreAllMaskedBesideADiscreteOne) {
    std::vector<Device> devices = {gpu(Vendor::amd, 0, "gfx1036", true), gpu(Vendor::amd, 1, "gfx1100", false),
                                   gpu(Vendor::amd, 2, "gfx1103", true)};
    Mask mask = mask_of(devices);
    EXPECT_EQ(mask.visible, (std::vector<DeviceRef>{{Vendor::amd, 1}}));
    EXPECT_EQ(mask.reason, "discrete GPUs [1]; integrated GPU 0 (gfx1036), GPU 2 (gfx1103) masked: "
                           "llama-server would split tensors onto them");
}

TEST(ChooseMask, OnlyIntegratedGpusAreAllUsed) {
    std::vector<Device> devices;
    for (int i = 0; i < 4; ++i) devices.push_back(gpu(Vendor::amd, i, "gfx942", true));  // MI300A node
    Mask mask = mask_of(devices);
    EXPECT_EQ(mask.visible.size(), 4u);
    EXPECT_EQ(mask.reason, "all GPUs are integrated (gfx942): using [0, 1, 2, 3]");
}

TEST(ChooseMask, IntegratedNvidiaIsNamedByItsName) {
    Mask mask = mask_of({gpu(Vendor::nvidia, 0, "", true, "NVIDIA GB10")});
    EXPECT_EQ(mask.reason, "the only GPU is integrated (NVIDIA GB10): using it");
}

TEST(ChooseMask, BothVendorsKeepTheirOwnIndices) {
    std::vector<Device> devices = kDesktop;
    devices.push_back(gpu(Vendor::nvidia, 0, "", false, "NVIDIA H100 80GB HBM3"));
    devices.push_back(gpu(Vendor::nvidia, 1, "", false, "NVIDIA H100 80GB HBM3"));

    Mask by_default = mask_of(devices);
    EXPECT_EQ(by_default.visible,
              (std::vector<DeviceRef>{{Vendor::amd, 0}, {Vendor::nvidia, 0}, {Vendor::nvidia, 1}}));
    EXPECT_EQ(by_default.reason, "discrete GPUs AMD [0], NVIDIA [0, 1]; integrated AMD GPU 1 (gfx1036) masked: "
                                 "llama-server would split tensors onto it");
    EXPECT_EQ(mask_environment(by_default), (Env{{"HIP_VISIBLE_DEVICES", "0"},
                                                 {"CUDA_VISIBLE_DEVICES", "0,1"},
                                                 {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}}));

    // An index names that index of every vendor that has one.
    Mask one = mask_of(devices, std::vector<int>{1});
    EXPECT_EQ(one.visible, (std::vector<DeviceRef>{{Vendor::amd, 1}, {Vendor::nvidia, 1}}));
    EXPECT_EQ(one.reason, "configured gpus = [1], including integrated AMD GPU 1 (gfx1036)");
}

TEST(MaskEnvironment, CpuOnlyHidesEveryDeviceFromBothRuntimes) {
    // "-1": HIP stops at the first invalid index, as CUDA does; an empty HIP_VISIBLE_DEVICES would
    // instead count as unset and let HIP fall back to CUDA_VISIBLE_DEVICES.
    EXPECT_EQ(mask_environment(Mask{}), (Env{{"HIP_VISIBLE_DEVICES", "-1"},
                                             {"CUDA_VISIBLE_DEVICES", "-1"},
                                             {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}}));
}

TEST(MaskEnvironment, NeverSetsRocrVisibleDevices) {
    for (const auto& [name, value] : mask_environment(mask_of(kDesktop))) {
        EXPECT_NE(name, "ROCR_VISIBLE_DEVICES") << value;
    }
}

}  // namespace
}  // namespace ggufd::gpu
