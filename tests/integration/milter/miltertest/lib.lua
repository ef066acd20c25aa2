-- Helpers shared by the miltertest scripts (loaded with dofile(os.getenv("MT_LIB"))).
-- run-miltertest.sh provides the environment: MILTER_SOCKET, MILTER_LOG,
-- BW_SQL, POLICYD_STATUS, STOP_POLICYD, START_POLICYD. The seeded hosted world:
-- example.de with info@ (email name "Müller Immobilien"), sales@ (no name,
-- assigned to user anna "Anna Schmidt") and ceo@ (assigned to user carl).
local lib = {}

-- The From value boxwarden-milter writes for info@example.de (HDR_LEADSPC:
-- the value brings its own space).
lib.INFO_FROM = " =?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>"
lib.TEMPFAIL_TEXT = "Sender settings temporarily unavailable, try again later"

-- miltertest exits 1 on a Lua error without printing it: say what failed first.
function lib.check(cond, what)
  if not cond then
    mt.echo("FAILED: " .. what)
    error("FAILED: " .. what, 2)
  end
end

function lib.ok(err, what)
  if err ~= nil then
    mt.echo("FAILED: " .. what .. ": " .. tostring(err))
    error("FAILED: " .. what .. ": " .. tostring(err), 2)
  end
end

function lib.connect()
  local conn = mt.connect("unix:" .. os.getenv("MILTER_SOCKET"), 50, 0.1)
  lib.check(conn ~= nil, "mt.connect to the milter")
  return conn
end

-- MAIL FROM with the macros Postfix sends; login nil = unauthenticated.
-- Returns the milter's reply.
function lib.mail(conn, login, queue_id, sender)
  if login ~= nil then
    mt.macro(conn, SMFIC_MAIL, "{auth_authen}", login, "i", queue_id)
  else
    mt.macro(conn, SMFIC_MAIL, "i", queue_id)
  end
  lib.ok(mt.mailfrom(conn, "<" .. sender .. ">"), "mailfrom " .. sender)
  return mt.getreply(conn)
end

-- The rest of an authenticated message: recipients, headers ({name, value}
-- pairs, values as on the wire after the colon), end of message. Returns
-- the reply at end of message.
function lib.finish(conn, recipients, headers)
  for _, r in ipairs(recipients) do lib.ok(mt.rcptto(conn, "<" .. r .. ">"), "rcptto " .. r) end
  for _, h in ipairs(headers) do lib.ok(mt.header(conn, h[1], h[2]), "header " .. h[1]) end
  lib.ok(mt.eom(conn), "eom")
  return mt.getreply(conn)
end

-- One authenticated message on conn; returns the reply at end of message.
function lib.submit(conn, login, queue_id, sender, headers)
  lib.check(lib.mail(conn, login, queue_id, sender) == SMFIR_CONTINUE,
    queue_id .. ": authenticated MAIL FROM must continue")
  return lib.finish(conn, {"rcpt@example.org"}, headers)
end

-- Expects a reply code with exactly this SMTP reply at end of message.
function lib.expect_reply(conn, reply, code, enhanced, text, what)
  lib.check(reply == SMFIR_REPLYCODE, what .. ": expected a reply code, got " .. tostring(reply))
  lib.check(mt.eom_check(conn, MT_SMTPREPLY, code, enhanced, text),
    what .. ": expected '" .. code .. " " .. enhanced .. " " .. text .. "'")
  lib.check(not mt.eom_check(conn, MT_HDRCHANGE), what .. ": no header may change")
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function run(command)
  local p = io.popen(command .. " 2>&1")
  local out = p:read("a")
  p:close()
  return out
end

-- One value from the test database.
function lib.sql(query)
  return (run(os.getenv("BW_SQL") .. " -e " .. shell_quote(query)):gsub("%s+$", ""))
end

function lib.sent_rows(message_id)
  return tonumber(lib.sql("SELECT COUNT(*) FROM activity WHERE direction = 'sent' AND message_id = '"
    .. message_id .. "'"))
end

-- Polls until f() is true (policyd's log writer drains its spool
-- asynchronously); false after `seconds`.
function lib.wait_until(f, seconds)
  for _ = 1, seconds * 10 do
    if f() then return true end
    mt.sleep(0.1)
  end
  return f()
end

-- policyd's request=status as a table.
function lib.policyd_status()
  local t = {}
  for k, v in run(os.getenv("POLICYD_STATUS")):gmatch("([%w_]+)=([^\n]*)") do t[k] = v end
  return t
end

-- Lines of the milter's log holding `text` (plain text, not a pattern).
function lib.log_lines(text)
  local n = 0
  local f = io.open(os.getenv("MILTER_LOG"), "r")
  if f == nil then return 0 end
  for line in f:lines() do
    if line:find(text, 1, true) then n = n + 1 end
  end
  f:close()
  return n
end

-- One sample of a Prometheus scrape (curl), e.g.
-- lib.metric(os.getenv("MILTER_METRICS"), 'boxwarden_milter_messages_total{result="accepted"}');
-- nil when the scrape failed or the sample is absent.
function lib.metric(url, sample)
  local text = run("curl -fsS --max-time 5 " .. shell_quote(url))
  for line in text:gmatch("[^\n]+") do
    if line:sub(1, #sample + 1) == sample .. " " then return tonumber(line:sub(#sample + 2)) end
  end
  return nil
end

function lib.stop_policyd()
  lib.check(os.execute(os.getenv("STOP_POLICYD")), "stopping policyd")
end

function lib.start_policyd()
  lib.check(os.execute(os.getenv("START_POLICYD")), "starting policyd")
end

return lib
