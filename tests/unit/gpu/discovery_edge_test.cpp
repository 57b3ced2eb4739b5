// Discovery on altered copies of the recorded machines: what ROCm would skip, what the user must
// fix (device permissions), memory refreshes after the machine changed, and the daemon defaults.
#include <gtest/gtest.h>

#include <cstdlib>

#include "ggufd/gpu/discovery.h"
#include "gpu_test_support.h"

namespace ggufd::gpu {
namespace {

using test::options_for;
using test::ReplayRunner;
using test::ScratchMachine;

constexpr uint64_t MiB = 1ull << 20;

bool has_note(const std::vector<Note>& notes, Note::Level level, const std::string& fragment) {
    for (const Note& note : notes) {
        if (note.level == level && note.text.find(fragment) != std::string::npos) return true;
    }
    return false;
}

class ChangedMachine : public ::testing::Test {
protected:
    ReplayRunner no_nvidia_smi{test::nvidia_smi_missing()};
    ScratchMachine machine{"ryzen-9950x-rx7800xt"};
};

TEST_F(ChangedMachine, AGpuWithoutItsRenderDeviceIsSkippedAsRocmSkipsIt) {
    machine.remove("dev/dri/renderD128");
    Discovery d = discover(options_for(machine.root(), no_nvidia_smi));
    ASSERT_EQ(d.devices.size(), 1u);
    EXPECT_EQ(d.devices[0].arch, "gfx1036");
    EXPECT_EQ(d.devices[0].index, 0);  // HIP numbers the iGPU 0 now
    EXPECT_TRUE(has_note(d.notes, Note::Level::warning, "has no render device"));
}

TEST_F(ChangedMachine, ANodeWhoseGpuIdIsUnreadableIsSkipped) {
    machine.remove("sys/class/kfd/kfd/topology/nodes/2/gpu_id");
    Discovery d = discover(options_for(machine.root(), no_nvidia_smi));
    ASSERT_EQ(d.devices.size(), 1u);
    EXPECT_EQ(d.devices[0].arch, "gfx1101");
    EXPECT_TRUE(has_note(d.notes, Note::Level::info, "KFD node 2"));
}

TEST_F(ChangedMachine, DevicesTheUserCannotOpenAreWarningsThatSayWhatToDo) {
    DiscoveryOptions options = options_for(machine.root(), no_nvidia_smi);
    options.can_open_rw = [](const std::filesystem::path&) { return false; };
    Discovery d = discover(options);
    EXPECT_TRUE(d.kfd.exists);
    EXPECT_FALSE(d.kfd.accessible);
    EXPECT_EQ(d.devices.size(), 2u);  // still listed: the fix is a group, not a different mask
    EXPECT_TRUE(has_note(d.notes, Note::Level::warning, "dev/kfd exists but is not readable and writable by uid"));
    EXPECT_TRUE(has_note(d.notes, Note::Level::warning, "add the user to the render and video groups"));
    EXPECT_TRUE(has_note(d.notes, Note::Level::warning, "renderD129 is not readable and writable"));
}

TEST_F(ChangedMachine, KfdTopologyWithoutDevKfdIsAWarning) {
    machine.remove("dev/kfd");
    Discovery d = discover(options_for(machine.root(), no_nvidia_smi));
    EXPECT_FALSE(d.kfd.exists);
    EXPECT_TRUE(has_note(d.notes, Note::Level::warning, "ROCm cannot run here"));
}

TEST_F(ChangedMachine, MissingVramFilesLeaveMemoryUnknownButTheGpuListed) {
    machine.remove("sys/class/drm/renderD128/device/mem_info_vram_total");
    Discovery d = discover(options_for(machine.root(), no_nvidia_smi));
    ASSERT_EQ(d.devices.size(), 2u);
    EXPECT_EQ(d.devices[0].memory.total_bytes, std::nullopt);
    EXPECT_EQ(d.devices[0].memory.free_bytes, std::nullopt);
    EXPECT_EQ(d.devices[0].memory.used_bytes, 1'491'832'832u);
    EXPECT_FALSE(d.devices[0].integrated);
    EXPECT_TRUE(has_note(d.notes, Note::Level::warning, "its memory is unknown"));
}

TEST_F(ChangedMachine, RefreshRereadsAmdMemory) {
    DiscoveryOptions options = options_for(machine.root(), no_nvidia_smi);
    Discovery d = discover(options);
    machine.write("sys/class/drm/renderD128/device/mem_info_vram_used", "9663676416\n");
    machine.write("sys/class/drm/renderD129/device/mem_info_gtt_used", "1073741824\n");

    EXPECT_TRUE(refresh_memory(d.devices, options).empty());
    EXPECT_EQ(d.devices[0].memory.used_bytes, 9'663'676'416u);
    EXPECT_EQ(d.devices[0].memory.free_bytes, 17'163'091'968u - 9'663'676'416u);
    EXPECT_EQ(d.devices[1].memory.used_bytes, 1'073'741'824u);
    EXPECT_EQ(no_nvidia_smi.calls.size(), 1u) << "no NVIDIA device: refresh must not run nvidia-smi";

    machine.remove("sys/class/drm/renderD128/device/mem_info_vram_used");
    std::vector<Note> notes = refresh_memory(d.devices, options);
    EXPECT_EQ(d.devices[0].memory.used_bytes, std::nullopt);
    EXPECT_TRUE(has_note(notes, Note::Level::warning, "AMD GPU 0 (0000:03:00.0)"));
}

TEST(RefreshNvidia, OneCallUpdatesEveryNvidiaGpuByBusId) {
    CommandResult first = test::recorded_nvidia_smi("nvidia-h200x2");
    CommandResult later;
    later.out = "1, NVIDIA H200, GPU-c88c6320-3fac-7dc7-b673-6dfc8015143d, 00000000:00:07.0, 143771, 2142, 141014\n"
                "0, NVIDIA H200, GPU-123e1095-1ac7-4fa0-f249-90b9b2832a09, 00000000:00:06.0, 143771, 10, 143146\n";
    CommandResult hung;
    hung.status = CommandResult::Status::timed_out;
    ReplayRunner runner(std::vector<CommandResult>{first, later, hung});
    DiscoveryOptions options = options_for(test::fixture("nvidia-h200x2"), runner);
    Discovery d = discover(options);

    EXPECT_TRUE(refresh_memory(d.devices, options).empty());
    EXPECT_EQ(runner.calls.size(), 2u);
    EXPECT_EQ(d.devices[0].memory.used_bytes, 10 * MiB);
    EXPECT_EQ(d.devices[1].memory.used_bytes, 2142 * MiB);
    EXPECT_EQ(d.devices[1].memory.free_bytes, 141014 * MiB);

    std::vector<Note> notes = refresh_memory(d.devices, options);
    EXPECT_EQ(d.devices[0].memory.total_bytes, std::nullopt);
    EXPECT_TRUE(has_note(notes, Note::Level::warning, "did not answer"));
}

TEST(DiscoveryOptionsFromEnvironment, TakesRocrVisibleDevicesOnlyWhenSet) {
    ::setenv("ROCR_VISIBLE_DEVICES", "", 1);  // set but empty: ROCm then hides every GPU
    EXPECT_EQ(DiscoveryOptions::from_environment().rocr_visible_devices, "");
    ::unsetenv("ROCR_VISIBLE_DEVICES");
    DiscoveryOptions options = DiscoveryOptions::from_environment();
    EXPECT_EQ(options.rocr_visible_devices, std::nullopt);
    EXPECT_EQ(options.root, "/");
    EXPECT_EQ(options.runner, nullptr);
}

}  // namespace
}  // namespace ggufd::gpu
