// boxwardenctl's command-line parsing (cli/src/args.h): commands found by
// their words, options, global options anywhere, and usage errors that never
// echo an option's value.
#include <gtest/gtest.h>

#include "args.h"
#include "commands.h"

namespace boxwarden::cli {
namespace {

std::vector<CommandSpec> table() {
    return {
        {"mailbox create",
         {{"ADDRESS"}},
         {{"email-name", "NAME", ""}, {"vip", "", ""}},
         "s",
         "",
         nullptr},
        {"mailbox show", {{"ADDRESS"}}, {}, "s", "", nullptr},
        {"mailbox ooo enable", {{"ADDRESS"}}, {{"subject", "TEXT", "", true}}, "s", "", nullptr},
        {"mailbox ooo disable", {{"ADDRESS"}}, {}, "s", "", nullptr},
        {"settings get", {{"NAME", false}}, {}, "s", "", nullptr},
    };
}

ParsedArgs parse(std::vector<std::string> argv) {
    static const auto t = table();
    return parse_command_line(argv, t);
}

TEST(CliArgs, FindsTheCommandByItsWordsAndCollectsArguments) {
    auto p = parse({"mailbox", "create", "info@example.de", "--email-name", "Müller", "--vip"});
    ASSERT_NE(p.command, nullptr);
    EXPECT_EQ(p.command->path, "mailbox create");
    EXPECT_EQ(p.positionals, std::vector<std::string>{"info@example.de"});
    EXPECT_EQ(p.get("email-name"), "Müller");
    EXPECT_TRUE(p.has("vip"));
    EXPECT_FALSE(p.global.json);
    EXPECT_EQ(p.global.config_path, "/etc/boxwarden/boxwarden.conf");
}

TEST(CliArgs, ThreeWordCommandsAndInlineValues) {
    auto p = parse({"mailbox", "ooo", "enable", "a@b.de", "--subject=Away"});
    EXPECT_EQ(p.command->path, "mailbox ooo enable");
    EXPECT_EQ(p.get("subject"), "Away");
}

TEST(CliArgs, GlobalOptionsAreAcceptedBeforeAndAfterTheCommand) {
    auto p = parse({"--json", "mailbox", "show", "a@b.de", "--config", "/tmp/x.conf"});
    EXPECT_TRUE(p.global.json);
    EXPECT_EQ(p.global.config_path, "/tmp/x.conf");
    auto q = parse({"--defaults-file=/root/.my.cnf", "settings", "get"});
    EXPECT_EQ(q.global.defaults_file, "/root/.my.cnf");
    EXPECT_EQ(q.command->path, "settings get");
    EXPECT_TRUE(q.positionals.empty());
}

TEST(CliArgs, AnArgumentThatLooksLikeACommandWordIsAnArgument) {
    auto p = parse({"settings", "get", "show"});
    EXPECT_EQ(p.command->path, "settings get");
    EXPECT_EQ(p.positionals, std::vector<std::string>{"show"});
}

TEST(CliArgs, DoubleDashEndsOptions) {
    auto p = parse({"mailbox", "show", "--", "-odd@example.de"});
    EXPECT_EQ(p.positionals, std::vector<std::string>{"-odd@example.de"});
}

TEST(CliArgs, UsageErrors) {
    EXPECT_THROW(parse({}), UsageError);
    EXPECT_THROW(parse({"mailbox"}), UsageError);                        // needs a subcommand
    EXPECT_THROW(parse({"mailbox", "frobnicate", "x"}), UsageError);     // unknown
    EXPECT_THROW(parse({"mailbox", "show"}), UsageError);                // missing ADDRESS
    EXPECT_THROW(parse({"mailbox", "show", "a", "b"}), UsageError);      // too many
    EXPECT_THROW(parse({"mailbox", "show", "a", "--vip"}), UsageError);  // other command's option
    EXPECT_THROW(parse({"mailbox", "create", "a", "--vip=yes"}), UsageError);
    EXPECT_THROW(parse({"mailbox", "create", "a", "--email-name"}), UsageError);
    EXPECT_THROW(parse({"mailbox", "create", "a", "--vip", "--vip"}), UsageError);
    EXPECT_THROW(parse({"mailbox", "ooo", "enable", "a"}), UsageError);  // required option
}

TEST(CliArgs, RequiredOptionsShowWithoutBrackets) {
    const auto t = table();
    EXPECT_EQ(usage_line(t[2]), "boxwardenctl mailbox ooo enable ADDRESS --subject TEXT");
    EXPECT_EQ(usage_line(t[4]), "boxwardenctl settings get [NAME]");
}

TEST(CliArgs, MessagesNameTheGroupsSubcommands) {
    try {
        parse({"mailbox", "ooo"});
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("disable enable"), std::string::npos) << e.what();
    }
}

TEST(CliArgs, AnUnknownOptionsValueIsNeverEchoed) {
    for (auto argv :
         {std::vector<std::string>{"mailbox", "show", "a", "--password=Secret123"},
          std::vector<std::string>{"mailbox", "show", "a", "-pSecret123"},
          std::vector<std::string>{"--db-password=Secret123", "mailbox", "show", "a"}}) {
        try {
            parse(argv);
            FAIL();
        } catch (const UsageError& e) {
            EXPECT_EQ(std::string(e.what()).find("Secret123"), std::string::npos) << e.what();
        }
    }
}

// Finding: "--bogus domain list" said "no command given".
TEST(CliArgs, AnUnknownOptionBeforeTheCommandIsNamed) {
    auto message = [](std::vector<std::string> argv) {
        try {
            parse(argv);
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string("<parsed>");
    };
    EXPECT_EQ(message({"--bogus", "mailbox", "show", "a"}),
              "unknown option --bogus; try 'boxwardenctl --help'");
    EXPECT_EQ(message({"mailbox", "--bogus=1", "show", "a"}),
              "unknown option --bogus; try 'boxwardenctl --help'");
    const std::string pw = message({"--password=S3cretValue", "mailbox", "show", "a"});
    EXPECT_EQ(pw.rfind("unknown option --password; ", 0), 0u) << pw;
    EXPECT_EQ(pw.find("S3cretValue"), std::string::npos) << pw;
    const std::string spaced = message({"--password", "S3cretValue", "mailbox", "show", "a"});
    EXPECT_EQ(spaced.rfind("unknown option --password; ", 0), 0u) << spaced;
    EXPECT_EQ(spaced.find("S3cretValue"), std::string::npos) << spaced;
    EXPECT_EQ(message({"--vip", "mailbox", "create", "a"}),
              "option --vip belongs after the command it is for; try 'boxwardenctl --help'");
    EXPECT_EQ(message({"mailbox", "--vip", "create", "a"}),
              "option --vip belongs after the command it is for ('mailbox' is incomplete); try "
              "'boxwardenctl --help'");
    // Global options still go anywhere.
    EXPECT_TRUE(parse({"--json", "mailbox", "show", "a"}).global.json);
}

TEST(CliArgs, HelpForAGroupOrACommandNeedsNoArguments) {
    auto p = parse({"mailbox", "--help"});
    EXPECT_TRUE(p.global.help);
    EXPECT_EQ(p.command, nullptr);
    EXPECT_EQ(p.words, (std::vector<std::string>{"mailbox"}));
    auto q = parse({"help", "mailbox", "ooo", "enable"});
    EXPECT_TRUE(q.global.help);
    EXPECT_EQ(q.words, (std::vector<std::string>{"mailbox", "ooo", "enable"}));
    auto r = parse({"mailbox", "create", "-h"});
    EXPECT_TRUE(r.global.help);
}

TEST(CliArgs, HelpTextListsCommandsAndOptions) {
    const auto t = table();
    const std::string overview = format_help(t, {});
    EXPECT_NE(overview.find("mailbox ooo enable"), std::string::npos);
    EXPECT_NE(overview.find("Exit codes"), std::string::npos);
    EXPECT_NE(overview.find("--defaults-file FILE"), std::string::npos);
    const std::string one = format_help(t, {"mailbox", "create"});
    EXPECT_NE(one.find("Usage: boxwardenctl mailbox create ADDRESS [--email-name NAME] [--vip]"),
              std::string::npos)
        << one;
    const std::string group = format_help(t, {"mailbox", "ooo"});
    EXPECT_NE(group.find("mailbox ooo disable"), std::string::npos);
    EXPECT_EQ(group.find("mailbox create"), std::string::npos);
    EXPECT_THROW(format_help(t, {"nonsense"}), UsageError);
}

TEST(CliArgs, TheRealCommandTableIsConsistent) {
    // Every real command has a handler, a summary, and no path that is also
    // a group prefix of another command (it could never be reached).
    const auto all = all_commands();
    ASSERT_GT(all.size(), 30u);
    for (const auto& c : all) {
        EXPECT_NE(c.handler, nullptr) << c.path;
        EXPECT_FALSE(c.summary.empty()) << c.path;
        for (const auto& d : all)
            if (&c != &d) {
                EXPECT_NE(d.path.rfind(c.path + " ", 0), 0u) << c.path << " / " << d.path;
            }
    }
}

}  // namespace
}  // namespace boxwarden::cli
