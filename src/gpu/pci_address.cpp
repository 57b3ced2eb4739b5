#include "pci_address.h"

#include <charconv>
#include <cstdio>

namespace ggufd::gpu {
namespace {

bool take_hex(std::string_view text, uint32_t max, uint32_t& out) {
    if (text.empty() || text.size() > 8) return false;
    auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
    return ec == std::errc() && rest == text.data() + text.size() && out <= max;
}

}  // namespace

std::string PciAddress::to_string() const {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04x:%02x:%02x.%x", domain, bus, device, function);
    return buffer;
}

PciAddress pci_address_from_kfd(uint64_t domain, uint64_t location_id) {
    PciAddress address;
    address.domain = static_cast<uint32_t>(domain);
    address.bus = static_cast<uint32_t>(location_id >> 8 & 0xff);
    address.device = static_cast<uint32_t>(location_id >> 3 & 0x1f);
    address.function = static_cast<uint32_t>(location_id & 0x7);
    return address;
}

std::optional<PciAddress> parse_pci_address(std::string_view text) {
    PciAddress address;
    size_t dot = text.rfind('.');
    size_t last_colon = text.rfind(':');
    if (dot == std::string_view::npos || last_colon == std::string_view::npos || last_colon > dot) {
        return std::nullopt;
    }
    std::string_view head = text.substr(0, last_colon);
    size_t first_colon = head.rfind(':');
    std::string_view bus = first_colon == std::string_view::npos ? head : head.substr(first_colon + 1);
    if (first_colon != std::string_view::npos &&
        !take_hex(head.substr(0, first_colon), 0xffffffff, address.domain)) {
        return std::nullopt;
    }
    if (!take_hex(bus, 0xff, address.bus) ||
        !take_hex(text.substr(last_colon + 1, dot - last_colon - 1), 0x1f, address.device) ||
        !take_hex(text.substr(dot + 1), 0x7, address.function)) {
        return std::nullopt;
    }
    return address;
}

}  // namespace ggufd::gpu
