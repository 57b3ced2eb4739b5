// Rendering doctor's findings (see doctor_report.h).
#include "doctor_report.h"

#include <algorithm>

#include "exit_codes.h"
#include "table.h"

namespace ggufd::cli {
namespace {

// Upper case where the eye should stop when scanning a long table.
std::string_view status_label(Severity severity) {
    switch (severity) {
        case Severity::ok: return "ok";
        case Severity::info: return "info";
        case Severity::warning: return "WARNING";
        case Severity::problem: return "PROBLEM";
    }
    return "?";
}

std::string plural(int count, const std::string& word) {
    return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

std::string verdict(const DoctorReport& report) {
    const int problems = report.count(Severity::problem);
    const int warnings = report.count(Severity::warning);
    if (problems > 0) {
        return plural(problems, "problem") + (warnings ? ", " + plural(warnings, "warning") : "") +
               ": fix the problems above, then run `ggufd doctor` again.";
    }
    if (warnings > 0) return plural(warnings, "warning") + ", no problems: ggufd can serve.";
    return "Everything is in order: ggufd can serve.";
}

}  // namespace

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::ok: return "ok";
        case Severity::info: return "info";
        case Severity::warning: return "warning";
        case Severity::problem: return "problem";
    }
    return "?";
}

void DoctorReport::add(std::vector<Finding> more) {
    findings.insert(findings.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

int DoctorReport::count(Severity severity) const {
    return static_cast<int>(std::count_if(findings.begin(), findings.end(),
                                          [severity](const Finding& f) { return f.severity == severity; }));
}

int DoctorReport::exit_code() const { return count(Severity::problem) > 0 ? kProblems : kOk; }

std::string render_text(const DoctorReport& report) {
    Table table({"STATUS", "CHECK", "SUBJECT", "FINDING"});
    for (const Finding& finding : report.findings) {
        table.add({std::string(status_label(finding.severity)), finding.area, finding.subject, finding.message});
        if (!finding.action.empty()) {
            const bool must = finding.severity == Severity::warning || finding.severity == Severity::problem;
            table.add({"", "", "", (must ? "fix: " : "note: ") + finding.action});
        }
    }
    return "config: " + report.config_source + "\n\n" + table.render() + "\n" + verdict(report) + "\n";
}

nlohmann::json to_json(const DoctorReport& report) {
    nlohmann::json findings = nlohmann::json::array();
    for (const Finding& finding : report.findings) {
        findings.push_back({{"area", finding.area},
                            {"subject", finding.subject},
                            {"status", to_string(finding.severity)},
                            {"message", finding.message},
                            {"action", finding.action}});
    }
    return {{"config", report.config_source},
            {"ok", report.exit_code() == kOk},
            {"problems", report.count(Severity::problem)},
            {"warnings", report.count(Severity::warning)},
            {"findings", findings}};
}

}  // namespace ggufd::cli
