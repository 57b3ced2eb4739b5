// "Did you mean …?" for misspelt keys and values: the closest candidate by edit distance, when it
// is close enough to be a plausible typo. Pure string logic.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ggufd::config {

/// The candidate nearest to `word` (case-insensitive Levenshtein distance), or nullopt when even
/// the nearest one needs more than about a third of `word` changed: a suggestion that far off
/// would mislead more than help.
std::optional<std::string_view> closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace ggufd::config
