// What `ggufd doctor` found, as plain data, and its two renderings: a table for people and JSON
// for scripts. The checks (doctor_checks.h) produce findings; nothing here looks at the machine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ggufd::cli {

/// How much a finding matters. Only `problem` makes doctor fail: something needed to serve is
/// not in order. A `warning` is worth fixing but does not stop ggufd from serving.
enum class Severity { ok, info, warning, problem };

std::string_view to_string(Severity severity);

/// One thing doctor checked, and what it found. A warning or problem always says what to do,
/// in `action` or (for warnings passed on from the config loader and GPU discovery, which word
/// their own advice) in the message itself.
struct Finding {
    std::string area;     ///< "config", "llama-server", "gpu", "model", "port"
    std::string subject;  ///< what it is about: a path, "GPU 0", a service name, "127.0.0.1:8080"
    Severity severity = Severity::ok;
    std::string message;  ///< what was found, in a sentence
    std::string action;   ///< what to do about it; for info findings, how to change it if wanted
};

struct DoctorReport {
    std::string config_source;       ///< the file read, or "built-in defaults ..."
    std::vector<Finding> findings;   ///< in the order checked: config, llama-server, gpu, model, port

    void add(std::vector<Finding> more);
    int count(Severity severity) const;
    /// kOk, or kProblems when any finding is a problem.
    int exit_code() const;
};

/// The table: STATUS, CHECK, SUBJECT, FINDING, with each action on its own line below its
/// finding, then a one-line verdict.
std::string render_text(const DoctorReport& report);

/// {"config", "ok", "problems", "warnings", "findings": [{area, subject, status, message, action}]}.
nlohmann::json to_json(const DoctorReport& report);

}  // namespace ggufd::cli
