#include "agent_protocol.h"

#include <vector>

#include "ggufd/config/names.h"

namespace ggufd::agent {
namespace {

constexpr size_t kMaxWhyBytes = 120;
constexpr size_t kMaxNameBytes = 128;

std::vector<std::string_view> words_of(std::string_view line) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size() && words.size() <= 2) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    return words;
}

std::string printable_why(std::string_view why) {
    std::string text;
    for (char c : why) {
        if (text.size() >= kMaxWhyBytes) break;
        bool printable = c >= 0x20 && c < 0x7f && c != '#';
        text += printable ? c : ' ';
    }
    return text;
}

}  // namespace

std::optional<Query> parse_query(std::string_view line) {
    std::vector<std::string_view> words = words_of(line);
    if (words.empty()) return Query{};
    if (words.size() > 2) return std::nullopt;
    std::string_view name = words[0];
    if (name.size() > kMaxNameBytes || config::name_problem(name)) return std::nullopt;
    Query query{std::string(name), Role::serve};
    if (words.size() == 2) {
        if (words[1] != "standby") return std::nullopt;
        query.role = Role::standby;
    }
    return query;
}

std::string render(const Answer& answer) {
    switch (answer.kind) {
        case Answer::Kind::up:
            return "ready up " + std::to_string(answer.weight_percent) + "%\n";
        case Answer::Kind::drain:
            return "drain\n";
        case Answer::Kind::maint:
            return "maint\n";
        case Answer::Kind::down:
            return "down#" + printable_why(answer.why) + "\n";
    }
    return "drain\n";
}

std::string malformed_query_reply() {
    return "down#ggufd agent: expected agent-send \"<service>\\n\" or \"<service> standby\\n\"\n";
}

}  // namespace ggufd::agent
