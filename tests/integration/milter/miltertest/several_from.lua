-- Several From headers (also the same address twice), no From, several
-- addresses in one From, an unparseable From: refused with the documented
-- 550 (docs/milter.md), never rewritten, never logged; the connection's
-- next message is judged afresh. Unauthenticated mail is not judged.
local lib = dofile(os.getenv("MT_LIB"))

local conn = lib.connect()
local r = lib.submit(conn, "info@example.de", "QF1", "info@example.de",
  {{"From", " info@example.de"}, {"Message-ID", " <mt-f1@example.de>"}, {"From", " info@example.de"}})
lib.expect_reply(conn, r, "550", "5.6.0", "Message has 2 From headers (exactly one is allowed)",
  "two identical From headers")

r = lib.submit(conn, "info@example.de", "QF2", "info@example.de",
  {{"From", " Info <info@example.de>"}, {"From", " Other <other@example.org>"},
   {"From", " x@example.org"}, {"Message-ID", " <mt-f2@example.de>"}})
lib.expect_reply(conn, r, "550", "5.6.0", "Message has 3 From headers (exactly one is allowed)",
  "three From headers")

r = lib.submit(conn, "info@example.de", "QF3", "info@example.de",
  {{"To", " rcpt@example.org"}, {"Message-ID", " <mt-f3@example.de>"}})
lib.expect_reply(conn, r, "550", "5.6.0", "Message has no From header", "no From header")

r = lib.submit(conn, "info@example.de", "QF4", "info@example.de",
  {{"From", " info@example.de, other@example.org"}, {"Message-ID", " <mt-f4@example.de>"}})
lib.expect_reply(conn, r, "550", "5.7.1", "From header has 2 addresses (exactly one is allowed)",
  "two addresses in one From")

r = lib.submit(conn, "info@example.de", "QF5", "info@example.de",
  {{"From", " Info <info@example.de"}, {"Message-ID", " <mt-f5@example.de>"}})
lib.expect_reply(conn, r, "550", "5.6.0",
  "From header cannot be parsed: address not closed with '>' at byte 7", "unparseable From")

-- The same connection's next message, with one From: accepted and rewritten.
r = lib.submit(conn, "info@example.de", "QF6", "info@example.de",
  {{"From", " info@example.de"}, {"Message-ID", " <mt-f6@example.de>"}})
lib.check(r == SMFIR_ACCEPT, "one From after refused messages: accept, got " .. tostring(r))
lib.check(mt.eom_check(conn, MT_HDRCHANGE, "From", lib.INFO_FROM), "one From: rewritten")
mt.disconnect(conn)

-- Unauthenticated with two From headers: accepted at MAIL FROM, not judged.
conn = lib.connect()
lib.check(lib.mail(conn, nil, "QF7", "info@example.de") == SMFIR_ACCEPT, "unauthenticated: accept")
mt.disconnect(conn)

lib.check(lib.wait_until(function() return lib.sent_rows("<mt-f6@example.de>") == 1 end, 20),
  "sent row of the accepted message")
lib.check(lib.sql("SELECT COUNT(*) FROM activity") == "1", "refused messages are not logged")
for _, q in ipairs({"QF1", "QF2", "QF3", "QF4", "QF5"}) do
  lib.check(lib.log_lines("reject queue_id=" .. q .. " ") == 1, "one reject log line for " .. q)
end
mt.echo("ok")
