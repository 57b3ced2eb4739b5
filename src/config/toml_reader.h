// Typed access to a parsed TOML document that never throws and never stops at the first
// problem: each getter either returns the value or records an error (file, line, column, dotted
// key, what was expected) and returns nullopt, so callers keep their default and carry on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "diagnostics.h"
#include "ggufd/config/config.h"

namespace ggufd::config {

/// "services" + "gemma" -> "services.gemma"; keys that TOML would need to quote are quoted, as in
/// services."gemma-3.4b", so the dotted key can be pasted back into the file.
std::string child_key(std::string_view parent, std::string_view key);
/// "services.gemma.aliases" + 1 -> "services.gemma.aliases[1]".
std::string index_key(std::string_view parent, size_t index);

/// Stores a value that a Reader getter returned, if it returned one (it has reported any
/// problem already, and the target keeps its default).
template <typename T, typename U>
void set(std::optional<U>&& value, T& target) {
    if (value) target = static_cast<T>(*value);
}

/// The entry of a settings table (an array of structs with a `name`) for key `name`, or nullptr.
template <typename Setting, size_t N>
const Setting* find_setting(const Setting (&settings)[N], std::string_view name) {
    for (const Setting& setting : settings) {
        if (setting.name == name) return &setting;
    }
    return nullptr;
}

/// The names of a settings table, for "did you mean" suggestions.
template <typename Setting, size_t N>
std::vector<std::string_view> setting_names(const Setting (&settings)[N]) {
    std::vector<std::string_view> names;
    for (const Setting& setting : settings) names.push_back(setting.name);
    return names;
}

/// Which durations a setting accepts besides positive ones.
enum class DurationRule {
    positive,        ///< a timeout or interval: 0 would be meaningless
    zero_allowed,    ///< "0" means "immediately" (e.g. drain_timeout)
    zero_or_never,   ///< "0" and "never" both mean "never" (idle_unload)
};

/// Reads values out of one TOML document on behalf of the section readers. It also remembers
/// where every key it read was written, so that checks made later across sections (a port used
/// twice, an alias that is another service's name) can still point at the right line.
class Reader {
public:
    /// `home` and `base_dir` resolve paths (see user_paths.h).
    Reader(Diagnostics& diagnostics, std::optional<std::string> home, std::filesystem::path base_dir);

    std::optional<std::string> string(const toml::node& node, const std::string& key);
    std::optional<int64_t> integer(const toml::node& node, const std::string& key, int64_t min, int64_t max);
    std::optional<Duration> duration(const toml::node& node, const std::string& key, DurationRule rule);
    /// A size string ("512MiB") or a whole number of bytes; zero is refused unless allowed.
    std::optional<uint64_t> size(const toml::node& node, const std::string& key, bool zero_allowed);
    /// A file path: "~" expanded, relative ones taken relative to the config file's directory.
    std::optional<std::filesystem::path> path(const toml::node& node, const std::string& key);
    /// One of `choices`; a near miss gets a "did you mean".
    std::optional<std::string_view> choice(const toml::node& node, const std::string& key,
                                           std::span<const std::string_view> choices);
    /// An array of strings; the position of each element is remembered as key[i].
    std::optional<std::vector<std::string>> strings(const toml::node& node, const std::string& key);
    std::optional<std::vector<int64_t>> integers(const toml::node& node, const std::string& key, int64_t min,
                                                 int64_t max);
    const toml::table* table(const toml::node& node, const std::string& key);

    /// Records an unknown key, suggesting the closest of `known`; `hint` is added when no known
    /// key is close (e.g. "it belongs in [defaults]").
    void unknown_key(const toml::key& name, const std::string& key, std::span<const std::string_view> known,
                     std::string_view hint = {});

    void error(const toml::node& node, const std::string& key, std::string message);
    /// An error at the place where `key` was read (line 0 if it was never read).
    void error_at(const std::string& key, std::string message);
    void warning_at(const std::string& key, std::string message);
    Position position_of(const std::string& key) const;
    void remember(const std::string& key, const toml::node& node);

    Diagnostics& diagnostics() { return diagnostics_; }

private:
    void wrong_type(const toml::node& node, const std::string& key, std::string_view expected);

    Diagnostics& diagnostics_;
    std::optional<std::string> home_;
    std::filesystem::path base_dir_;
    std::map<std::string, Position> positions_;
};

}  // namespace ggufd::config
