// Rendering ggufd(1) (see man_page.h).
#include "man_page.h"

namespace ggufd::cli {
namespace {

// A compact list (.PD 0: no blank line between entries).
void append_entries(std::string& out, const std::vector<HelpEntry>& entries) {
    out += ".PD 0\n";
    for (const auto& entry : entries) {
        out += ".TP\n.B \"" + roff_escape(entry.name) + "\"\n" + roff_escape(entry.meaning) + "\n";
    }
    out += ".PD\n";
}

void append_command(std::string& out, const ManCommand& command) {
    out += ".SS \"" + roff_escape(command.usage) + "\"\n" + roff_escape(command.description) + "\n";
    for (const auto& option : command.options) {
        out += option.value.empty() ? ".TP\n.B \"" + roff_escape(option.names) + "\"\n"
                                    : ".TP\n.BI \"" + roff_escape(option.names) + " \" \"" + roff_escape(option.value) + "\"\n";
        out += roff_escape(option.description) + "\n";
    }
    if (!command.help.environment.empty()) {
        out += ".PP\nEnvironment:\n.RS\n";
        append_entries(out, command.help.environment);
        out += ".RE\n";
    }
    if (!command.help.exit_codes.empty()) {
        out += ".PP\nExit codes:\n.RS\n";
        append_entries(out, command.help.exit_codes);
        out += ".RE\n";
    }
}

}  // namespace

std::string roff_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else if (c == '"') out += "\\(dq";
        else if (c == '\n') out += "\n.br\n";
        else out += c;
    }
    // A line that starts with . or ' would be read as a request.
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

std::string render_man_page(const ManPage& page) {
    std::string out = ".TH GGUFD 1 \"\" \"ggufd " + roff_escape(page.version) + "\" \"User Commands\"\n";
    out += ".SH NAME\nggufd \\- " + roff_escape(page.summary) + "\n";
    out += ".SH SYNOPSIS\n.B ggufd\n.I COMMAND\n[\n.I OPTIONS\n]\n";
    out += ".SH DESCRIPTION\n"
           "ggufd runs one llama.cpp llama\\-server per GGUF model, supervises it (GPU masking, health checks, "
           "restarts with backoff, clean shutdown) and routes each OpenAI\\-compatible request to the right one by its "
           "\\fBmodel\\fR field. \\fBggufd serve\\fR is the daemon; the other commands check a machine, list models, "
           "or talk to a running daemon.\n";
    out += ".SH COMMANDS\n";
    for (const auto& command : page.commands) append_command(out, command);
    out += ".SH ENVIRONMENT\n";
    append_entries(out, page.overall.environment);
    out += ".SH EXIT STATUS\n";
    append_entries(out, page.overall.exit_codes);
    out += ".SH FILES\n"
           ".TP\n.I ~/.config/ggufd/ggufd.toml\n"
           "The configuration (\\fB$XDG_CONFIG_HOME/ggufd/ggufd.toml\\fR), read by every command; "
           "\\fI/etc/ggufd/ggufd.toml\\fR when it does not exist.\n"
           ".TP\n.I ~/.config/systemd/user/ggufd.service\n"
           "The systemd user unit that \\fBggufd systemd install\\fR writes.\n"
           ".TP\n.I ~/models\n"
           "Every *.gguf model here is served, named after its file without .gguf (\\fBmodels_dir\\fR).\n";
    out += ".SH SEE ALSO\n.BR systemctl (1),\n.BR journalctl (1),\n.BR llama\\-server (1)\n";
    return out;
}

}  // namespace ggufd::cli
