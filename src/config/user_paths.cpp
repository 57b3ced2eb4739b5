// "~" expansion and config-relative paths (see user_paths.h).
#include "user_paths.h"

namespace ggufd::config {

units::Parsed<std::filesystem::path> resolve_user_path(std::string_view text, const std::optional<std::string>& home,
                                                       const std::filesystem::path& base) {
    std::filesystem::path path;
    if (text == "~" || text.starts_with("~/")) {
        if (!home || home->empty()) {
            return "\"" + std::string(text) + "\": cannot expand \"~\" because HOME is not set; write the full path";
        }
        std::string_view rest = text.size() > 2 ? text.substr(2) : std::string_view();
        path = rest.empty() ? std::filesystem::path(*home) : std::filesystem::path(*home) / std::string(rest);
    } else if (text.starts_with('~')) {
        return "\"" + std::string(text) + "\": only \"~\" and \"~/...\" are expanded; write the full path";
    } else {
        path = std::string(text);
    }
    if (path.is_relative() && !base.empty()) path = base / path;
    return path.lexically_normal();
}

bool is_bare_program_name(std::string_view text) {
    return !text.empty() && text.find('/') == std::string_view::npos && !text.starts_with('~');
}

}  // namespace ggufd::config
