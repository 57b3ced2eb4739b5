// Edit distance for "did you mean" suggestions.
#include "suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace ggufd::config {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Classic two-row Levenshtein distance; keys are short, so O(n*m) is nothing.
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t substitution = previous[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word, std::span<const std::string_view> candidates) {
    const size_t limit = std::max<size_t>(1, word.size() / 3);
    std::optional<std::string_view> best;
    size_t best_distance = limit + 1;
    for (std::string_view candidate : candidates) {
        size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

}  // namespace ggufd::config
