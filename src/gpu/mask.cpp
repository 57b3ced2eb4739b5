#include "ggufd/gpu/mask.h"

#include <algorithm>

namespace ggufd::gpu {
namespace {

bool has_both_vendors(const std::vector<Device>& devices) {
    auto amd = [](const Device& d) { return d.vendor == Vendor::amd; };
    return std::any_of(devices.begin(), devices.end(), amd) && !std::all_of(devices.begin(), devices.end(), amd);
}

// "GPU 1", or "AMD GPU 1" where both vendors number from 0.
std::string label(const Device& device, bool mixed) {
    return (mixed ? std::string(to_string(device.vendor)) + " " : "") + "GPU " + std::to_string(device.index);
}

// What tells the user which chip it is: the gfx target, else the name (NVIDIA).
std::string chip(const Device& device) { return device.arch.empty() ? device.name : device.arch; }

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

std::string index_list(const std::vector<int>& indices) {
    std::vector<std::string> items;
    for (int index : indices) items.push_back(std::to_string(index));
    return "[" + join(items, ", ") + "]";
}

// "[0, 1]", or "AMD [0], NVIDIA [0, 1]" where both vendors appear.
std::string device_list(const std::vector<const Device*>& devices, bool mixed) {
    std::vector<std::string> groups;
    for (Vendor vendor : {Vendor::amd, Vendor::nvidia}) {
        std::vector<int> indices;
        for (const Device* device : devices) {
            if (device->vendor == vendor) indices.push_back(device->index);
        }
        if (indices.empty()) continue;
        groups.push_back((mixed ? std::string(to_string(vendor)) + " " : "") + index_list(indices));
    }
    return join(groups, ", ");
}

std::vector<DeviceRef> refs(const std::vector<const Device*>& devices) {
    std::vector<DeviceRef> result;
    for (const Device* device : devices) result.push_back({device->vendor, device->index});
    return result;
}

Mask default_mask(const std::vector<Device>& devices) {
    if (devices.empty()) return {{}, "no GPUs found: CPU only"};
    const bool mixed = has_both_vendors(devices);
    std::vector<const Device*> discrete, integrated;
    for (const Device& device : devices) (device.integrated ? integrated : discrete).push_back(&device);

    if (discrete.empty()) {
        if (integrated.size() == 1) {
            return {refs(integrated), "the only GPU is integrated (" + chip(*integrated[0]) + "): using it"};
        }
        std::vector<std::string> chips;
        for (const Device* device : integrated) {
            if (std::find(chips.begin(), chips.end(), chip(*device)) == chips.end()) chips.push_back(chip(*device));
        }
        return {refs(integrated), "all GPUs are integrated (" + join(chips, ", ") + "): using " +
                                      device_list(integrated, mixed)};
    }
    std::string reason = "discrete GPUs " + device_list(discrete, mixed);
    if (!integrated.empty()) {
        std::vector<std::string> masked;
        for (const Device* device : integrated) masked.push_back(label(*device, mixed) + " (" + chip(*device) + ")");
        reason += "; integrated " + join(masked, ", ") + " masked: llama-server would split tensors onto " +
                  (integrated.size() == 1 ? "it" : "them");
    }
    return {refs(discrete), reason};
}

std::string known_devices(const std::vector<Device>& devices) {
    if (devices.empty()) return "ggufd found no GPUs (`ggufd doctor` says why)";
    const bool mixed = has_both_vendors(devices);
    std::vector<std::string> items;
    for (const Device& device : devices) {
        items.push_back(label(device, mixed) + " " + device.name + " (" +
                        (device.arch.empty() ? "" : device.arch + ", ") +
                        (device.integrated ? "integrated" : "discrete") + ")");
    }
    return "the GPUs are: " + join(items, "; ");
}

// Discovery can come up empty on a machine that does have GPUs (no nvidia-smi on PATH, a
// container without /sys/class/kfd). Then an explicit setting is the best knowledge there is:
// it is passed to both runtimes as written rather than refused.
Mask unchecked_mask(const std::vector<int>& configured, const std::string& setting) {
    Mask mask;
    for (int index : configured) {
        mask.visible.push_back({Vendor::amd, index});
        mask.visible.push_back({Vendor::nvidia, index});
    }
    mask.reason = "configured " + setting + " (ggufd found no GPUs to check it against: passed to the child as written)";
    return mask;
}

MaskOrError explicit_mask(const std::vector<Device>& devices, const std::vector<int>& configured) {
    const std::string setting = "gpus = " + index_list(configured);
    const bool mixed = has_both_vendors(devices);
    std::vector<const Device*> chosen;
    for (size_t i = 0; i < configured.size(); ++i) {
        const int index = configured[i];
        if (index < 0) {
            return setting + ": " + std::to_string(index) +
                   " is not a GPU index (they start at 0; gpus = [] means CPU only)";
        }
        if (std::find(configured.begin(), configured.begin() + static_cast<long>(i), index) !=
            configured.begin() + static_cast<long>(i)) {
            return setting + " names GPU " + std::to_string(index) +
                   " twice; list each GPU once (CUDA shows no GPU at all for a repeated index)";
        }
        if (devices.empty()) continue;
        size_t before = chosen.size();
        for (const Device& device : devices) {
            if (device.index == index) chosen.push_back(&device);
        }
        if (chosen.size() == before) {
            return setting + ": there is no GPU " + std::to_string(index) + "; " + known_devices(devices);
        }
    }
    if (devices.empty()) return unchecked_mask(configured, setting);
    std::string reason = "configured " + setting;
    std::vector<std::string> integrated;
    for (const Device* device : chosen) {
        if (device->integrated) integrated.push_back(label(*device, mixed) + " (" + chip(*device) + ")");
    }
    if (!integrated.empty()) reason += ", including integrated " + join(integrated, ", ");
    return Mask{refs(chosen), reason};
}

std::string visible_value(const Mask& mask, Vendor vendor) {
    std::vector<std::string> indices;
    for (const DeviceRef& ref : mask.visible) {
        if (ref.vendor == vendor) indices.push_back(std::to_string(ref.index));
    }
    // An empty HIP_VISIBLE_DEVICES counts as unset (HIP then reads CUDA_VISIBLE_DEVICES); an
    // invalid first index hides every device in both runtimes.
    return indices.empty() ? "-1" : join(indices, ",");
}

}  // namespace

MaskOrError choose_mask(const std::vector<Device>& devices, const std::optional<std::vector<int>>& configured) {
    if (!configured) return default_mask(devices);
    if (configured->empty()) return Mask{{}, "configured gpus = []: CPU only"};
    return explicit_mask(devices, *configured);
}

std::vector<std::pair<std::string, std::string>> mask_environment(const Mask& mask) {
    return {
        {"HIP_VISIBLE_DEVICES", visible_value(mask, Vendor::amd)},
        {"CUDA_VISIBLE_DEVICES", visible_value(mask, Vendor::nvidia)},
        {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"},
    };
}

}  // namespace ggufd::gpu
