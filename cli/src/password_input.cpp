#include "password_input.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "context.h"

namespace boxwarden::cli {

namespace {

std::string prompt_hidden(const std::string& prompt) {
    std::cerr << prompt << std::flush;
    termios old{};
    const bool tty = ::tcgetattr(0, &old) == 0;
    if (tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(0, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) ::tcsetattr(0, TCSAFLUSH, &old);
    std::cerr << "\n";
    return line;
}

}  // namespace

std::string strip_one_line_end(std::string text) {
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r') text.pop_back();
    }
    return text;
}

std::string read_new_password(Context& ctx) {
    std::string password;
    if (ctx.stdin_is_terminal()) {
        password = prompt_hidden("New password: ");
        if (prompt_hidden("Repeat it: ") != password) throw Refusal("the two passwords differ");
    } else {
        password = strip_one_line_end(ctx.read_stdin());
    }
    if (password.empty()) throw Refusal("no password given on stdin");
    const PasswordStrength s = check_password_strength(password);
    if (s != PasswordStrength::Ok)
        throw Refusal("password refused by the strength rule: " +
                      std::string(password_strength_message(s)));
    return password;
}

PasswordScheme configured_scheme(Context& ctx) {
    return admin::configured_scheme(ctx.config());
}

}  // namespace boxwarden::cli
