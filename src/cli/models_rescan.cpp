#include "models_rescan.h"

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "ggufd/gguf/reader.h"

namespace ggufd::cli {

RescanPlan plan_rescan(const config::Config& running, config::Config rediscovered, const GgufCheck& check) {
    RescanPlan plan;
    std::vector<config::ServiceConfig> services;
    for (config::ServiceConfig& service : rediscovered.services) {
        auto current = std::find_if(running.services.begin(), running.services.end(),
                                    [&](const config::ServiceConfig& s) { return s.name == service.name; });
        const bool unchanged = current != running.services.end() && config::same_settings(*current, service);
        std::optional<std::string> problem;
        if (service.discovered && !unchanged) {
            problem = check(service.model);
            if (!problem && service.mmproj) problem = check(*service.mmproj);
        }
        if (!problem) {
            services.push_back(std::move(service));
            continue;
        }
        plan.held_back.push_back({service.name, *problem});
        if (current != running.services.end()) services.push_back(*current);
    }
    rediscovered.services = std::move(services);
    plan.next = std::move(rediscovered);
    return plan;
}

namespace {

// "x-00001-of-00003.gguf" -> "x-00002-of-00003.gguf": llama.cpp's split naming (gguf-split).
std::optional<std::filesystem::path> shard(const std::filesystem::path& first, uint64_t number) {
    std::string name = first.filename().string();
    size_t at = name.rfind("-00001-of-");
    if (at == std::string::npos || number > 99999) return std::nullopt;
    char digits[6];
    std::snprintf(digits, sizeof digits, "%05u", static_cast<unsigned>(number));
    name.replace(at + 1, 5, digits);
    return first.parent_path() / name;
}

}  // namespace

std::optional<std::string> gguf_problem(const std::filesystem::path& file) {
    try {
        gguf::GgufFile header = gguf::read_header(file);
        // A split model is whole only when every shard is: llama-server loads them all.
        const uint64_t shards = header.metadata.get_unsigned("split.count").value_or(1);
        for (uint64_t number = 2; number <= shards; ++number) {
            if (auto next = shard(file, number)) gguf::read_header(*next);
        }
        return std::nullopt;
    } catch (const gguf::FormatError& error) {
        return error.what();
    } catch (const std::system_error& error) {
        return error.what();
    }
}

}  // namespace ggufd::cli
