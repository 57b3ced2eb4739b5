// ggufd(1) and the help footers as a specification: every command's environment and exit codes
// are there, and the roff is safe.
#include <gtest/gtest.h>

#include "command_help.h"
#include "man_page.h"

namespace ggufd::cli {
namespace {

TEST(CommandHelp, EveryCommandHasItsExitCodes) {
    for (const char* command : {"", "serve", "check-config", "doctor", "models", "status", "logs", "start", "stop",
                                "restart", "reload", "chat", "systemd install"}) {
        const CommandHelp& help = help_for(command);
        ASSERT_FALSE(help.exit_codes.empty()) << command;
        EXPECT_EQ(help.exit_codes.front().name, "0") << command;
    }
    EXPECT_TRUE(help_for("no-such-command").exit_codes.empty());
}

TEST(CommandHelp, TheFooterListsEnvironmentThenExitCodesWrapped) {
    std::string footer = render_help_footer(help_for("status"));
    EXPECT_TRUE(footer.starts_with("Environment:\n  GGUFD_API_KEY")) << footer;
    EXPECT_NE(footer.find("\nExit codes:\n  0"), std::string::npos) << footer;
    EXPECT_NE(footer.find("  3  no daemon answered at the URL\n"), std::string::npos) << footer;
    for (size_t start = 0, end; (end = footer.find('\n', start)) != std::string::npos; start = end + 1) {
        EXPECT_LE(end - start, 100u) << footer.substr(start, end - start);
    }
}

TEST(ManPage, RendersCommandsOptionsEnvironmentAndExitCodes) {
    ManPage page{"0.1.0", "one front door", {}, help_for("")};
    page.commands.push_back({"logs", "ggufd logs [OPTIONS] SERVICE", "Print a service's recent output",
                             {{"-n, --tail", "N", "How many recent lines (default: 100)"}, {"SERVICE", "", "Service"}},
                             help_for("logs")});
    std::string roff = render_man_page(page);
    EXPECT_TRUE(roff.starts_with(".TH GGUFD 1 ")) << roff;
    EXPECT_NE(roff.find(".SS \"ggufd logs [OPTIONS] SERVICE\"\n"), std::string::npos);
    EXPECT_NE(roff.find(".BI \"\\-n, \\-\\-tail \" \"N\"\nHow many recent lines (default: 100)\n"), std::string::npos) << roff;
    EXPECT_NE(roff.find(".B \"GGUFD_API_KEY\"\n"), std::string::npos);
    EXPECT_NE(roff.find(".SH EXIT STATUS\n"), std::string::npos);
    EXPECT_NE(roff.find(".SH ENVIRONMENT\n"), std::string::npos);
}

TEST(ManPage, RoffEscaping) {
    EXPECT_EQ(roff_escape("a-b \\ \"c\""), "a\\-b \\e \\(dqc\\(dq");
    EXPECT_EQ(roff_escape(".hidden"), "\\&.hidden");
    EXPECT_EQ(roff_escape("'quoted"), "\\&'quoted");
}

}  // namespace
}  // namespace ggufd::cli
