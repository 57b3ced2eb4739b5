#include "amd_discovery.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <system_error>

#include "amd_integrated.h"
#include "amdgpu_ids.h"
#include "gfx_target.h"
#include "kfd_properties.h"
#include "pci_address.h"
#include "rocr_visible_devices.h"
#include "sysfs_file.h"

namespace ggufd::gpu {
namespace fs = std::filesystem;
namespace {

// KFD's mem_banks heap types (kfd_crat.h): frame buffer, visible or not to the CPU. Both count
// as the device's own memory; a large-BAR dGPU and an APU in GTT mode both report FB_PUBLIC.
constexpr uint64_t kHeapFbPublic = 1;
constexpr uint64_t kHeapFbPrivate = 2;

// A KFD node that ROCm will turn into a GPU agent, before ROCR_VISIBLE_DEVICES.
struct KfdGpu {
    int node = 0;
    fs::path node_dir;
    KfdProperties properties;
    std::optional<uint64_t> memory_bytes;  // frame-buffer heaps of mem_banks, summed
    fs::path drm_device_dir;               // /sys/class/drm/renderD<minor>/device
    std::string render_node;               // "renderD128"
};

std::string hex(uint64_t value, int digits) {
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%0*llx", digits, static_cast<unsigned long long>(value));
    return buffer;
}

std::string uuid_of(const KfdProperties& properties) {
    uint64_t id = property(properties, "unique_id").value_or(0);
    if (id == 0) return "";  // ROCm shows "GPU-XX": the device has no unique id
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "GPU-%016llx", static_cast<unsigned long long>(id));
    return buffer;
}

std::vector<int> numbered_subdirectories(const fs::path& dir) {
    std::vector<int> numbers;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        int number = 0;
        auto [rest, err] = std::from_chars(name.data(), name.data() + name.size(), number);
        if (err == std::errc() && rest == name.data() + name.size()) numbers.push_back(number);
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

std::optional<uint64_t> frame_buffer_bytes(const fs::path& node_dir) {
    std::optional<uint64_t> total;
    for (int bank : numbered_subdirectories(node_dir / "mem_banks")) {
        auto text = read_text_file(node_dir / "mem_banks" / std::to_string(bank) / "properties");
        if (!text) continue;
        KfdProperties bank_properties = parse_kfd_properties(*text);
        uint64_t heap = property(bank_properties, "heap_type").value_or(0);
        if (heap != kHeapFbPublic && heap != kHeapFbPrivate) continue;
        total = total.value_or(0) + property(bank_properties, "size_in_bytes").value_or(0);
    }
    return total;
}

// Walks the KFD nodes as libhsakmt does (topology_sysfs_check_node_supported) and keeps the
// GPU nodes ROCm will use, with a note for every GPU node it leaves out.
std::vector<KfdGpu> kfd_gpus(const fs::path& root, const fs::path& nodes_dir,
                             const AccessCheck& can_open_rw, std::vector<Note>& notes) {
    std::vector<KfdGpu> gpus;
    for (int node : numbered_subdirectories(nodes_dir)) {
        const fs::path node_dir = nodes_dir / std::to_string(node);
        const std::string where = "KFD node " + std::to_string(node) + " (" + node_dir.string() + ")";
        auto gpu_id = read_number_file(node_dir / "gpu_id");
        if (!gpu_id) {
            // A container's device cgroup makes the GPUs it was not given unreadable (EPERM):
            // hidden on purpose, so only an info note.
            notes.push_back({Note::Level::info,
                             where + ": gpu_id is not readable (a device cgroup denies it?); ROCm "
                                     "skips such a node, so ggufd does too"});
            continue;
        }
        if (*gpu_id == 0) continue;  // a CPU node

        auto text = read_text_file(node_dir / "properties");
        if (!text) {
            notes.push_back({Note::Level::warning, where + ": properties not readable; node skipped"});
            continue;
        }
        KfdGpu gpu{node, node_dir, parse_kfd_properties(*text), frame_buffer_bytes(node_dir), {}, {}};
        if (property(gpu.properties, "simd_count").value_or(0) == 0) continue;  // ROCr ignores it

        const uint64_t minor = property(gpu.properties, "drm_render_minor").value_or(0);
        gpu.render_node = "renderD" + std::to_string(minor);
        gpu.drm_device_dir = root / "sys/class/drm" / gpu.render_node / "device";
        const fs::path dev_node = root / "dev/dri" / gpu.render_node;
        std::error_code ec;
        if (minor == 0 || !fs::exists(dev_node, ec)) {
            notes.push_back({Note::Level::warning,
                             where + " has no render device " + dev_node.string() +
                                 ": ROCm skips such a GPU (a container without that device?), "
                                 "so ggufd does too and numbers the others without it"});
            continue;
        }
        if (!can_open_rw(dev_node)) {
            notes.push_back({Note::Level::warning,
                             dev_node.string() + " is not readable and writable by uid " +
                                 std::to_string(geteuid()) +
                                 ": ROCm will fail to start; add the user to the render and video "
                                 "groups (usermod -aG render,video USER) and log in again"});
        }
        gpus.push_back(std::move(gpu));
    }
    return gpus;
}

std::vector<size_t> visible_order(const std::vector<KfdGpu>& gpus,
                                  const std::optional<std::string>& rocr_visible_devices,
                                  std::vector<Note>& notes) {
    std::vector<size_t> order(gpus.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (!rocr_visible_devices) return order;

    std::vector<std::string> uuids;
    for (const auto& gpu : gpus) uuids.push_back(uuid_of(gpu.properties));
    RocrVisibility visibility = apply_rocr_visible_devices(*rocr_visible_devices, uuids);
    std::string text = "ROCR_VISIBLE_DEVICES=\"" + *rocr_visible_devices +
                       "\" is set for ggufd and its children: ROCm shows them " +
                       std::to_string(visibility.visible.size()) + " of " +
                       std::to_string(gpus.size()) +
                       " GPUs, and ggufd numbers GPUs as HIP then does";
    if (!visibility.ignored.empty()) text += "; " + visibility.ignored;
    notes.push_back({visibility.ignored.empty() ? Note::Level::info : Note::Level::warning, text});
    return visibility.visible;
}

// The marketing name ROCm would show: libdrm's table, then the board's FRU product name.
void name_device(Device& device, const KfdGpu& gpu, const std::vector<std::pair<fs::path, std::string>>& id_tables) {
    const uint64_t device_id = property(gpu.properties, "device_id").value_or(0);
    const uint64_t vendor_id = property(gpu.properties, "vendor_id").value_or(0x1002);
    auto revision = read_number_file(gpu.drm_device_dir / "revision");
    const std::string pci_id = hex(vendor_id, 4) + ":" + hex(device_id, 4);
    const std::string rev_text = revision ? " rev " + hex(*revision, 2) : "";
    for (const auto& [path, text] : id_tables) {
        auto name = revision ? find_marketing_name(text, static_cast<uint32_t>(device_id),
                                                   static_cast<uint32_t>(*revision))
                             : std::nullopt;
        if (name) {
            device.name = *name;
            device.source.name = path.string() + " entry for " + pci_id + rev_text;
            return;
        }
    }
    if (auto product = read_text_file(gpu.drm_device_dir / "product_name")) {
        std::string name = product->substr(0, product->find('\n'));
        if (!name.empty()) {
            device.name = name;
            device.source.name = (gpu.drm_device_dir / "product_name").string();
            return;
        }
    }
    device.name = "AMD GPU " + pci_id;
    device.source.name = "no marketing name for " + pci_id + rev_text + " in amdgpu.ids or product_name";
}

Device make_device(int index, const KfdGpu& gpu,
                   const std::vector<std::pair<fs::path, std::string>>& id_tables,
                   std::vector<Note>& notes) {
    const KfdProperties& p = gpu.properties;
    Device device;
    device.vendor = Vendor::amd;
    device.index = index;
    device.arch = gfx_name(property(p, "gfx_target_version").value_or(0));
    device.pci_bus_id = pci_address_from_kfd(property(p, "domain").value_or(0),
                                             property(p, "location_id").value_or(0)).to_string();
    device.uuid = uuid_of(p);
    device.source.listing = "KFD node " + std::to_string(gpu.node) + " (" + gpu.node_dir.string() +
                            "), render node " + gpu.render_node;
    name_device(device, gpu, id_tables);

    auto vram_total = read_number_file(gpu.drm_device_dir / "mem_info_vram_total");
    AmdVerdict verdict = classify_amd({device.arch, property(p, "cpu_cores_count").value_or(0),
                                       gpu.memory_bytes, vram_total});
    device.integrated = verdict.integrated;
    device.source.integrated = verdict.reason;

    // An APU whose KFD memory is system RAM allocates from GTT: that is the pool to watch.
    device.amd_sysfs_dir = gpu.drm_device_dir;
    device.amd_memory_pool = verdict.memory_is_system_ram ? "gtt" : "vram";
    if (auto note = read_amd_memory(device)) notes.push_back(*note);
    return device;
}

}  // namespace

AmdDiscovery discover_amd(const fs::path& root, const std::optional<std::string>& rocr_visible_devices,
                          const AccessCheck& can_open_rw) {
    AmdDiscovery result;
    const fs::path nodes_dir = root / "sys/class/kfd/kfd/topology/nodes";
    std::error_code ec;
    result.kfd_topology_present = fs::is_directory(nodes_dir, ec);
    if (!result.kfd_topology_present) return result;

    std::vector<std::pair<fs::path, std::string>> id_tables;
    for (const char* relative : {"usr/share/libdrm/amdgpu.ids", "opt/rocm/share/libdrm/amdgpu.ids"}) {
        if (auto text = read_text_file(root / relative)) id_tables.emplace_back(root / relative, std::move(*text));
    }

    std::vector<KfdGpu> gpus = kfd_gpus(root, nodes_dir, can_open_rw, result.notes);
    std::vector<size_t> order = visible_order(gpus, rocr_visible_devices, result.notes);
    for (size_t i = 0; i < order.size(); ++i) {
        result.devices.push_back(make_device(static_cast<int>(i), gpus[order[i]], id_tables, result.notes));
    }
    return result;
}

std::optional<Note> read_amd_memory(Device& device) {
    const std::string prefix = "mem_info_" + device.amd_memory_pool;
    const fs::path total_path = device.amd_sysfs_dir / (prefix + "_total");
    device.memory.total_bytes = read_number_file(total_path);
    device.memory.used_bytes = read_number_file(device.amd_sysfs_dir / (prefix + "_used"));
    device.memory.free_bytes.reset();
    if (device.memory.total_bytes && device.memory.used_bytes) {
        device.memory.free_bytes = *device.memory.total_bytes - std::min(*device.memory.used_bytes, *device.memory.total_bytes);
    }
    device.source.memory = (device.amd_sysfs_dir / (prefix + "_{total,used}")).string();
    if (device.amd_memory_pool == "gtt") {
        device.source.memory += " (ROCm allocates this APU's memory from system RAM, not its VRAM carve-out)";
    }
    if (device.memory.total_bytes && device.memory.used_bytes) return std::nullopt;
    return Note{Note::Level::warning, "AMD GPU " + std::to_string(device.index) + " (" + device.pci_bus_id +
                                          "): cannot read " + total_path.string() +
                                          " or its _used twin; its memory is unknown"};
}

}  // namespace ggufd::gpu
