// Names for the plain data types of device.h.
#include "ggufd/gpu/device.h"

namespace ggufd::gpu {

std::string_view to_string(Vendor vendor) {
    switch (vendor) {
        case Vendor::amd: return "AMD";
        case Vendor::nvidia: return "NVIDIA";
    }
    return "unknown";
}

}  // namespace ggufd::gpu
