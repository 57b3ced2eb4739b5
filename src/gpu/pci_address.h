// PCI addresses as the different sources spell them: KFD's domain + location_id numbers,
// nvidia-smi's "00000000:03:00.0", Linux's "0000:03:00.0". One canonical form lets devices be
// matched across sources and sorted in PCI bus order (CUDA_DEVICE_ORDER=PCI_BUS_ID order).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ggufd::gpu {

struct PciAddress {
    uint32_t domain = 0;
    uint32_t bus = 0;
    uint32_t device = 0;
    uint32_t function = 0;

    auto operator<=>(const PciAddress&) const = default;

    /// "0000:03:00.0": lowercase hex, at least 4 domain digits, as /sys/bus/pci/devices names it.
    std::string to_string() const;
};

/// From KFD's node properties: location_id is the kernel's pci_dev_id(), (bus << 8) | devfn.
PciAddress pci_address_from_kfd(uint64_t domain, uint64_t location_id);

/// Parses "[domain:]bus:device.function" in hex, any domain width ("00000000:03:00.0" from
/// nvidia-smi, "0000:03:00.0" from sysfs, "03:00.0"); nullopt when it is not such a string.
std::optional<PciAddress> parse_pci_address(std::string_view text);

}  // namespace ggufd::gpu
