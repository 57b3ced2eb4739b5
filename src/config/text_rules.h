// The small languages inside config strings: listen addresses, port ranges, CPU lists, service
// names. Each rule either accepts the text or says what would be accepted. Pure string logic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ggufd/config/config.h"
#include "ggufd/config/names.h"
#include "ggufd/util/units.h"

namespace ggufd::config {

/// "127.0.0.1:8080", "localhost:8080", "[::1]:8080" (brackets removed from the stored host).
/// A host is required (":8080" is refused: a bare port means "every interface" to some tools and
/// "localhost" to others). Port 0 lets the system pick a free port.
units::Parsed<ListenAddress> parse_listen_address(std::string_view text);

/// "2000-2099": both ends within 1-65535, first <= last.
units::Parsed<std::pair<uint16_t, uint16_t>> parse_port_range(std::string_view text);

/// Checks a CPU list as taskset writes it ("0-7,16"); nullopt when it is fine.
std::optional<std::string> cpu_list_problem(std::string_view text);

/// Checks an entry of cors_origins or admin_origins: "*", or an origin as browsers send it,
/// "scheme://host[:port]" with no path; nullopt when it is fine. Store it lowercase: browsers
/// serialise origins so. (Whether "*" may be used is the key's business.)
std::optional<std::string> cors_origin_problem(std::string_view text);

}  // namespace ggufd::config
