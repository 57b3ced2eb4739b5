// bench-report: reads the raw measurements scripts/bench.sh collected (one JSON record per
// line), prints the results table and the goal verdicts as Markdown, and writes them to the
// .md and .json results files.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

#include "goals.h"
#include "markdown.h"
#include "results.h"

int main(int argc, char** argv) {
    CLI::App app{"Turns a benchmark run's raw records into the results table."};
    std::string raw, markdown_file, json_file;
    app.add_option("raw", raw, "Raw records, one JSON object per line")->required()->check(CLI::ExistingFile);
    app.add_option("--markdown", markdown_file, "Also write the table here");
    app.add_option("--json", json_file, "Write the reduced results here as JSON");
    CLI11_PARSE(app, argc, argv);

    std::ifstream in(raw);
    std::vector<nlohmann::json> records;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        auto record = nlohmann::json::parse(line, nullptr, false);
        if (record.is_discarded() || !record.is_object()) {
            std::cerr << "bench-report: " << raw << " line " << number << ": not a JSON object; skipped\n";
            continue;
        }
        records.push_back(std::move(record));
    }

    auto results = ggufd::bench::reduce(records);
    auto goals = ggufd::bench::check_goals(results);
    auto text = ggufd::bench::render_markdown(results, goals);
    std::cout << text;
    if (!markdown_file.empty()) std::ofstream(markdown_file) << text;
    if (!json_file.empty()) {
        auto json = ggufd::bench::to_json(results);
        for (const auto& g : goals) {
            json["goals"].push_back({{"goal", g.goal}, {"met", g.met}, {"measured", g.measured}, {"detail", g.detail}});
        }
        std::ofstream(json_file) << json.dump(2) << "\n";
    }
    return 0;
}
