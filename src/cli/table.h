// Plain-text tables for human output: columns sized to their contents, no colours.
#pragma once

#include <string>
#include <vector>

namespace ggufd::cli {

class Table {
public:
    explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    /// Every column padded to its widest cell; the last column is not padded.
    std::string render() const;

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace ggufd::cli
