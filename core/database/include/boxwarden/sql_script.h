#pragma once
// Splits an SQL script, as the mariadb/mysql command-line client would, into
// statements: ';' ends a statement unless a DELIMITER line changed it; quotes,
// backticks and comments are respected. Lets the migration runner execute
// the same files an admin can feed to `mariadb < file`.
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden {

struct SqlStatement {
    std::string text;  // without the delimiter, trimmed
    size_t line;       // 1-based line where it starts (for error messages)
};

// Throws std::runtime_error on an unterminated quote or comment.
std::vector<SqlStatement> split_sql_script(std::string_view script);

}  // namespace boxwarden
