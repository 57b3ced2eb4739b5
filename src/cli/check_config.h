// `ggufd check-config FILE`: validate a configuration without starting anything.
#pragma once

#include <string>

namespace ggufd::cli {

int run_check_config(const std::string& path, bool json);

}  // namespace ggufd::cli
