#pragma once
// boxwarden's tables that carry triggers, and which of them a server's
// "… has an error in its body" refusal is about.
//
// MariaDB parses a table's triggers each time it opens a new instance of the
// table, and keeps that instance in its table cache. When the parse fails
// for a passing reason (seen on Galera nodes under brute-force aborts), the
// cached instance refuses every later write to the table on that node, with
// ERROR 1064 "Trigger 'x' has an error in its body: …" or "Unknown trigger
// has an error in its body: …", although the triggers on disk are intact.
// Connection::reload_trigger_tables() makes the server drop that instance.
#include <string_view>
#include <vector>

namespace boxwarden::db {

// Every boxwarden table with a trigger (sql.TriggerTables.* checks the
// list against information_schema). Each trigger's name starts with its table's
// name and "_".
const std::vector<std::string_view>& tables_with_triggers();

// True for the refusal described above (code 1064 with "has an error in its
// body" in the message).
bool is_unloaded_triggers_error(int code, std::string_view message);

// The tables a refusal is about: the one whose name is the longest prefix of
// the named trigger's name, or every table with triggers when the server
// could not name the trigger ("Unknown trigger").
std::vector<std::string_view> tables_for_unloaded_triggers(std::string_view message);

}  // namespace boxwarden::db
