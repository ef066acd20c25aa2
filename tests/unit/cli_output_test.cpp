// boxwardenctl's output (cli/src/output.h): valid JSON whatever the data,
// terminal-safe text, and the human layouts.
#include <gtest/gtest.h>

#include "boxwarden/utf8.h"
#include "dovecot.h"
#include "output.h"
#include "password_input.h"

namespace boxwarden::cli {
namespace {

TEST(CliOutput, JsonEscapesAndRepairsStrings) {
    EXPECT_EQ(json_quote("a\"b\\c\n\t"), R"("a\"b\\c\n\t")");
    EXPECT_EQ(json_quote(std::string("x\x01y", 3)), R"("x\u0001y")");
    EXPECT_EQ(json_quote("M\xC3\xBCller"), "\"M\xC3\xBCller\"");  // UTF-8 kept
    EXPECT_EQ(json_quote("bad\xFF"), "\"bad\xEF\xBF\xBD\"");      // ill-formed -> U+FFFD
}

TEST(CliOutput, JsonKeepsTheEscapesOfTheHandWrittenSerialiser) {
    // nlohmann writes \b and \f and leaves DEL, U+2028 and U+2029 raw; the
    // output stays byte-identical to what boxwardenctl printed before.
    EXPECT_EQ(json_quote("\b\f\x7f\xE2\x80\xA8\xE2\x80\xA9"),
              R"("\u0008\u000c\u007f\u2028\u2029")");
    EXPECT_EQ(json_quote("a\\b"), R"("a\\b")");  // an escaped backslash stays one
    EXPECT_EQ(Json::object().set("k\x7f", "\x1f").dump(), R"({"k\u007f":"\u001f"})");
}

TEST(CliOutput, InvalidUtf8NeverMakesTheSerialiserThrow) {
    // Values come from the database by plain SQL: any bytes at all.
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    Json o = Json::object();
    o.set(all, all);
    o.set("list", Json::array().push(std::string_view("\xC3(\xFF\xED\xA0\x80")));
    std::string compact;
    std::string pretty;
    EXPECT_NO_THROW(compact = o.dump());
    EXPECT_NO_THROW(pretty = o.dump_pretty());
    EXPECT_TRUE(is_valid_utf8(compact));
    EXPECT_TRUE(is_valid_utf8(pretty));
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_NE(compact.find("[\"" + fffd + "(" + fffd + fffd + fffd + fffd + "\"]"),
              std::string::npos)
        << compact;
}

TEST(CliOutput, JsonObjectsKeepOrderAndTypes) {
    Json o = Json::object();
    o.set("b", 1).set("a", true).set("n", nullptr).set("s", "x");
    o.set("list", Json::array().push("p").push(2));
    std::optional<std::string> none;
    o.set("opt", none);
    EXPECT_EQ(o.dump(), R"({"b":1,"a":true,"n":null,"s":"x","list":["p",2],"opt":null})");
    o.set("b", 2);  // replaces, keeps position
    EXPECT_EQ(o.dump().substr(0, 7), R"({"b":2,)");
    EXPECT_EQ(Json::array().dump_pretty(), "[]");
    EXPECT_EQ(Json::object().set("k", 1).dump_pretty(), "{\n  \"k\": 1\n}");
}

TEST(CliOutput, TerminalSafeEscapesInvisibleAndBidiCodePoints) {
    // U+202E RIGHT-TO-LEFT OVERRIDE would flip the rest of the line.
    EXPECT_EQ(terminal_safe("evil\u202Egnp.exe"), "evil\\u202egnp.exe");
    EXPECT_EQ(terminal_safe("line\u2028sep\u2029par"), "line\\u2028sep\\u2029par");
    EXPECT_EQ(terminal_safe("a\u200Bb\u200Ec\u200Fd"), "a\\u200bb\\u200ec\\u200fd");
    EXPECT_EQ(terminal_safe("\uFEFFbom\u2066iso\u2069\u00ADshy"),
              "\\ufeffbom\\u2066iso\\u2069\\u00adshy");
    // Visible text, ZWJ sequences and umlauts stay as they are.
    EXPECT_EQ(terminal_safe("M\u00fcller \u2013 \u200D"), "M\u00fcller \u2013 \u200D");
}

TEST(CliOutput, HumanTablesEscapeBidiOverrides) {
    Json rows = Json::array();
    rows.push(Json::object().set("name", "a\u202Eb"));
    const std::string text = render_human(rows);
    EXPECT_EQ(text.find("\u202E"), std::string::npos) << text;
    EXPECT_NE(text.find("a\\u202eb"), std::string::npos) << text;
}

TEST(CliOutput, TerminalSafeEscapesControlCharacters) {
    EXPECT_EQ(terminal_safe("ok\x1b[31mred"), "ok\\x1b[31mred");
    EXPECT_EQ(terminal_safe("a\rb"), "a\\x0db");
    EXPECT_EQ(terminal_safe("tab\tand\nnewline"), "tab\tand\nnewline");
    EXPECT_EQ(terminal_safe("c1\xC2\x9B"), "c1\\x9b");
}

TEST(CliOutput, HumanObjectAlignsKeysAndNestsTables) {
    Json o = Json::object();
    o.set("address", "info@example.de").set("vip", true).set("email_name", nullptr);
    o.set("out_of_office", Json::object().set("enabled", false));
    o.set("assigned_users",
          Json::array()
              .push(Json::object().set("login", "anna").set("display_name", "Anna"))
              .push(Json::object().set("login", "bob").set("display_name", "B")));
    const std::string text = render_human(o);
    EXPECT_EQ(text,
              "address:        info@example.de\n"
              "vip:            yes\n"
              "email name:     -\n"
              "out of office:\n"
              "  enabled: no\n"
              "assigned users:\n"
              "  login  display name\n"
              "  anna   Anna\n"
              "  bob    B\n");
}

TEST(CliOutput, HumanTablesAndEmptyLists) {
    EXPECT_EQ(render_human(Json::array()), "(none)\n");
    Json rows = Json::array();
    rows.push(Json::object().set("domain", "example.de").set("mailboxes", 3));
    EXPECT_EQ(render_human(rows), "domain      mailboxes\nexample.de  3\n");
    EXPECT_EQ(render_human(Json("just text")), "just text\n");
}

TEST(CliOutput, HumanMultiLineTextIsAnIndentedBlock) {
    Json o = Json::object().set("body", "line 1\nline 2");
    EXPECT_EQ(render_human(o), "body:\n  | line 1\n  | line 2\n");
}

ProcessResult ran(int code, std::string out, std::string err) {
    ProcessResult r;
    r.started = true;
    r.exit_code = code;
    r.out = std::move(out);
    r.err = std::move(err);
    return r;
}

TEST(CliDoveadm, FlushIsReadFromTheOutputNotTheExitCode) {
    auto ok = interpret_cache_flush(ran(0, "2 cache entries flushed\n", ""));
    EXPECT_EQ(ok.outcome, DovecotOutcome::Done);
    EXPECT_EQ(ok.entries, 2);
    // Exit code 0, but Dovecot was never reached (the documented pitfall).
    auto absent = interpret_cache_flush(ran(
        0, "0 cache entries flushed\n",
        "Error: auth-master: auth cache flush: connect(/run/dovecot/auth-master) failed: No such "
        "file or directory\n"));
    EXPECT_EQ(absent.outcome, DovecotOutcome::NotOnHost);
    auto denied = interpret_cache_flush(
        ran(0, "0 cache entries flushed\n",
            "Error: auth-master: auth cache flush: connect(/run/dovecot/auth-master) failed: "
            "Permission denied\n"));
    EXPECT_EQ(denied.outcome, DovecotOutcome::Failed);
    EXPECT_NE(denied.detail.find("Permission denied"), std::string::npos);
    auto bad_config = interpret_cache_flush(ran(
        75, "",
        "Fatal: Error reading configuration: stat(/x.conf) failed: No such file or directory\n"));
    EXPECT_EQ(bad_config.outcome, DovecotOutcome::Failed);
    EXPECT_EQ(interpret_cache_flush(ran(0, "", "")).outcome, DovecotOutcome::Failed);
    ProcessResult missing;
    missing.start_error = "/usr/bin/doveadm: No such file or directory";
    EXPECT_EQ(interpret_cache_flush(missing).outcome, DovecotOutcome::NotOnHost);
}

TEST(CliDoveadm, Kick) {
    EXPECT_EQ(interpret_kick(ran(0, "info@example.de\n", "")).outcome, DovecotOutcome::Done);
    EXPECT_EQ(interpret_kick(ran(68, "", "")).outcome, DovecotOutcome::Done);
    EXPECT_EQ(interpret_kick(ran(75, "",
                                 "Fatal: net_connect_unix(/run/dovecot/anvil) failed: No "
                                 "such file or directory\n"))
                  .outcome,
              DovecotOutcome::NotOnHost);
    EXPECT_EQ(interpret_kick(ran(75, "",
                                 "Fatal: net_connect_unix(/run/dovecot/anvil) failed: "
                                 "Permission denied\n"))
                  .outcome,
              DovecotOutcome::Failed);
}

TEST(CliPasswordInput, OneTrailingLineEndIsStripped) {
    EXPECT_EQ(strip_one_line_end("secret\n"), "secret");
    EXPECT_EQ(strip_one_line_end("secret\r\n"), "secret");
    EXPECT_EQ(strip_one_line_end("secret\n\n"), "secret\n");
    EXPECT_EQ(strip_one_line_end("secret"), "secret");
}

}  // namespace
}  // namespace boxwarden::cli
